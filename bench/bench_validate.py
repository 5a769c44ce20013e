"""Time ``python -m sim.validate`` as a user runs it: 20 seeds, the calibrated, null, climatology and VAR models.

Run from the repository root::

    python bench/bench_validate.py [--repeats 3] [--seeds 20] [--out results/bench] [--no-split]

Each repeat runs ``python -m sim.validate seeds=20 'models=[calibrated,<null model>,climatology,var]'``
in a fresh interpreter (a subprocess from the repository root), timed with
``time.perf_counter`` from spawn to exit: interpreter start, imports, Hydra's
composition, every model's runs, the references, reading and scoring the runs,
the report and its figures, and exit. The null model's name is read from
``configs/validate.yaml`` (the reference that is a variant of the model). The
requirement checked: the median wall time is under 2 minutes.

Then, unless ``--no-split``, the same validation runs once more in a fresh
interpreter (``bench_validate.py --in-process``) with the steps of
``sim.history.validate.run_validation`` wrapped in timers, to show where the
time goes: imports, the model's runs (composition, build and the runs),
the reference models, ``observe`` (reading each run's facts), the former fit
score where the code computes it, the facts, scoring, the report, and the rest
(settings, timeline, the scripted base run, the split). The steps are in
:data:`STEPS`.

Reports go to ``<out>/validate_time.{md,json}`` (the latest run) and to copies
tagged with the Python and Mesa versions. Every validation writes into a
temporary folder inside ``<out>`` (its ``results_dir``), removed at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LIMIT_S = 120.0  # the target: the validation with 20 seeds and these four models in under 2 minutes
DEFAULT_SEEDS = 20
# The in-process steps timed, in report order (what each wraps, in sim.history.validate).
STEPS: dict[str, str] = {
    "imports": "import sim.history.validate, validate_report, validate_figures (matplotlib)",
    "model_runs": "variant_runs: compose and build each variant's spec, run every seed, its tables",
    "references": "climatology and var_reference: fit on the training part, write the synthetic runs",
    "observe": "observe: every run's value of every fact",
    "fit_score": "assess: the former fit score of each model run, kept for comparison (if the code has it)",
    "facts": "derive_facts: the documented facts from the timeline and the scenario",
    "scoring": "score_model, common_facts, pattern_scores, skill_table",
    "report": "write_report: the CSV tables, report.md and the three figures",
    "other": "the rest of run_validation: settings, timeline and its targets, the scripted base run, split",
}


def models_override() -> tuple[list[str], str]:
    """The four models (the null model named as configs/validate.yaml names it) and their override."""
    from sim.history.validate import REFERENCE_MODELS, compose_settings, read_settings

    default = read_settings(compose_settings([]))
    null = next(r for r in default.references if r not in REFERENCE_MODELS)
    models = ["calibrated", null, "climatology", "var"]
    return models, "models=[" + ",".join(f'"{m}"' for m in models) + "]"  # quoted: YAML reads a bare null as None


def validate_command(seeds: int, override: str, results_dir: Path, name: str) -> list[str]:
    return [sys.executable, "-m", "sim.validate", f"seeds={seeds}", override, f"name={name}",
            f"results_dir='{results_dir}'"]  # fmt: skip


def run_timed(cmd: Sequence[str], log: Path) -> dict[str, Any]:
    """Run ``cmd`` from the repository root, output to ``log``; wall time from spawn to exit, CPU time, peak RSS."""
    import subprocess

    with open(log, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd[1:])} failed (exit code {proc.returncode}):\n{text[-3000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
            "stdout": text}  # fmt: skip


# -- the in-process split (run in a fresh interpreter: bench_validate.py --in-process) ------------
def in_process(seeds: int, override: str, results_dir: Path) -> dict[str, float]:
    """One validation in this (fresh) process with its steps timed; seconds per step of :data:`STEPS`."""
    t0 = time.perf_counter()
    import sim.history.validate as v
    import sim.history.validate_figures  # noqa: F401  (imported by write_report; its matplotlib import counted here)
    import sim.history.validate_report as report

    times = dict.fromkeys(STEPS, 0.0)
    times["imports"] = time.perf_counter() - t0

    def timed(step: str, f: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return f(*args, **kwargs)
            finally:
                times[step] += time.perf_counter() - start

        return wrapper

    # run_validation calls these through its module's globals (write_report through validate_report's).
    wrapped = {"variant_runs": "model_runs", "climatology": "references", "var_reference": "references",
               "observe": "observe", "assess": "fit_score", "derive_facts": "facts", "score_model": "scoring",
               "common_facts": "scoring", "pattern_scores": "scoring", "skill_table": "scoring"}  # fmt: skip
    for name, step in wrapped.items():
        if hasattr(v, name):
            setattr(v, name, timed(step, getattr(v, name)))
        elif step == "fit_score":
            del times[step]  # a version of the code without it
    report.write_report = timed("report", report.write_report)
    cfg = v.compose_settings([f"seeds={seeds}", override, "name=in_process", f"results_dir='{results_dir}'"])
    start = time.perf_counter()
    v.run_validation(cfg)
    total = time.perf_counter() - start
    times["other"] = total - sum(t for k, t in times.items() if k not in ("imports", "other"))
    times["total"] = times["imports"] + total
    return times


# -- report -----------------------------------------------------------------------------------------
def build_report(walls: Sequence[Mapping[str, Any]], split: Mapping[str, float] | None, info: Mapping[str, Any],
                 args: argparse.Namespace, models: Sequence[str], command: str) -> dict[str, Any]:  # fmt: skip
    values = [w["wall_s"] for w in walls]
    median = statistics.median(values)
    return {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": dict(info),
        "settings": {"repeats": args.repeats, "seeds": args.seeds, "models": list(models), "command": command},
        "unit": "s",
        "repeats": [{k: w[k] for k in ("wall_s", "cpu_s", "peak_rss_mb")} for w in walls],
        "wall_s": {"median": median, "min": min(values), "max": max(values), "n": len(values)},
        "in_process": None if split is None else {k: {"s": t, "what": STEPS.get(k, "")} for k, t in split.items()},
        "requirement": {
            "limit_s": LIMIT_S,
            "median_s": median,
            "met": median < LIMIT_S,
            "applies": args.seeds == DEFAULT_SEEDS,
        },
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def render_markdown(report: Mapping[str, Any]) -> str:
    m, s, w, req = report["machine"], report["settings"], report["wall_s"], report["requirement"]
    modified = " (sim/, configs/ or scenarios/ modified)" if m["git_model_code_modified"] else ""
    load = ", ".join(f"{x:.2f}" for x in report["load_average_at_start"] or []) or "n/a"
    lines = [
        f"# Validation time: `python -m sim.validate`, {s['seeds']} seeds, models {', '.join(s['models'])}",
        "",
        (
            f"Python {m['python']}, Mesa {m['mesa']}, numpy {m['numpy']}, pandas {m['pandas']}; "
            f"{m['cpu_count']} CPUs ({m['cpu_model']}); git {str(m['git_commit'])[:10]}{modified}; "
            f"{report['timestamp']}; load average at start {load}."
        ),
        "",
        f"Command (a fresh interpreter per repeat, from the repository root, timed from spawn to exit): `{s['command']}`",
        "",
        "| repeat | wall s | CPU s | peak RSS MB |",
        "|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(report["repeats"], 1):
        lines.append(f"| {i} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['peak_rss_mb']:.0f} |")
    lines += [
        "",
        f"Median wall time over {w['n']} repeat(s): **{w['median']:.1f} s** (min {w['min']:.1f}, max {w['max']:.1f}).",
    ]
    verdict = "met" if req["met"] else "NOT met"
    target = f"Target: under {req['limit_s']:.0f} s (2 minutes) with {DEFAULT_SEEDS} seeds: {verdict}"
    lines += [
        "",
        target + ("." if req["applies"] else f" (measured with {s['seeds']} seeds: not the target's setting)."),
    ]
    if report["in_process"]:
        split = report["in_process"]
        total = split["total"]["s"]
        lines += ["", "## Where the time goes (one more validation, in-process in a fresh interpreter)", "",
                  "| step | s | share | what |", "|---|---:|---:|---|"]  # fmt: skip
        for k, row in split.items():
            if k != "total":
                lines.append(f"| {k} | {row['s']:.2f} | {row['s'] / total:.0%} | {row['what']} |")
        lines.append(
            f"| total | {total:.2f} | 100% | imports + run_validation (interpreter start and exit not included) |"
        )
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of the command (default 3)")
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help="seeds per model (default 20, the target's)")
    parser.add_argument("--out", type=Path, default=Path("results/bench"), help="output folder (default results/bench)")
    parser.add_argument("--no-split", action="store_true", help="skip the in-process breakdown (saves one validation)")
    # internal: the in-process breakdown, run in a fresh interpreter
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--models-override", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--results-dir", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.seeds < 1:
        parser.error("--repeats and --seeds must be >= 1")
    return args


def _log(t0: float, text: str) -> None:
    print(f"[{time.perf_counter() - t0:6.1f} s] {text}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.in_process:
        print(json.dumps(in_process(args.seeds, args.models_override, args.results_dir)))
        return 0
    try:  # run as a script (python bench/bench_validate.py): bench/ is on sys.path
        from bench_common import machine_info, write_reports
    except ImportError:  # imported as bench.bench_validate
        from bench.bench_common import machine_info, write_reports

    t_all = time.perf_counter()
    models, override = models_override()
    out = args.out if args.out.is_absolute() else REPO / args.out
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=".validate-", dir=out))
    shown = shlex.join(["python", "-m", "sim.validate", f"seeds={args.seeds}", override])
    try:
        walls = []
        for i in range(args.repeats):
            _log(t_all, f"repeat {i + 1}/{args.repeats}: {shown} ...")
            r = run_timed(validate_command(args.seeds, override, root, f"repeat{i}"), root / f"repeat{i}.log")
            if "Validation done" not in r["stdout"] or not (root / f"repeat{i}" / "report.md").is_file():
                raise RuntimeError(f"the validation wrote no report:\n{r['stdout'][-3000:]}")
            _log(t_all, f"  {r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU, peak RSS {r['peak_rss_mb']:.0f} MB")
            walls.append(r)
        split = None
        if not args.no_split:
            _log(t_all, "in-process breakdown ...")
            cmd = [sys.executable, str(Path(__file__).resolve()), "--in-process", f"--seeds={args.seeds}",
                   f"--models-override={override}", f"--results-dir={root / 'split'}"]  # fmt: skip
            r = run_timed(cmd, root / "split.log")
            split = json.loads(r["stdout"].strip().splitlines()[-1])
        report = build_report(walls, split, machine_info(), args, models, shown)
        markdown = render_markdown(report)
        paths = write_reports(report, markdown, out, "validate_time")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(markdown, end="")
    print(f"\nwrote {', '.join(str(p) for p in paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
