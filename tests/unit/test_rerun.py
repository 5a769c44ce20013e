"""A sweep's runs re-run from their records (sim.experiments.rerun): the same tables, or refused as stale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim import run
from sim.config.compose import compose_config
from sim.core.errors import SimInputError
from sim.experiments.rerun import is_sweep_folder, sweep_runs
from sim.experiments.job_record import JOB_RECORD, file_sha256
from sim.experiments.sweep import FRAGMENT, run_job
from sim.history.compare import compare_runs

from ..conftest import REPO


def _sweep(folder: Path) -> Path:
    """Two jobs as a sweep writes them: the historical replay with seed 1 (two replicates) and baseline seed 2."""
    for job, overrides in enumerate((["seed=1", "replicates=2", "figures=false"], ["scenario=baseline", "seed=2"])):
        (folder / str(job) / ".hydra").mkdir(parents=True)
        (folder / str(job) / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
        run_job(*compose_config(overrides), job, overrides, folder / str(job))
    return folder


def test_a_sweeps_runs_come_back_with_the_tables_each_had(tmp_path: Path):
    folder = _sweep(tmp_path / "sweep")
    assert is_sweep_folder(folder) and not is_sweep_folder(tmp_path)
    runs = list(sweep_runs(folder))
    assert [r.label for r in runs] == ["sweep/0/0", "sweep/0/1", "sweep/1/0"]
    rows = pd.read_parquet(folder / "0" / FRAGMENT)
    again = run(seed=int(rows.loc[1, "seed"]))
    pd.testing.assert_frame_equal(runs[1].events, again.events)
    pd.testing.assert_frame_equal(runs[1].steps, again.steps)
    baseline = run(scenario="baseline", seed=2)
    pd.testing.assert_frame_equal(runs[2].events, baseline.events)
    per_run = compare_runs(runs)
    assert per_run["run"].tolist() == ["sweep/0/0", "sweep/0/1", "sweep/1/0"]


def test_a_sweep_whose_records_no_longer_reproduce_is_refused_as_stale(tmp_path: Path):
    folder = _sweep(tmp_path / "sweep")
    rows = pd.read_parquet(folder / "1" / FRAGMENT)
    rows.loc[0, "n_signals"] += 1  # as if another version of the model had made it
    rows.to_parquet(folder / "1" / FRAGMENT, index=False)
    # Rows edited by hand no longer match their checksum: the job counts as incomplete.
    with pytest.raises(SimInputError, match=r"jobs=\['1'\]: 1 job\(s\) are incomplete or unreadable"):
        list(sweep_runs(folder))
    # Rows another version wrote, with its own record, are caught by re-running them.
    record = json.loads((folder / "1" / JOB_RECORD).read_text())
    record["rows_sha256"] = file_sha256(folder / "1" / FRAGMENT)
    (folder / "1" / JOB_RECORD).write_text(json.dumps(record))
    with pytest.raises(SimInputError, match=r"runs.part.parquet: n_signals=.*the sweep was made by other code.*stale"):
        list(sweep_runs(folder))


@pytest.mark.slow
def test_compare_on_the_command_line_takes_a_sweep_folder(tmp_path: Path):
    folder = _sweep(tmp_path / "sweep")
    proc = subprocess.run([sys.executable, "-m", "sim.compare", str(folder), "--out", str(tmp_path / "c.csv")],
                          cwd=REPO, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "over 3 runs" in proc.stdout.splitlines()[0]
    assert pd.read_csv(tmp_path / "c.csv")["run"].tolist() == ["sweep/0/0", "sweep/0/1", "sweep/1/0"]


@pytest.mark.slow
def test_compare_takes_a_counterfactual_folder_and_re_runs_its_base_and_counterfactual(tmp_path: Path):
    out = tmp_path / "cf"
    made = subprocess.run([sys.executable, "-m", "sim.counterfactual", "counterfactual_no_pelosi", "--seeds", "2",
                           "--out", str(out), "figures=false"], cwd=REPO, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert made.returncode == 0, made.stderr
    from sim.experiments.rerun import counterfactual_runs, is_counterfactual_folder

    assert is_counterfactual_folder(out)
    runs = list(counterfactual_runs(out))
    assert [r.label for r in runs] == ["cf/historical_2022_2024/0", "cf/historical_2022_2024/1",
                                       "cf/counterfactual_no_pelosi/0", "cf/counterfactual_no_pelosi/1"]  # fmt: skip
    pd.testing.assert_frame_equal(runs[3].events, run(scenario="counterfactual_no_pelosi", seed=1).events)
    proc = subprocess.run([sys.executable, "-m", "sim.compare", str(out)], cwd=REPO, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "over 4 runs" in proc.stdout.splitlines()[0]


def test_a_sweep_with_an_unreadable_job_is_refused_not_compared_on_fewer_runs(tmp_path: Path):
    folder = _sweep(tmp_path / "sweep")
    (folder / "1" / "job.json").write_text("{garbled")
    with pytest.raises(SimInputError, match=r"jobs=\['1'\]: 1 job\(s\) are incomplete or unreadable"):
        list(sweep_runs(folder))


@pytest.mark.slow
def test_a_sweep_with_a_users_config_folder_and_a_relative_scenario_is_re_run_from_anywhere(tmp_path: Path):
    from sim.config.compose import CONFIG_DIR

    (tmp_path / "conf" / "rules" / "retaliation").mkdir(parents=True)
    (tmp_path / "conf" / "rules" / "retaliation" / "mine.yaml").write_text(
        (CONFIG_DIR / "rules" / "retaliation" / "tit_for_tat.yaml").read_text())
    (tmp_path / "mine.yaml").write_text("base: baseline\nname: mine\n")
    made = subprocess.run([sys.executable, "-m", "sim", "-m", f"--config-dir={tmp_path / 'conf'}", "scenario=mine.yaml",
                           "rules/retaliation@governments.CHN.retaliation=mine", "seed=0,1", "figures=false",
                           f"hydra.sweep.dir={tmp_path / 'sweep'}"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert made.returncode == 0, made.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([sys.executable, "-m", "sim.compare", str(tmp_path / "sweep")], cwd=elsewhere,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "over 2 runs" in proc.stdout.splitlines()[0]


def test_a_sweep_with_posterior_draws_is_re_run_draw_by_draw_and_a_changed_posterior_is_stale(tmp_path: Path):
    folder = tmp_path / "sweep"
    overrides = ["seed=1", "posterior_draws=2", "figures=false"]
    run_job(*compose_config(overrides), 0, overrides, folder / "0")
    rows = pd.read_parquet(folder / "0" / FRAGMENT)
    runs = list(sweep_runs(folder))  # each re-run is held to its recorded metrics, or refused
    assert [r.label for r in runs] == ["sweep/0/draw0/0", "sweep/0/draw1/0"]
    assert [len(r.events) for r in runs] == rows["n_signals"].tolist()
    assert not runs[0].steps.equals(runs[1].steps)  # two parameter sets on the same seed
    rows.loc[1, "posterior_row"] += 1  # as if the shipped posterior had changed since
    rows.to_parquet(folder / "0" / FRAGMENT, index=False)
    with pytest.raises(SimInputError, match=r"posterior_row=\d+: draw 1 now takes row \d+: .*stale"):
        list(sweep_runs(folder))


def test_a_counterfactual_folder_with_posterior_draws_is_re_run_draw_by_draw(tmp_path: Path):
    from sim.experiments.rerun import counterfactual_runs
    from sim.teaching.counterfactual import main

    out = tmp_path / "cf"
    assert main(["counterfactual_no_pelosi", "--seeds", "2", "--out", str(out), "posterior_draws=2"]) == 0
    runs = list(counterfactual_runs(out))  # each held to its recorded signal count, or refused
    assert [r.label for r in runs] == [f"cf/{s}/draw{d}/{seed}" for s in ("historical_2022_2024",
                                       "counterfactual_no_pelosi") for d in (0, 1) for seed in (0, 1)]  # fmt: skip
    assert not runs[0].steps.equals(runs[2].steps)  # draw 0 and draw 1 of seed 0
