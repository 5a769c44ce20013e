"""A short calibration end to end: study, resume, reproducibility, report and calibrated config."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from hydra import compose, initialize_config_dir

from sim.config.compose import CONFIG_DIR
from sim.core.errors import SimInputError
from sim.history.calibrate import run_calibration

FIT = "fit=[chn_trigger,chn_suspension_severity,chn_stage_days]"  # a retaliation, a government and a thaw parameter


def calibrate_cfg(*overrides: str):
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        return compose("calibrate", overrides=list(overrides))


@pytest.mark.slow
def test_short_calibration_resumes_and_reproduces(tmp_path: Path):
    common = [FIT, "seeds=2", f"results_dir={tmp_path / 'results'}", f"config_out={tmp_path / 'configs'}"]
    first = run_calibration(calibrate_cfg(*common, "trials=3", "study=a"))
    folder = tmp_path / "results" / "a"
    assert (folder / "study.db").is_file() and (folder / "report.md").is_file()
    assert len(pd.read_csv(folder / "trials.csv")) == 3
    # Re-running resumes: it adds trials instead of starting again.
    run_calibration(calibrate_cfg(*common, "trials=4", "study=a"))
    resumed = pd.read_csv(folder / "trials.csv")
    assert len(resumed) == 4
    # The same sampler seed, uninterrupted, draws the same four trials.
    run_calibration(calibrate_cfg(*common, "trials=4", "study=b"))
    fresh = pd.read_csv(tmp_path / "results" / "b" / "trials.csv")
    cols = [c for c in fresh.columns if c.startswith("params_")]
    pd.testing.assert_frame_equal(resumed[cols], fresh[cols])
    assert first["median_fit"]["null"] < first["median_fit"]["default"]
    report = (folder / "report.md").read_text()
    assert "| calibrated |" in report and "| null |" in report and "## Checks" in report
    assert {p.name for p in (folder / "figures").iterdir()} == {"fit.png", "lags.png", "channels.png"}
    # The calibrated config: a global file choosing calibrated rule options, each a complete rule node.
    written = [Path(p) for p in first["written"]]
    cal = tmp_path / "configs" / "calibration" / "a.yaml"
    assert cal in written
    text = cal.read_text()
    assert text.splitlines()[0] == "# @package _global_"  # Hydra reads it only as the first line
    # One option file per government and rule (both governments use graduated): named <rule>_<study>_<gov>.
    assert "override /rules/retaliation@governments.CHN.retaliation: graduated_a_chn" in text
    assert "override /rules/thaw@governments.CHN.thaw: sanctioned_post_hold_a_chn" in text
    assert "governments.USA" not in text  # no US parameter fitted: the US rules keep their files
    rule = yaml.safe_load((tmp_path / "configs" / "rules" / "retaliation" / "graduated_a_chn.yaml").read_text())
    assert rule["_target_"] == "sim.core.rules.retaliation.GraduatedLadder"
    assert rule["trigger"] == pytest.approx(first["best_params"]["chn_trigger"])
    thaw = yaml.safe_load((tmp_path / "configs" / "rules" / "thaw" / "sanctioned_post_hold_a_chn.yaml").read_text())
    assert thaw["inner"]["stage_days"] == pytest.approx(first["best_params"]["chn_stage_days"])
    body = yaml.safe_load(text)
    assert body["governments"]["CHN"]["repertoire"][3]["min_severity"] == pytest.approx(
        first["best_params"]["chn_suspension_severity"]
    )


def test_unknown_parameter_name_is_refused(tmp_path: Path):
    cfg = calibrate_cfg("fit=[chn_bravado]", f"results_dir={tmp_path}", "trials=1", "seeds=1")
    with pytest.raises(SimInputError, match=r"fit='chn_bravado': not in params"):
        run_calibration(cfg)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("override", ["trials=abc", "trials=0", "seeds=2.5", "sampler_seed=-1", "seeds=true"])
def test_a_bad_count_is_one_line_before_anything_runs(override: str, tmp_path: Path):
    key, value = override.split("=")
    cfg = calibrate_cfg(override, f"results_dir={tmp_path}")
    with pytest.raises(SimInputError, match=rf"^configs/calibrate.yaml: {key}=.*: must be a whole number of at least"):
        run_calibration(cfg)
    assert not any(tmp_path.iterdir())


def _leaves(node, prefix=""):
    """(dotted key, value) for every leaf of a plain nested dict (lists as whole values)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{prefix}{k}.")
    else:
        yield prefix[:-1], node


def test_the_default_config_keeps_every_calibrated_value():
    """Nothing merged after the calibrated rule files (config.yaml's own values) undoes a calibrated value."""
    from omegaconf import OmegaConf

    from sim.config.compose import compose_config

    cal_file = CONFIG_DIR / "calibration" / "historical.yaml"
    cal = yaml.safe_load(cal_file.read_text())
    cfg, choices = compose_config([])
    checked = 0
    for entry in cal.get("defaults", []):  # {"override /<group>@<package>": option}
        ((key, option),) = entry.items()
        group_pkg = key.removeprefix("override /")
        group, package = group_pkg.split("@")
        assert choices[group_pkg] == option
        rule = yaml.safe_load((CONFIG_DIR / group / f"{option}.yaml").read_text())
        for key, value in _leaves(rule):
            got = OmegaConf.select(cfg, f"{package}.{key}")
            if isinstance(got, (int, float)) and isinstance(value, (int, float)):
                assert got == pytest.approx(value), f"{package}.{key}: {got} in the default config, {value} calibrated"
                checked += 1
    for key, value in _leaves({k: v for k, v in cal.items() if k != "defaults"}):
        got = OmegaConf.to_container(OmegaConf.select(cfg, key)) if OmegaConf.is_config(OmegaConf.select(cfg, key)) \
            else OmegaConf.select(cfg, key)
        assert got == value, key
        checked += 1
    assert checked > 10
