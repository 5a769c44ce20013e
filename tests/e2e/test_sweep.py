"""Sweeps: replicates, job records, failures recorded, resume, launchers, aggregation."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest

from sim.config.compose import compose_config
from sim.experiments.sweep import FRAGMENT, JOB_RECORD, replicate_seeds, run_job

from ..conftest import REPO

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
    # Made when asked for, equal to numpy's spawn: a billion replicates cost no memory up front.
    spawned = [int(c.generate_state(1, dtype=np.uint32)[0]) for c in np.random.SeedSequence(7).spawn(50)]
    assert list(seeds) == spawned and seeds[-1] == spawned[-1]
    huge = replicate_seeds(7, 10**9)
    assert len(huge) == 10**9 and huge[3] == spawned[3]


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


def test_posterior_draws_run_each_replicate_seed_under_each_drawn_parameter_set(tmp_path):
    overrides = ["replicates=2", "posterior_draws=3", "seed=4"]
    cfg, choices = compose_config(overrides)
    outcome = run_job(cfg, choices, 0, overrides, tmp_path)
    assert (outcome.n_ok, outcome.n_failed) == (6, 0)
    rows = pd.read_parquet(tmp_path / FRAGMENT)
    assert rows["draw"].tolist() == [0, 0, 1, 1, 2, 2] and rows["replicate"].tolist() == [0, 1] * 3
    assert rows["seed"].tolist() == list(replicate_seeds(4, 2)) * 3  # common random numbers across draws
    assert "p.posterior_draws" not in rows  # not a parameter of the runs
    from sim.config.calibration import read_calibration, read_posterior

    drawn = read_posterior(read_calibration(cfg)).draw(3, seed=4)
    assert rows.groupby("draw")["posterior_row"].first().tolist() == [row for row, _ in drawn]
    # Another job with the same seed (say, another rule) draws the same parameter sets.
    other = ["replicates=2", "posterior_draws=3", "seed=4", "crisis_threshold=0.5"]
    run_job(*compose_config(other), 1, other, tmp_path / "other")
    assert pd.read_parquet(tmp_path / "other" / FRAGMENT)["posterior_row"].tolist() == rows["posterior_row"].tolist()


def test_a_failing_run_is_recorded_and_the_others_go_on(tmp_path, monkeypatch):
    from sim.core.model import SignalingModel

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
    proc = sim("-m", *SWEEP, "hydra/launcher=basic", f"hydra.sweep.dir={out}")
    assert proc.returncode == 0, proc.stderr
    assert "Sweep: 12 runs in 4 jobs: 12 ok, 0 failed" in proc.stdout
    return pd.read_parquet(out / "runs.parquet")


@pytest.mark.slow
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


LAUNCHERS = {
    "sim_pool": ["hydra.launcher.n_jobs=2"],  # the default: forked workers on every core
    "sim_pool_1": ["hydra/launcher=sim_pool", "hydra.launcher.n_jobs=1"],  # one worker: in-process
    "joblib": ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"],
    "submitit_local": ["hydra/launcher=submitit_local", "hydra.launcher.timeout_min=10"],
}


@pytest.mark.slow
@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_other_launchers_give_the_same_runs(basic_sweep, tmp_path, launcher):
    proc = sim("-m", *SWEEP, *LAUNCHERS[launcher], f"hydra.sweep.dir={tmp_path / launcher}")
    assert proc.returncode == 0, proc.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / launcher / "runs.parquet"), basic_sweep)
    if launcher.startswith("sim_pool"):  # the sweep-wide progress, one line per 10% when not on a terminal
        assert "12/12 runs done (100%)" in proc.stdout
        assert "Sweep: 12 runs in 4 jobs: 12 ok, 0 failed" in proc.stdout


@pytest.mark.slow
def test_the_pool_launcher_shows_one_progress_bar_for_the_whole_sweep(tmp_path):
    proc = sim("-m", *SWEEP, "hydra.launcher.n_jobs=2", "hydra.launcher.progress=true", f"hydra.sweep.dir={tmp_path}")
    assert proc.returncode == 0, proc.stderr
    bar = proc.stderr.replace("\r", "\n").splitlines()
    assert any(line.startswith("sweep: 100%") and "12/12" in line for line in bar), proc.stderr
    assert not any(line.startswith("job ") for line in bar)  # no per-job bars beside it


@pytest.mark.slow
def test_the_pool_launcher_rejects_a_bad_worker_count(tmp_path):
    for bad in ("0", "two"):
        proc = sim("-m", "seed=0,1", f"hydra.launcher.n_jobs={bad}", f"hydra.sweep.dir={tmp_path / bad}")
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
        assert proc.stderr.startswith("error: ") and f"hydra.launcher.n_jobs={bad!r}" in proc.stderr
        assert not (tmp_path / bad).exists()


def _kill_mid_way(args: list[str], whole_group: bool) -> list[int]:
    """Start a sweep, SIGKILL it once a job is complete; return the pids of its processes at that moment."""
    out = Path(args[-1].partition("=")[2])
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob(f"*/{JOB_RECORD}")):
        time.sleep(0.05)
    tree = [proc.pid, *(c.pid for c in psutil.Process(proc.pid).children(recursive=True))]
    if whole_group:
        os.killpg(proc.pid, signal.SIGKILL)  # killed mid-way: some jobs done, the rest not started
    else:
        os.kill(proc.pid, signal.SIGKILL)  # the main process only: its workers must not run on
    proc.wait()
    return tree


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["basic", "sim_pool"])
def test_an_interrupted_sweep_resumes_to_the_same_runs(basic_sweep, tmp_path, launcher):
    out = tmp_path / "killed"
    chosen = [f"hydra/launcher={launcher}"] + (["hydra.launcher.n_jobs=2"] if launcher == "sim_pool" else [])
    args = [sys.executable, "-m", "sim", "-m", *SWEEP, *chosen, f"hydra.sweep.dir={out}"]
    tree = _kill_mid_way(args, whole_group=launcher == "basic")
    deadline = time.time() + 10  # the pool's workers die with the main process
    while time.time() < deadline and any(psutil.pid_exists(p) and psutil.Process(p).status() != "zombie" for p in tree):
        time.sleep(0.05)
    assert not [p for p in tree if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
    done_before = {p.parent.name for p in out.glob(f"*/{JOB_RECORD}")}
    assert 1 <= len(done_before) < 4 and not (out / "runs.parquet").exists()
    resumed = sim("-m", *SWEEP, *chosen, f"hydra.sweep.dir={out}")
    assert resumed.returncode == 0, resumed.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), basic_sweep)


# Kill points, seconds after the start: drawn once (seeded) over a sweep's life, from Hydra's
# start-up through the jobs to the aggregation.
KILL_AFTER = [round(random.Random(16).uniform(0.3, 5.0), 2) for _ in range(3)]


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["basic", "sim_pool"])
@pytest.mark.parametrize("after", KILL_AFTER)
def test_a_sweep_killed_at_any_moment_resumes_to_the_same_runs(basic_sweep, tmp_path, launcher, after):
    """kill -9 of the whole process group at a random moment: the same command then gives the same runs.parquet."""
    out = tmp_path / "killed"
    chosen = [f"hydra/launcher={launcher}"] + (["hydra.launcher.n_jobs=2"] if launcher == "sim_pool" else [])
    args = [sys.executable, "-m", "sim", "-m", *SWEEP, *chosen, f"hydra.sweep.dir={out}"]
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(after)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    resumed = sim("-m", *SWEEP, *chosen, f"hydra.sweep.dir={out}")
    assert resumed.returncode == 0, resumed.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), basic_sweep)
    assert not list(out.glob(".*staging*")) and not list(out.glob("*/.*.parquet.*"))  # no temporary files left


@pytest.mark.slow
def test_aggregate_on_demand_and_bad_folders(basic_sweep, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim.aggregate", str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "nowhere" in proc.stderr
    (tmp_path / "empty").mkdir()
    proc = subprocess.run([sys.executable, "-m", "sim.aggregate", str(tmp_path / "empty")], capture_output=True, text=True)
    assert proc.returncode == 2 and "holds no sweep jobs" in proc.stderr


def test_the_slurm_launcher_config_composes():
    from hydra import compose, initialize_config_dir

    from sim.config.compose import CONFIG_DIR

    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=["hydra/launcher=slurm", "hydra.launcher.partition=short"],
                      return_hydra_config=True)  # fmt: skip
    launcher = cfg.hydra.launcher
    assert launcher._target_ == "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher"
    assert launcher.partition == "short" and launcher.timeout_min == 60 and launcher.cpus_per_task == 1


@pytest.mark.slow
def test_workers_give_the_same_rows_in_the_same_order(tmp_path):
    """workers=2 runs a job's replicates in forked processes; the record is identical."""
    frames = []
    for workers in (1, 2):
        cfg, choices = compose_config(["replicates=40", f"workers={workers}"])
        run_job(cfg, choices, 0, ["replicates=40"], tmp_path / str(workers))
        frames.append(pd.read_parquet(tmp_path / str(workers) / FRAGMENT))
    pd.testing.assert_frame_equal(frames[0], frames[1])
    assert frames[0]["replicate"].tolist() == list(range(40))


@pytest.mark.slow
def test_a_dead_pool_worker_stops_the_sweep_with_a_message_instead_of_hanging(tmp_path):
    out = tmp_path / "sweep"
    args = [sys.executable, "-m", "sim", "-m", "seed=0,1,2,3", "replicates=400", "figures=false",
            "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={out}"]  # fmt: skip
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    workers = []
    while time.time() < deadline and len(workers) < 2:
        workers = psutil.Process(proc.pid).children()
        time.sleep(0.05)
    time.sleep(0.5)  # inside a job
    workers[0].kill()
    _, stderr = proc.communicate(timeout=120)  # it must end, not hang
    assert proc.returncode != 0
    assert "a worker process died" in stderr and f"hydra.sweep.dir={out}" in stderr
    assert not (out / "runs.parquet").exists()


@pytest.mark.slow
def test_an_os_error_in_a_pool_job_is_one_line_naming_its_file(tmp_path):
    overrides = ["seed=0,1", "replicates=2", "figures=false"]
    # This sweep's folder (its record), where job 1 cannot write its record: a folder stands in its place.
    (tmp_path / "sweep.json").write_text(json.dumps({"overrides": overrides, "sweeper_params": None}))
    (tmp_path / "1" / JOB_RECORD).mkdir(parents=True)
    proc = sim("-m", *overrides, "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={tmp_path}")
    assert proc.returncode == 2
    # The error raised in the worker, replacing job 1's record, reaches the command as one line naming the file.
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert errors == [f"error: {tmp_path / '1' / JOB_RECORD}: Is a directory"], proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_sweeper_composes_one_job_per_set_of_group_choices():
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from hydra_plugins.sim_sweeps.sim_sweeper import _signature

    class Repo:
        @staticmethod
        def group_exists(key: str) -> bool:
            return key.startswith("rules/")

    parser = OverridesParser.create()
    sig = lambda ovs: _signature(parser, Repo, ovs)  # noqa: E731
    rule = "rules/retaliation@governments.CHN.retaliation"
    assert sig(["seed=1", f"{rule}=tit_for_tat"]) == sig(["seed=2", f"{rule}=tit_for_tat"])
    assert sig(["seed=1", f"{rule}=tit_for_tat"]) != sig(["seed=1", f"{rule}=graduated"])
    assert sig(["+foo=1"]) == sig(["+foo=2"]) == ["+foo="]
    assert sig(["hydra.job.chdir=true"]) == ["hydra.job.chdir=true"]  # Hydra's own keys in full


@pytest.mark.slow
def test_aggregating_many_jobs_shows_a_progress_bar(tmp_path, capsys):
    from sim.experiments.aggregate import collect
    from sim.experiments.sweep import write_fragment

    for job in range(25):
        row = {"job": job, "replicate": 0, "seed": job, "base_seed": job, "status": "ok", "error": "", "peak_tension": 0.5}
        write_fragment(tmp_path / str(job), [row], [f"seed={job}"], "2026-01-01T00:00:00+00:00")
    runs, complete, _ = collect(tmp_path, progress=True)
    assert len(runs) == len(complete) == 25
    bar = capsys.readouterr().err.replace("\r", "\n")
    assert "reading jobs" in bar and "/25 " in bar  # a bar over the 25 jobs (tqdm redraws it at most every 0.1 s)
    collect(tmp_path, progress=False)
    assert capsys.readouterr().err == ""
