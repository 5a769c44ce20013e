"""Compare simulated runs with the documented 2022-2024 timeline.

``python -m sim.compare <run folders, folders holding them, or sweep folders>`` and
:func:`compare_runs` report, per episode and overall (a sweep keeps no event logs: its runs
are re-run from their recorded overrides and seeds, :mod:`sim.experiments.rerun`):

* lags from each trigger to China's first response, to each channel
  suspension and to each refused meeting, simulated against documented
  (:func:`sim.history.targets.lag_measures`, derived from the timeline's tags);
* for each channel, the fraction of days whose simulated status (open or
  suspended) matches the documented status (:func:`sim.history.targets.documented_spells`);
* thaw timing: days from each documented suspension to its end, simulated
  against documented, and whether channels reopened civilian before military
  after each thaw summit;
* the behaviours the calibrated model must show (:data:`sim.history.checks.CHECK_RULES`);
* one overall fit score (:data:`FIT_WEIGHTS`), in [0, 1], higher is better.

Over several runs (seeds) it reports medians and 5-95% intervals, and for
checks the fraction of runs that pass.

The work is split by job: :mod:`sim.history.documented` (the documented side),
:mod:`sim.history.simulated` (what a run did), :mod:`sim.history.checks` (the
declared checks), :mod:`sim.history.assess` (one run), :mod:`sim.history.compare_report`
(many runs, the text report); run folders are read by :mod:`sim.outputs.io`.
This module re-exports their public names and holds the command.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from sim.config.cli import CommandParser, run_command
from sim.history.assess import FIT_WEIGHTS, LAG_SCALE_DAYS, THAW_SCALE_DAYS, assess
from sim.history.checks import CHECK_RULES, Check, declare_checks
from sim.history.compare_report import compare_runs, format_report, json_ready, summarize_comparison
from sim.history.documented import Documented
from sim.history.simulated import simulated_lag
from sim.history.timeline import load_timeline
from sim.outputs.io import Run, atomic_write, find_runs, read_run, write_json

__all__ = [
    "CHECK_RULES", "FIT_WEIGHTS", "LAG_SCALE_DAYS", "THAW_SCALE_DAYS", "Check", "Documented", "Run", "assess",
    "compare_runs", "declare_checks", "find_runs", "format_report", "json_ready", "main", "read_run",
    "simulated_lag", "summarize_comparison",
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.compare FOLDER... [--out FILE.csv] [--timeline FILE.csv]``."""
    parser = CommandParser(prog="python -m sim.compare", description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+", help="run folders, folders holding run folders, or sweep folders (whose runs are re-run from "
                        "their recorded overrides and seeds, each checked against its recorded metrics)")
    parser.add_argument("--out", help="also write the per-run table (.csv or .parquet) and a summary .json beside it")
    parser.add_argument("--timeline", help="a documented timeline CSV (default: the shipped 2022-2024 one)")
    return run_command(lambda: _main(parser.parse_args(argv)))


def _main(args: argparse.Namespace) -> int:
    doc = Documented(load_timeline(args.timeline) if args.timeline else None)
    from sim.experiments.rerun import counterfactual_runs, is_counterfactual_folder, is_sweep_folder, sweep_runs

    # Sweeps and counterfactual folders keep no event logs: their runs are re-run from their records.
    sources = [sweep_runs(Path(f)) if is_sweep_folder(Path(f)) else counterfactual_runs(Path(f))
               if is_counterfactual_folder(Path(f)) else find_runs([f]) for f in args.folders]  # fmt: skip
    per_run = compare_runs(itertools.chain.from_iterable(sources), doc)
    print(format_report(per_run, doc))
    if args.out:
        out = Path(args.out)
        if out.suffix == ".parquet":
            atomic_write(out, lambda p: per_run.to_parquet(p, index=False))
        else:
            atomic_write(out, lambda p: per_run.to_csv(p, index=False))
        summary = summarize_comparison(per_run)
        write_json(out.with_suffix(".summary.json"), json_ready(summary.to_dict(orient="records")))
        print(f"\nwrote {out} and {out.with_suffix('.summary.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
