"""Outcome metrics on hand-made tables with known answers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.outputs import metrics
from sim.outputs.metrics import GROUPS, HEADLINE, KINDS, OUTCOMES, Outcome, outcome, scalar_outcomes, summarize


def tables():
    n = 10
    dates = pd.date_range("2024-01-01", periods=n)
    tension = np.array([0.2, 0.3, 0.7, 0.8, 0.65, 0.5, 0.4, 0.61, 0.3, 0.2])
    status = pd.CategoricalDtype(["open", "suspended"])
    mil = [
        "open",
        "suspended",
        "suspended",
        "suspended",
        "open",
        "open",
        "suspended",
        "suspended",
        "suspended",
        "suspended",
    ]
    climate = ["open", "open", "suspended", "suspended", "suspended", "suspended", "suspended", "open", "open", "open"]
    steps = pd.DataFrame(
        {
            "step": np.arange(n), "date": dates, "tension_USA_CHN": tension,
            "channel_USA_CHN_defense_policy": pd.Categorical(mil, dtype=status),
            "channel_USA_CHN_climate": pd.Categorical(climate, dtype=status),
            "alignment_PHL": np.linspace(0.3, 0.5, n), "alignment_TWN": np.full(n, 0.7),
        }
    )  # fmt: skip
    events = pd.DataFrame(
        {"kind": ["arms_sale", "channel_suspension", "channel_suspension", "sanction", "channel_resumption"],
         "scripted": [True, False, False, False, False]}
    )  # fmt: skip
    return events, steps


def test_known_answers():
    s = summarize(*tables(), crisis_threshold=0.6)
    assert s["peak_tension"] == 0.8 and s["peak_tension_date"] == "2024-01-04"
    assert s["crisis_crossed"] is True
    assert s["days_above_crisis"] == 4  # 0.7, 0.8, 0.65, 0.61
    assert s["first_crisis_date"] == "2024-01-03"
    # Spells: defense_policy days 1-3 (resumed day 4) and 6-9 (unresolved); climate days 2-6 (resumed day 7).
    assert s["channel_suspensions"] == 3
    assert s["channel_days_suspended"] == 3 + 4 + 5
    assert s["mean_days_to_resumption"] == pytest.approx((3 + 5) / 2)
    assert s["suspensions_unresolved"] == 1
    assert s["channels_suspended_at_end"] == ["defense_policy"]
    assert s["signal_counts"] == {"arms_sale": 1, "channel_resumption": 1, "channel_suspension": 2, "sanction": 1}
    assert s["response_counts"] == {"channel_resumption": 1, "channel_suspension": 2, "sanction": 1}
    assert s["alignment_shift"] == {"PHL": pytest.approx(0.2), "TWN": 0.0}
    assert s["final_tension"] == 0.2


def test_no_crisis_and_no_resumption_give_false_and_null():
    events, steps = tables()
    s = summarize(events, steps, crisis_threshold=0.9)
    assert s["crisis_crossed"] is False and s["days_above_crisis"] == 0 and s["first_crisis_date"] is None
    steps["channel_USA_CHN_defense_policy"] = pd.Categorical(
        ["open"] * 9 + ["suspended"], dtype=steps["channel_USA_CHN_defense_policy"].dtype
    )
    steps["channel_USA_CHN_climate"] = pd.Categorical(["open"] * 10, dtype=steps["channel_USA_CHN_defense_policy"].dtype)
    s = summarize(events, steps, crisis_threshold=0.9)
    assert s["mean_days_to_resumption"] is None and s["channel_suspensions"] == 1


def test_every_outcome_is_documented():
    names = [o.name for o in OUTCOMES]
    assert len(names) == len(set(names))
    assert all(len(o.description) > 20 for o in OUTCOMES)


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["seed=3"],
        ["scenario=baseline", "seed=2"],
        ["rules/retaliation@governments.CHN.retaliation=grim_trigger"],
        ["~calibration", "seed=5"],
    ],
)
def test_fast_path_from_the_model_equals_the_tables(overrides):
    """Sweeps summarise straight from the model; that must equal summarising the saved tables."""
    from sim.config.build import build
    from sim.config.compose import compose_config
    from sim.outputs.metrics import summarize_arrays
    from sim.outputs.tables import events_frame, run_arrays, steps_frame

    cfg, choices = compose_config(overrides)
    model, threshold = build(cfg, choices)
    model.run()
    assert summarize_arrays(run_arrays(model, threshold)) == summarize(
        events_frame(model), steps_frame(model), threshold
    )


# ----------------------------------------------------------------------------- metadata


def test_every_outcome_declares_how_it_is_shown():
    for o in OUTCOMES:
        assert o.group in GROUPS and o.kind in KINDS, o.name
        assert o.label and o.header, o.name
        assert o.unit or o.rate or o.kind == "date", f"{o.name}: a number needs a unit"
        assert not o.rate or o.kind == "scalar", o.name
    assert {o.name for o in OUTCOMES if o.rate} == {"crisis_crossed"}
    assert all(len(o.header) <= 16 for o in scalar_outcomes())  # text tables stay narrow


def test_each_kind_and_rate_matches_the_computed_value(historical):
    for o in OUTCOMES:
        value = historical.summary[o.name]
        expected = {"scalar": (bool,) if o.rate else (int, float, type(None)), "date": (str, type(None)),
                    "list": (list,), "dict": (dict,)}[o.kind]  # fmt: skip
        assert isinstance(value, expected) and (o.rate or not isinstance(value, bool)), (o.name, value)


def test_scalar_outcomes_are_grouped_in_table_order():
    assert [o.name for o in scalar_outcomes()] == [
        "peak_tension", "final_tension", "days_above_crisis", "crisis_crossed", "channel_suspensions",
        "channel_days_suspended", "mean_days_to_resumption", "suspensions_unresolved", "n_signals",
    ]  # fmt: skip
    assert [o.name for o in scalar_outcomes("freeze")] == [
        "channel_suspensions",
        "channel_days_suspended",
        "mean_days_to_resumption",
        "suspensions_unresolved",
    ]
    assert "crisis_threshold" not in [o.name for o in scalar_outcomes()]  # a setting, echoed
    assert HEADLINE == ("peak_tension", "days_above_crisis", "crisis_crossed", "channel_suspensions",
                        "channel_days_suspended", "mean_days_to_resumption")  # fmt: skip


def test_lookups_read_the_declarations(monkeypatch):
    assert outcome("days_above_crisis").unit == "days"
    assert metrics.label("peak_tension") == "peak tension (0..1)" and metrics.header("crisis_crossed") == "crisis"
    assert metrics.label("not_declared") == "not declared" and metrics.header("not_declared") == "not_declared"
    assert metrics.is_rate("crisis_crossed") and not metrics.is_rate("peak_tension") and not metrics.is_rate("x")
    with pytest.raises(KeyError, match="no outcome metric 'nope'"):
        outcome("nope")
    renamed = tuple(replace(o, label="PEAK") if o.name == "peak_tension" else o for o in OUTCOMES)
    monkeypatch.setattr(metrics, "OUTCOMES", renamed)
    assert metrics.label("peak_tension") == "PEAK"


def test_an_undeclared_group_or_kind_is_refused():
    with pytest.raises(ValueError, match="group 'other'"):
        Outcome("x", "An outcome of a group nobody reads.", len, group="other")
    with pytest.raises(ValueError, match="kind 'matrix'"):
        Outcome("x", "An outcome of an unknown shape.", len, kind="matrix", group="signals")
