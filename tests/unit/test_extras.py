"""A command whose extra is not installed says so in one line, naming the extra, before anything is written."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from sim.config.checks import check_pool_launcher
from sim.config.compose import CONFIG_DIR
from sim.core.errors import SimInputError
from sim.core.extras import EXTRAS, MissingExtraError, exit_unless_installed, missing
from sim.history.calibrate import run_calibration
from sim.history.validate import compose_settings, read_settings

real_find_spec = importlib.util.find_spec


@pytest.fixture
def without(monkeypatch):
    """``without("pyabc", ...)``: those modules look uninstalled (find_spec finds nothing)."""

    def hide(*names: str) -> None:
        monkeypatch.setattr(importlib.util, "find_spec",
                            lambda name, *a: None if name in names else real_find_spec(name, *a))  # fmt: skip

    return hide


def test_every_extra_is_installed_in_the_test_environment():
    assert {extra: missing(extra) for extra in EXTRAS} == dict.fromkeys(EXTRAS, [])


def test_calibration_without_pyabc_is_one_line_naming_the_extra(without, tmp_path: Path):
    without("pyabc")
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("calibrate", overrides=[f"results_dir={tmp_path}"])
    with pytest.raises(MissingExtraError) as caught:
        run_calibration(cfg)
    assert str(caught.value) == ("python -m sim.calibrate needs the 'calibrate' extra (pyabc not installed): "
                                 "pip install 'uschina-signaling[calibrate]'")  # fmt: skip
    assert isinstance(caught.value, SimInputError)  # so every entry point prints it as its one error line
    assert not any(tmp_path.iterdir())


def test_the_var_reference_needs_statsmodels_and_other_models_do_not(without):
    without("statsmodels")
    with pytest.raises(MissingExtraError, match=r"the var reference model .* needs the 'validate' extra"):
        read_settings(compose_settings([]))
    read_settings(compose_settings(["models=[calibrated,null_model,climatology]"]))  # no VAR: nothing missing


@pytest.mark.parametrize("launcher", ["joblib", "submitit_local", "slurm"])
def test_a_cluster_launcher_needs_the_cluster_extra(without, launcher: str):
    without("hydra_plugins.hydra_joblib_launcher", "hydra_plugins.hydra_submitit_launcher")
    with pytest.raises(MissingExtraError, match=rf"^hydra/launcher={launcher} needs the 'cluster' extra"):
        check_pool_launcher([f"hydra/launcher={launcher}"])
    check_pool_launcher(["hydra/launcher=basic"])  # Hydra's own and the core's launchers need nothing more


def test_at_a_commands_entry_the_missing_extra_is_the_error_line_and_exit_code_2(without, capsys):
    without("SALib")
    with pytest.raises(SystemExit) as caught:
        exit_unless_installed("calibrate", "python -m sim.sensitivity", ("SALib",))
    assert caught.value.code == 2
    assert capsys.readouterr().err == ("error: python -m sim.sensitivity needs the 'calibrate' extra (SALib not "
                                       "installed): pip install 'uschina-signaling[calibrate]'\n")  # fmt: skip
