"""The declared weight scale: its anchors, orderings and floor, its data file and its config path."""

from __future__ import annotations

import dataclasses
import itertools
import math

import pytest
import yaml

from sim.config.build import build_spec
from sim.config.checks import validate_runs
from sim.config.compose import CONFIG_DIR, compose_config
from sim.core.errors import ParameterError, SimInputError
from sim.core.event_facts import FORMS, INCIDENTS, NO_FACTS, PACKAGES, PLACES, RANKS, SCOPES, VISIT_KINDS, EventFacts
from sim.core.vocabulary import load_vocabulary
from sim.core.weights import MIN_WEIGHT, WeightScale, load_scale, scale_parameters, scale_with

SCALE = load_scale()


def w(kind: str, **facts) -> float:
    return SCALE.weight(kind, EventFacts(**facts))


def increasing(values: list[float]) -> bool:
    return all(a < b for a, b in itertools.pairwise(values))


def test_the_declared_defaults():
    assert SCALE.values() == {
        "value_log_slope": 0.5, "arms_reference_usd_bn": 1.0, "upgrade_factor": 0.7, "sustainment_factor": 0.4,
        "rank_step": 1.5, "transit_factor": 0.5, "third_country_factor": 0.7, "summit_step": 1.5,
        "announcement_gain": 0.25, "scope_step": 1.5, "tariff_reference_usd_bn": 10.0, "incident_step": 1.5,
    }  # fmt: skip


def test_anchor_points_weigh_exactly_one():
    assert w("arms_sale", value_usd_bn=1.0, package="new_platform") == 1.0
    for kind in VISIT_KINDS:
        assert w(kind, rank="cabinet", place="receiver_territory") == 1.0
    assert w("leader_summit", form="sideline") == 1.0
    for kind in ("sanction", "export_control", "visa_restriction"):
        assert w(kind, scope="sector") == 1.0
    assert w("tariff", tariff_rate_pct=25.0, coverage_usd_bn=40.0) == 1.0  # a $10bn duty burden
    for kind in ("surveillance_incident", "interception"):
        assert w(kind, incident="intrusion") == 1.0


def test_anchors_hold_whatever_the_steps():
    steep = scale_with({"rank_step": 3.0, "summit_step": 2.7, "scope_step": 1.1, "incident_step": 2.0,
                        "value_log_slope": 1.4})  # fmt: skip
    assert steep.weight("high_level_visit", EventFacts(rank="cabinet")) == 1.0
    assert steep.weight("leader_summit", EventFacts(form="sideline")) == 1.0
    assert steep.weight("sanction", EventFacts(scope="sector")) == 1.0
    assert steep.weight("interception", EventFacts(incident="intrusion")) == 1.0
    assert steep.weight("arms_sale", EventFacts(value_usd_bn=1.0)) == 1.0


def test_kinds_without_facts_and_facts_left_out_weigh_one():
    for kind in load_vocabulary().kinds:
        assert SCALE.weight(kind, NO_FACTS) == 1.0, kind
    assert w("arms_sale", package="new_platform") == 1.0
    assert w("arms_sale", value_usd_bn=1.0) == 1.0
    assert w("high_level_visit", place="receiver_territory") == 1.0
    assert w("high_level_visit", rank="cabinet") == 1.0
    assert w("tariff", tariff_rate_pct=25.0) == 1.0  # no coverage: the burden is unknown
    assert w("tariff", coverage_usd_bn=300.0) == 1.0
    assert w("military_drill", value_usd_bn=50.0, rank="head") == 1.0  # no law for this kind


def test_arms_sales_grow_with_value_with_diminishing_returns():
    values = [0.2, 0.5, 1.0, 2.0, 8.0, 20.0]
    weights = [w("arms_sale", value_usd_bn=v, package="new_platform") for v in values]
    assert increasing(weights)
    assert weights[3] - weights[2] == pytest.approx(weights[2] - w("arms_sale", value_usd_bn=0.5))  # equal ratios
    assert w("arms_sale", value_usd_bn=math.e, package="new_platform") == pytest.approx(1.5)
    assert w("arms_sale", value_usd_bn=8.0) == pytest.approx(2.0397, abs=1e-4)  # 1 + 0.5 ln 8


def test_package_order_and_factors():
    for value in (0.3, 1.0, 5.0):
        weights = [w("arms_sale", value_usd_bn=value, package=p) for p in PACKAGES]
        assert increasing(weights), value  # sustainment < upgrade < new_platform
    assert PACKAGES == ("sustainment", "upgrade", "new_platform")
    assert w("arms_sale", value_usd_bn=1.0, package="upgrade") == pytest.approx(0.7)
    assert w("arms_sale", value_usd_bn=1.0, package="sustainment") == pytest.approx(0.4)
    assert w("arms_sale", package="sustainment") == pytest.approx(0.4)


def test_rank_is_a_geometric_ladder_around_cabinet():
    weights = [w("high_level_visit", rank=r) for r in RANKS]
    assert increasing(weights)
    assert weights == pytest.approx([1 / 2.25, 1 / 1.5, 1.0, 1.5, 2.25])
    assert w("meeting_request", rank="head") == pytest.approx(2.25)


def test_place_factors():
    assert [w("high_level_visit", rank="cabinet", place=p) for p in PLACES] == pytest.approx([1.0, 0.5, 0.7])
    assert w("high_level_visit", rank="head", place="transit") == pytest.approx(1.125)
    assert w("ministerial_meeting", rank="legislature_leader", place="third_country") == pytest.approx(1.05)


def test_summit_form_and_announcements():
    assert increasing([w("leader_summit", form=f) for f in FORMS])
    assert [w("leader_summit", form=f) for f in FORMS] == pytest.approx([1 / 1.5, 1.0, 1.5, 2.25])
    assert w("leader_summit", form="sideline", reopens=("defense_policy", "climate")) == pytest.approx(1.5)
    assert w("leader_summit", form="bilateral", reopens=("defense_policy",), launches=("fentanyl",)) == pytest.approx(2.25)
    assert w("leader_summit", launches=("ai_talks",)) == pytest.approx(1.25)  # no form stated: factor 1


def test_scope_orders_measures():
    for kind in ("sanction", "export_control", "visa_restriction"):
        weights = [w(kind, scope=s) for s in SCOPES]
        assert increasing(weights)
        assert weights == pytest.approx([1 / 1.5, 1.0, 1.5])


def test_tariffs_grow_with_the_duty_burden():
    burdens = [(10.0, 34.0), (25.0, 34.0), (25.0, 200.0), (100.0, 300.0)]
    weights = [w("tariff", tariff_rate_pct=r, coverage_usd_bn=c) for r, c in burdens]
    assert increasing(weights)
    # 25% on $200bn: a $50bn burden, 1 + 0.5 ln 5
    assert weights[2] == pytest.approx(1.8047, abs=1e-4)
    # the same burden weighs the same, however it is made up
    assert w("tariff", tariff_rate_pct=50.0, coverage_usd_bn=20.0) == w(
        "tariff", tariff_rate_pct=10.0, coverage_usd_bn=100.0
    )


def test_incidents_order_by_gravity():
    for kind in ("surveillance_incident", "interception"):
        weights = [w(kind, incident=i) for i in INCIDENTS]
        assert increasing(weights)
        assert weights == pytest.approx([1.0, 1.5, 2.25, 3.375, 5.0625])


def test_no_weight_falls_below_the_floor():
    assert MIN_WEIGHT == 0.05
    assert w("arms_sale", value_usd_bn=1e-6) == MIN_WEIGHT
    assert w("arms_sale", value_usd_bn=0.0) == MIN_WEIGHT
    assert w("arms_sale", value_usd_bn=1e-6, package="sustainment") == MIN_WEIGHT
    assert w("tariff", tariff_rate_pct=0.0, coverage_usd_bn=100.0) == MIN_WEIGHT
    assert w("tariff", tariff_rate_pct=1.0, coverage_usd_bn=0.1) == MIN_WEIGHT  # $1m of duty
    harsh = scale_with({"rank_step": 3.0, "third_country_factor": 0.1})
    assert harsh.weight("high_level_visit", EventFacts(rank="legislators", place="third_country")) == MIN_WEIGHT
    # just above the floor, the law holds: 1 + 0.5 ln(0.2) = 0.1953
    assert w("arms_sale", value_usd_bn=0.2) == pytest.approx(0.1953, abs=1e-4)


def test_unknown_categorical_fact_is_refused():
    with pytest.raises(ValueError, match="rank='king'"):
        w("high_level_visit", rank="king")
    with pytest.raises(ValueError, match="package='drones'"):
        w("arms_sale", package="drones")


def test_scale_with_changes_only_what_it_names():
    s = scale_with({"rank_step": 2, "announcement_gain": 0.0})
    assert s.rank_step == 2.0 and isinstance(s.rank_step, float) and s.announcement_gain == 0.0
    assert s.scope_step == SCALE.scope_step
    assert s.weight("high_level_visit", EventFacts(rank="head")) == 4.0
    assert scale_with({}) == SCALE
    assert dataclasses.replace(SCALE) == SCALE


def test_scale_with_refuses_unknown_parameters_and_values_out_of_range():
    with pytest.raises(ParameterError) as info:
        scale_with({"rank_stride": 1.2})
    assert info.value.name == "rank_stride" and "unknown parameter" in info.value.problem
    assert "rank_step" in info.value.problem  # it lists the parameters
    with pytest.raises(ParameterError) as info:
        scale_with({"rank_step": 9})
    assert (info.value.name, info.value.value, info.value.problem) == ("rank_step", 9, "must be in [1, 3]")
    with pytest.raises(ParameterError, match="upgrade_factor"):
        scale_with({"upgrade_factor": 0.1})
    with pytest.raises(ParameterError, match="must be a number"):
        scale_with({"transit_factor": "half"})
    with pytest.raises(ParameterError, match="must be a number"):
        scale_with({"transit_factor": True})
    with pytest.raises(ParameterError, match=r"must be in \[0, 1\]"):
        scale_with({"announcement_gain": float("nan")})


def test_the_csv_declares_every_parameter_with_a_range_and_a_source():
    params = scale_parameters()
    assert list(params) == [f.name for f in dataclasses.fields(WeightScale)]
    for p in params.values():
        assert p.low <= p.value <= p.high, p.name
        assert p.source.strip() and p.description.strip(), p.name
        assert getattr(SCALE, p.name) == p.value
        assert "to be calibrated" in p.source, p.name  # declared defaults, never set per event
    for anchor_param in ("arms_reference_usd_bn", "rank_step", "summit_step", "scope_step",
                         "tariff_reference_usd_bn", "incident_step"):  # fmt: skip
        assert "weighs 1" in params[anchor_param].description, anchor_param


@pytest.mark.parametrize("study", ["calibrate", "sensitivity"])
def test_search_spaces_hold_the_csv_ranges(study):
    space = yaml.safe_load((CONFIG_DIR / f"{study}.yaml").read_text())["params"]
    for p in scale_parameters().values():
        entry = space[f"scale_{p.name}"]
        assert entry["key"] == f"scale.{p.name}"
        assert (entry["low"], entry["high"]) == (p.low, p.high), p.name
        assert entry.get("log", False) == p.name.endswith("reference_usd_bn"), p.name


def test_config_scale_node_names_every_parameter_and_no_value():
    """config.yaml lists each parameter (so `scale.x=...` needs no `+`) but leaves its value to the csv."""
    node = yaml.safe_load((CONFIG_DIR / "config.yaml").read_text())["scale"]
    assert list(node) == list(scale_parameters()) and set(node.values()) == {None}


def test_config_scale_node_builds_the_scale():
    cfg, choices = compose_config(["~calibration", "scale.rank_step=1.8", "scale.incident_step=2"])
    spec = build_spec(cfg, choices)
    assert spec.scale == scale_with({"rank_step": 1.8, "incident_step": 2.0})
    cfg, choices = compose_config(["~calibration"])
    assert build_spec(cfg, choices).scale == SCALE
    calibrated = build_spec(*compose_config([])).scale  # the shipped calibration sets some of them
    assert calibrated != SCALE and calibrated.scope_step == SCALE.scope_step


@pytest.mark.parametrize(
    ("override", "field", "problem"),
    [("scale.rank_step=9", "scale.rank_step=9", "must be in [1, 3]"),
     ("+scale.rank_stride=1.2", "scale.rank_stride=1.2", "unknown parameter"),
     ("scale=3", "scale=3", "must be a mapping")],
)  # fmt: skip
def test_config_scale_errors_name_the_key(override, field, problem):
    cfg, choices = compose_config([override])
    with pytest.raises(SimInputError) as info:
        build_spec(cfg, choices)
    message = str(info.value)
    assert message.startswith("config (configs/config.yaml or an override): ")
    assert field in message and problem in message and "\n" not in message


def test_command_line_checks_build_the_scale_before_running():
    with pytest.raises(SimInputError, match=r"scale\.rank_step=9: must be in \[1, 3\]"):
        validate_runs(["scale.rank_step=9", "figures=false"])
    validate_runs(["scale.rank_step=1.8"])
