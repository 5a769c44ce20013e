"""A sweep folder holds one sweep: a different sweep is refused, an edited scenario re-runs its jobs.

Each case runs ``python -m sim -m ...`` as a user would and checks the exit code,
what was said, and what the folder holds afterwards.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments.sweep_record import RECORD, check_folder

from ..conftest import REPO


def sim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_check_folder_writes_a_record_then_accepts_only_the_same_sweep(tmp_path: Path):
    folder = tmp_path / "sweep"
    same = {"overrides": ["seed=0,1"], "sweeper_params": None}
    assert check_folder(folder, same) is None and (folder / RECORD).is_file()
    assert check_folder(folder, same) is None
    why = check_folder(folder, {"overrides": ["seed=7"], "sweeper_params": None})
    assert why.startswith("holds another sweep (seed=0,1)")
    (folder / RECORD).write_text("{not json")
    assert "cannot be read" in check_folder(folder, same)
    older = tmp_path / "older"
    (older / "0").mkdir(parents=True)
    assert "1 job folder(s) of a sweep with no sweep.json" in check_folder(older, same)


@pytest.mark.slow
def test_a_different_sweep_into_the_same_folder_is_refused_and_the_folder_kept(tmp_path: Path):
    folder = tmp_path / "sweep"
    first = sim("-m", "seed=0,1,2", "figures=false", f"hydra.sweep.dir={folder}")
    assert first.returncode == 0, first.stderr
    before = pd.read_parquet(folder / "runs.parquet")
    other = sim("-m", "seed=7", "figures=false", f"hydra.sweep.dir={folder}")
    assert other.returncode == 2
    assert other.stderr.strip() == (f"error: hydra.sweep.dir={folder}: holds another sweep (seed=0,1,2 figures=false); "
                                    "choose another hydra.sweep.dir, or repeat that sweep's command to resume it")  # fmt: skip
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "runs.parquet"), before)
    assert sorted(p.name for p in folder.iterdir() if p.name.isdigit()) == ["0", "1", "2"]
    # The same sweep, with another launcher, resumes: every job is skipped, the rows are the same.
    again = sim("-m", "seed=0,1,2", "figures=false", f"hydra.sweep.dir={folder}", "hydra/launcher=basic")
    assert again.returncode == 0 and "notice:" not in again.stderr, again.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "runs.parquet"), before)


@pytest.mark.slow
def test_a_sweep_resumed_after_its_scenario_was_edited_runs_its_jobs_again(tmp_path: Path):
    scenario = tmp_path / "mine.yaml"
    shutil.copy(REPO / "scenarios" / "baseline.yaml", scenario)
    folder = tmp_path / "sweep"
    args = ["-m", f"scenario={scenario}", "seed=0,1", "figures=false", f"hydra.sweep.dir={folder}"]
    assert sim(*args).returncode == 0
    before = pd.read_parquet(folder / "runs.parquet")
    text = scenario.read_text().replace("end: 2024-12-31", "end: 2023-12-31")
    assert text != scenario.read_text()
    scenario.write_text(text)
    resumed = sim(*args)
    assert resumed.returncode == 0, resumed.stderr
    notices = [line for line in resumed.stderr.splitlines() if line.startswith("notice: job")]
    assert len(notices) == 2 and all("fingerprint differs); running it again" in n for n in notices), notices
    after = pd.read_parquet(folder / "runs.parquet")
    # A year shorter: the runs end a year earlier, so the rows cannot all be the old ones.
    assert not after.drop(columns=["job"]).equals(before.drop(columns=["job"]))
    fresh = tmp_path / "fresh"
    assert sim("-m", f"scenario={scenario}", "seed=0,1", "figures=false", f"hydra.sweep.dir={fresh}").returncode == 0
    pd.testing.assert_frame_equal(after, pd.read_parquet(fresh / "runs.parquet"))
    record = json.loads((folder / "0" / "job.json").read_text())
    assert record["fingerprint"] == json.loads((fresh / "0" / "job.json").read_text())["fingerprint"]
