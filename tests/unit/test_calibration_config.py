"""The shipped calibration as config: set on the rules it was fitted for, beneath the user's values, with draws."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf, open_dict

from sim.config.calibration import (
    Calibration,
    Posterior,
    applicable,
    apply_calibration,
    posterior_configs,
    posterior_draws,
    read_calibration,
    read_posterior,
    user_keys,
)
from sim.config.compose import CONFIG_DIR, compose_config
from sim.core.errors import SimInputError

CAL = Calibration(
    name="test", point="weighted marginal median", posterior=None, source="configs/calibration/test.yaml",
    rules={"governments.CHN.retaliation": "graduated", "governments.CHN.thaw": "sanctioned_post_hold",
           "governments.CHN.thaw.inner": "weighted"},
    values={"governments.CHN.retaliation.trigger": 0.45, "governments.CHN.thaw.inner.stage_days": 33.0,
            "governments.CHN.sensitivity": 0.2, "scale.rank_step": 1.7},
)  # fmt: skip
CHOICES = {"rules/retaliation@governments.CHN.retaliation": "graduated", "rules/thaw@governments.CHN.thaw": "sanctioned_post_hold",
           "rules/thaw@governments.CHN.thaw.inner": "weighted"}  # fmt: skip


def test_a_value_under_a_rule_is_set_only_while_that_rule_is_chosen():
    assert applicable(CAL, CAL.values, CHOICES, []) == CAL.values
    other = {**CHOICES, "rules/retaliation@governments.CHN.retaliation": "tit_for_tat"}
    got = applicable(CAL, CAL.values, other, [])
    assert "governments.CHN.retaliation.trigger" not in got  # fitted for the ladder, not for tit-for-tat
    assert got["governments.CHN.thaw.inner.stage_days"] == 33.0 and got["scale.rank_step"] == 1.7
    # A wrapped rule counts too: another inner rule gets none of the values fitted for the weighted thaw.
    inner = {**CHOICES, "rules/thaw@governments.CHN.thaw.inner": "time_decay"}
    assert "governments.CHN.thaw.inner.stage_days" not in applicable(CAL, CAL.values, inner, [])


def test_the_shipped_calibration_lets_any_rule_be_chosen_inside_chinas_post_hold():
    cfg, choices = compose_config(["rules/thaw@governments.CHN.thaw.inner=time_decay"])
    bare, _ = compose_config(["~calibration", "rules/thaw@governments.CHN.thaw.inner=time_decay"])
    assert OmegaConf.to_container(cfg.governments.CHN.thaw) == OmegaConf.to_container(bare.governments.CHN.thaw)


@pytest.mark.parametrize(
    ("override", "dropped"),
    [
        ("governments.CHN.retaliation.trigger=0.9", "governments.CHN.retaliation.trigger"),
        ("+governments.CHN.sensitivity=0.5", "governments.CHN.sensitivity"),
        ("governments.CHN.thaw={}", "governments.CHN.thaw.inner.stage_days"),  # a whole node the user set
        ("~scale.rank_step", "scale.rank_step"),
    ],
)
def test_a_value_the_user_sets_wins_over_the_calibration(override, dropped):
    got = applicable(CAL, CAL.values, CHOICES, [override])
    assert dropped not in got
    assert len(got) == len(CAL.values) - 1


def test_user_keys_leave_group_choices_and_hydra_settings_out():
    assert user_keys(["seed=3", "rules/thaw@governments.CHN.thaw=none", "hydra.run.dir=x", "++a.b=1"]) == {"seed", "a.b"}


def test_the_default_config_carries_every_shipped_value_and_a_user_value_wins():
    cfg, choices = compose_config([])
    cal = read_calibration(cfg)
    assert cal is not None and cal.name == "historical" and cal.values
    for key, value in cal.values.items():
        assert OmegaConf.select(cfg, key) == pytest.approx(value), key
    key = next(k for k in cal.values if k.endswith("retaliation.trigger"))
    mine, _ = compose_config([f"{key}=0.123"])
    assert OmegaConf.select(mine, key) == 0.123
    bare, _ = compose_config(["~calibration"])
    assert read_calibration(bare) is None
    assert OmegaConf.select(bare, key) != pytest.approx(cal.values[key])


def test_another_rule_gets_its_own_defaults_not_values_fitted_for_the_ladder():
    cfg, choices = compose_config(["rules/retaliation@governments.CHN.retaliation=tit_for_tat"])
    rule = OmegaConf.to_container(cfg.governments.CHN.retaliation)
    shipped = OmegaConf.to_container(compose_config(["~calibration", "rules/retaliation@governments.CHN.retaliation=tit_for_tat"])[0].governments.CHN.retaliation)
    assert rule == shipped
    cal = read_calibration(cfg)
    gov_keys = [k for k in cal.values if k.startswith("governments.CHN.") and not cal.rules_of(k)]
    assert gov_keys  # the government's own parameters are still calibrated
    for key in gov_keys:
        assert OmegaConf.select(cfg, key) == pytest.approx(cal.values[key])


def test_no_calibrated_copy_of_a_rule_is_an_option():
    for family in ("retaliation", "thaw"):
        assert not [p.name for p in (CONFIG_DIR / "rules" / family).glob("*.yaml") if "historical" in p.stem]


def test_the_shipped_posterior_has_the_calibrations_keys_and_draws_reproducibly():
    cfg, _ = compose_config([])
    cal = read_calibration(cfg)
    post = read_posterior(cal)
    assert set(post.keys) == set(cal.values)
    assert post.weights.sum() == pytest.approx(1.0) and (post.weights >= 0).all()
    assert post.draw(5, seed=1) == post.draw(5, seed=1)
    assert post.draw(50, seed=1) != post.draw(50, seed=2)


def test_draws_follow_the_weights():
    post = Posterior(("a",), ({"a": 0.0}, {"a": 1.0}), np.array([0.9, 0.1]), "test")
    rows = [row for row, _ in post.draw(2000, seed=0)]
    assert 0.85 < rows.count(0) / 2000 < 0.95


def test_posterior_configs_set_each_draw_beneath_the_users_values():
    base_overrides = ["governments.CHN.retaliation.trigger=0.77"]
    cfg, choices = compose_config(base_overrides)
    configs = posterior_configs(cfg, choices, base_overrides, 4, seed=0)
    assert len(configs) == 4
    post = read_posterior(read_calibration(cfg))
    for row, c in configs:
        assert c.governments.CHN.retaliation.trigger == 0.77  # the user's value
        for key in post.keys:
            if not key.endswith("retaliation.trigger") or "CHN" not in key:
                assert OmegaConf.select(c, key) == pytest.approx(post.rows[row][key]), key


def test_posterior_draws_is_checked_and_a_single_run_refuses_it():
    from sim.api import run

    for bad in (-1, 1.5, True, 10**6):
        cfg = OmegaConf.create({"posterior_draws": bad})
        with pytest.raises(SimInputError, match=r"^configs/config.yaml: posterior_draws="):
            posterior_draws(cfg)
    with pytest.raises(SimInputError, match="a single run is one parameter set"):
        run(["posterior_draws=3"])


def test_a_malformed_calibration_or_posterior_is_one_line(tmp_path: Path):
    cfg, choices = compose_config([])
    bad = copy.deepcopy(cfg)
    with open_dict(bad):
        bad.calibration["values"] = {"governments.CHN.nonsense": 1.0}
    with pytest.raises(SimInputError, match=r"values.governments.CHN.nonsense=1.0: not a key of the model config"):
        apply_calibration(bad, choices, [])
    with open_dict(bad):
        bad.calibration["values"] = {"scale.rank_step": "high"}
    with pytest.raises(SimInputError, match=r"^configs/calibration/historical.yaml: values="):
        read_calibration(bad)
    cal = Calibration("t", "", {}, {}, "p.csv", "configs/calibration/t.yaml")
    (tmp_path / "p.csv").write_text("weight,scale.rank_step\n1,2\nx,3\n")
    with pytest.raises(SimInputError, match=r"sim/data/p.csv, row 3: values="):
        read_posterior(cal, tmp_path)
    (tmp_path / "p.csv").write_text("scale.rank_step\n2\n")
    with pytest.raises(SimInputError, match="needs a weight column"):
        read_posterior(cal, tmp_path)
    with pytest.raises(SimInputError, match="cannot be read"):
        read_posterior(Calibration("t", "", {}, {}, "absent.csv", "x"), tmp_path)


def test_a_sweeps_progress_total_counts_every_posterior_draw():
    from sim.experiments.pool_launcher import _total_runs

    cfg = OmegaConf.create({"replicates": 2, "posterior_draws": 0})
    assert _total_runs([["seed=0"], ["seed=1", "posterior_draws=3"], ["replicates=5", "posterior_draws=2"]], cfg) == 2 + 6 + 10
