"""Time the 10,000-run sweep end to end, on two cores and on one, against the same runs in a plain loop.

Run from the repository root::

    python bench/bench_sweep.py [--runs 10000] [--repeats 1] [--out results/bench]

Every sweep is run as a user runs it, ``python -m sim +sweep=scale_10k ...
hydra.sweep.dir=DIR`` in a subprocess (aggregation included), and timed from
process start to exit; the summed RSS of its process tree (main process and
launcher workers) is sampled every 50 ms with psutil. The same runs are then
made in one plain loop in a fresh interpreter (no Hydra per job, nothing
written), once in one process and once split over two processes. What each
measurement covers, and how the wall time is broken down, is described in
``bench/README.md``.

Results go to ``<out>/sweep_time.json`` and ``<out>/sweep_time.md`` (the
latest run) and to copies tagged with the Python and Mesa versions. The sweep
folders are made in a temporary folder inside ``<out>`` (same disk as
``results/sweeps``) and removed at the end unless ``--keep-sweeps``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

try:
    import psutil  # noqa: F401  (the modules below need it: say so before they fail)
except ImportError:  # pragma: no cover - the message is the point
    sys.exit("bench_sweep.py needs psutil: pip install psutil")

from bench_common import write_reports
from plain_loop import compare_rows, plain_loop_worker, run_plain, run_plain_2proc
from proc_tree import PSS_S, REFRESH_S, SAMPLE_S, run_timed
from sweep_components import components
from sweep_report import (
    FOREIGN_LOAD_WARN,
    LIMIT_OVERHEAD,
    LIMIT_PEAK_BYTES,
    LIMIT_WALL_S,
    TARGET_SPEEDUP,
    machine,
    median_repeat,  # fmt: skip
    render_markdown,
    requirements,
    summarise,
)
from sweep_setup import DEFAULT_RUNS, REPO, SWEEPS, sweep_command, sweep_shape
from sweep_timeline import breakdown, check_runs, timeline

BUSY_RETRY_ABOVE = 0.10  # re-run a measurement once when other processes used more than this share


def run_sweep(name: str, root: Path, extra: Sequence[str], seeds: Sequence[int], replicates: int) -> dict[str, Any]:
    launcher, _ = SWEEPS[name]
    sweep_dir = root / f"{name}-{time.time_ns()}"
    assert not sweep_dir.exists()  # an existing folder would be resumed, not run
    cmd = sweep_command(launcher, sweep_dir, extra)
    r = run_timed(cmd, sample=True)
    check = check_runs(sweep_dir / "runs.parquet", seeds, replicates)
    tl = timeline(sweep_dir, r["wall0"], r["wall_s"], r["stdout"])
    return {
        "wall_s": r["wall_s"],
        "runs_per_s": len(seeds) * replicates / r["wall_s"],
        "foreign_load": r["foreign_load"],
        "tree": r["tree"],
        "check": check,
        "timeline": tl,
        "command": " ".join(cmd[1:]),
        "dir": str(sweep_dir),
    }


# -- main ----------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                        help="runs in the sweep, a multiple of its number of jobs (default 10000; "
                             "the 60 s and 1 GB verdicts apply to 10000 only)")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=1, help="times each measurement is repeated (default 1)")
    parser.add_argument("--out", type=Path, default=Path("results/bench"), help="output folder (default results/bench)")
    parser.add_argument("--no-pool1", action="store_true", help="skip the sim_pool n_jobs=1 sweep (saves ~35 s)")
    parser.add_argument("--no-joblib", action="store_true", help="skip the joblib n_jobs=2 reference sweep")
    parser.add_argument("--no-plain2", action="store_true", help="skip the plain loop on two processes")
    parser.add_argument("--no-components", action="store_true", help="skip timing imports, validation, aggregation")
    parser.add_argument("--keep-sweeps", action="store_true", help="keep the sweep folders (printed at the end)")
    parser.add_argument("--retry-busy", type=int, default=1,
                        help=f"re-run a measurement up to this many times when other processes used more than "
                             f"{BUSY_RETRY_ABOVE:.0%}% of the machine during it (default 1; 0: never)")  # fmt: skip
    # internal: the plain loop, run in a fresh interpreter
    parser.add_argument("--plain-loop", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--replicates", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--rows-out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.runs < 1 or args.retry_busy < 0:
        parser.error("--runs and --repeats must be >= 1, --retry-busy >= 0")
    return args


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _log(t0: float, text: str) -> None:
    print(f"[{time.perf_counter() - t0:6.1f} s] {text}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.plain_loop:
        start, stop = map(int, args.jobs.split(":"))
        print(json.dumps(plain_loop_worker(range(start, stop), args.replicates, args.rows_out)))
        return 0
    t_all = time.perf_counter()
    seeds, default_reps = sweep_shape()
    if args.runs % len(seeds):
        sys.exit(f"--runs must be a multiple of the sweep's {len(seeds)} jobs")
    replicates = args.runs // len(seeds)
    extra = [] if replicates == default_reps else [f"replicates={replicates}"]
    reps_arg = None if replicates == default_reps else replicates
    names = (["sweep_2core", "sweep_1core_basic"] + ([] if args.no_pool1 else ["sweep_1core_pool"])
             + ([] if args.no_joblib else ["sweep_2core_joblib"]))  # fmt: skip
    samples: dict[str, list[dict[str, Any]]] = {n: [] for n in [*names, "plain_loop", "plain_loop_2proc"]}
    out = args.out if args.out.is_absolute() else REPO / args.out
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=".sweeps-", dir=out))
    comp: dict[str, Any] = {}
    checks: dict[str, Any] = {}
    try:
        discarded: list[dict[str, Any]] = []

        def measure(rep: int, name: str, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
            """Run one measurement; once more (up to --retry-busy times) if the machine was busy meanwhile."""
            for attempt in range(args.retry_busy + 1):
                _log(t_all, f"repeat {rep + 1}/{args.repeats}: {name} ...")
                r = run()
                peak = f", peak tree RSS {r['tree']['peak_tree_rss_mb']:.0f} MB" if "tree" in r else ""
                loop = f" (loop {r['loop_s']:.1f} s)" if name == "plain_loop" else ""
                _log(t_all, f"  {r['wall_s']:.1f} s{loop}{peak}, other load {r['foreign_load']:.0%}")
                if r["foreign_load"] <= BUSY_RETRY_ABOVE or attempt == args.retry_busy:
                    samples[name].append(r)
                    return r
                _log(t_all, "  the machine was busy: measuring again")
                discarded.append({"repeat": rep, "name": name, "wall_s": r["wall_s"], "foreign_load": r["foreign_load"]})
                for key in ("dir", "rows_file"):
                    if key in r and not args.keep_sweeps:
                        _remove(Path(r[key]))
            raise AssertionError("unreachable")

        for rep in range(args.repeats):
            for name in names:  # interleaved, so drift of a noisy machine hits all alike
                measure(rep, name, lambda name=name: run_sweep(name, root, extra, seeds, replicates))
            p = measure(rep, "plain_loop", lambda: run_plain(root, seeds, reps_arg, args.runs))
            if rep == 0:
                checks["sweep_2core vs plain loop"] = compare_rows(
                    Path(samples["sweep_2core"][0]["dir"]) / "runs.parquet", Path(p["rows_file"]))
            if not args.no_plain2:
                measure(rep, "plain_loop_2proc", lambda: run_plain_2proc(seeds, reps_arg, args.runs))
            if rep == 0 and not args.no_components:
                _log(t_all, "components (imports, validation, aggregation) ...")
                sweep_args = sweep_command(SWEEPS["sweep_2core"][0], Path(samples["sweep_2core"][0]["dir"]), extra)[3:]
                comp = components(Path(samples["sweep_2core"][0]["dir"]), sweep_args)
            if not args.keep_sweeps:
                for reps in samples.values():
                    for r in reps:
                        for key in ("dir", "rows_file"):
                            if key in r:
                                _remove(Path(r[key]))
        plain_med = median_repeat(samples["plain_loop"])
        for name in names:
            for r in samples[name]:
                r["breakdown"] = breakdown(r["timeline"], comp, plain_med)
        meas = summarise(samples)
        report = {
            "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": machine(),
            "settings": {"runs": args.runs, "jobs": len(seeds), "replicates": replicates, "repeats": args.repeats,
                         "sample_interval_s": SAMPLE_S, "tree_refresh_s": REFRESH_S, "pss_interval_s": PSS_S,
                         "retry_busy": args.retry_busy, "busy_retry_above": BUSY_RETRY_ABOVE},  # fmt: skip
            "duration_s": time.perf_counter() - t_all,
            "limits": {"wall_s": LIMIT_WALL_S, "peak_bytes": LIMIT_PEAK_BYTES, "overhead": LIMIT_OVERHEAD,
                       "speedup": TARGET_SPEEDUP},  # fmt: skip
            "measurements": meas,
            "requirements": requirements(meas, args.runs),
            "components": comp,
            "checks": checks,
            "discarded_busy": discarded,
        }
        paths = write_reports(report, render_markdown(report), out, "sweep_time")
        print(render_markdown(report), end="")
        print(f"\nwrote {', '.join(str(p) for p in paths)}")
        if max(m["foreign_load"]["max"] for m in meas.values()) > FOREIGN_LOAD_WARN:
            print("warning: the machine was busy with other processes; see 'other load'", file=sys.stderr)
    finally:
        if args.keep_sweeps:
            print(f"sweep folders kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
