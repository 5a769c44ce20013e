"""Every config group composes and every option instantiates; bad values fail with a clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra.errors import ConfigCompositionException
from omegaconf import OmegaConf

from sim.config.build import RULE_TARGETS, build, build_rule
from sim.config.compose import CONFIG_DIR, compose_config
from sim.core.errors import SimInputError
from sim.core.rules import RETALIATION_RULES, THAW_RULES


def options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def test_every_rule_class_has_a_config_file_and_vice_versa():
    assert options("rules/retaliation") == sorted(RETALIATION_RULES)
    assert options("rules/thaw") == sorted(THAW_RULES)
    for family in ("retaliation", "thaw"):
        for name in options(f"rules/{family}"):
            node = OmegaConf.load(CONFIG_DIR / "rules" / family / f"{name}.yaml")
            assert node["_target_"] in RULE_TARGETS[family], name
    assert len(RETALIATION_RULES) - 1 >= 4  # at least four besides the null rule
    assert len(THAW_RULES) - 1 >= 3


@pytest.mark.parametrize("gov", ["USA", "CHN"])
@pytest.mark.parametrize(("family", "name"), [(f, n) for f in ("retaliation", "thaw") for n in options(f"rules/{f}")])
def test_each_rule_option_composes_and_builds(gov, family, name):
    cfg, choices = compose_config([f"rules/{family}@governments.{gov}.{family}={name}"])
    model, _ = build(cfg, choices)
    assert getattr(model.governments[gov], family).name == rule_name(family, name)


def rule_name(family: str, option: str) -> str:
    """The rule an option file builds."""
    target = OmegaConf.load(CONFIG_DIR / "rules" / family / f"{option}.yaml")["_target_"]
    return RULE_TARGETS[family][target].name


@pytest.mark.parametrize("group", ["government", "regional"])
def test_other_groups_compose(group):
    for name in options(group):
        cfg = OmegaConf.load(CONFIG_DIR / group / f"{name}.yaml")
        assert cfg, f"{group}/{name} is empty"
    cfg, choices = compose_config([])
    model, threshold = build(cfg, choices)
    assert set(model.governments) == {"USA", "CHN"}
    assert set(model.regional) >= {"TWN", "JPN", "PHL", "AUS", "ASN"}
    assert 0 < threshold < 1


def test_parameter_override_reaches_the_rule():
    cfg, choices = compose_config(["governments.CHN.retaliation.trigger=0.55", "governments.USA.thaw.stage_days=9"])
    model, _ = build(cfg, choices)
    assert model.governments["CHN"].retaliation.trigger == 0.55
    assert model.governments["USA"].thaw.stage_days == 9


def test_out_of_range_parameter_names_file_field_and_value():
    cfg, choices = compose_config(["~calibration", "governments.CHN.retaliation.trigger=-3"])
    with pytest.raises(SimInputError) as info:
        build(cfg, choices)
    msg = str(info.value)
    assert "configs/rules/retaliation/graduated.yaml" in msg
    assert "governments.CHN.retaliation.trigger=-3" in msg and "must be in" in msg


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("governments.CHN.sensitivity=11", "governments.CHN.sensitivity"),
        ("regional.PHL.ties_probability=1.5", "regional.PHL.ties_probability"),
        ("crisis_threshold=2", "crisis_threshold"),
        ("seed=-1", "seed"),
        ("governments.USA.rival=JPN", "governments.USA.rival"),
        ("governments.CHN.initiatives.0.weight_sigma=4", "governments.CHN.initiatives[0].weight_sigma"),
        ("governments.USA.reply_weight=1.5", "governments.USA.reply_weight"),
        ("+governments.CHN.suspension_order=[climate]", "governments.CHN.suspension_order"),
    ],
)
def test_bad_values_are_refused(override, field):
    cfg, choices = compose_config([override])
    with pytest.raises(SimInputError, match=field.replace("[", r"\[").replace("]", r"\]")):
        build(cfg, choices)


def test_unknown_rule_name_fails_at_composition():
    with pytest.raises(ConfigCompositionException, match="rules/retaliation"):
        compose_config(["rules/retaliation@governments.CHN.retaliation=massive_retaliation"])


def test_unknown_parameter_fails_at_composition():
    with pytest.raises(ConfigCompositionException):
        compose_config(["governments.CHN.retaliation.bravado=3"])


def test_a_config_cannot_import_arbitrary_code(tmp_path: Path):
    marker = tmp_path / "pwned"
    node = {"_target_": "os.system", "command": f"touch {marker}"}
    with pytest.raises(SimInputError, match="is not a retaliation rule"):
        build_rule(node, "governments.CHN.retaliation", "retaliation")
    assert not marker.exists()
    assert all(t.startswith("sim.core.rules.") for family in RULE_TARGETS.values() for t in family)


def test_a_users_config_folder_adds_options_the_checks_accept(tmp_path):
    from sim.config.checks import validate_runs

    (tmp_path / "rules" / "retaliation").mkdir(parents=True)
    (tmp_path / "rules" / "retaliation" / "mine.yaml").write_text(
        (CONFIG_DIR / "rules" / "retaliation" / "grim_trigger.yaml").read_text())
    choice = "rules/retaliation@governments.CHN.retaliation"
    for where in (["--config-dir", str(tmp_path)], [f"hydra.searchpath=[file://{tmp_path}]"]):
        validate_runs([*where, f"{choice}=mine", "seed=1"])
        with pytest.raises(SimInputError, match=r"'nope': no such option .*grim_trigger, mine, none"):
            validate_runs([*where, f"{choice}=nope"])
    with pytest.raises(SimInputError, match="no such option"):
        validate_runs([f"{choice}=mine"])  # without the folder, no such option


@pytest.mark.parametrize(("args", "match"), [
    (["hydra/launcher=nope"], r"hydra/launcher='nope': no such option \(options: basic, .*sim_pool"),
    (["-m", "seed=1,2", "hydra/sweeper=nope"], r"hydra/sweeper='nope': no such option \(options: basic, sim\)"),
    (["-m", "seed=1,2", "hydra.launcher.n_jobz=2"], r"hydra.launcher.n_jobz='2': Could not override"),
    (["hydra.job.nonsense=1"], r"hydra.job.nonsense='1': Could not override"),
])  # fmt: skip
def test_hydras_own_groups_and_keys_are_checked_in_one_line(args, match):
    from sim.config.checks import validate_runs

    with pytest.raises(SimInputError, match=match) as caught:
        validate_runs(args)
    assert "\n" not in str(caught.value)


def test_hydras_own_settings_that_exist_pass_the_checks(tmp_path):
    from sim.config.checks import validate_runs

    validate_runs(["-m", "seed=1,2", "hydra/launcher=basic", f"hydra.sweep.dir={tmp_path}", "hydra.job.chdir=false"])
    validate_runs(["-m", "seed=1,2", "hydra.launcher.n_jobs=1", "--config-dir", str(tmp_path)])
