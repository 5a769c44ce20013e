"""``python -m sim.validate`` end to end: a short validation, its files, in and out of sample, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from sim.core.errors import SimInputError
from sim.history.calibrate import run_calibration
from sim.history.validate import compose_settings, run_validation

from ..conftest import REPO

QUICK = ["seeds=3", 'models=[uncalibrated,null_model,climatology,var]']


def _validate(tmp_path, *overrides: str) -> dict:
    return run_validation(compose_settings([*QUICK, f"results_dir={tmp_path / 'validation'}", *overrides]))


@pytest.mark.slow
def test_a_short_validation_writes_its_report_atomically_and_reproducibly(tmp_path):
    result = _validate(tmp_path, "name=short")
    folder = tmp_path / "validation" / "short"
    assert sorted(p.name for p in folder.iterdir()) == [
        "figures", "patterns.csv", "report.md", "scores.csv", "skill.csv", "validation.json"]  # fmt: skip
    assert sorted(p.name for p in (folder / "figures").iterdir()) == ["intervals.png", "skill.png", "status.png"]
    assert not [p for p in (tmp_path / "validation").iterdir() if p.name.startswith(".")]  # no stage left
    report = (folder / "report.md").read_text()
    assert "## Scores, in sample" in report and "Skill against `climatology`" in report
    skill = pd.read_csv(folder / "skill.csv")
    mean = skill[(skill["pattern"] == "mean") & (skill["reference"] == "null_model")].set_index("model")["skill"]
    assert mean["null_model"] == 0.0  # the null model has no skill against itself
    assert mean["climatology"] > 0  # the base rates beat doing nothing, in sample
    scores = pd.read_csv(folder / "scores.csv")
    assert set(scores["pattern"]) == {"response", "lag", "meeting", "status", "thaw", "order"}
    assert set(scores.loc[scores["pattern"] == "status", "fact"]) >= {"status.defense_policy", "status.economic"}
    # The same settings give the same scores, from the command line too.
    proc = subprocess.run([sys.executable, "-m", "sim.validate", *QUICK, f"results_dir={tmp_path / 'cli'}", "name=short"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "mean skill vs null" in proc.stdout
    again = pd.read_csv(tmp_path / "cli" / "short" / "scores.csv")
    pd.testing.assert_frame_equal(again, scores)
    record = json.loads((folder / "validation.json").read_text())
    assert record["seeds"] == 3 and record["provenance"]["mesa"] and record["provenance"]["command"]
    assert len(result["folds"]) == 1


@pytest.mark.slow
def test_a_temporal_split_scores_2024_out_of_sample_with_a_model_fitted_before_it(tmp_path):
    with pytest.raises(SimInputError, match="no calibration fitted on fold temporal's training part"):
        _validate(tmp_path, "split=temporal", "models=[calibrated,climatology]", "references=[climatology]",
                  f"calibration_dir={tmp_path / 'cal'}")  # fmt: skip
    assert not (tmp_path / "validation").exists()  # nothing half-written
    from hydra import compose, initialize_config_dir

    from sim.config.compose import CONFIG_DIR

    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("calibrate", overrides=["split=temporal", "population=4", "quantile=0.5", "seeds=2",
                                              f"results_dir={tmp_path / 'cal'}", "fit=[chn_trigger]"])  # fmt: skip
    fitted = run_calibration(cfg, progress=False)
    assert fitted["fold"] == "temporal" and (tmp_path / "cal" / "historical_temporal" / "summary.json").is_file()
    result = _validate(tmp_path, "split=temporal", "models=[calibrated,posterior,null_model,climatology]",
                       f"calibration_dir={tmp_path / 'cal'}")  # fmt: skip
    # The posterior predictive runs: seed i takes the i-th draw from the split study's posterior (4 particles).
    drawn = pd.read_csv(tmp_path / "cal" / "historical_temporal" / "posterior.csv")["chn_trigger"]
    assert drawn.between(0.1, 0.8).all() and drawn.nunique() > 1
    post_test = result["patterns"].query("model == 'posterior' and part == 'test'")
    assert len(post_test) and post_test["score"].notna().all()
    patterns = result["patterns"]
    assert set(patterns["part"]) == {"train", "test"}
    test_facts = set(result["scores"].query("part == 'test' and pattern != 'status'")["date"].astype("datetime64[ns]"))
    assert min(test_facts) >= pd.Timestamp("2024-01-01")
    train_facts = set(result["scores"].query("part == 'train' and pattern != 'status'")["date"].astype("datetime64[ns]"))
    assert max(train_facts) < pd.Timestamp("2024-01-01")
    report = (tmp_path / "validation" / "temporal" / "report.md").read_text()
    assert "test part (out of sample)" in report
    assert "historical_temporal" in report and "before 2024-01-01 train" in report
    # A study fitted on one cutoff is not used for another, and is not resumed with another.
    with pytest.raises(SimInputError, match="fitted on other settings"):
        _validate(tmp_path, "split=temporal", "temporal_cutoff=2023-07-01", "models=[calibrated,climatology]",
                  f"calibration_dir={tmp_path / 'cal'}", "name=other")  # fmt: skip
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        other = compose("calibrate", overrides=["split=temporal", "temporal_cutoff=2023-07-01", "population=4",
                                                "quantile=0.5", "seeds=2", f"results_dir={tmp_path / 'cal'}",
                                                "fit=[chn_trigger]"])  # fmt: skip
    with pytest.raises(SimInputError, match="started with other settings"):
        run_calibration(other)


@pytest.mark.slow
def test_leave_one_episode_out_scores_every_episode_once(tmp_path):
    result = _validate(tmp_path, "split=loeo", "seeds=2")
    test = result["scores"][(result["scores"]["part"] == "test") & (result["scores"]["pattern"] != "status")]
    assert not test.duplicated(["model", "fact"]).any()
    assert set(test["episode"]) == set(test["fold"].map({e.split("_", 1)[1].lower(): e for e in test["episode"]}))


def _one_line_error(tmp_path, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "sim.validate", *args, f"results_dir={tmp_path / 'out'}"],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert not (tmp_path / "out").exists()
    return lines[0]


@pytest.mark.slow
def test_bad_input_gets_one_line_naming_it(tmp_path):
    assert "split='bogus'" in _one_line_error(tmp_path, "split=bogus")
    assert "episode:nowhere" in _one_line_error(tmp_path, "split=episode:nowhere")
    assert "no events.parquet" in _one_line_error(tmp_path, f"+run_folders.empty={tmp_path}", "models=[empty,climatology]")
    assert "splt" in _one_line_error(tmp_path, "splt=temporal")
    assert "mars" in _one_line_error(tmp_path, "models=[mars]")
    # A timeline whose rows all fall before the scenario's days: no fact to score.
    rows = pd.read_csv(REPO / "sim" / "data" / "timeline_2022_2024.csv", dtype=str, keep_default_na=False)
    early = rows[rows["date"].between("2022-08-01", "2022-08-31")]
    timeline = tmp_path / "early.csv"
    early.to_csv(timeline, index=False)
    scenario = tmp_path / "late.yaml"
    scenario.write_text("name: late\nstart: 2023-06-01\nend: 2023-12-31\nspontaneous: false\nevents: []\n")
    line = _one_line_error(tmp_path, f"timeline={timeline}", f'model_overrides=["scenario={scenario}"]')
    assert "no documented fact falls within the scenario's days" in line
