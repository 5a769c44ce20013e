"""Sweeps: replicates, job records, failures recorded, resume, launchers, aggregation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from sim.api import compose_config
from sim.sweep import FRAGMENT, JOB_RECORD, replicate_seeds, run_job

from .conftest import REPO

SWEEP = ["seed=0,1", "governments.CHN.retaliation.trigger=0.3,0.6", "replicates=3", "figures=false"]


def sim(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600, **kw)  # fmt: skip


def test_replicate_seeds_are_derived_independently_and_reproducibly():
    assert replicate_seeds(7, 1) == [7]
    seeds = replicate_seeds(7, 50)
    assert seeds == replicate_seeds(7, 50) and len(set(seeds)) == 50
    assert set(seeds).isdisjoint(replicate_seeds(8, 50))
    assert replicate_seeds(7, 60)[:50] == seeds  # more replicates extend, never reshuffle


def test_a_job_records_its_runs_and_is_skipped_when_complete(tmp_path):
    cfg, choices = compose_config(["replicates=4"])
    overrides = ["replicates=4"]
    first = run_job(cfg, choices, 0, overrides, tmp_path)
    assert (first.n_ok, first.n_failed, first.skipped) == (4, 0, False)
    rows = pd.read_parquet(tmp_path / FRAGMENT)
    assert rows["replicate"].tolist() == [0, 1, 2, 3] and (rows["status"] == "ok").all()
    assert rows["seed"].tolist() == replicate_seeds(0, 4)
    again = run_job(cfg, choices, 0, overrides, tmp_path)
    assert again.skipped and (again.n_ok, again.n_failed) == (4, 0)
    # A different job in the same folder is not mistaken for the complete one.
    other = run_job(cfg, choices, 0, ["replicates=4", "seed=1"], tmp_path)
    assert not other.skipped


def test_a_failing_run_is_recorded_and_the_others_go_on(tmp_path, monkeypatch):
    from sim.model import SignalingModel

    real_run = SignalingModel.run
    bad_seed = replicate_seeds(0, 3)[1]

    def flaky(self):
        if self.seed_value == bad_seed:
            raise FloatingPointError("overflow in hostility\nsecond line")
        real_run(self)

    monkeypatch.setattr(SignalingModel, "run", flaky)
    cfg, choices = compose_config(["replicates=3"])
    outcome = run_job(cfg, choices, 5, ["replicates=3"], tmp_path)
    assert (outcome.n_ok, outcome.n_failed) == (2, 1)
    rows = pd.read_parquet(tmp_path / FRAGMENT).set_index("replicate")
    assert rows.loc[1, "status"] == "failed" and rows.loc[1, "error"] == "FloatingPointError: overflow in hostility"
    assert pd.isna(rows.loc[1, "peak_tension"]) and rows.loc[0, "status"] == "ok" and rows.loc[0, "job"] == 5


@pytest.fixture(scope="module")
def basic_sweep(tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("sweeps") / "basic"
    proc = sim("-m", *SWEEP, f"hydra.sweep.dir={out}")
    assert proc.returncode == 0, proc.stderr
    assert "Sweep: 12 runs in 4 jobs: 12 ok, 0 failed" in proc.stdout
    return pd.read_parquet(out / "runs.parquet")


def test_sweep_writes_one_row_per_run_with_parameters_and_metrics(basic_sweep):
    runs = basic_sweep
    assert len(runs) == 12 and (runs["status"] == "ok").all()
    assert set(runs["p.governments.CHN.retaliation.trigger"]) == {"0.3", "0.6"}
    assert set(runs["base_seed"]) == {0, 1}
    assert "p.seed" not in runs.columns and "p.replicates" not in runs.columns
    for col in ("peak_tension", "days_above_crisis", "crisis_crossed", "channel_suspensions", "signal_counts.arms_sale"):
        assert col in runs.columns
    # Each run equals a single run with the same config and seed.
    from sim import run

    row = runs.iloc[7]
    single = run([f"seed={row['seed']}", f"governments.CHN.retaliation.trigger={row['p.governments.CHN.retaliation.trigger']}"])
    assert single.summary["peak_tension"] == row["peak_tension"]
    assert single.summary["channel_days_suspended"] == row["channel_days_suspended"]


@pytest.mark.parametrize("launcher", ["joblib", "submitit_local"])
def test_other_launchers_give_the_same_runs(basic_sweep, tmp_path, launcher):
    extra = ["hydra.launcher.n_jobs=2"] if launcher == "joblib" else ["hydra.launcher.timeout_min=10"]
    proc = sim("-m", *SWEEP, f"hydra/launcher={launcher}", *extra, f"hydra.sweep.dir={tmp_path / launcher}")
    assert proc.returncode == 0, proc.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / launcher / "runs.parquet"), basic_sweep)


def test_an_interrupted_sweep_resumes_to_the_same_runs(basic_sweep, tmp_path):
    out = tmp_path / "killed"
    args = [sys.executable, "-m", "sim", "-m", *SWEEP, f"hydra.sweep.dir={out}"]
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob(f"*/{JOB_RECORD}")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # killed mid-way: some jobs done, the rest not started
    proc.wait()
    done_before = {p.parent.name for p in out.glob(f"*/{JOB_RECORD}")}
    assert 1 <= len(done_before) < 4 and not (out / "runs.parquet").exists()
    resumed = sim("-m", *SWEEP, f"hydra.sweep.dir={out}")
    assert resumed.returncode == 0, resumed.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), basic_sweep)


def test_aggregate_on_demand_and_bad_folders(basic_sweep, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim.aggregate", str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "nowhere" in proc.stderr
    (tmp_path / "empty").mkdir()
    proc = subprocess.run([sys.executable, "-m", "sim.aggregate", str(tmp_path / "empty")], capture_output=True, text=True)
    assert proc.returncode == 2 and "holds no sweep jobs" in proc.stderr


def test_the_slurm_launcher_config_composes():
    from hydra import compose, initialize_config_dir

    from sim.api import CONFIG_DIR

    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=["hydra/launcher=slurm", "hydra.launcher.partition=short"],
                      return_hydra_config=True)  # fmt: skip
    launcher = cfg.hydra.launcher
    assert launcher._target_ == "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher"
    assert launcher.partition == "short" and launcher.timeout_min == 60 and launcher.cpus_per_task == 1


def test_workers_give_the_same_rows_in_the_same_order(tmp_path):
    """workers=2 runs a job's replicates in forked processes; the record is identical."""
    frames = []
    for workers in (1, 2):
        cfg, choices = compose_config(["replicates=40", f"workers={workers}"])
        run_job(cfg, choices, 0, ["replicates=40"], tmp_path / str(workers))
        frames.append(pd.read_parquet(tmp_path / str(workers) / FRAGMENT))
    pd.testing.assert_frame_equal(frames[0], frames[1])
    assert frames[0]["replicate"].tolist() == list(range(40))
