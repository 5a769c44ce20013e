"""The fit scores as sensitivity outputs (sim.history.fit_sensitivity) and the calibration's prior as the space
(sim.experiments.sensitivity_fit): scores as calibration computes them, refusal of bad input, and the figures'
intervals clipped at zero."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hydra import compose, initialize_config_dir

from sim.config.compose import CONFIG_DIR, compose_config, compose_named
from sim.config.search_space import Param
from sim.core.errors import SimInputError
from sim.experiments import sensitivity_design as design_module
from sim.experiments.sensitivity import run_sensitivity
from sim.experiments.sensitivity_design import read_params, read_settings
from sim.experiments.sensitivity_figures import clipped_errors
from sim.experiments.sensitivity_fit import calibrate_space, read_space
from sim.history import calibrate
from sim.history.abc_study import FitModel
from sim.history.facts import PATTERNS
from sim.history.fit_sensitivity import FIT_SCORES, LABELS, SKILL_OUTPUTS, fit_scorer
from sim.history.validation import mean_skill

UNCALIBRATED = ["scenario=historical_2022_2024", "~calibration"]


def sensitivity_cfg(*overrides: str):
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        return compose("sensitivity", overrides=list(overrides))


def test_skill_outputs_are_the_mean_and_one_per_pattern_each_in_words():
    assert SKILL_OUTPUTS == ("skill.mean", *(f"skill.{p}" for p in PATTERNS))
    assert LABELS["skill.mean"] == "mean skill vs null"
    assert all(LABELS[o].startswith("skill vs null: ") for o in SKILL_OUTPUTS[1:])


def test_calibrate_space_is_calibrate_yaml_fit_and_params():
    """space=calibrate varies exactly what configs/calibrate.yaml fits, over its ranges: the two cannot drift."""
    stated = yaml.safe_load((CONFIG_DIR / "calibrate.yaml").read_text())
    use, space = calibrate_space()
    assert use == stated["fit"] and space == stated["params"]
    assert read_space(sensitivity_cfg("space=calibrate")) == (use, space)
    # The same parameters, as calibration reads them from its own composed config.
    assert read_params(use, space) == calibrate.read_params(compose_named("calibrate"))
    # A subset of the prior, with its ranges.
    assert read_space(sensitivity_cfg("space=calibrate", "only=[chn_trigger,usa_cost_scale]")) == (
        ["chn_trigger", "usa_cost_scale"], space)  # fmt: skip
    # The default space is this file's own use and params.
    own = yaml.safe_load((CONFIG_DIR / "sensitivity.yaml").read_text())
    assert read_space(sensitivity_cfg()) == (own["use"], own["params"])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["outputs=[skill.mean,skill.nonsense]"], r"^configs/sensitivity\.yaml: outputs='skill\.nonsense': not a .* fit score"),
        (["outputs=[skill.mean,skill.mean]"], r"outputs=\['skill\.mean', 'skill\.mean'\]: must name at least one"),
        (["outputs=[skill.mean]", "split=loeo"], r"split='loeo': score the fit on one fold"),
        (["outputs=[skill.mean]", "split=temporal", "temporal_cutoff=soon"], r"temporal_cutoff='soon': must be a date"),
        (["space=prior"], r"space='prior': unknown space \(known: sensitivity, calibrate\)"),
        (["space=calibrate", "only=[twn_alignment_days]"], r"only='twn_alignment_days': not among .*calibrate\.yaml's fit"),
    ],
)  # fmt: skip
def test_bad_fit_input_is_one_line_and_writes_nothing(tmp_path: Path, overrides: list[str], message: str):
    tiny = ["use=[chn_trigger]", "seeds=1", "morris_trajectories=2"]
    cfg = sensitivity_cfg(*tiny, *overrides, f"results_dir={tmp_path}")
    with pytest.raises(SimInputError, match=message) as info:
        run_sensitivity(cfg, FIT_SCORES)
    assert str(info.value).startswith("configs/sensitivity.yaml: ") and "\n" not in str(info.value)
    assert not any(tmp_path.iterdir())


def test_unknown_episode_is_refused_before_any_design_point(tmp_path: Path):
    cfg = sensitivity_cfg("outputs=[skill.mean]", "split=episode:atlantis", "use=[chn_trigger]", "seeds=1",
                          "morris_trajectories=2", f"results_dir={tmp_path}")  # fmt: skip
    with pytest.raises(SimInputError, match=r"^configs/sensitivity\.yaml: split='episode:atlantis': no episode"):
        run_sensitivity(cfg, FIT_SCORES)
    assert not any(tmp_path.iterdir())


def test_a_design_points_skill_is_the_calibrations_objective_at_its_values(monkeypatch):
    """The fit scores of a point are what python -m sim.calibrate's objective gives the same parameters on the same
    seeds; the facts and the null runs are computed once, and each point's config is built once."""
    seeds, value = 2, 0.3
    base, choices = compose_config(UNCALIBRATED)
    fit = fit_scorer(base, choices, UNCALIBRATED, sensitivity_cfg(), seeds)
    assert len(fit.null) == seeds and fit.fold == "all"
    built = []
    real = design_module.build_spec
    monkeypatch.setattr(design_module, "build_spec", lambda *a: built.append(1) or real(*a))
    params = [Param("chn_trigger", "governments.CHN.retaliation.trigger", 0.1, 0.8)]
    s = design_module.Settings("morris", 2, 4, 8, seeds=seeds, sample_seed=0, outputs=(*SKILL_OUTPUTS, "peak_tension"),
                               scored=SKILL_OUTPUTS)  # fmt: skip
    table, _, _ = design_module.evaluate(base, choices, params, np.array([[value], [0.8]]), s, fit)
    assert len(built) == 2 and list(table.columns) == ["chn_trigger", *SKILL_OUTPUTS, "peak_tension"]
    # The calibration's model of the same parameter set, on the same seeds (sim.history.abc_study.FitModel).
    study = calibrate.study_settings(compose_named("calibrate", [f"seeds={seeds}", "fit=[chn_trigger]"]))
    by_pattern = FitModel(study).skills({params[0].key: value})
    assert set(by_pattern) == set(SKILL_OUTPUTS[1:])
    for name, v in by_pattern.items():
        assert table.loc[0, name] == pytest.approx(v, nan_ok=True), name
    mean = mean_skill({k: v for k, v in by_pattern.items()})
    assert table.loc[0, "skill.mean"] == pytest.approx(mean) and math.isfinite(mean)


def test_error_bars_are_clipped_at_zero():
    value, conf = pd.Series([0.1, 0.5, 0.0, -0.02]), pd.Series([0.3, 0.2, 0.1, 0.05])
    lower, upper = clipped_errors(value, conf)
    assert (lower >= 0).all() and (upper >= 0).all()  # matplotlib's error bars: distances from the value
    assert (value - lower).tolist() == pytest.approx([0.0, 0.3, 0.0, -0.02])  # stops at zero (or the value)
    assert (value + upper).tolist() == pytest.approx([0.4, 0.7, 0.1, 0.03])


def test_fit_scores_are_outputs_only_when_the_command_passes_them():
    s = read_settings(sensitivity_cfg("outputs=[skill.mean,peak_tension]"), FIT_SCORES)
    assert s.outputs == ("skill.mean", "peak_tension") and s.scored == ("skill.mean",)
    assert read_settings(sensitivity_cfg()).scored == ()
    with pytest.raises(SimInputError, match=r"outputs='skill\.mean': not a numeric outcome \(known: [^)]*\)$"):
        read_settings(sensitivity_cfg("outputs=[skill.mean]"))  # the outcome-only design knows no fit scores


def test_morris_figures_draw_mu_star_intervals_from_zero_and_a_mu_star_sigma_plane(tmp_path):
    from sim.experiments.sensitivity_figures import figure, mu_sigma_figure

    indices = pd.DataFrame({"output": "peak_tension", "parameter": ["chn_trigger", "usa_trigger", "chn_sensitivity"],
                            "mu_star": [0.02, 0.30, 0.001], "mu_star_conf": [0.05, 0.04, 0.01],
                            "sigma": [0.01, 0.45, 0.0005], "mu": [-0.02, 0.3, 0.0]})  # fmt: skip
    names = {"chn_trigger": "Chinese retaliation rule: trigger severity", "usa_trigger": "US retaliation rule: trigger severity",
             "chn_sensitivity": "China: sensitivity to hostile acts"}  # fmt: skip
    ax = figure(indices, "morris", ["peak_tension"], names=names).axes[0]
    (bars,) = [c for c in ax.collections if c.get_segments()]  # the error bars
    lows = [min(seg[:, 0]) for seg in bars.get_segments()]
    assert min(lows) == 0.0 and ax.get_xlim()[0] == 0.0  # 0.02 - 0.05 stops at zero
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == sorted(names.values())
    fig = mu_sigma_figure(indices, ["peak_tension"], names=names)
    plane = fig.axes[0]
    # the one that matters is numbered on the plane and named in the key beside it
    assert [t.get_text() for t in plane.texts] == ["1", "1  US retaliation rule: trigger severity"]
    assert "2 unnamed near 0" in plane.get_xlabel()
    assert min(t.get_fontsize() for t in (*plane.texts, plane.xaxis.label)) >= 9
    fig.savefig(tmp_path / "morris_mu_sigma.png")
    assert (tmp_path / "morris_mu_sigma.png").stat().st_size > 5_000
