"""A sweep job's record is trusted only when it matches: fingerprint, overrides and rows checksum.

Each case writes a job as a sweep does (``run_job``), disturbs its folder the way
a user or a fault would, runs the job again and checks whether it was skipped or
run again, what it said, and what its folder holds afterwards.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.config.compose import compose_config
from sim.experiments.job_record import FRAGMENT, JOB_RECORD, code_digest, fingerprint, mismatch
from sim.experiments.sweep import run_job

from ..conftest import REPO


def _job(folder: Path, overrides: list[str], job: int = 0):
    cfg, choices = compose_config(overrides)
    return run_job(cfg, choices, job, overrides, folder)


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """A user's copy of the baseline scenario, to edit."""
    path = tmp_path / "my_scenario.yaml"
    shutil.copy(REPO / "scenarios" / "baseline.yaml", path)
    return path


def _overrides(scenario: Path) -> list[str]:
    return [f"scenario={scenario}", "seed=4", "replicates=2", "figures=false"]


def test_a_matching_record_is_skipped_and_says_nothing(tmp_path, scenario, capsys):
    job = tmp_path / "0"
    first = _job(job, _overrides(scenario))
    assert not first.skipped and first.n_ok == 2
    record = json.loads((job / JOB_RECORD).read_text())
    assert len(record["fingerprint"]) == 64 and len(record["rows_sha256"]) == 64
    capsys.readouterr()
    again = _job(job, _overrides(scenario))
    assert again.skipped and (again.n_ok, again.n_failed) == (2, 0)
    assert capsys.readouterr().err == ""


def _disturb_scenario(job: Path, scenario: Path) -> None:
    lines = scenario.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("end:"))
    lines[at] = "end: 2024-06-30  # edited after the sweep ran: a shorter scenario"
    scenario.write_text("\n".join(lines) + "\n")


def _truncate_record(job: Path, scenario: Path) -> None:
    (job / JOB_RECORD).write_text((job / JOB_RECORD).read_text()[:40])


def _swap_record(job: Path, scenario: Path) -> None:
    other = job.parent / "1"
    _job(other, [*_overrides(scenario)[:1], "seed=5", "replicates=2", "figures=false"], job=1)
    shutil.copy(other / JOB_RECORD, job / JOB_RECORD)
    shutil.copy(other / FRAGMENT, job / FRAGMENT)


def _tamper_rows(job: Path, scenario: Path) -> None:
    rows = pd.read_parquet(job / FRAGMENT)
    rows.loc[0, "n_signals"] += 1
    rows.to_parquet(job / FRAGMENT, index=False)


def _drop_rows(job: Path, scenario: Path) -> None:
    (job / FRAGMENT).unlink()


@pytest.mark.parametrize(
    ("disturb", "said"),
    [
        (_disturb_scenario, "fingerprint differs"),
        (_truncate_record, "cannot be read (truncated or corrupted)"),
        (_swap_record, "its record is another job's"),
        (_tamper_rows, "do not match the recorded checksum"),
        (_drop_rows, f"its rows {FRAGMENT} are missing"),
    ],
)
def test_a_record_that_does_not_match_runs_the_job_again_and_says_why(tmp_path, scenario, capsys, disturb, said):
    job = tmp_path / "0"
    _job(job, _overrides(scenario))
    disturb(job, scenario)
    capsys.readouterr()
    again = _job(job, _overrides(scenario))
    err = capsys.readouterr().err
    assert not again.skipped and again.n_ok == 2
    assert err.startswith("notice: job 0 (") and said in err and err.count("\n") == 1, err
    # The folder now holds a record that matches what the job is now.
    cfg, _ = compose_config(_overrides(scenario))
    assert mismatch(job, _overrides(scenario), fingerprint(cfg, _overrides(scenario), 4, 2)) is None
    assert (pd.read_parquet(job / FRAGMENT)["seed"].nunique(), len(pd.read_parquet(job / FRAGMENT))) == (2, 2)


def test_the_fingerprint_covers_config_scenario_seeds_and_overrides(scenario):
    overrides = _overrides(scenario)
    cfg, _ = compose_config(overrides)
    base = fingerprint(cfg, overrides, 4, 2)
    assert fingerprint(cfg, overrides, 4, 2) == base  # deterministic
    assert fingerprint(cfg, overrides, 4, 3) != base and fingerprint(cfg, overrides, 5, 2) != base
    assert fingerprint(cfg, [*overrides, "workers=1"], 4, 2) != base
    changed, _ = compose_config([*overrides, "crisis_threshold=0.7"])
    assert fingerprint(changed, overrides, 4, 2) != base  # a value changed in a config file, same overrides
    _disturb_scenario(scenario.parent, scenario)
    assert fingerprint(cfg, overrides, 4, 2) != base
    assert len(code_digest()) == 64


def test_a_kill_between_the_two_writes_leaves_a_job_without_a_record(tmp_path, scenario, monkeypatch):
    """write_fragment removes the old record before the new rows: a kill there means 'run again'."""
    import sim.experiments.sweep as sweep

    job = tmp_path / "0"
    _job(job, _overrides(scenario))
    _disturb_scenario(job, scenario)

    def killed(path, data):
        raise KeyboardInterrupt  # the process dies before the record is written

    monkeypatch.setattr(sweep, "write_json", killed)
    with pytest.raises(KeyboardInterrupt):
        _job(job, _overrides(scenario))
    assert not (job / JOB_RECORD).exists() and (job / FRAGMENT).is_file()
    assert mismatch(job, _overrides(scenario)) == "no record yet"
    # A temporary file a killed write left is removed when the job runs again.
    (job / f".{FRAGMENT}.abc123").write_bytes(b"half a parquet")
    monkeypatch.undo()
    assert not _job(job, _overrides(scenario)).skipped
    assert sorted(p.name for p in job.iterdir()) == sorted([FRAGMENT, JOB_RECORD])
