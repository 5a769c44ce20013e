"""Sensitivity analysis end to end (tiny Morris and Sobol designs, of outcomes and of the fit) and its refusal of bad
input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

import sim.config.compose
from sim.core.errors import SimInputError
from sim.experiments.sensitivity import run_sensitivity
from sim.history.facts import PATTERNS
from sim.history.fit_sensitivity import FIT_SCORES

# regional.TWN.alignment_days changes only Taiwan's alignment, which no government reads:
# by construction it cannot move tension or channels, so its indices must be exactly 0.
IGNORED = "twn_alignment_days"
INFLUENTIAL = "chn_suspension_severity"
MORRIS = [f"use=[{INFLUENTIAL},{IGNORED},chn_trigger]", "morris_trajectories=4", "seeds=2"]
OUTPUTS = ["peak_tension", "days_above_crisis", "channel_days_suspended", "mean_days_to_resumption"]


def sensitivity_cfg(*overrides: str):
    with initialize_config_dir(str(sim.config.compose.CONFIG_DIR), version_base="1.3"):
        return compose("sensitivity", overrides=list(overrides))


@pytest.mark.slow
def test_morris_writes_study_and_reproduces(tmp_path: Path):
    common = [*MORRIS, f"results_dir={tmp_path}"]
    result = run_sensitivity(sensitivity_cfg(*common, "study=a"))
    folder = tmp_path / "a"
    assert result["folder"] == folder
    assert {p.name for p in folder.iterdir()} == {"design.csv", "indices.csv", "report.md", "sensitivity.png",
                                                  "morris_mu_sigma.png", "provenance.json"}  # fmt: skip
    design = pd.read_csv(folder / "design.csv")
    assert len(design) == (3 + 1) * 4
    assert list(design.columns) == ["point", INFLUENTIAL, IGNORED, "chn_trigger", *OUTPUTS]
    assert not design[OUTPUTS].isna().any().any()
    indices = pd.read_csv(folder / "indices.csv")
    assert len(indices) == len(OUTPUTS) * 3
    assert {"output", "parameter", "mu_star", "mu_star_conf", "sigma", "rank"} <= set(indices.columns)
    mu_star = indices.set_index(["output", "parameter"])["mu_star"]
    for output in OUTPUTS:
        assert mu_star[(output, IGNORED)] == 0
    assert mu_star[("channel_days_suspended", INFLUENTIAL)] > 0
    report = (folder / "report.md").read_text()
    assert "The top drivers of escalation" in report and "The top drivers of freeze" in report
    assert "## channel_days_suspended" in report and "scenario's length" in report
    # The same sample seed gives the same design and indices; another seed another design.
    run_sensitivity(sensitivity_cfg(*common, "study=b"))
    pd.testing.assert_frame_equal(design, pd.read_csv(tmp_path / "b" / "design.csv"))
    pd.testing.assert_frame_equal(indices, pd.read_csv(tmp_path / "b" / "indices.csv"))
    run_sensitivity(sensitivity_cfg(*common, "study=c", "sample_seed=1"))
    other = pd.read_csv(tmp_path / "c" / "design.csv")
    assert not design[[INFLUENTIAL, "chn_trigger"]].equals(other[[INFLUENTIAL, "chn_trigger"]])


@pytest.mark.slow
def test_sobol_writes_total_indices(tmp_path: Path):
    cfg = sensitivity_cfg("method=sobol", "sobol_base_samples=8", f"use=[{INFLUENTIAL},chn_grievance_days]",
                          "seeds=1", f"results_dir={tmp_path}", "study=s")  # fmt: skip
    run_sensitivity(cfg)
    design = pd.read_csv(tmp_path / "s" / "design.csv")
    assert len(design) == 8 * (2 + 2)
    assert (design["chn_grievance_days"] == design["chn_grievance_days"].round()).all()  # whole days
    indices = pd.read_csv(tmp_path / "s" / "indices.csv")
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(indices.columns) and len(indices) == len(OUTPUTS) * 2
    st = indices.set_index(["output", "parameter"])["ST"]
    assert st[("channel_days_suspended", INFLUENTIAL)] > 0
    assert (tmp_path / "s" / "sensitivity.png").stat().st_size > 0
    assert not (tmp_path / "s" / "morris_mu_sigma.png").exists()  # a Morris figure only


@pytest.mark.slow
def test_fit_sensitivity_over_the_calibration_prior_on_the_command_line(tmp_path: Path):
    """python -m sim.sensitivity with the fit scores as outputs, over two parameters of calibrate.yaml's prior."""
    outputs = ["skill.mean", *(f"skill.{p}" for p in PATTERNS)]
    proc = subprocess.run(
        [sys.executable, "-m", "sim.sensitivity", "study=fit", "space=calibrate", f"only=[{INFLUENTIAL},chn_trigger]",
         "morris_trajectories=2", "seeds=1", f"outputs=[{','.join(outputs)}]",
         'model_overrides=["scenario=historical_2022_2024","~calibration"]', f"results_dir={tmp_path}"],
        check=False, capture_output=True, text=True, cwd=sim.config.compose.CONFIG_DIR.parent, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "The top drivers of the mean skill vs null (skill.mean) are" in proc.stdout
    folder = tmp_path / "fit"
    design = pd.read_csv(folder / "design.csv")
    assert len(design) == (2 + 1) * 2 and list(design.columns) == ["point", INFLUENTIAL, "chn_trigger", *outputs]
    indices = pd.read_csv(folder / "indices.csv")
    mean = indices[indices["output"] == "skill.mean"]
    assert set(mean["parameter"]) == {INFLUENTIAL, "chn_trigger"}
    assert mean[["mu_star", "mu_star_conf", "sigma", "mu"]].notna().all().all()
    assert np.isfinite(mean[["mu_star", "mu_star_conf", "sigma", "mu"]].to_numpy()).all()
    assert (folder / "morris_mu_sigma.png").stat().st_size > 0 and (folder / "sensitivity.png").stat().st_size > 0
    report = (folder / "report.md").read_text()
    assert "## skill.mean: mean skill vs null" in report and "calibration's prior" in report
    assert "every documented fact" in report and "(uncalibrated)" in report


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["use=[chn_bravado]"], r"use='chn_bravado': not in params"),
        (["use=[chn_trigger]", "params.chn_trigger.key=governments.CHN.retaliation.bravado"],
         r"params\.chn_trigger\.key='governments\.CHN\.retaliation\.bravado': not a key of the model config"),
        (["use=[chn_trigger]", "params.chn_trigger.low=0.9"], r"params\.chn_trigger=.*needs low < high"),
        (["method=fast"], r"method='fast': unknown method"),
        (["use=[chn_refuse_above]", "params.chn_refuse_above.high=1.5"],
         r"params\.chn_refuse_above\.high=1\.5: the model refuses it"),
        (["method=sobol", "sobol_base_samples=10"], r"sobol_base_samples=10: must be a power of two"),
        (["outputs=[peak_tension,signal_counts]"], r"outputs='signal_counts': not a numeric outcome"),
        (["outputs=[peak_tension,skill.nonsense]"], r"outputs='skill\.nonsense': not a numeric outcome .* nor a fit score"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path, overrides: list[str], message: str):
    cfg = sensitivity_cfg(*overrides, f"results_dir={tmp_path}", "seeds=1", "morris_trajectories=2")
    with pytest.raises(SimInputError, match=message) as info:
        run_sensitivity(cfg, FIT_SCORES)  # as python -m sim.sensitivity runs it
    assert str(info.value).startswith("configs/sensitivity.yaml: ") and "\n" not in str(info.value)
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_command_line_bad_input_exits_2(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "sim.sensitivity", "method=fast", f"results_dir={tmp_path}"],
        check=False, capture_output=True, text=True, cwd=sim.config.compose.CONFIG_DIR.parent, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2
    expected = "error: configs/sensitivity.yaml: method='fast': unknown method (known: morris, sobol)"
    assert proc.stderr.strip() == expected
    assert not any(tmp_path.iterdir())  # not even Hydra's record of the refused run
