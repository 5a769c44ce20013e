"""Time and measure the memory of a posterior calibration study, as a user runs it.

Run from the repository root::

    python bench/bench_calibrate.py                       # the full study of configs/calibrate.yaml
    python bench/bench_calibrate.py population=20 generations=2 seeds=2    # a smaller one
    python bench/bench_calibrate.py --out results/bench

The study is ``python -m sim.calibrate study=bench results_dir=<tmp> [overrides]``
in a subprocess from the repository root, timed from spawn to exit (imports,
the null model's runs, every generation, the posterior's report and figures);
the summed RSS and PSS of its process tree (the main process and the sampler's
forked workers) is sampled with psutil. The report gives the wall time, the CPU
time, how busy the rest of the machine was meanwhile (``foreign_load``: a
busy machine makes the study slower than it is), the peak memory, and the
simulations and seconds per simulation read from the study's ``summary.json``.
The requirement checked: the full study (no overrides) takes at most 30
minutes of wall time on a 2-core machine.

Reports go to ``<out>/calibrate_time.{md,json}`` and copies tagged with the
Python and Mesa versions; the study's folder is removed at the end, unless
``--keep DIR`` runs it as ``historical`` in ``DIR`` (the shipped study was made
so: ``--keep results/calibration``, then ``python -m sim.promote historical``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

try:
    import psutil  # noqa: F401  (proc_tree needs it: say so before it fails)
except ImportError:  # pragma: no cover - the message is the point
    sys.exit("bench_calibrate.py needs psutil: pip install psutil")

from bench_common import machine_info, publish
from proc_tree import run_timed

REPO = Path(__file__).resolve().parents[1]
LIMIT_WALL_S = 30 * 60


def measure(overrides: list[str], out: Path, keep: Path | None = None) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    tmp = keep or Path(tempfile.mkdtemp(prefix="calibrate_", dir=out))
    study = "historical" if keep else "bench"
    if keep and (keep / study).exists():  # it would resume a stored study, and time only its report
        sys.exit(f"error: {keep / study} holds a study already: remove it or choose another folder")
    try:
        cmd = [sys.executable, "-m", "sim.calibrate", f"study={study}", f"results_dir={tmp}", *overrides]
        timed = run_timed(cmd, sample=True)
        summary = json.loads((tmp / study / "summary.json").read_text())
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    sims = int(summary["simulations"])
    tree = timed["tree"] or {}
    return {
        "command": " ".join(["python -m sim.calibrate", *overrides]),
        "overrides": overrides,
        "wall_s": timed["wall_s"],
        "cpu_s": timed["cpu_s"],
        "foreign_load": timed["foreign_load"],
        "peak_tree_rss_mb": tree.get("peak_tree_rss_mb"),
        "peak_tree_pss_mb": tree.get("peak_tree_pss_mb"),
        "max_processes": tree.get("max_processes"),
        "generations": summary["generations"],
        "simulations": sims,
        "wall_s_per_simulation": timed["wall_s"] / sims,
        "final_tolerance": summary["final_tolerance"],
        "full_study": not overrides,
        "within_30_min": timed["wall_s"] <= LIMIT_WALL_S if not overrides else None,
    }


def markdown(r: dict[str, Any], m: dict[str, Any]) -> str:
    verdict = ("yes" if r["within_30_min"] else "NO") if r["full_study"] else "n/a (not the full study)"
    return "\n".join([
        "# Posterior calibration: time and memory", "",
        f"`{r['command']}` on {m['cpu_count']} cores, Python {m['python']}, Mesa {m['mesa']}.", "",
        "| measure | value |", "|---|---|",
        f"| wall time | {r['wall_s'] / 60:.1f} min |",
        f"| CPU time (process tree) | {r['cpu_s'] / 60:.1f} min |",
        f"| other processes' load meanwhile | {r['foreign_load']:.0%} of the machine |",
        f"| peak memory (tree RSS / PSS) | {r['peak_tree_rss_mb']:.0f} / {r['peak_tree_pss_mb']:.0f} MB |",
        f"| generations, simulations | {r['generations']}, {r['simulations']} |",
        f"| wall time per simulation | {r['wall_s_per_simulation']:.2f} s |",
        f"| full study within 30 minutes | {verdict} |", "",
    ])  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("overrides", nargs="*", help="overrides of configs/calibrate.yaml (none: the full study)")
    p.add_argument("--out", default=str(REPO / "results" / "bench"))
    p.add_argument("--keep", metavar="DIR", help="run the study as `historical` in DIR and keep it there "
                   "(e.g. results/calibration, to promote it afterwards); it must not hold one already")  # fmt: skip
    args = p.parse_args()
    out = Path(args.out)
    result = measure(list(args.overrides), out, Path(args.keep).resolve() if args.keep else None)
    report = {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "machine": machine_info(), **result}
    publish(report, markdown(result, report["machine"]), out, "calibrate_time")
    return 0 if result["within_30_min"] in (True, None) else 1


if __name__ == "__main__":
    raise SystemExit(main())
