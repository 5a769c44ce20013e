"""Regional states hedge: coercion pushes them to the other power, inducements and dependence pull
them back, and their own acts (ties, joint patrols, protests, accepted deals) are signals."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import run
from sim.config.build import build
from sim.config.compose import compose_config
from sim.core.errors import ParameterError, SimInputError
from sim.core.regional import RegionalParams, RegionalState
from sim.core.regional_economy import load_ties, read_ties
from sim.core.signals import Signal

from ..conftest import minimal_scenario

QUIET = dict(ties_probability=0.0, patrol_probability=0.0, protest_probability=0.0, deal_base=0.0,
             deal_dependence=0.0, deal_alignment=0.0)  # fmt: skip


@pytest.fixture(scope="module")
def model():
    cfg, choices = compose_config(["seed=0"])
    return build(cfg, choices)[0]


def state(model, code: str = "PHL", **kw) -> RegionalState:
    params = RegionalParams(**{"baseline_alignment": 0.3, **QUIET, **kw})
    return RegionalState(model, code, model.poles, params)


def sig(i: int, day: int, sender: str, receiver: str, kind: str, intensity: float = 1.0,
        cause: int | None = None) -> Signal:  # fmt: skip
    return Signal(i, day, sender, receiver, kind, "", intensity, cause, False)


def test_coercion_and_inducements_move_alignment_both_ways(model):
    phl = state(model, deal_base=1.0)
    a0 = phl.alignment(10)
    assert phl.receive(sig(1, 10, "CHN", "PHL", "military_drill", 2.0)) == []
    a1 = phl.alignment(10)
    assert a1 > a0, "Chinese coercion pushes the Philippines towards the US"
    out = phl.receive(sig(2, 11, "CHN", "PHL", "economic_cooperation"))
    assert [(i.kind, i.receiver, i.cause) for i in out] == [("economic_cooperation", "CHN", 2)]
    assert phl.alignment(11) < phl.alignment(10), "a Chinese deal, accepted, pulls it back towards China"
    other = state(model)
    other.receive(sig(3, 10, "USA", "PHL", "sanction", 2.0))
    assert other.alignment(10) < a0, "US coercion pushes it towards China"
    us_deal = state(model)
    us_deal.receive(sig(4, 10, "USA", "PHL", "economic_cooperation"))
    assert us_deal.alignment(10) > a0, "a US deal pulls it towards the US"


def test_accepting_a_deal_commits_the_state_further(model):
    refused, accepted = state(model, deal_commitment=0.05), state(model, deal_base=1.0, deal_commitment=0.05)
    assert refused.receive(sig(1, 5, "CHN", "PHL", "economic_cooperation")) == []
    assert accepted.receive(sig(1, 5, "CHN", "PHL", "economic_cooperation"))
    assert accepted.alignment(5) < refused.alignment(5) < 0.3


def test_dependence_on_the_coercer_damps_balancing(model):
    shifts = []
    for d in (0.0, 0.2, 0.5):
        s = state(model, dependence={"CHN": d})
        s.receive(sig(1, 0, "CHN", "PHL", "military_drill", 2.0))
        shifts.append(s.alignment(0) - 0.3)
    assert shifts[0] > shifts[1] > shifts[2] > 0


def test_dependence_on_a_power_strengthens_its_inducements(model):
    shifts = []
    for d in (0.0, 0.3):
        s = state(model, dependence={"CHN": d})
        s.receive(sig(1, 0, "CHN", "PHL", "high_level_visit"))
        shifts.append(0.3 - s.alignment(0))
    assert shifts[1] > shifts[0] > 0


def test_dependence_comes_from_the_data_file(model):
    twn, phl = model.regional["TWN"], model.regional["PHL"]
    assert twn.dependence["CHN"] > twn.dependence["USA"], "Taiwan trades far more with the mainland"
    assert phl.dependence["CHN"] > 0 and phl.dependence["USA"] > 0
    assert state(model, dependence={"CHN": 0.42}).dependence["CHN"] == 0.42


def test_own_acts_come_out_as_signals_of_the_right_kinds(model):
    phl = state(model, patrol_probability=1.0, protest_probability=1.0, protest_threshold=0.1)
    out = phl.receive(sig(7, 3, "CHN", "PHL", "interception"))
    got = sorted((i.kind, i.receiver, i.note, i.cause) for i in out)
    assert got == [("defense_cooperation", "USA", "joint patrol", 7), ("rhetoric_condemnation", "CHN", "protest over interception", 7)]
    ties = state(model, ties_probability=1.0, ties_threshold=0.1, patrol_probability=1.0)
    out = ties.receive(sig(8, 3, "CHN", "PHL", "military_drill", 2.0))
    assert [(i.kind, i.receiver, i.note) for i in out] == [("defense_cooperation", "USA", "")], "ties, not a patrol as well"
    us = state(model, protest_probability=1.0, protest_threshold=0.1, patrol_probability=1.0)
    out = us.receive(sig(9, 3, "USA", "PHL", "sanction", 2.0))
    assert [(i.kind, i.receiver) for i in out] == [("rhetoric_condemnation", "USA")], "a sanction is no act at sea"


def test_no_answers_to_regional_states_or_to_answers_to_my_own_acts(model):
    phl = state(model, patrol_probability=1.0, protest_probability=1.0, protest_threshold=0.1)
    a0 = phl.alignment(0)
    assert phl.receive(sig(1, 0, "ASN", "PHL", "military_drill", 3.0)) == []
    assert phl.receive(sig(2, 0, "PHL", "CHN", "rhetoric_condemnation")) == []
    assert phl.alignment(0) == a0
    assert phl.receive(sig(3, 1, "CHN", "PHL", "rhetoric_condemnation", 3.0, cause=2)) == []
    assert phl.alignment(1) > phl.alignment(0) - 0.01, "the rebuke still moves alignment"
    assert phl.receive(sig(4, 2, "CHN", "PHL", "rhetoric_condemnation", 3.0, cause=1))


def _hedging_run(write_scenario, seed: int):
    doc = minimal_scenario(start="2023-01-01", end="2023-04-30")
    doc["events"] = [
        {"date": "2023-01-05", "sender": "CHN", "receiver": "PHL", "kind": "military_drill", "intensity": 2.0},
        {"date": "2023-02-10", "sender": "CHN", "receiver": "PHL", "kind": "economic_cooperation"},
    ]
    over = {"ties_probability": 0, "patrol_probability": 1, "protest_probability": 1, "deal_base": 1}
    return run([f"scenario={write_scenario(doc)}", f"seed={seed}",
                *(f"regional.PHL.{k}={v}" for k, v in over.items())])  # fmt: skip


def test_the_model_sends_the_states_acts_and_is_deterministic(write_scenario):
    result = _hedging_run(write_scenario, 4)
    ev = result.events.set_index("id")
    drill = ev[(ev["kind"] == "military_drill") & ev["scripted"]].index[0]
    deal = ev[(ev["kind"] == "economic_cooperation") & ev["scripted"]].index[0]
    mine = ev[ev["sender"] == "PHL"]
    acts = set(zip(mine["kind"], mine["receiver"], mine["cause"].astype("Int64")))
    assert {("rhetoric_condemnation", "CHN", drill), ("defense_cooperation", "USA", drill),
            ("economic_cooperation", "CHN", deal)} <= acts  # fmt: skip
    assert (mine.loc[mine["kind"] == "defense_cooperation", "note"] == "joint patrol").all()
    st = result.steps
    assert st["alignment_PHL"].iloc[4] > st["alignment_PHL"].iloc[3]
    assert st["alignment_PHL"].iloc[40] < st["alignment_PHL"].iloc[39]
    again = _hedging_run(write_scenario, 4)
    pd.testing.assert_frame_equal(result.events, again.events)
    pd.testing.assert_frame_equal(result.steps, again.steps)


@pytest.mark.parametrize(("kw", "name"), [
    ({"protest_probability": 1.5}, "protest_probability"),
    ({"patrol_probability": -0.1}, "patrol_probability"),
    ({"restraint": "a lot"}, "restraint"),
    ({"deal_base": 2}, "deal_base"),
    ({"dependence_gain": -1}, "dependence_gain"),
    ({"patrol_lag": (9, 3)}, "patrol_lag"),
    ({"protest_lag": (1,)}, "protest_lag"),
    ({"dependence": {"CHN": 1.5}}, "dependence.CHN"),
    ({"dependence": {"PHL": 0.1}}, "dependence.PHL"),
])  # fmt: skip
def test_bad_parameters_name_the_field(kw, name):
    with pytest.raises(ParameterError) as e:
        RegionalParams(**kw)
    assert e.value.name == name


def test_bad_config_value_names_the_config_path():
    cfg, choices = compose_config(["regional.PHL.deal_lag=[9,3]"])
    with pytest.raises(SimInputError, match=r"regional\.PHL\.deal_lag"):
        build(cfg, choices)


def test_shipped_economy_data_covers_every_state_and_pole():
    ties = load_ties()
    assert set(ties) == {(a, p) for a in ("TWN", "JPN", "PHL", "AUS", "ASN") for p in ("USA", "CHN")}
    for t in ties.values():
        assert 0 <= t.trade_share <= 1 and 0 <= t.investment_share <= 1 and t.source and t.note
        assert t.trade_share < 0.5, "no state does half its goods trade with one power"


@pytest.mark.parametrize(("row", "field", "value"), [
    ("PHL,CHN,1.8,0.01,2022,PSA,x", "trade_share", "1.8"),
    ("PHL,CHN,0.18,-0.1,2022,PSA,x", "investment_share", "-0.1"),
    ("XYZ,CHN,0.18,0.01,2022,PSA,x", "actor", "XYZ"),
    ("PHL,JPN,0.18,0.01,2022,PSA,x", "partner", "JPN"),
])  # fmt: skip
def test_bad_economy_rows_name_file_row_field_and_value(tmp_path, row, field, value):
    path = tmp_path / "economy.csv"
    path.write_text("actor,partner,trade_share,investment_share,year,source,note\nTWN,USA,0.1,0.1,2022,MOF,x\n" + row + "\n")
    with pytest.raises(ValueError) as e:
        read_ties(path)
    msg = str(e.value)
    assert str(path) in msg and "row 2" in msg and f"{field}={value!r}" in msg
