"""What a sweep job's record must match before its rows are trusted: a fingerprint and a checksum.

A job's ``job.json`` records, beside its overrides and provenance:

* ``fingerprint``: SHA-256 over everything that decides the job's rows: the
  composed config (resolved, calibration applied), the scenario as loaded
  (its file's content and any ``base:`` it derives from), the model's code
  (:func:`code_digest`), the job's overrides and its seeds (the base seed and
  the number of replicates, from which every replicate seed is derived);
* ``rows_sha256``: SHA-256 of the job's ``runs.part.parquet`` as written.

Resuming a sweep trusts a job only when its record reads, names the same
overrides, carries the fingerprint the job would have now, and its rows file
has the recorded checksum; otherwise the job runs again and the sweep says why
(:func:`mismatch`). So an edited scenario, a changed parameter, new code, a
truncated or swapped record never leave stale rows in ``runs.parquet``.

Imports no Hydra; OmegaConf only to read the composed config.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.core.extras import DISTRIBUTION
from sim.core.scenario_files import load_scenario

FRAGMENT = "runs.part.parquet"
JOB_RECORD = "job.json"
# The package's own files that decide a run: its code and its data tables.
_CODE_SUFFIXES = {".py", ".csv", ".tsv", ".yaml"}
_PACKAGE = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 over the package's source and data files as they are on disk (read once per process).

    The code as it runs, not a git commit: an uncommitted edit changes it, and an
    installed wheel has no commit at all.
    """
    digest = hashlib.sha256(DISTRIBUTION.encode())
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in _CODE_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _scenario_text(ref: str) -> str:
    """The scenario as loaded (its events, its base's), without where its file lies on this machine."""
    scenario = load_scenario(ref)
    if dataclasses.is_dataclass(scenario) and hasattr(scenario, "path"):
        scenario = dataclasses.replace(scenario, path="")
    return repr(scenario)


def fingerprint(cfg: DictConfig, overrides: Sequence[str], base_seed: Any, replicates: Any) -> str:
    """The fingerprint of one job (see the module docstring); raises nothing a bad config would not."""
    config = OmegaConf.to_container(cfg, resolve=True)
    payload = {
        "config": config,
        "scenario": _scenario_text(str(cfg.scenario)),
        "code": code_digest(),
        "overrides": list(overrides),
        "seeds": [base_seed, replicates],
    }
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_json_object(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``, or None if the file is missing, unreadable or holds something else."""
    try:
        record = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def read_record(job_dir: Path) -> dict[str, Any] | None:
    """The job's record, or None if it is missing or not a JSON object."""
    return read_json_object(job_dir / JOB_RECORD)


def mismatch(job_dir: Path, overrides: Sequence[str], expected: str | None = None) -> str | None:
    """Why ``job_dir`` does not hold a trustworthy complete record of this job, or None if it does.

    Args:
        job_dir: The job's folder.
        overrides: The job's overrides, as Hydra gives them.
        expected: The fingerprint the job has now; None checks everything but the fingerprint
            (aggregation, which has no composed config).
    """
    if not (job_dir / JOB_RECORD).exists():
        return "no record yet"
    record = read_record(job_dir)
    if record is None:
        return f"its record {JOB_RECORD} cannot be read (truncated or corrupted)"
    if record.get("overrides") != list(overrides):
        return f"its record is another job's (overrides {record.get('overrides')!r})"
    if expected is not None and record.get("fingerprint") != expected:
        return "its config, scenario, code or seeds changed since it ran (fingerprint differs)"
    rows = job_dir / FRAGMENT
    if not rows.is_file():
        return f"its rows {FRAGMENT} are missing"
    if record.get("rows_sha256") != file_sha256(rows):
        return f"its rows {FRAGMENT} do not match the recorded checksum"
    return None


def remove_leftovers(job_dir: Path) -> None:
    """Remove temporary files a killed write left in ``job_dir`` (``atomic_write`` names them ``.<name>.*``)."""
    for name in (FRAGMENT, JOB_RECORD):
        for left in job_dir.glob(f".{name}.*"):
            left.unlink(missing_ok=True)
