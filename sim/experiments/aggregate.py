"""Gather a sweep's jobs into ``runs.parquet``, a table of metrics and figures.

Runs automatically when a sweep ends (a Hydra callback, :class:`AggregateOnEnd`)
and on demand: ``python -m sim.aggregate <sweep folder> [--no-figures]``.

Writes into the sweep folder, each file atomically (a sweep with jobs that did not finish is gathered
too, but said loudly: ``incomplete.json`` and the first line of ``summary.txt`` list the missing jobs and
runs, and the command, or the sweep whose end ran it, exits with one ``error:`` line and code 2):

* ``runs.parquet``: one row per run (see :mod:`sim.experiments.sweep`), sorted by job and
  replicate, so the same sweep gives the same table whatever launcher ran it
  and however often it was interrupted and resumed;
* ``summary.csv`` and ``summary.txt``: metrics by parameter combination;
* ``figures/``: each metric against each swept parameter, and heatmaps for
  two-parameter sweeps (``sim.experiments.sweep_figures``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.config.cli import CommandParser, run_command
from sim.core.errors import SimInputError
from sim.experiments.sweep import FRAGMENT, is_complete, planned_runs
from sim.outputs.io import atomic_write, staged_folder, write_json
from sim.outputs.metrics import OUTCOMES
from sim.outputs.nulls import RUN_NULLABLE, with_nulls

_ID_COLUMNS = ["job", "replicate", "seed", "base_seed", "status", "error"]


@dataclass(frozen=True)
class SweepSummary:
    """What aggregation found: the runs gathered, and the jobs that did not finish (``missing_runs``: their runs)."""

    folder: Path
    n_runs: int
    n_ok: int
    n_failed: int
    n_jobs: int
    incomplete_jobs: tuple[str, ...]
    missing_runs: int = 0

    def message(self) -> str:
        return "\n".join([f"Sweep: {self.n_runs} runs in {self.n_jobs} jobs: {self.n_ok} ok, {self.n_failed} failed",
                          f"  results: {self.folder / 'runs.parquet'} (table: summary.txt, figures: figures/)"])  # fmt: skip

    def incomplete(self) -> str | None:
        """One line saying which jobs did not finish and how to finish them; None when every job did."""
        if not self.incomplete_jobs:
            return None
        jobs = ", ".join(self.incomplete_jobs[:5]) + (", ..." if len(self.incomplete_jobs) > 5 else "")
        return (f"{self.folder}: {len(self.incomplete_jobs)} of {self.n_jobs} jobs did not finish (job {jobs}: "
                f"{self.missing_runs} run{'' if self.missing_runs == 1 else 's'} missing); runs.parquet holds only the other jobs' {self.n_runs} runs "
                f"(listed in {INCOMPLETE}); run the sweep's command again with hydra.sweep.dir={self.folder} to "
                "finish them")  # fmt: skip


INCOMPLETE = "incomplete.json"
"""Written beside ``runs.parquet`` when some jobs did not finish: which, and how many runs they lack; removed by
an aggregation of every job. A table read without it is the whole sweep."""


def job_folders(folder: Path) -> tuple[list[Path], list[Path]]:
    """Complete and incomplete job folders of a sweep (a job folder holds Hydra's .hydra/ record)."""
    complete, incomplete = [], []
    for d in sorted((p for p in folder.iterdir() if p.is_dir()), key=_job_order):
        if not (d / ".hydra").is_dir() and not (d / FRAGMENT).is_file():
            continue
        overrides = _job_overrides(d)
        (complete if (d / FRAGMENT).is_file() and (overrides is None or is_complete(d, overrides)) else incomplete).append(d)
    return complete, incomplete


def _job_order(p: Path) -> tuple[int, str]:
    return (int(p.name), "") if p.name.isdigit() else (sys.maxsize, p.name)


def _job_overrides(d: Path) -> list[str] | None:
    import yaml

    try:
        return list(yaml.safe_load((d / ".hydra" / "overrides.yaml").read_text()) or [])
    except OSError:
        return None


def collect(folder: Path, progress: bool = True) -> tuple[pd.DataFrame, list[Path], list[Path]]:
    """All runs of a sweep folder as one table, in a fixed order."""
    if not folder.is_dir():
        raise SimInputError(str(folder), "folder", str(folder), "does not exist")
    complete, incomplete = job_folders(folder)
    if not complete and not incomplete:
        raise SimInputError(str(folder), "folder", str(folder), "holds no sweep jobs (no numbered job folders)")
    parts = []
    items = complete
    if progress and len(complete) > 20:
        from tqdm import tqdm

        items = tqdm(complete, desc="reading jobs", unit="job", file=sys.stderr, leave=False)
    for d in items:
        try:
            parts.append(pd.read_parquet(d / FRAGMENT))
        except Exception as e:  # a damaged fragment: name it
            raise SimInputError(str(d / FRAGMENT), "parquet", type(e).__name__, f"unreadable job record: {e}") from None
    runs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_ID_COLUMNS)
    return order_runs(runs), complete, incomplete


def order_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by job and replicate; columns: ids, parameters, metrics in declared order.

    "No value" is null (:mod:`sim.outputs.nulls`): a successful run's ``error``, a date that never
    came (``first_crisis_date`` of a run that never reached crisis), every metric of a failed run.
    A key of a ``dict`` outcome that a successful run lacks takes the outcome's declared ``absent``
    value (a signal kind a run never sent was sent 0 times).
    """
    if runs.empty:
        return runs
    text = {**RUN_NULLABLE, **{o.name: "string" for o in OUTCOMES if o.kind == "date"}}  # dates: ISO text or null
    runs = with_nulls(runs.sort_values(["job", "replicate"], kind="stable").reset_index(drop=True), text)
    ok = (runs["status"] == "ok").to_numpy() if "status" in runs.columns else np.ones(len(runs), dtype=bool)
    for o in OUTCOMES:
        if o.kind == "dict" and o.absent is not None:
            for c in (c for c in runs.columns if c.startswith(f"{o.name}.")):
                values = runs[c].astype("Float64" if isinstance(o.absent, float) else "Int64")
                runs[c] = values.mask(values.isna() & ok, o.absent)
    params = sorted(c for c in runs.columns if c.startswith("p."))
    declared = [o.name for o in OUTCOMES]
    metrics = [c for c in declared if c in runs.columns]
    metrics += sorted(c for c in runs.columns if c not in _ID_COLUMNS and c not in params and c not in metrics)
    return runs[[c for c in _ID_COLUMNS if c in runs.columns] + params + metrics]


def aggregate(folder: Path, figures: bool = True, progress: bool = True) -> SweepSummary:
    """Write runs.parquet, summary.csv/.txt and figures/ for a sweep folder; return counts."""
    from sim.experiments.sweep_figures import write_sweep_figures
    from sim.experiments.sweep_tables import format_table, metric_table

    folder = Path(folder)
    runs, complete, incomplete = collect(folder, progress)
    atomic_write(folder / "runs.parquet", lambda p: runs.to_parquet(p, index=False))
    # Tables and figures of an earlier aggregation that this one does not write would no longer
    # match runs.parquet: staged_folder removes them (``stale``).
    n_failed = int((runs["status"] == "failed").sum()) if not runs.empty else 0
    present = {d.name for d in (*complete, *incomplete)}
    lost = [str(j) for j in range(expected_jobs(folder) or 0) if str(j) not in present]  # job folders deleted
    per_job = _planned_runs(next(iter((*complete, *incomplete)))) if present else 1
    unfinished = sorted((*(d.name for d in incomplete), *lost), key=lambda n: _job_order(Path(n)))
    summary = SweepSummary(folder, len(runs), len(runs) - n_failed, n_failed, len(present) + len(lost),
                           tuple(unfinished), sum(_planned_runs(d) for d in incomplete) + per_job * len(lost))  # fmt: skip
    missing = summary.incomplete()
    with staged_folder(folder, stale=("summary.csv", "summary.txt", "figures", INCOMPLETE)) as stage:
        if missing:
            write_json(stage / INCOMPLETE, {"jobs": list(summary.incomplete_jobs), "missing_runs": summary.missing_runs,
                                            "runs_in_table": summary.n_runs, "message": missing})  # fmt: skip
        if not runs.empty:
            table = metric_table(runs)
            table.to_csv(stage / "summary.csv", index=False)
            head = f"INCOMPLETE: {missing}\n\n" if missing else ""
            (stage / "summary.txt").write_text(head + format_table(table) + "\n", encoding="utf-8")
            if figures and (runs["status"] == "ok").any():
                write_sweep_figures(runs, stage / "figures")
    return summary


def expected_jobs(folder: Path) -> int | None:
    """How many jobs the sweep recorded in ``sweep.json`` makes (the product of its overrides' value counts, as
    Hydra's sweeper forms every combination), or None when that cannot be told (no record, a glob)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from sim.experiments.job_record import read_json_object
    from sim.experiments.sweep_record import RECORD

    record = read_json_object(folder / RECORD) if (folder / RECORD).is_file() else None
    if record is None:
        return None
    params = record.get("sweeper_params") or {}
    lines = [*(f"{k}={v}" for k, v in params.items()), *(record.get("overrides") or [])]
    try:
        parsed = OverridesParser.create().parse_overrides(lines)
        counts = {ov.key_or_group: len(list(ov.sweep_string_iterator())) if ov.is_sweep_override() else 1
                  for ov in parsed}  # fmt: skip  (a command-line value replaces the named sweep's, as in Hydra)
    except Exception:  # noqa: BLE001  (a glob needs the config groups: leave the count unknown)
        return None
    return int(np.prod(list(counts.values()), dtype=np.int64)) if counts else 1


def _planned_runs(job_dir: Path) -> int:
    """The runs an unfinished job was to make (its recorded config's replicates and posterior draws)."""
    from omegaconf import OmegaConf

    try:
        return planned_runs(OmegaConf.load(job_dir / ".hydra" / "config.yaml"))
    except Exception:  # noqa: BLE001  (no readable record: it was to make at least one run)
        return 1


class AggregateOnEnd(Callback):
    """Hydra callback: aggregate the sweep folder when a multirun ends, and say what happened."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        folder = Path(config.hydra.sweep.dir)
        try:
            summary = aggregate(folder, figures=bool(config.get("figures", True)))
        except SimInputError as e:
            print(f"error: {e}", file=sys.stderr)
            sys.exit(2)
        print(summary.message())
        if summary.incomplete():
            print(f"error: {summary.incomplete()}", file=sys.stderr)
            sys.exit(2)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.aggregate FOLDER [--no-figures]``."""
    parser = CommandParser(prog="python -m sim.aggregate", description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a sweep folder (holds one numbered folder per job)")
    parser.add_argument("--no-figures", action="store_true", help="write the tables only")

    def body() -> int:
        args = parser.parse_args(argv)
        summary = aggregate(Path(args.folder), figures=not args.no_figures)
        print(summary.message())
        if summary.incomplete():
            print(f"error: {summary.incomplete()}", file=sys.stderr)
            return 2
        return 0

    return run_command(body)


if __name__ == "__main__":
    raise SystemExit(main())
