"""Behaviour from facts: grievances by issue area, rungs by area, joint summits, planned
engagements, the starting situation, month-precision dates, and weights from the scale."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import run
from sim.core.scenario_files import SCENARIOS_DIR, load_scenario
from sim.core.vocabulary import AREAS

# The uncalibrated rules, China's graduated ladder with its declared areas, US answers off unless asked.
QUIET_US = "rules/retaliation@governments.USA.retaliation=none"


def _doc(events: list[dict], **top) -> dict:
    return {"name": "case", "start": "2023-01-01", "end": "2023-06-30", "spontaneous": False, "events": events, **top}


def _run(write_scenario, doc: dict, *overrides: str):
    return run([f"scenario={write_scenario(doc)}", "~calibration", *overrides])


def _areas(steps: pd.DataFrame, holder: str, towards: str, day: int) -> dict[str, float]:
    return {a: float(steps[f"hostility_{holder}_{towards}_{a}"].iloc[day]) for a in AREAS}


def test_a_trade_measure_is_held_in_the_economic_area_and_answered_in_trade(write_scenario):
    doc = _doc([{"date": "2023-01-10", "sender": "USA", "receiver": "CHN", "kind": "export_control",
                 "channel": "economic", "scope": "economy_wide"}])  # fmt: skip
    r = _run(write_scenario, doc, QUIET_US, "governments.CHN.retaliation.trigger=0.1")
    before, after = _areas(r.steps, "CHN", "USA", 8), _areas(r.steps, "CHN", "USA", 9)
    assert after["economy"] > before["economy"]
    assert after["security"] == pytest.approx(before["security"]) and after["diplomacy"] == pytest.approx(before["diplomacy"])
    answers = r.events[(r.events["sender"] == "CHN") & ~r.events["scripted"]]
    assert "channel_suspension" not in set(answers["kind"]), "dialogue is not cut over a trade measure"
    assert "military_drill" not in set(answers["kind"])


def test_a_leader_level_act_on_taiwan_cuts_channels_without_export_controls(write_scenario):
    doc = _doc([{"date": "2023-01-10", "sender": "USA", "receiver": "TWN", "kind": "high_level_visit",
                 "channel": "high_level_diplomacy", "rank": "head", "place": "receiver_territory"}])  # fmt: skip
    r = _run(write_scenario, doc, QUIET_US, "scale.rank_step=3")
    after = _areas(r.steps, "CHN", "USA", 9)
    assert after["security"] > max(after["economy"], after["diplomacy"]), "a visit to Taiwan is a matter of security"
    kinds = set(r.events.loc[(r.events["sender"] == "CHN") & ~r.events["scripted"], "kind"])
    assert "channel_suspension" in kinds and "export_control" not in kinds


def test_the_aggregate_hostility_is_the_most_aggrieved_area(write_scenario):
    doc = _doc([{"date": "2023-01-10", "sender": "USA", "receiver": "TWN", "kind": "arms_sale",
                 "magnitude": 2.0, "unit": "usd_bn", "package": "new_platform"}])  # fmt: skip
    st = _run(write_scenario, doc, QUIET_US).steps
    per_area = st[[f"hostility_CHN_USA_{a}" for a in AREAS]].max(axis=1)
    assert (st["hostility_CHN_USA"] == per_area).all()
    assert st["tension_USA_CHN"].equals((st["hostility_CHN_USA"] + st["hostility_USA_CHN"]) / 2)


def test_a_summit_is_read_by_both_sides_and_eases_every_area(write_scenario):
    start = [{"holder": h, "towards": t, "area": a, "value": 0.8}
             for h, t in (("USA", "CHN"), ("CHN", "USA")) for a in AREAS]  # fmt: skip
    doc = _doc([{"date": "2023-01-10", "sender": "USA", "receiver": "CHN", "kind": "leader_summit",
                 "channel": "high_level_diplomacy", "form": "sideline"}], hostility_at_start=start)  # fmt: skip
    st = _run(write_scenario, doc).steps
    assert st["hostility_CHN_USA_security"].iloc[0] == pytest.approx(0.8)
    for holder, towards in (("USA", "CHN"), ("CHN", "USA")):
        before, after = _areas(st, holder, towards, 8), _areas(st, holder, towards, 9)
        assert all(after[a] < before[a] - 0.01 for a in AREAS), (holder, before, after)


def test_weights_come_from_the_facts_unless_overridden(write_scenario):
    events = [{"date": "2023-01-10", "sender": "USA", "receiver": "TWN", "kind": "arms_sale", "magnitude": 1.0,
               "unit": "usd_bn", "package": "new_platform"},
              {"date": "2023-01-20", "sender": "USA", "receiver": "TWN", "kind": "arms_sale", "magnitude": 1.0,
               "unit": "usd_bn", "package": "sustainment"},
              {"date": "2023-02-01", "sender": "USA", "receiver": "TWN", "kind": "arms_sale", "intensity": 2.5}]  # fmt: skip
    r = _run(write_scenario, _doc(events), QUIET_US, "scale.sustainment_factor=0.3")
    sales = r.events[r.events["kind"] == "arms_sale"]
    assert sales["intensity"].tolist() == pytest.approx([1.0, 0.3, 2.5])
    assert sales["intensity_override"].tolist() == [False, False, True]
    assert r.summary["intensity_overrides"] == 1


def _planned(**extra) -> dict:
    return {"date": "2023-02-05", "sender": "USA", "receiver": "CHN", "kind": "high_level_visit", "planned": True,
            "channel": "high_level_diplomacy", "rank": "cabinet", "place": "receiver_territory", **extra}


def test_a_planned_visit_goes_ahead_when_neither_side_objects(write_scenario):
    ev = _run(write_scenario, _doc([_planned()])).events
    visit = ev[ev["kind"] == "high_level_visit"]
    assert len(visit) == 1 and visit["scripted"].iloc[0] and str(visit["date"].iloc[0].date()) == "2023-02-05"


_INCIDENT = {"date": "2023-02-02", "sender": "CHN", "receiver": "USA", "kind": "surveillance_incident",
             "incident": "intrusion"}  # fmt: skip


def _kinds(write_scenario, events, *overrides) -> set[str]:
    return set(_run(write_scenario, _doc(events), *overrides).events["kind"])


def test_a_visit_to_the_rivals_capital_weighs_a_fresh_grievance_of_any_area(write_scenario):
    """A surveillance incident is a security grievance and the planned visit a diplomatic one: held in
    a third country the talks go ahead, but travelling to the offender's capital three days after the
    offence is called off by the visitor (audience costs), by its rule on the day."""
    quick = "governments.USA.retaliation.trigger=0.3"
    ev = _run(write_scenario, _doc([_INCIDENT, _planned()]), quick).events
    off = ev[ev["kind"] == "visit_postponed"]
    assert "high_level_visit" not in set(ev["kind"])
    assert len(off) == 1 and off["sender"].iloc[0] == "USA" and str(off["date"].iloc[0].date()) == "2023-02-05"
    assert ev.set_index("id").loc[int(off["cause"].iloc[0]), "sender"] == "CHN"  # it answers a Chinese act
    assert "high_level_visit" in _kinds(write_scenario, [_INCIDENT, _planned(place="third_country")], quick)
    assert "high_level_visit" in _kinds(write_scenario, [_planned()], quick)


def test_domestic_pressure_raises_the_cost_of_engaging(write_scenario):
    """The same incident raises pressure at home; a planned meeting in a third country (no grievance in
    its area) is called off when pressure weighs on engaging, and held when it weighs nothing."""
    events = [_INCIDENT, _planned(place="third_country")]
    refuse = "governments.USA.retaliation.refuse_above=0.4"
    assert "visit_postponed" in _kinds(write_scenario, events, refuse, "governments.USA.pressure_weight=3")
    held = _kinds(write_scenario, events, refuse, "governments.USA.pressure_weight=0")
    assert "high_level_visit" in held and "visit_postponed" not in held


def test_the_host_refuses_a_planned_visit_on_a_channel_it_suspended(write_scenario):
    doc = _doc([_planned()], channels_at_start=[{"channel": "high_level_diplomacy", "status": "suspended", "by": "CHN"}])
    r = _run(write_scenario, doc, "rules/thaw@governments.CHN.thaw=none")
    ev = r.events
    refusal = ev[ev["kind"] == "meeting_rejection"]
    assert len(refusal) == 1 and refusal["sender"].iloc[0] == "CHN" and "high_level_visit" not in set(ev["kind"])
    assert (r.steps["channel_USA_CHN_high_level_diplomacy"] == "suspended").all()


def test_a_channel_suspended_at_the_start_reopens_by_the_suspenders_thaw_rule(write_scenario):
    doc = _doc([], channels_at_start=[{"channel": "climate", "status": "suspended", "by": "CHN"}])
    r = _run(write_scenario, doc, "rules/thaw@governments.CHN.thaw=time_decay", "governments.CHN.thaw.mean_days=10")
    status = r.steps["channel_USA_CHN_climate"]
    assert status.iloc[0] == "suspended" and status.iloc[-1] == "open"
    assert (r.events["kind"] == "channel_resumption").sum() == 1


def test_an_absent_channel_is_founded_by_the_engagement_that_launches_it(write_scenario):
    summit = {"date": "2023-03-01", "sender": "USA", "receiver": "CHN", "kind": "leader_summit",
              "channel": "high_level_diplomacy", "form": "bilateral", "launches": ["economic"]}  # fmt: skip
    request = {"date": "2023-02-01", "sender": "USA", "receiver": "CHN", "kind": "meeting_request", "channel": "economic"}
    doc = _doc([request, summit], channels_at_start=[{"channel": "economic", "status": "absent"}])
    r = _run(write_scenario, doc)
    status = r.steps["channel_USA_CHN_economic"]
    founded = r.steps.index[r.steps["date"] == pd.Timestamp("2023-03-01")][0]
    assert (status.iloc[:founded] == "absent").all() and (status.iloc[founded:] == "open").all()
    answer = r.events[r.events["cause"] == r.events.loc[r.events["kind"] == "meeting_request", "id"].iloc[0]]
    assert answer["kind"].tolist() == ["meeting_rejection"], "no meeting on a channel that does not exist yet"


def test_a_month_precision_event_falls_within_its_month_drawn_by_the_seed(write_scenario):
    doc = _doc([{"date": "2023-03", "sender": "USA", "receiver": "CHN", "kind": "export_control",
                 "channel": "economic", "scope": "sector"}])  # fmt: skip
    days = []
    for seed in range(8):
        ev = _run(write_scenario, doc, f"seed={seed}").events
        days.append(ev.loc[ev["kind"] == "export_control", "date"].iloc[0])
    assert all(d.year == 2023 and d.month == 3 for d in days)
    assert len(set(days)) > 1, "the day is drawn, not fixed"
    again = _run(write_scenario, doc, "seed=3").events
    assert again.loc[again["kind"] == "export_control", "date"].iloc[0] == days[3]


@pytest.mark.parametrize("path", sorted(SCENARIOS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_no_shipped_scenario_sets_intensity_by_hand(path):
    scenario = load_scenario(str(path))
    assert scenario.overrides == (), [f"events[{e.index}]" for e in scenario.overrides]


@pytest.mark.parametrize(
    ("kind", "cameo", "goldstein", "area", "hostile"),
    [("tariff", "163", -8.0, "economy", True), ("visa_restriction", "172", -5.0, "diplomacy", True),
     ("apology", "055", 7.0, "all", False), ("visit_postponed", "160", -4.0, "diplomacy", True)],
)  # fmt: skip
def test_each_new_kind_is_coded_from_the_published_table_and_read_in_its_area(write_scenario, kind, cameo, goldstein,
                                                                              area, hostile):  # fmt: skip
    from sim.core.vocabulary import load_vocabulary

    spec = load_vocabulary().kinds[kind]
    assert (spec.cameo_code, spec.goldstein, spec.area, spec.hostility > 0) == (cameo, goldstein, area, hostile)
    event = {"date": "2023-01-10", "sender": "USA", "receiver": "CHN", "kind": kind}
    if kind == "tariff":
        event.update(tariff_rate_pct=25, coverage_usd_bn=40)
    r = _run(write_scenario, _doc([event]), QUIET_US)
    sent = r.events[r.events["kind"] == kind]
    assert len(sent) == 1 and sent["cameo_code"].iloc[0] == cameo and sent["goldstein"].iloc[0] == goldstein
    moved = {a: _areas(r.steps, "CHN", "USA", 9)[a] - _areas(r.steps, "CHN", "USA", 8)[a] for a in AREAS}
    changed = {a for a, d in moved.items() if abs(d) > 1e-9}
    assert changed == (set(AREAS) if area == "all" else {area})
    assert all((d > 0) == hostile for a, d in moved.items() if a in changed)


def test_an_event_dated_to_a_span_falls_within_it(write_scenario):
    doc = _doc([{"date": "2023-03-21..2023-03-31", "sender": "USA", "receiver": "CHN", "kind": "export_control",
                 "channel": "economic", "scope": "sector"}])  # fmt: skip
    days = set()
    for seed in range(8):
        ev = _run(write_scenario, doc, f"seed={seed}").events
        days.add(ev.loc[ev["kind"] == "export_control", "date"].iloc[0])
    assert all(pd.Timestamp("2023-03-21") <= d <= pd.Timestamp("2023-03-31") for d in days) and len(days) > 1


def test_a_planned_engagement_that_founds_its_channel_goes_ahead(write_scenario):
    visit = _planned(channel="climate", launches=["climate"])
    doc = _doc([visit], channels_at_start=[{"channel": "climate", "status": "absent"}])
    r = _run(write_scenario, doc)
    assert "high_level_visit" in set(r.events["kind"]) and "visit_postponed" not in set(r.events["kind"])
    status = r.steps["channel_USA_CHN_climate"]
    assert status.iloc[0] == "absent" and status.iloc[-1] == "open"


def test_the_notice_names_a_derived_scenarios_overrides_where_they_are_written(write_scenario, tmp_path):
    from sim.api import override_notice
    from sim.core.scenario_files import load_scenario as load

    base = write_scenario(_doc([{"date": "2023-01-10", "sender": "USA", "receiver": "TWN", "kind": "arms_sale",
                                 "intensity": 2.0}]), name="base.yaml")  # fmt: skip
    derived = write_scenario({"base": str(base), "add": [{"date": "2023-02-10", "sender": "USA", "receiver": "TWN",
                                                          "kind": "arms_sale", "intensity": 1.5}]}, name="cf.yaml")  # fmt: skip
    line = override_notice(load(str(derived)))
    assert "2 events set intensity (base.yaml events[0], add[0])" in line and "\n" not in line


def test_a_regional_states_protest_is_answered_towards_that_state_only(write_scenario):
    """A large Philippine protest to China draws China's answers aimed at the Philippines, never a
    cut of channels with the US, and it raises no pressure at home (pressure answers the rival)."""
    protest = {"date": "2023-02-01", "sender": "PHL", "receiver": "CHN", "kind": "rhetoric_condemnation",
               "intensity": 8}  # fmt: skip
    r = _run(write_scenario, _doc([protest]), "governments.CHN.retaliation.trigger=0.3")
    answers = r.events[r.events["cause"] == 0]
    assert len(answers) > 0 and (answers["receiver"] == "PHL").all()
    assert "channel_suspension" not in set(r.events["kind"])
    assert (r.steps["pressure_CHN"] == 0).all()
    assert r.steps["hostility_CHN_PHL"].max() > r.steps["hostility_CHN_PHL"].iloc[0]
