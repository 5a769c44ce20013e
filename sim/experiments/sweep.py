"""One job of a sweep (``python -m sim -m ...``): its runs, recorded atomically, resumable.

A job builds its config's model spec once and runs ``replicates`` models from
it through :func:`sim.experiments.runner.run_seeds` (seeds derived from the
job's ``seed`` with numpy's ``SeedSequence``; with one replicate the seed
itself; ``workers=N`` runs them on N worker processes), so Hydra's per-job
cost is paid once for many runs. Each run becomes one row: the job's
overrides (``p.<key>``), its seed, its status (``ok`` or ``failed`` with the
error) and every outcome metric. The rows go to ``runs.part.parquet`` in the
job's folder, then ``job.json`` marks the job complete (with a fingerprint of
everything that decides the rows and a checksum of the rows:
:mod:`sim.experiments.job_record`); both are written atomically. A job whose
folder already holds a record that matches is skipped, so re-running an
interrupted sweep into the same folder finishes only what is missing; a record
that does not match (an edited scenario, other code, a truncated or swapped
file) is said on stderr and the job runs again. With ``posterior_draws=N`` a job runs its
replicates for each of N parameter sets drawn from the calibration's posterior
(:func:`sim.config.calibration.posterior_configs`; drawn from the job's seed, so
jobs with the same seed share draws); the rows then carry ``draw`` (0..N-1) and
``posterior_row`` (the posterior sample's row). ``sim.experiments.aggregate`` gathers the jobs into the
sweep's ``runs.parquet``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.config.build import build_spec
from sim.config.calibration import posterior_configs, posterior_draws
from sim.core.errors import SimInputError
from sim.experiments.job_record import (
    FRAGMENT,
    JOB_RECORD,
    file_sha256,
    fingerprint,
    mismatch,
    read_record,
    remove_leftovers,
)
from sim.experiments.runner import (
    failed_record,
    run_seeds,
    summary_record,
)
from sim.outputs.io import atomic_write, write_json
from sim.outputs.provenance import now, provenance

# Overrides that are not parameters of a run: the seed is the replicate dimension.
_NOT_PARAMETERS = ("seed", "replicates", "workers", "figures", "posterior_draws")

# A launcher's sweep-wide run counter (a multiprocessing.Value shared with its forked
# workers, see hydra_plugins/sim_sweeps), or None. Module state because Hydra calls the
# task function with the job's config only; it is set and cleared by the launcher.
_run_counter: Any = None


def count_runs_into(counter: Any) -> None:
    """Have :func:`run_job` add each finished run to ``counter`` (``.value`` and ``.get_lock()``); None stops it."""
    global _run_counter
    _run_counter = counter


def planned_runs(cfg: DictConfig) -> int:
    """The runs a job of this config makes: its replicates, under each posterior draw."""
    try:
        return max(1, int(cfg.get("replicates", 1))) * max(1, int(cfg.get("posterior_draws", 0) or 1))
    except (TypeError, ValueError):
        return 1


def _count(n: int) -> None:
    if _run_counter is not None and n:
        with _run_counter.get_lock():
            _run_counter.value += n


class ReplicateSeeds(Sequence[int]):
    """The seeds of a job's runs, made when asked for: ``replicates`` does not cost memory before the runs.

    Seed ``r`` is that of numpy's ``SeedSequence(base_seed).spawn(replicates)[r]`` (the child with
    spawn key ``(r,)``), so the seeds are those ``spawn`` gives, without making them all at once.
    """

    def __init__(self, base_seed: int, replicates: int) -> None:
        self.base_seed, self.replicates = int(base_seed), int(replicates)

    def __len__(self) -> int:
        return self.replicates

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ReplicateSeeds):
            return (self.base_seed, self.replicates) == (other.base_seed, other.replicates)
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  (compared by value, like the list it stands for)

    def __repr__(self) -> str:
        return f"ReplicateSeeds(base_seed={self.base_seed}, replicates={self.replicates})"

    def __getitem__(self, r):  # type: ignore[override]
        if isinstance(r, slice):
            return [self[i] for i in range(*r.indices(self.replicates))]
        if not -self.replicates <= r < self.replicates:
            raise IndexError(r)
        if self.replicates == 1:
            return self.base_seed
        child = np.random.SeedSequence(self.base_seed, spawn_key=(r % self.replicates,))
        return int(child.generate_state(1, dtype=np.uint32)[0])


def replicate_seeds(base_seed: int, replicates: int) -> ReplicateSeeds:
    """The seeds of a job's runs: ``base_seed`` alone, or one independent child seed per replicate."""
    return ReplicateSeeds(base_seed, replicates)


def parameters(overrides: Iterable[str]) -> dict[str, str]:
    """A job's overrides as ``p.<key>`` columns (Hydra's own and the seed left out)."""
    out: dict[str, str] = {}
    for ov in overrides:
        key, _, value = ov.partition("=")
        key = key.lstrip("+~")
        if key.startswith("hydra") or key in _NOT_PARAMETERS:
            continue
        out[f"p.{key}"] = value
    return out


@dataclass(frozen=True)
class JobOutcome:
    """What a job did: runs that succeeded and failed, and whether it was skipped as already complete."""

    n_ok: int
    n_failed: int
    skipped: bool


def is_complete(job_dir: Path, overrides: Sequence[str], expected: str | None = None) -> bool:
    """Whether ``job_dir`` holds a trustworthy complete record of this job (see :func:`job_record.mismatch`)."""
    return mismatch(job_dir, overrides, expected) is None


def _fingerprint(cfg: DictConfig, overrides: Sequence[str]) -> str | None:
    """The job's fingerprint, or None when its config cannot even be read (the job then fails as usual)."""
    try:
        return fingerprint(cfg, overrides, cfg.get("seed"), cfg.get("replicates", 1))
    except Exception:  # noqa: BLE001  (a bad config is reported by build_spec below, with its field)
        return None


def run_job(cfg: DictConfig, choices: Mapping[str, str], job: int, overrides: Sequence[str], job_dir: Path,
            progress: bool = False) -> JobOutcome:  # fmt: skip
    """Run (or skip, if already complete and matching) one sweep job and record its runs.

    A bad config fails every run of the job; an exception in one run fails that
    run only. Failures are recorded with their error, never dropped.
    """
    expected = _fingerprint(cfg, overrides)
    why = mismatch(job_dir, overrides, expected) if expected is not None else "its config cannot be read"
    if why is None:
        record = read_record(job_dir) or {}
        _count(record["n_ok"] + record["n_failed"])
        return JobOutcome(record["n_ok"], record["n_failed"], skipped=True)
    if why != "no record yet":
        print(f"notice: job {job} ({job_dir}): {why}; running it again", file=sys.stderr)
    started = now()
    base = {"job": job, **parameters(overrides)}
    rows: list[dict[str, Any]] = []
    try:
        draws = posterior_draws(cfg)
        configs = posterior_configs(cfg, choices, overrides, draws, int(cfg.get("seed", 0))) if draws else [(None, cfg)]
        specs = [(row, build_spec(c, choices)) for row, c in configs]
    except SimInputError as e:
        base_seed = cfg.get("seed")
        rows.append(
            {**base, "replicate": 0, "seed": base_seed, "base_seed": base_seed, "status": "failed", "error": str(e)}
        )
        _count(planned_runs(cfg))  # the progress total counted them
    else:
        workers = int(cfg.get("workers", 1))
        show = progress and _run_counter is None  # a launcher's sweep-wide bar replaces the job's own
        for d, (row, spec) in enumerate(specs):
            # With posterior draws, every draw runs the same replicate seeds (common random numbers).
            seeds = replicate_seeds(spec.seed, spec.replicates)
            drawn = {} if row is None else {"draw": d, "posterior_row": row}
            results = run_seeds(spec, seeds, summary_record, workers, on_error=failed_record)
            for r, result in enumerate(_progress(results, show, f"job {job}", len(seeds))):
                rows.append({**base, **drawn, "replicate": r, "seed": seeds[r], "base_seed": spec.seed, **result})
                _count(1)
    write_fragment(job_dir, rows, overrides, started, expected)
    n_failed = sum(r["status"] == "failed" for r in rows)
    return JobOutcome(len(rows) - n_failed, n_failed, skipped=False)


def write_fragment(job_dir: Path, rows: list[dict[str, Any]], overrides: Sequence[str], started: str,
                   fingerprint_: str | None = None) -> None:  # fmt: skip
    """Write the job's rows, then its completion record (fingerprint, rows checksum, provenance); each atomically.

    The record is removed first, so that a kill between the two writes leaves a job
    without a record (run again on resume), never an old record beside new rows.
    """
    (job_dir / JOB_RECORD).unlink(missing_ok=True)
    remove_leftovers(job_dir)  # of a write killed before: nothing stale beside the new files
    atomic_write(job_dir / FRAGMENT, lambda p: pd.DataFrame(rows).to_parquet(p, index=False))
    n_failed = sum(r["status"] == "failed" for r in rows)
    write_json(job_dir / JOB_RECORD, {"overrides": list(overrides), "n_ok": len(rows) - n_failed, "n_failed": n_failed,
                                      "fingerprint": fingerprint_, "rows_sha256": file_sha256(job_dir / FRAGMENT),
                                      "provenance": provenance(started, refresh=False)})  # fmt: skip


def _progress(items: Iterable[Any], show: bool, desc: str, total: int) -> Iterable[Any]:
    if not show:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="run", total=total, leave=False, file=sys.stderr)
