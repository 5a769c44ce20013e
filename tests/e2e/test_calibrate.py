"""A quick posterior study end to end: outputs, resumption, reproducibility, bad studies, promotion."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hydra import compose, initialize_config_dir

from sim.config.compose import CONFIG_DIR
from sim.core.errors import SimInputError
from sim.history.calibrate import run_calibration
from sim.history.promote import promote

from ..conftest import REPO

QUICK = ["population=6", "quantile=0.5", "seeds=1", "fit=[chn_trigger,chn_stage_days,usa_trigger]"]


def calibrate_cfg(*overrides: str):
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        return compose("calibrate", overrides=list(overrides))


@pytest.mark.slow
def test_a_quick_study_resumes_reproduces_and_reports(tmp_path: Path):
    common = [*QUICK, f"results_dir={tmp_path}"]
    first = run_calibration(calibrate_cfg(*common, "generations=2", "study=a", "workers=2"), progress=False)
    folder = tmp_path / "a"
    assert first["generations"] == 2 and first["split"] == "none"
    assert {"abc.db", "study.json", "posterior.csv", "identifiability.csv", "evaluations.csv", "generations.csv",
            "correlations.csv", "report.md", "summary.json"} <= {p.name for p in folder.iterdir()}  # fmt: skip
    assert sorted(p.name for p in (folder / "figures").iterdir()) == [
        "correlations.png", "marginals.png", "pairs.png", "profiles.png", "tolerance.png"]  # fmt: skip
    post = pd.read_csv(folder / "posterior.csv")
    assert len(post) == 6 and post["weight"].sum() == pytest.approx(1.0)
    assert post["chn_stage_days"].between(5, 400).all()  # the log-scaled prior's range, in model values
    ident = pd.read_csv(folder / "identifiability.csv").set_index("parameter")
    assert set(ident.index) == {"chn_trigger", "chn_stage_days", "usa_trigger"}
    assert (ident["contraction"] <= 1).all() and set(ident["verdict"]) <= {"pinned down", "weakly informed", "not identified"}
    assert ident["q05"].le(ident["median"]).all() and ident["median"].le(ident["q95"]).all()
    report = (folder / "report.md").read_text()
    assert "## What the record pins down" in report and "**Not identified**" in report
    evaluations = pd.read_csv(folder / "evaluations.csv")
    assert set(evaluations["t"]) == {-1, 0, 1}  # pyabc's prior sample, then the two generations
    assert evaluations["distance"].between(0, 2).all()
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["provenance"]["started"] <= summary["provenance"]["finished"] and summary["provenance"]["version"]
    assert summary["point"] == "weighted marginal median" and len(summary["overrides"]) == 3
    # Resuming continues the stored study (two generations kept, one added) ...
    resumed = run_calibration(calibrate_cfg(*common, "generations=3", "study=a", "workers=2"), progress=False)
    assert resumed["generations"] == 3
    assert (pd.read_csv(folder / "evaluations.csv")["t"] == 0).sum() == (evaluations["t"] == 0).sum()
    # ... and gives what an uninterrupted study on one process gives.
    straight = run_calibration(calibrate_cfg(*common, "generations=3", "study=b", "workers=1"), progress=False)
    assert straight["generations"] == 3
    pd.testing.assert_frame_equal(pd.read_csv(folder / "posterior.csv"), pd.read_csv(tmp_path / "b" / "posterior.csv"))

    # Promotion is a separate step, into a calibration file and a posterior file.
    written = promote("a", "quick", tmp_path, config_dir=tmp_path / "configs", data_dir=tmp_path / "data")
    cal = yaml.safe_load(written[0].read_text())
    assert written[0].read_text().startswith("# @package calibration\n")
    assert cal["rules"] == {"governments.CHN.thaw": "sanctioned_post_hold", "governments.CHN.thaw.inner": "weighted",
                            "governments.CHN.retaliation": "graduated", "governments.USA.retaliation": "graduated"}  # fmt: skip
    assert set(cal["values"]) == {"governments.CHN.retaliation.trigger", "governments.CHN.thaw.inner.stage_days",
                                  "governments.USA.retaliation.trigger"}  # fmt: skip
    final = pd.read_csv(folder / "identifiability.csv").set_index("parameter")  # of the resumed study's last generation
    assert cal["values"]["governments.CHN.retaliation.trigger"] == pytest.approx(final.loc["chn_trigger", "median"])
    shipped = pd.read_csv(written[1])
    assert list(shipped.columns) == ["weight", *cal["values"]] and len(shipped) == 6


@pytest.mark.slow
def test_a_study_interrupted_in_its_first_generation_resumes_to_the_same_result(tmp_path: Path, monkeypatch):
    from sim.history import abc_records

    common = [*QUICK, "generations=1", f"results_dir={tmp_path}", "workers=1"]
    real_add = abc_records.Evaluations.add

    def interrupted(self, t, slot, particle):
        if t == 0 and slot == 3:  # after pyabc's calibration sample, within generation 0
            raise KeyboardInterrupt
        real_add(self, t, slot, particle)

    monkeypatch.setattr(abc_records.Evaluations, "add", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_calibration(calibrate_cfg(*common, "study=cut"), progress=False)
    monkeypatch.setattr(abc_records.Evaluations, "add", real_add)
    run_calibration(calibrate_cfg(*common, "study=cut"), progress=False)
    run_calibration(calibrate_cfg(*common, "study=whole"), progress=False)
    for name in ("posterior.csv", "evaluations.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "cut" / name), pd.read_csv(tmp_path / "whole" / name))
    runs = sqlite3.connect(tmp_path / "cut" / "abc.db").execute("select count(*) from abc_smc").fetchone()[0]
    assert runs == 1  # one study in the database, not a new one per attempt


@pytest.mark.slow
def test_a_study_never_changes_the_default_calibration(tmp_path: Path):
    shipped = (CONFIG_DIR / "calibration" / "historical.yaml").read_bytes()
    proc = subprocess.run([sys.executable, "-m", "sim.calibrate", *QUICK, "generations=1", f"results_dir={tmp_path}"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "python -m sim.promote historical" in proc.stdout  # says how, does not do it
    assert (CONFIG_DIR / "calibration" / "historical.yaml").read_bytes() == shipped
    assert (tmp_path / "historical" / "posterior.csv").is_file()


def test_a_foreign_corrupted_or_changed_study_is_one_line(tmp_path: Path):
    common = [*QUICK, "generations=1", f"results_dir={tmp_path}"]
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    sqlite3.connect(foreign / "abc.db").execute("create table t (x)").connection.commit()
    with pytest.raises(SimInputError, match=r"foreign/abc.db: study='foreign': holds no study.json"):
        run_calibration(calibrate_cfg(*common, "study=foreign"))
    from sim.history.abc_study import read_settings
    from sim.history.calibrate import read_params

    cfg = calibrate_cfg(*common, "study=broken")
    settings = read_settings(cfg, read_params(cfg), REPO)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "study.json").write_text(json.dumps({"settings": settings.fingerprint}))
    (broken / "abc.db").write_bytes(b"SQLite format 3\x00" + b"\x07" * 200)
    with pytest.raises(SimInputError, match=r"broken/abc.db: study='unreadable': is not a readable pyabc study"):
        run_calibration(cfg)
    (broken / "study.json").write_text(json.dumps({"settings": {**settings.fingerprint, "seeds": 9}}))
    with pytest.raises(SimInputError, match=r"study.json: settings='seeds': the stored study was started with other"):
        run_calibration(cfg)


@pytest.mark.parametrize(
    ("override", "field"),
    [("population=0", "population"), ("generations=-1", "generations"), ("seeds=1.5", "seeds"),
     ("quantile=1", "quantile"), ("workers=0", "workers"), ("study=../x", "study")],
)  # fmt: skip
def test_a_bad_setting_is_one_line_before_anything_runs(override: str, field: str, tmp_path: Path):
    with pytest.raises(SimInputError, match=rf"^configs/calibrate.yaml: {field}="):
        run_calibration(calibrate_cfg(*QUICK, override, f"results_dir={tmp_path}"))
    assert not any(tmp_path.iterdir())


def test_unknown_parameter_name_and_loeo_are_refused(tmp_path: Path):
    with pytest.raises(SimInputError, match="fit=.*chn_bravado"):
        run_calibration(calibrate_cfg("fit=[chn_bravado]", f"results_dir={tmp_path}"))
    with pytest.raises(SimInputError, match="calibrate one fold at a time"):
        run_calibration(calibrate_cfg(*QUICK, "split=loeo", f"results_dir={tmp_path}"))
    assert not any(tmp_path.iterdir())


def test_promotion_refuses_a_split_study_and_a_missing_one(tmp_path: Path):
    with pytest.raises(SimInputError, match="no finished study here"):
        promote("nothing", results_dir=tmp_path, config_dir=tmp_path, data_dir=tmp_path)
    folder = tmp_path / "s_temporal"
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps({"split": "temporal"}))
    (folder / "study.json").write_text(json.dumps({"settings": {}}))
    (folder / "posterior.csv").write_text("weight\n1\n")
    with pytest.raises(SimInputError, match="saw only part of the record"):
        promote("s_temporal", results_dir=tmp_path, config_dir=tmp_path, data_dir=tmp_path)
    assert not (tmp_path / "calibration").exists()
