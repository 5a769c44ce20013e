"""The documented facts validation scores (sim.history.facts), one run's reading of them
(sim.history.observe) and the splits that divide them (sim.history.splits).

The shipped timeline's facts are checked against rows of ``sim/data/timeline_2022_2024.csv``
read with the csv module; small hand-made timelines and scenarios pin each rule; runs of the
model and hand-written synthetic runs check what ``observe`` reads.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.core.errors import SimInputError
from sim.core.scenario import parse_scenario
from sim.core.scenario_files import load_scenario
from sim.core.vocabulary import load_vocabulary
from sim.history.documented import Documented
from sim.history.facts import (
    CALLED_OFF_KINDS,
    HELD_KINDS,
    MEETING_MATCH_DAYS,
    PATTERNS,
    RESPONSE_WINDOW_DAYS,
    Facts,
    derive_facts,
)
from sim.history.observe import observe
from sim.history.references import SyntheticRun
from sim.history.splits import SPLITS, make_split, resolve_episode, split_tag, training_facts
from sim.history.timeline import COLUMNS, TIMELINE_PATH, load_timeline
from sim.outputs import columns
from sim.outputs.io import Run

ts = pd.Timestamp
HOSTILE = [k for k, s in load_vocabulary().kinds.items() if s.hostility > 0]


@pytest.fixture(scope="module")
def csv_rows() -> dict[str, dict[str, str]]:
    """The shipped timeline's rows, read with the csv module (not the code under test), by id."""
    with open(TIMELINE_PATH, newline="", encoding="utf-8") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("historical_2022_2024")


@pytest.fixture(scope="module")
def facts(scenario) -> Facts:
    return derive_facts(Documented(), scenario)


@pytest.fixture(scope="module")
def by_id(facts):
    return {f.id: f for f in facts.facts}


def test_the_brief_lists_the_patterns_and_splits():
    assert PATTERNS == ("response", "lag", "meeting", "status", "thaw", "order")
    assert SPLITS == ("none", "temporal", "episode:<EPISODE>", "loeo")
    assert HOSTILE == ["meeting_rejection", "channel_suspension", "sanction", "export_control", "military_drill",
                       "surveillance_incident", "interception", "rhetoric_condemnation", "tariff", "visa_restriction",
                       "visit_postponed"]  # fmt: skip
    assert CALLED_OFF_KINDS == ("visit_postponed",)


# -- facts of the shipped timeline and scenario ----------------------------------------------------

# Each meeting the historical scenario requests, and the documented row that settles it.
MEETINGS = {
    "meeting.2022-11-22.defense_ministers": "2022-11-22-austin-wei-siem-reap",
    "meeting.2023-02-04.defense_ministers": "2023-02-04-chn-refuses-austin-call",
    "meeting.2023-02-18.high_level_diplomacy": "2023-02-18-blinken-wang-munich",
    "meeting.2023-05-10.high_level_diplomacy": "2023-05-10-sullivan-wang-vienna",
    "meeting.2023-06-02.defense_ministers": "2023-05-29-chn-refuses-austin-li-meeting",
    "meeting.2023-09-16.high_level_diplomacy": "2023-09-16-sullivan-wang-malta",
    "meeting.2024-01-26.high_level_diplomacy": "2024-01-26-sullivan-wang-bangkok",
    "meeting.2024-05-31.defense_ministers": "2024-05-31-austin-dong-shangri-la",
    "meeting.2024-11-20.defense_ministers": "2024-11-20-chn-refuses-austin-dong-meeting",
}
# Each engagement the historical scenario plans (``planned: true``), and the documented row that settles it:
# the visit itself where it took place on its day, the visitor's postponement where it did not.
PLANNED = {
    "meeting.2023-02-05.high_level_diplomacy": "2023-02-03-usa-blinken-postpones-trip",
    "meeting.2023-06-18.high_level_diplomacy": "2023-06-18-usa-blinken-arrives-beijing",
    "meeting.2023-07-06.economic": "2023-07-06-usa-yellen-visits-beijing",
    "meeting.2023-08-27.economic": "2023-08-27-usa-raimondo-visits-china",
    "meeting.2023-10-26.high_level_diplomacy": "2023-10-26-chn-wang-yi-visits-washington",
    "meeting.2024-04-24.high_level_diplomacy": "2024-04-24-usa-blinken-visits-china",
    "meeting.2024-08-27.high_level_diplomacy": "2024-08-27-usa-sullivan-visits-beijing",
}


def test_every_scripted_meeting_request_is_a_meeting_fact_settled_by_its_documented_row(facts, scenario, csv_rows):
    requests = [e for e in scenario.events if e.kind == "meeting_request"]
    assert {f"meeting.{e.date}.{e.channel}" for e in requests} == set(MEETINGS)
    meetings = {f.id: f for f in facts.of("meeting")}
    assert set(meetings) == set(MEETINGS) | set(PLANNED)
    for e in requests:
        f = meetings[f"meeting.{e.date}.{e.channel}"]
        row = csv_rows[MEETINGS[f.id]]
        day, row_day = ts(e.date), ts(row["date"])
        # The row settling it: same channel, between the two parties, near the request, not low confidence.
        assert row["channel"] == e.channel == f.channel
        assert {row["sender"], row["receiver"]} == {e.sender, e.receiver} and row["sender"] != row["receiver"]
        assert abs((row_day - day).days) <= MEETING_MATCH_DAYS and row["confidence"] != "low"
        if row["kind"] == "meeting_rejection":
            assert row["sender"] == e.receiver  # refused by the asked party
            expected = 0.0
        else:
            assert row["kind"] in HELD_KINDS
            expected = 1.0
        assert f.observed == expected, f.id
        assert f.responder == e.receiver == "CHN" and f.kind == ""
        assert f.start == day and f.date == max(day, row_day)
        assert f.episode == row["episode"]
        assert ("held" if expected else "refused") in f.text


def test_every_planned_engagement_is_a_meeting_fact_settled_by_its_documented_row(facts, scenario, csv_rows):
    planned = [e for e in scenario.events if e.planned]
    assert len(planned) == 7 and all(e.precision == "day" for e in planned)
    assert {f"meeting.{e.date}.{e.channel}" for e in planned} == set(PLANNED)
    meetings = {f.id: f for f in facts.of("meeting")}
    for e in planned:
        f = meetings[f"meeting.{e.date}.{e.channel}"]
        row = csv_rows[PLANNED[f.id]]
        day, row_day = ts(e.date), ts(row["date"])
        assert row["channel"] == e.channel == f.channel
        assert {row["sender"], row["receiver"]} == {e.sender, e.receiver} and row["sender"] != row["receiver"]
        assert abs((row_day - day).days) <= MEETING_MATCH_DAYS and row["confidence"] != "low"
        # Either side may call a planned engagement off: a postponement (here by the visitor) or a refusal.
        expected = 0.0 if row["kind"] in ("meeting_rejection", *CALLED_OFF_KINDS) else 1.0
        assert expected or row["sender"] == e.sender
        assert expected == 0.0 or row["kind"] in HELD_KINDS
        assert f.observed == expected, f.id
        assert (f.responder, f.kind) == ("", e.kind)
        assert f.start == day and f.date == max(day, row_day)
        assert f.episode == row["episode"]
        assert ("held" if expected else "called off") in f.text


def test_the_meetings_named_in_the_brief(by_id):
    assert by_id["meeting.2023-02-18.high_level_diplomacy"].observed == 1.0  # Blinken and Wang in Munich
    assert by_id["meeting.2023-02-04.defense_ministers"].observed == 0.0  # China refuses Austin's call
    # Shangri-La 2023: the documented refusal (4 days before) settles it, not the handshake on the day.
    shangri_la = by_id["meeting.2023-06-02.defense_ministers"]
    assert (shangri_la.observed, shangri_la.date, shangri_la.episode) == (0.0, ts("2023-06-02"), "E2023_LISHANGFU")
    held = sorted(f for f, row in MEETINGS.items() if by_id[f].observed == 1.0)
    assert len(held) == 6 and len(MEETINGS) - len(held) == 3


def test_the_planned_trips_of_2023_are_one_called_off_and_one_held(by_id, csv_rows):
    # February: the Secretary of State's Beijing trip of 5-6 Feb, put off by him on 3 Feb (the recoded row).
    assert csv_rows["2023-02-03-usa-blinken-postpones-trip"]["kind"] == "visit_postponed"
    feb = by_id["meeting.2023-02-05.high_level_diplomacy"]
    assert (feb.observed, feb.start, feb.date, feb.episode) == (0.0, ts("2023-02-05"), ts("2023-02-05"), "E2023_BALLOON")
    assert (feb.kind, feb.responder) == ("high_level_visit", "")
    # June: the trip made on 18 Jun, documented that day.
    june = by_id["meeting.2023-06-18.high_level_diplomacy"]
    assert (june.observed, june.start, june.date, june.episode) == (1.0, ts("2023-06-18"), ts("2023-06-18"), "E2023_BALLOON")
    held = [f for f in PLANNED if by_id[f].observed == 1.0]
    assert len(held) == 6 and set(PLANNED) - set(held) == {"meeting.2023-02-05.high_level_diplomacy"}


def test_response_facts_of_the_shipped_timeline(facts, by_id, csv_rows):
    responses = facts.of("response")
    # Each government but the trigger's sender is asked, and a sender the record tags as answering too:
    # Pelosi (US) and NASAMS (US) -> China; the balloon (China) -> the US, and China too (it refuses Austin's
    # call, tagged response); Li Shangfu's appointment (China, internal) -> the US only, China's own act being
    # unanswered by itself; Tsai (Taiwan) -> both. Lai's inauguration is not scripted.
    responders = {(f.trigger.episode, f.responder) for f in responses}
    assert responders == {("E2022_PELOSI", "CHN"), ("E2023_BALLOON", "CHN"), ("E2023_BALLOON", "USA"),
                          ("E2023_LISHANGFU", "USA"), ("E2023_TSAI", "CHN"), ("E2023_TSAI", "USA"),
                          ("E2024_NASAMS", "CHN")}  # fmt: skip
    assert len(responses) == len(responders) * len(HOSTILE) == 7 * 11 == 77
    for episode, responder in responders:
        assert [f.kind for f in responses if (f.trigger.episode, f.responder) == (episode, responder)] == HOSTILE
    # What happened, from the CSV: a row of the episode, of that sender and kind, within the window.
    for f in responses:
        trig_day = f.trigger.date
        sent = [r for r in csv_rows.values() if r["episode"] == f.episode and r["role"] != "trigger"
                and r["sender"] == f.responder and r["kind"] == f.kind and r["confidence"] != "low"
                and 0 <= (ts(r["date"]) - trig_day).days <= RESPONSE_WINDOW_DAYS]  # fmt: skip
        assert f.observed == float(bool(sent)), f.id
        expected_date = min(ts(r["date"]) for r in sent) if sent else trig_day + pd.Timedelta(days=RESPONSE_WINDOW_DAYS)
        assert f.date == expected_date, f.id
    pelosi = {f.kind: f.observed for f in responses if f.episode == "E2022_PELOSI"}
    assert {k for k, v in pelosi.items() if v} == {
        "channel_suspension",
        "sanction",
        "military_drill",
        "rhetoric_condemnation",
    }
    assert by_id["response.pelosi.CHN.military_drill"].date == ts("2022-08-04")
    assert by_id["response.balloon.USA.export_control"].date == ts("2023-02-10")  # the entity listing
    assert by_id["response.nasams.CHN.rhetoric_condemnation"].date == ts("2024-10-26")
    # The record shows no US answer to Li Shangfu's appointment nor to Tsai's stopover: asked, and not sent,
    # known at the window's end (2023-03-12 + 30, 2023-04-05 + 30).
    for episode, end in (("lishangfu", "2023-04-11"), ("tsai", "2023-05-05")):
        for k in HOSTILE:
            f = by_id[f"response.{episode}.USA.{k}"]
            assert (f.observed, f.date) == (0.0, ts(end)), f.id
    assert by_id["response.balloon.USA.interception"].observed == 1.0  # the shoot-down, tagged escalation
    # The postponed trip (2023-02-03) is a called-off visit, not a refusal of a requested meeting.
    postponed = by_id["response.balloon.USA.visit_postponed"]
    assert (postponed.observed, postponed.date) == (1.0, ts("2023-02-03"))
    assert by_id["response.balloon.USA.meeting_rejection"].observed == 0.0
    # No tariff nor visa restriction is documented in any episode's window.
    assert not any(f.observed for f in responses if f.kind in ("tariff", "visa_restriction"))
    assert by_id["response.balloon.CHN.rhetoric_condemnation"].observed == 0.0  # the protest of 02-05 is untagged
    assert not any(f.id.startswith("response.lishangfu.CHN.") for f in responses)


def test_a_fact_s_interval_starts_at_its_trigger_request_spell_or_summit(facts, by_id):
    # since: the trigger's day (responses, lags), the request's (meetings), the spell's start (thaws), the
    # summit's (orders); date: the day the value became known.
    spans = {
        "response.pelosi.CHN.military_drill": ("2022-08-02", "2022-08-04"),
        "response.lishangfu.USA.sanction": ("2023-03-12", "2023-04-11"),
        "lag.lishangfu_refuses_senior_military": ("2023-03-12", "2023-06-19"),
        "meeting.2023-06-02.defense_ministers": ("2023-06-02", "2023-06-02"),
        "thaw.defense_ministers.2023-02-04": ("2023-02-04", "2024-04-16"),
        "order.pelosi_summit_2023-11-15": ("2023-11-15", "2024-09-09"),  # the Paparo-Wu call
    }
    for fid, (since, date) in spans.items():
        assert (by_id[fid].since, by_id[fid].date) == (ts(since), ts(date)), fid
    assert all(f.since <= f.date for f in facts.facts)


def test_lag_thaw_and_order_facts_of_the_shipped_timeline(facts, by_id):
    lags = {f.id: f.observed for f in facts.of("lag")}
    for channel in ("defense_policy", "maritime_safety", "theater_commanders"):
        assert lags[f"lag.pelosi_suspends_{channel}"] == 3.0  # 2022-08-02 -> 2022-08-05
    assert lags["lag.balloon_refuses_defense_ministers"] == 2.0  # 2023-02-02 -> 2023-02-04
    assert lags["lag.lishangfu_refuses_defense_ministers"] == 78.0  # 2023-03-12 -> 2023-05-29
    assert lags["lag.lishangfu_refuses_senior_military"] == 99.0  # 2023-03-12 -> 2023-06-19
    assert lags["lag.nasams_refuses_defense_ministers"] == 26.0  # 2024-10-25 -> 2024-11-20
    assert not any(k.startswith("lag.lai_") for k in lags)  # not scripted
    for f in facts.of("lag"):
        assert f.date == f.trigger.date + pd.Timedelta(days=f.observed) and f.window == f.measure.window_days
    thaws = {f.id: f.observed for f in facts.of("thaw")}
    assert thaws == {
        "thaw.climate.2022-08-05": float((ts("2022-11-15") - ts("2022-08-05")).days),  # COP27 restart
        "thaw.defense_ministers.2023-02-04": float((ts("2024-04-16") - ts("2023-02-04")).days),  # Austin-Dong call
        "thaw.defense_policy.2022-08-05": float((ts("2024-01-08") - ts("2022-08-05")).days),  # 17th DPCT
        "thaw.maritime_safety.2022-08-05": float((ts("2024-04-03") - ts("2022-08-05")).days),  # MMCA Honolulu
        "thaw.senior_military.2023-06-19": float((ts("2023-12-21") - ts("2023-06-19")).days),  # Brown-Liu call
        "thaw.theater_commanders.2022-08-05": float((ts("2024-09-09") - ts("2022-08-05")).days),  # Paparo-Wu call
        "thaw.working_groups.2022-08-05": float((ts("2023-07-31") - ts("2022-08-05")).days),  # Yang Tao talks
        "thaw.working_groups.2024-07-17": 14.0,  # arms control talks suspended, counternarcotics group meets
    }
    assert by_id["thaw.climate.2022-08-05"].date == ts("2022-11-15")
    assert by_id["thaw.working_groups.2024-07-17"].episode == "E2024_ARMSCONTROL"
    woodside = by_id["order.pelosi_summit_2023-11-15"]
    assert dict(woodside.times) == {
        "senior_military": 36.0,  # Brown-Liu call 2023-12-21
        "defense_policy": 54.0,  # 17th DPCT 2024-01-08
        "maritime_safety": 140.0,  # MMCA Honolulu 2024-04-03
        "defense_ministers": 153.0,  # Austin-Dong call 2024-04-16
        "theater_commanders": 299.0,  # Paparo-Wu call 2024-09-09
    }
    assert woodside.date == ts("2024-09-09") and np.isnan(woodside.observed)
    assert dict(by_id["order.pelosi_summit_2022-11-14"].times) == {
        "climate": 1.0,
        "defense_policy": 420.0,
        "maritime_safety": 506.0,
        "theater_commanders": 665.0,
        "working_groups": 259.0,
    }


def test_status_targets_of_the_shipped_timeline(facts):
    assert [t.channel for t in facts.status] == list(load_vocabulary().channels)
    status = {t.channel: t for t in facts.status}
    dates = status["climate"].dates
    assert dates[0] == ts("2022-08-02") and dates[-1] == ts("2024-12-27") and len(dates) == 879
    climate = pd.Series(status["climate"].observed, index=dates)
    assert not climate[ts("2022-08-04")] and climate[ts("2022-08-05")] and climate[ts("2022-11-14")]
    assert not climate[ts("2022-11-15")] and climate.sum() == 102
    assert not status["high_level_diplomacy"].observed.any()  # the 2023-02-01 freeze is of low confidence


# -- facts of a hand-made timeline and scenario ----------------------------------------------------

EP = "E2023_TEST"
# (id, date, sender, receiver, kind, channel, episode, role, cameo_code, confidence)
HAND_ROWS = [
    ("t01", "2023-01-10", "USA", "TWN", "high_level_visit", "high_level_diplomacy", EP, "trigger", "042", "high"),
    ("t02", "2023-01-11", "CHN", "USA", "rhetoric_condemnation", "", EP, "response", "130", "high"),
    ("t03", "2023-01-12", "USA", "CHN", "rhetoric_condemnation", "", EP, "counter", "130", "high"),  # not a response
    ("t04", "2023-01-12", "CHN", "USA", "export_control", "economic", EP, "response", "163", "low"),  # never used
    ("t05", "2023-01-13", "CHN", "USA", "channel_suspension", "climate", EP, "response", "164", "high"),
    ("t06", "2023-01-13", "CHN", "USA", "channel_suspension", "working_groups", EP, "response", "164", "high"),
    ("t07", "2023-01-14", "CHN", "TWN", "military_drill", "", EP, "response", "150", "high"),
    ("t08", "2023-02-05", "USA", "CHN", "ministerial_meeting", "high_level_diplomacy", EP, "", "044", "high"),
    ("t09", "2023-02-20", "CHN", "USA", "sanction", "", EP, "response", "163", "high"),  # 41 days on: too late
    ("t10", "2023-03-15", "USA", "CHN", "leader_summit", "high_level_diplomacy", EP, "thaw", "044", "high"),
    ("t11", "2023-04-01", "CHN", "USA", "channel_resumption", "climate", EP, "thaw", "046", "high"),
    ("t12", "2023-05-01", "CHN", "USA", "channel_resumption", "working_groups", EP, "thaw", "046", "high"),
]


def write_timeline(path: Path, rows) -> pd.DataFrame:
    """Write rows as a timeline CSV with the columns of COLUMNS and load it with load_timeline."""
    gold = load_vocabulary().goldstein
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(COLUMNS))
        w.writeheader()
        for rid, date, sender, receiver, kind, channel, episode, role, code, confidence in rows:
            w.writerow({
                "id": rid, "date": date, "date_precision": "day", "sender": sender, "receiver": receiver,
                "kind": kind, "channel": channel, "episode": episode, "role": role, "mechanism": "",
                "description": f"hand-made row {rid}", "cameo_code": code, "goldstein": gold[code],
                "confidence": confidence, "source": "test",
            })  # fmt: skip
    return load_timeline(path)


def hand_scenario(*, trigger: bool = True, end: str = "2023-06-30"):
    events = [
        {"date": "2023-02-04", "sender": "USA", "receiver": "CHN", "kind": "meeting_request", "channel": "high_level_diplomacy"},
        {"date": "2023-06-01", "sender": "USA", "receiver": "CHN", "kind": "meeting_request", "channel": "economic"},
    ]  # fmt: skip
    if trigger:
        events.insert(0, {"date": "2023-01-10", "sender": "USA", "receiver": "TWN", "kind": "high_level_visit",
                          "channel": "high_level_diplomacy", "intensity": 2.0})  # fmt: skip
    events = [e for e in events if e["date"] <= end]
    doc = {"name": "hand", "start": "2023-01-01", "end": end, "spontaneous": False, "events": events}
    return parse_scenario(doc, "hand.yaml")


@pytest.fixture
def hand_doc(tmp_path) -> Documented:
    return Documented(write_timeline(tmp_path / "timeline.csv", HAND_ROWS))


def test_a_hand_made_timeline_and_scenario_give_exactly_the_expected_facts(hand_doc):
    facts = derive_facts(hand_doc, hand_scenario())
    got = {f.id: (f.pattern, f.observed, f.date) for f in facts.facts if f.pattern != "order"}
    window_end = ts("2023-01-10") + pd.Timedelta(days=RESPONSE_WINDOW_DAYS)
    sent = {"rhetoric_condemnation": "2023-01-11", "channel_suspension": "2023-01-13", "military_drill": "2023-01-14"}
    expected = {
        f"response.test.CHN.{k}": ("response", 1.0 if k in sent else 0.0, ts(sent[k]) if k in sent else window_end)
        for k in HOSTILE
    }  # export_control (low confidence) and the late sanction are not sent; USA only counters, it does not respond
    expected |= {
        "lag.test_first_response": ("lag", 1.0, ts("2023-01-11")),
        "lag.test_suspends_climate": ("lag", 3.0, ts("2023-01-13")),
        "lag.test_suspends_working_groups": ("lag", 3.0, ts("2023-01-13")),
        "meeting.2023-02-04.high_level_diplomacy": ("meeting", 1.0, ts("2023-02-05")),  # the economic request: no row
        "thaw.climate.2023-01-13": ("thaw", 78.0, ts("2023-04-01")),
        "thaw.working_groups.2023-01-13": ("thaw", 108.0, ts("2023-05-01")),
    }
    assert got == expected
    assert [f.pattern for f in facts.facts] == ["response"] * 11 + ["lag"] * 3 + ["meeting", "thaw", "thaw", "order"]
    (order,) = facts.of("order")
    assert order.id == "order.test_summit_2023-03-15" and order.times == (("climate", 17.0), ("working_groups", 47.0))
    assert order.date == ts("2023-05-01") and order.start == ts("2023-03-15")
    assert all(f.episode == EP for f in facts.facts)
    meeting = facts.of("meeting")[0]
    assert (meeting.responder, meeting.channel, meeting.start) == ("CHN", "high_level_diplomacy", ts("2023-02-04"))
    assert facts.spans == {EP: (ts("2023-01-10"), ts("2023-05-01"))} and facts.episodes == (EP,)
    status = {t.channel: t for t in facts.status}
    assert status["climate"].dates[0] == ts("2023-01-10") and status["climate"].dates[-1] == ts("2023-05-01")
    shut = status["climate"].dates[status["climate"].observed]
    assert shut[0] == ts("2023-01-13") and shut[-1] == ts("2023-03-31") and len(shut) == 78
    assert not status["economic"].observed.any()  # the low-confidence export control is not a suspension anyway


def test_a_fact_the_scenario_cannot_show_is_left_out(hand_doc):
    # No trigger scripted: no response or lag facts; the meeting, thaws and order remain.
    no_trigger = derive_facts(hand_doc, hand_scenario(trigger=False))
    assert [f.pattern for f in no_trigger.facts] == ["meeting", "thaw", "thaw", "order"]
    # A scenario ending before the working groups reopen: that thaw is left out (its spell ends after the
    # scenario), the climate thaw stays, and the status days end with the scenario.
    short = derive_facts(hand_doc, hand_scenario(end="2023-04-15"))
    assert {f.id for f in short.of("thaw")} == {"thaw.climate.2023-01-13"}
    assert short.status[0].dates[-1] == ts("2023-04-15")


def test_a_refusal_by_the_asked_party_is_a_refused_meeting_and_one_by_the_asker_is_not(tmp_path):
    rows = [
        ("r1", "2023-02-02", "USA", "CHN", "meeting_rejection", "high_level_diplomacy", "", "", "125", "high"),
        ("r2", "2023-02-06", "CHN", "USA", "meeting_rejection", "high_level_diplomacy", "", "", "125", "high"),
    ]
    doc = Documented(write_timeline(tmp_path / "refusals.csv", rows))
    facts = derive_facts(doc, hand_scenario(trigger=False))
    # r1 (distance 2) is the asker's own refusal and is ignored; r2 (distance 2 as well) is the asked party's.
    (meeting,) = facts.of("meeting")
    assert (meeting.observed, meeting.date) == (0.0, ts("2023-02-06"))
    # A refusal and a meeting equally near: the record does not say which, no fact.
    tie = [
        *rows[1:],
        ("r3", "2023-02-02", "CHN", "USA", "ministerial_meeting", "high_level_diplomacy", "", "", "044", "high"),
    ]
    tie.sort(key=lambda r: r[1])
    assert not derive_facts(Documented(write_timeline(tmp_path / "tie.csv", tie)), hand_scenario(trigger=False)).of(
        "meeting"
    )


def planned_scenario():
    """Four planned engagements and one request, between the two governments, in 2023."""
    events = [
        {"date": "2023-03-06", "sender": "USA", "receiver": "CHN", "kind": "high_level_visit", "channel": "high_level_diplomacy", "planned": True},
        {"date": "2023-04-10", "sender": "CHN", "receiver": "USA", "kind": "high_level_visit", "channel": "economic", "planned": True},
        {"date": "2023-05-08", "sender": "USA", "receiver": "CHN", "kind": "ministerial_meeting", "channel": "climate", "planned": True},
        {"date": "2023-06-12", "sender": "USA", "receiver": "CHN", "kind": "high_level_visit", "channel": "high_level_diplomacy", "planned": True},
        {"date": "2023-06-20", "sender": "USA", "receiver": "CHN", "kind": "meeting_request", "channel": "working_groups"},
    ]  # fmt: skip
    doc = {"name": "planned", "start": "2023-01-01", "end": "2023-06-30", "spontaneous": False, "events": events}
    return parse_scenario(doc, "planned.yaml")


PLANNED_ROWS = [
    ("p1", "2023-03-04", "USA", "CHN", "visit_postponed", "high_level_diplomacy", "", "", "160", "high"),  # the visitor
    ("p2", "2023-04-10", "USA", "CHN", "meeting_rejection", "economic", "", "", "125", "high"),  # the host refuses
    ("p3", "2023-05-08", "USA", "CHN", "ministerial_meeting", "climate", "", "", "044", "high"),  # held
    # The request of 06-20: the asker's own call-off the day before does not settle it; the meeting two days on does.
    ("p4", "2023-06-19", "USA", "CHN", "visit_postponed", "working_groups", "", "", "160", "high"),
    ("p5", "2023-06-22", "CHN", "USA", "working_group", "working_groups", "", "", "0311", "high"),
]


def test_a_planned_engagement_is_called_off_by_either_side_and_a_request_only_by_the_asked(tmp_path):
    facts = derive_facts(Documented(write_timeline(tmp_path / "planned.csv", PLANNED_ROWS)), planned_scenario())
    got = {f.id: (f.observed, f.date, f.kind, f.responder) for f in facts.of("meeting")}
    assert got == {
        "meeting.2023-03-06.high_level_diplomacy": (0.0, ts("2023-03-06"), "high_level_visit", ""),  # postponed
        "meeting.2023-04-10.economic": (0.0, ts("2023-04-10"), "high_level_visit", ""),  # refused by the host
        "meeting.2023-05-08.climate": (1.0, ts("2023-05-08"), "ministerial_meeting", ""),
        # 2023-06-12: no documented row within MEETING_MATCH_DAYS, no fact.
        "meeting.2023-06-20.working_groups": (1.0, ts("2023-06-22"), "", "CHN"),
    }
    assert [f.pattern for f in facts.facts] == ["meeting"] * 4  # no trigger, no spell


def _hand_run(rows, label: str) -> Run:
    """A run from ``(id, date, sender, receiver, kind, channel, cause, scripted)`` rows, every channel open."""
    dates = pd.date_range("2023-01-01", "2023-06-30", freq="D")
    ev = pd.DataFrame(rows, columns=["id", "date", "sender", "receiver", "kind", "channel", "cause", "scripted"])
    ev["date"] = pd.to_datetime(ev["date"])
    ev["step"] = (ev["date"] - dates[0]).dt.days
    ev["cause"] = pd.array(ev["cause"], dtype="Int64")
    ev["scripted"] = ev["scripted"].astype(bool)
    steps = pd.DataFrame({"step": np.arange(len(dates)), "date": dates})
    for c in load_vocabulary().channels:
        steps[columns.channel("USA", "CHN", c)] = "open"
    return Run(ev, steps, label)


def test_observe_reads_a_planned_engagement_held_or_called_off_from_a_hand_made_event_table(tmp_path):
    facts = derive_facts(Documented(write_timeline(tmp_path / "planned.csv", PLANNED_ROWS)), planned_scenario())
    request = (9, "2023-06-20", "USA", "CHN", "meeting_request", "working_groups", None, True)
    met = (10, "2023-06-20", "CHN", "USA", "ministerial_meeting", "working_groups", 9, False)
    one = _hand_run([
        (1, "2023-03-06", "USA", "CHN", "visit_postponed", "high_level_diplomacy", None, False),  # the visitor calls it off
        (2, "2023-03-07", "USA", "CHN", "high_level_visit", "high_level_diplomacy", None, True),  # a day late: not it
        (3, "2023-04-10", "CHN", "USA", "high_level_visit", "economic", None, True),  # held
        (4, "2023-05-08", "CHN", "USA", "meeting_rejection", "climate", None, False),  # the host refuses it
        (5, "2023-05-08", "USA", "CHN", "ministerial_meeting", "economic", None, True),  # another channel: not it
        request, met,
    ], "one")  # fmt: skip
    assert observe(one, facts).values == {
        "meeting.2023-03-06.high_level_diplomacy": 0.0,
        "meeting.2023-04-10.economic": 1.0,
        "meeting.2023-05-08.climate": 0.0,
        "meeting.2023-06-20.working_groups": 1.0,
    }
    other = _hand_run([
        (1, "2023-03-06", "USA", "CHN", "high_level_visit", "high_level_diplomacy", None, True),  # held
        (3, "2023-04-10", "CHN", "USA", "visit_postponed", "economic", None, False),  # the visitor calls it off
        (4, "2023-05-08", "USA", "CHN", "ministerial_meeting", "climate", None, False),  # not scripted: not it
        request,
    ], "other")  # fmt: skip
    assert observe(other, facts).values == {
        "meeting.2023-03-06.high_level_diplomacy": 1.0,
        "meeting.2023-04-10.economic": 0.0,
        "meeting.2023-05-08.climate": 0.0,
        "meeting.2023-06-20.working_groups": 0.0,  # asked, not answered: not held
    }


def test_a_low_confidence_row_makes_no_lag_fact(tmp_path):
    rows = [*HAND_ROWS[:7], ("t07b", "2023-01-14", "CHN", "USA", "channel_suspension", "defense_policy", EP, "response", "164", "low"),
            *HAND_ROWS[7:]]  # fmt: skip
    facts = derive_facts(Documented(write_timeline(tmp_path / "low.csv", rows)), hand_scenario())
    assert "lag.test_suspends_defense_policy" not in {f.id for f in facts.facts}


OTHER = "E2023_OTHER"
OTHER_ROWS = [
    # People-to-people exchanges shut 2023-02-10 to 2023-03-01: a thaw of OTHER within the test episode's days.
    ("o1", "2023-02-10", "CHN", "USA", "channel_suspension", "people_to_people", OTHER, "response", "164", "high"),
    ("o2", "2023-03-01", "CHN", "USA", "channel_resumption", "people_to_people", OTHER, "thaw", "046", "high"),
    # The economic request of 2023-06-01 is met the next day: a meeting of OTHER after them.
    ("o3", "2023-06-02", "CHN", "USA", "ministerial_meeting", "economic", OTHER, "", "044", "high"),
]


def test_an_episode_fold_purges_the_facts_of_other_episodes_overlapping_a_held_out_one(tmp_path):
    rows = sorted(HAND_ROWS + OTHER_ROWS, key=lambda r: r[1])
    facts = derive_facts(Documented(write_timeline(tmp_path / "two.csv", rows)), hand_scenario())
    mine = {f.id for f in facts.facts if f.episode == EP}
    other = {f.id for f in facts.facts if f.episode == OTHER}
    assert other == {"thaw.people_to_people.2023-02-10", "meeting.2023-06-01.economic"}
    assert facts.episodes == (EP, OTHER)
    dates = facts.status[0].dates
    # Holding out the test episode (2023-01-10 to 2023-05-01, its trigger to the working groups' reopening):
    # OTHER's thaw (02-10 to 03-01) overlaps it and is purged; OTHER's meeting (06-01 to 06-02) trains.
    (fold,) = make_split(facts, "episode:test")
    assert fold.test.ids == mine and fold.train.ids == {"meeting.2023-06-01.economic"}
    inside = (dates >= ts("2023-01-10")) & (dates <= ts("2023-05-01"))
    np.testing.assert_array_equal(fold.test.days["climate"], inside)
    np.testing.assert_array_equal(fold.train.days["climate"], ~inside)
    # Holding out OTHER (02-10 to 03-01 and 06-01 to 06-02): the test episode's thaws (from 01-13 to 04-01 and
    # 05-01) overlap and are purged; its responses (known by the window's end, 02-09, the day before), lags,
    # meeting (02-04 to 02-05) and order (03-15 to 05-01) do not, and train.
    (fold,) = make_split(facts, f"episode:{OTHER}")
    assert fold.test.ids == other
    assert fold.train.ids == mine - {"thaw.climate.2023-01-13", "thaw.working_groups.2023-01-13"}
    assert "response.test.CHN.sanction" in fold.train and "order.test_summit_2023-03-15" in fold.train
    held = ((dates >= ts("2023-02-10")) & (dates <= ts("2023-03-01"))) | (
        (dates >= ts("2023-06-01")) & (dates <= ts("2023-06-02"))
    )
    np.testing.assert_array_equal(fold.test.days["people_to_people"], held)
    np.testing.assert_array_equal(fold.train.days["people_to_people"], ~held)


# -- observe: one run's value of each fact ---------------------------------------------------------


@pytest.fixture(scope="module")
def model_run(historical) -> Run:
    return Run(historical.events, historical.steps, "seed 0")


@pytest.fixture(scope="module")
def null_base() -> Run:
    from sim.api import run
    from sim.history.calibrate import NULL_MODEL

    r = run(["~calibration", *NULL_MODEL])
    return Run(r.events, r.steps, "null")


def _caused_by(ev: pd.DataFrame, root: int) -> set[int]:
    out, frontier = set(), {root}
    while frontier:
        frontier = set(ev.loc[ev["cause"].isin(list(frontier)), "id"].astype(int)) - out
        out |= frontier
    return out


def test_observe_reads_a_model_run(model_run, facts):
    ev, st = model_run.events, model_run.steps
    obs = observe(model_run, facts)
    assert set(obs.values) == {f.id for f in facts.facts}
    step_of = dict(zip(st["date"], st["step"]))
    requests = list(ev.loc[ev["kind"] == "meeting_request", "id"])
    for f in facts.of("meeting"):  # the asked party's answer to the request, read by hand
        if f.kind:  # a planned engagement: its scripted row on its day, or one side's call-off that day
            held = ev[ev["scripted"] & (ev["kind"] == f.kind) & ev["channel"].eq(f.channel).fillna(False) & (ev["date"] == f.start)]
            off = ev[~ev["scripted"] & ev["kind"].isin(["visit_postponed", "meeting_rejection"]) & ~ev["cause"].isin(requests)
                     & ev["channel"].eq(f.channel).fillna(False) & (ev["date"] == f.start)]  # fmt: skip
            assert len(held) + len(off) == 1, f.id
            assert obs.values[f.id] == float(len(held)), f.id
            continue
        (req,) = ev.loc[
            (ev["kind"] == "meeting_request") & (ev["date"] == f.start) & (ev["channel"] == f.channel), "id"
        ]
        answer = ev[(ev["cause"] == req) & (ev["sender"] == "CHN")]
        held = answer["kind"].isin(["ministerial_meeting", "leader_summit"]).any()
        expected = 0.0 if (answer["kind"] == "meeting_rejection").any() else 1.0 if held else 0.0
        assert obs.values[f.id] == expected, f.id
    for f in facts.of("response"):
        if f.kind == "meeting_rejection":
            continue
        (root,) = ev.loc[ev["scripted"] & (ev["date"] == f.trigger.date) & (ev["kind"] == f.trigger.kind)
                         & (ev["sender"] == f.trigger.sender), ["id", "step"]].itertuples(index=False)  # fmt: skip
        caused = ev[ev["id"].isin(_caused_by(ev, root.id)) & ~ev["scripted"]]
        hit = caused[(caused["sender"] == f.responder) & (caused["kind"] == f.kind)
                     & (caused["step"] - root.step).between(0, f.window)]  # fmt: skip
        assert obs.values[f.id] == float(not hit.empty), f.id
    # Nothing is asked of the United States, so nothing it could refuse: not shown.
    assert obs.values["response.balloon.USA.meeting_rejection"] is None
    for f in facts.of("lag") + facts.of("thaw"):
        v = obs.values[f.id]
        assert v is None or (0 <= v <= (f.window if f.pattern == "lag" else len(st))), f.id
    pelosi = next(f for f in facts.of("lag") if f.id == "lag.pelosi_first_response")
    (root,) = ev.loc[ev["scripted"] & (ev["date"] == pelosi.trigger.date) & (ev["kind"] == pelosi.trigger.kind), "id"]
    first = ev[ev["id"].isin(_caused_by(ev, int(root))) & ~ev["scripted"] & (ev["sender"] == "CHN")]["step"].min()
    assert obs.values[pelosi.id] == float(first - step_of[pelosi.trigger.date])
    for target in facts.status:  # the steps table's status column on the documented days
        col = st.set_index("date")[columns.channel("USA", "CHN", target.channel)]
        np.testing.assert_array_equal(obs.status[target.channel], (col.loc[target.dates] == "suspended").to_numpy())
    assert set(obs.times) == {f.id for f in facts.of("order")}
    assert all(set(t) == {c for c, _ in f.times} for f in facts.of("order") for t in [obs.times[f.id]])


def test_observe_a_synthetic_run_shows_the_cut_and_the_meetings_written(null_base, facts):
    run = SyntheticRun(null_base)
    assert run.pair == ("USA", "CHN") and run.channels == list(load_vocabulary().channels)
    # One cut: defense_policy from the documented day (2022-08-05) for 120 days, caused by the Pelosi trigger.
    t0, trigger_id = run.trigger(facts.of("lag")[0].trigger)
    assert run.dates[t0] == ts("2022-08-02")
    day = int(np.flatnonzero(run.dates == ts("2022-08-05"))[0])
    run.cut(day, "defense_policy", 120, trigger_id)
    run.cut(day + 10, "defense_policy", 5, trigger_id)  # shut then: a no-op
    run.answer_meetings()
    obs = observe(run.run("one cut"), facts)
    dates = facts.status[0].dates
    expected = (dates >= ts("2022-08-05")) & (dates < ts("2022-08-05") + pd.Timedelta(days=120))
    np.testing.assert_array_equal(obs.status["defense_policy"], expected)
    assert all(not s.any() for c, s in obs.status.items() if c != "defense_policy")
    assert obs.values["thaw.defense_policy.2022-08-05"] == 120.0
    assert obs.values["thaw.climate.2022-08-05"] == 0.0
    assert obs.values["lag.pelosi_suspends_defense_policy"] == 3.0
    assert obs.values["lag.pelosi_suspends_climate"] == 60.0  # not within the window: censored at its end
    assert obs.values["response.pelosi.CHN.channel_suspension"] == 1.0  # caused by the trigger
    assert obs.values["response.pelosi.CHN.military_drill"] == 0.0
    assert all(obs.values[f.id] == 1.0 for f in facts.of("meeting"))  # no request on a shut channel
    left = float(120 - (ts("2022-11-14") - ts("2022-08-05")).days)  # days of the cut left at the Bali summit
    assert obs.times["order.pelosi_summit_2022-11-14"] == {
        "climate": 0.0, "working_groups": 0.0, "defense_policy": left, "maritime_safety": 0.0, "theater_commanders": 0.0,
    }  # fmt: skip


def test_observe_a_synthetic_run_with_nothing_added(null_base, facts):
    run = SyntheticRun(null_base).run("scripted only")
    obs = observe(run, facts)
    # Nothing answered: no requested meeting took place; the planned engagements did (the null model held them).
    assert all(obs.values[f.id] == (1.0 if f.kind else 0.0) for f in facts.of("meeting"))
    assert sum(1 for f in facts.of("meeting") if f.kind) == 7
    assert all(not s.any() for s in obs.status.values())
    assert all(obs.values[f.id] == 0.0 for f in facts.of("thaw"))  # no spell: shut for 0 days
    assert run.events["scripted"].dtype == bool


def test_a_cut_with_no_cause_is_not_a_response_and_a_shut_channel_refuses_its_meeting(null_base, facts):
    run = SyntheticRun(null_base)
    day = int(np.flatnonzero(run.dates == ts("2023-02-04"))[0])
    run.cut(day, "defense_ministers", 30, None)
    run.answer_meetings()
    obs = observe(run.run("refuser"), facts)
    assert obs.values["meeting.2023-02-04.defense_ministers"] == 0.0  # refused: its channel is shut that day
    assert obs.values["meeting.2023-02-18.high_level_diplomacy"] == 1.0
    assert obs.values["response.balloon.CHN.channel_suspension"] == 0.0  # not caused by the balloon
    assert obs.values["response.balloon.CHN.meeting_rejection"] == 1.0  # any refusal in the window answers it
    assert obs.values["thaw.defense_ministers.2023-02-04"] == 30.0
    assert obs.values["lag.balloon_refuses_defense_ministers"] == 2.0


def test_a_synthetic_run_calls_off_a_planned_engagement_on_a_shut_channel(null_base, facts, scenario):
    # The null model held every planned engagement; the scenario tells the synthetic run which rows they are.
    run = SyntheticRun(null_base, scenario)
    planned = run.scripted[run.planned]
    assert {f"meeting.{d.date()}.{c}" for d, c in zip(planned["date"], planned["channel"])} == set(PLANNED)
    assert not SyntheticRun(null_base).planned.any()  # without the scenario: none known
    day = int(np.flatnonzero(run.dates == ts("2023-02-03"))[0])
    run.cut(day, "high_level_diplomacy", 10, None)  # shut 2023-02-03 to 02-12: the trip of 02-05 falls in it
    run.answer_meetings(refuse=lambda r: r.date == ts("2023-06-18"))  # and the June trip is refused outright
    out = run.run("trips called off")
    ev, obs = out.events, observe(out, facts)
    off = {"meeting.2023-02-05.high_level_diplomacy", "meeting.2023-06-18.high_level_diplomacy"}
    assert {f: obs.values[f] for f in PLANNED} == {f: 0.0 if f in off else 1.0 for f in PLANNED}
    # Each called off: its scripted row dropped, the host's refusal that day, with no cause.
    refusals = ev[(ev["kind"] == "meeting_rejection") & ev["cause"].isna()]
    assert list(refusals["date"]) == [ts("2023-02-05"), ts("2023-06-18")]
    assert (refusals["sender"] == "CHN").all() and (refusals["receiver"] == "USA").all()
    assert (refusals["channel"] == "high_level_diplomacy").all() and not refusals["scripted"].any()
    assert ev["scripted"].sum() == null_base.events["scripted"].sum() - 2
    assert not (ev["scripted"] & (ev["kind"] == "high_level_visit") & ev["date"].isin(list(refusals["date"]))).any()
    # The requests are answered as before (the Munich one of 02-18 after the channel reopened: held); the refused
    # trip is China's only refusal within 30 days of the balloon, and answers it.
    assert obs.values["meeting.2023-02-18.high_level_diplomacy"] == 1.0
    assert obs.values["meeting.2023-02-04.defense_ministers"] == 1.0
    assert obs.values["response.balloon.CHN.meeting_rejection"] == 1.0
    assert obs.values["response.balloon.USA.visit_postponed"] == 0.0  # the host refused; the visitor did not call off
    # Without the scenario the same cut leaves the trip held.
    blind = SyntheticRun(null_base)
    blind.cut(day, "high_level_diplomacy", 10, None)
    blind.answer_meetings()
    assert observe(blind.run("blind"), facts).values["meeting.2023-02-05.high_level_diplomacy"] == 1.0


def test_a_call_off_answers_the_trigger_it_was_caused_by(null_base, facts):
    # Like every answer but a refusal, a postponement counts for a trigger if the trigger caused it (the model
    # makes a call-off answer the caller's latest grievance); one with no cause answers nothing.
    balloon = next(f.trigger for f in facts.of("response") if f.episode == "E2023_BALLOON")
    for cause, expected in ((None, 0.0), ("balloon", 1.0)):
        run = SyntheticRun(null_base)
        t0, trigger_id = run.trigger(balloon)
        assert run.dates[t0] == ts("2023-02-02")
        run.add(t0 + 1, "USA", "CHN", "visit_postponed", "high_level_diplomacy", trigger_id if cause else None)
        obs = observe(run.run(f"postponed, cause {cause}"), facts).values
        assert obs["response.balloon.USA.visit_postponed"] == expected, cause
        assert obs["response.balloon.CHN.visit_postponed"] == 0.0 and obs["response.tsai.USA.visit_postponed"] == 0.0


def test_observe_a_run_that_does_not_script_a_trigger(null_base, facts):
    ev = null_base.events
    pelosi = ev[ev["scripted"] & (ev["date"] == ts("2022-08-02"))]
    run = Run(ev.drop(index=pelosi.index), null_base.steps, "no pelosi")
    obs = observe(run, facts)
    for f in facts.facts:
        if f.trigger is not None and f.trigger.episode == "E2022_PELOSI":
            assert obs.values[f.id] is None, f.id
    assert obs.values["lag.nasams_first_response"] == 60.0  # the null model never answers: censored


# -- splits ----------------------------------------------------------------------------------------


def test_the_none_split_is_one_in_sample_fold_of_everything(facts):
    (fold,) = make_split(facts, "none")
    assert (fold.name, fold.test, fold.episode) == ("all", None, "")
    assert fold.train.ids == {f.id for f in facts.facts}
    assert all(d.all() and len(d) == len(t.dates) for t, d in zip(facts.status, fold.train.days.values()))
    assert training_facts(facts, fold.train) == list(facts.facts)


def test_the_temporal_split_divides_facts_and_status_days_at_the_cutoff(facts):
    cutoff = ts("2024-01-01")
    (fold,) = make_split(facts, "temporal", cutoff)
    assert fold.name == "temporal"
    before = {f.id for f in facts.facts if f.date < cutoff}
    assert fold.train.ids == before
    assert fold.test.ids == {f.id for f in facts.facts} - before
    assert "lag.nasams_refuses_defense_ministers" in fold.test and "meeting.2023-02-04.defense_ministers" in fold.train
    assert "thaw.defense_ministers.2023-02-04" in fold.test  # known when it ended, 2024-04-16
    for t in facts.status:
        np.testing.assert_array_equal(fold.train.days[t.channel], np.asarray(t.dates < cutoff))
        np.testing.assert_array_equal(fold.test.days[t.channel], np.asarray(t.dates >= cutoff))
    assert fold.train.days["climate"].sum() == (cutoff - ts("2022-08-02")).days


def test_an_episode_split_by_short_name_or_tag_is_the_same_fold(facts):
    (a,) = make_split(facts, "episode:balloon")
    (b,) = make_split(facts, "episode:E2023_BALLOON")
    for fold in (a, b):
        assert (fold.name, fold.episode) == ("balloon", "E2023_BALLOON")
    assert a.train.ids == b.train.ids and a.test.ids == b.test.ids
    for c in a.train.days:
        np.testing.assert_array_equal(a.train.days[c], b.train.days[c])
        np.testing.assert_array_equal(a.test.days[c], b.test.days[c])
    assert a.test.ids == {f.id for f in facts.facts if f.episode == "E2023_BALLOON"}
    # The balloon's facts run from its trigger (2023-02-02) to the defence ministers' reopening (2024-04-16, the
    # end of the thaw from the refused call): every fact of another episode within those days is purged; the
    # untagged ones after them train (the defence ministers' meeting of 2024-05-31, the planned visits of
    # 2024-04-24 and 2024-08-27).
    assert a.train.ids == _ids(facts, "E2024_NASAMS", "E2024_ARMSCONTROL") | {
        f.id for f in facts.facts if f.episode == "E2022_PELOSI" and f.pattern in ("response", "lag")
    } | {"meeting.2022-11-22.defense_ministers", "thaw.climate.2022-08-05"} | UNTAGGED_LATE
    dates = facts.status[0].dates
    inside = (dates >= ts("2023-02-02")) & (dates <= ts("2024-04-16"))
    np.testing.assert_array_equal(a.test.days["defense_policy"], inside)
    np.testing.assert_array_equal(a.train.days["defense_policy"], ~inside)
    assert resolve_episode(facts, "balloon") == resolve_episode(facts, "E2023_BALLOON") == "E2023_BALLOON"
    assert split_tag("episode:E2023_BALLOON") == split_tag("episode:balloon") == "balloon"
    assert (split_tag("none"), split_tag("temporal"), split_tag("loeo")) == ("all", "temporal", "loeo")


def _ids(facts: Facts, *episodes: str) -> set[str]:
    return {f.id for f in facts.facts if f.episode in episodes}


# Per fold, by hand from the timeline: the days the held-out facts span (one interval on the shipped data),
# and the facts of other episodes purged because their interval overlaps those days.
LONG_PELOSI = {"thaw.defense_policy.2022-08-05", "thaw.maritime_safety.2022-08-05", "thaw.theater_commanders.2022-08-05",
               "thaw.working_groups.2022-08-05", "order.pelosi_summit_2022-11-14"}
# Untagged facts (no episode): the requests of Malta and Bangkok and the planned visits of Jul, Aug and Oct 2023
# lie within Pelosi's and the balloon's held-out days (all but Bangkok within Li Shangfu's too); the Shangri-La
# meeting of 2024 and the planned visits of Apr and Aug 2024 after the balloon's, but within Pelosi's.
UNTAGGED_2023 = {"meeting.2023-09-16.high_level_diplomacy", "meeting.2024-01-26.high_level_diplomacy",
                 "meeting.2023-07-06.economic", "meeting.2023-08-27.economic", "meeting.2023-10-26.high_level_diplomacy"}
UNTAGGED_LATE = {"meeting.2024-05-31.defense_ministers", "meeting.2024-04-24.high_level_diplomacy",
                 "meeting.2024-08-27.high_level_diplomacy"}
PURGED = {
    # Pelosi: its trigger to the last reopening of the channels it cut (theatre commanders, 2024-09-09).
    "pelosi": (("2022-08-02", "2024-09-09"), ("E2023_BALLOON", "E2023_LISHANGFU", "E2023_TSAI", "E2024_ARMSCONTROL"),
               UNTAGGED_2023 | UNTAGGED_LATE),
    # Balloon: its trigger to the defence ministers' reopening.
    "balloon": (("2023-02-02", "2024-04-16"), ("E2023_LISHANGFU", "E2023_TSAI"),
                UNTAGGED_2023 | LONG_PELOSI | {"order.pelosi_summit_2023-11-15"}),
    # Li Shangfu: the appointment to the end of the senior military talks' spell that China's refusal of the
    # military channels (2023-06-19) began (the Brown-Liu call, 2023-12-21), which holds the balloon's Vienna
    # request, the Secretary of State's visit of 2023-06-18 and the Woodside summit.
    "lishangfu": (("2023-03-12", "2023-12-21"), ("E2023_TSAI",),
                  LONG_PELOSI | {"order.pelosi_summit_2023-11-15", "thaw.defense_ministers.2023-02-04",
                                 "meeting.2023-05-10.high_level_diplomacy", "meeting.2023-06-18.high_level_diplomacy"}
                  | (UNTAGGED_2023 - {"meeting.2024-01-26.high_level_diplomacy"})),
    # Tsai: the stopover to the end of the response window (2023-05-05); Li Shangfu's Shangri-La meeting
    # (2023-06-02) comes after it and trains.
    "tsai": (("2023-04-05", "2023-05-05"), (), LONG_PELOSI | {"thaw.defense_ministers.2023-02-04"}
             | {"lag.lishangfu_refuses_defense_ministers", "lag.lishangfu_refuses_senior_military"}
             | {f"response.lishangfu.USA.{k}" for k in HOSTILE}),
    # Arms control: the working groups' 14-day suspension, within the theatre commanders' spell (to 2024-09-09);
    # NASAMS: the sale to the end of its response window.
    "armscontrol": (("2024-07-17", "2024-07-31"), (),
                    {"thaw.theater_commanders.2022-08-05", "order.pelosi_summit_2022-11-14", "order.pelosi_summit_2023-11-15"}),
    "nasams": (("2024-10-25", "2024-11-24"), (), set()),
}  # fmt: skip


def test_leave_one_episode_out_is_one_fold_per_episode_with_facts(facts):
    folds = make_split(facts, "loeo")
    tagged = {f.episode for f in facts.facts if f.episode}
    assert len(folds) == len(tagged) == len(facts.episodes) == 6
    assert [f.episode for f in folds] == list(facts.episodes)
    assert [f.name for f in folds] == ["pelosi", "balloon", "lishangfu", "tsai", "armscontrol", "nasams"]
    assert "E2024_LAI" in facts.spans and "E2024_LAI" not in facts.episodes  # a span but no fact: no fold
    dates = facts.status[0].dates
    for fold in folds:
        assert fold.test.ids == _ids(facts, fold.episode)
        (first, last), episodes, more = PURGED[fold.name]
        purged = _ids(facts, *episodes) | more
        assert not purged & _ids(facts, fold.episode)
        assert fold.train.ids == {f.id for f in facts.facts} - _ids(facts, fold.episode) - purged, fold.name
        inside = (dates >= ts(first)) & (dates <= ts(last))
        for c in fold.test.days:
            np.testing.assert_array_equal(fold.test.days[c], inside)
            np.testing.assert_array_equal(fold.train.days[c], ~inside)
    untagged = {f.id for f in facts.facts if not f.episode}
    assert untagged == UNTAGGED_2023 | UNTAGGED_LATE
    # An untagged fact trains unless it lies within the held-out days (Jul 2023 to Jan 2024: Pelosi's, the balloon's,
    # Li Shangfu's; 2024: Pelosi's).
    assert all(untagged <= fold.train.ids for fold in folds if fold.name not in ("pelosi", "balloon", "lishangfu"))
    assert all(UNTAGGED_LATE <= fold.train.ids for fold in folds if fold.name != "pelosi")
    assert set().union(*(fold.test.ids for fold in folds)) == {f.id for f in facts.facts} - untagged


def test_the_li_shangfu_fold_purges_the_suspensions_that_span_it(facts):
    (fold,) = make_split(facts, "episode:lishangfu")
    # Held out: 2023-03-12 (the appointment) to 2023-12-21 (the Brown-Liu call ends the senior military spell that
    # China's refusal of the military channels began on 2023-06-19). The balloon's defence-ministers thaw
    # (2023-02-04 to 2024-04-16) and Pelosi's defence-policy thaw (2022-08-05 to 2024-01-08) span those days: in
    # neither part, so their lengths cannot teach the held-out refusals.
    for spanning in ("thaw.defense_ministers.2023-02-04", "thaw.defense_policy.2022-08-05"):
        assert spanning not in fold.train and spanning not in fold.test
    # Far away, or just before: trains.
    for far in ("response.nasams.CHN.rhetoric_condemnation", "lag.nasams_refuses_defense_ministers",
                "thaw.working_groups.2024-07-17", "response.balloon.USA.export_control",  # 2023-02-02 to 02-10
                "thaw.climate.2022-08-05"):  # fmt: skip
        assert far in fold.train, far
    assert "meeting.2023-05-10.high_level_diplomacy" not in fold.train  # the balloon's, but on a held-out day
    assert "meeting.2023-06-18.high_level_diplomacy" not in fold.train  # likewise
    assert "meeting.2023-02-05.high_level_diplomacy" in fold.train  # the balloon's, before the held-out days
    assert fold.test.ids == {
        "lag.lishangfu_refuses_defense_ministers",
        "lag.lishangfu_refuses_senior_military",
        "meeting.2023-06-02.defense_ministers",
        "thaw.senior_military.2023-06-19",
    } | {f"response.lishangfu.USA.{k}" for k in HOSTILE}
    shut = fold.test.days["defense_ministers"]
    assert shut.sum() == (ts("2023-12-21") - ts("2023-03-12")).days + 1


@pytest.mark.parametrize(
    "split, cutoff, named",
    [
        ("bogus", None, "split='bogus'"),
        ("episode:nonsense", None, "split='episode:nonsense'"),
        ("temporal", None, "temporal_cutoff=None"),
        ("temporal", ts("2000-01-01"), "split='temporal'"),  # nothing before the cutoff: an empty training part
    ],
)
def test_bad_splits_raise_one_line_errors_naming_the_value(facts, split, cutoff, named):
    with pytest.raises(SimInputError) as err:
        make_split(facts, split, cutoff, source="configs/validate.yaml")
    message = str(err.value)
    assert named in message and message.startswith("configs/validate.yaml: ") and "\n" not in message


def test_an_unknown_episode_lists_the_known_ones(facts):
    with pytest.raises(SimInputError, match="known: pelosi, balloon, lishangfu, tsai, armscontrol, nasams"):
        make_split(facts, "episode:lai")  # documented, but no fact of it


def test_a_fact_changed_by_replace_keeps_its_split(facts):
    # Parts hold ids: a fact's value does not move it between parts.
    changed = Facts(
        tuple(dataclasses.replace(f, observed=0.0) for f in facts.facts), facts.status, facts.spans, facts.doc
    )
    (a,), (b,) = make_split(facts, "temporal", ts("2024-01-01")), make_split(changed, "temporal", ts("2024-01-01"))
    assert a.train.ids == b.train.ids and a.test.ids == b.test.ids


def test_a_planned_engagement_dated_to_a_month_is_settled_and_read_over_the_month(tmp_path):
    """The record's row may lie anywhere in the month (and within MEETING_MATCH_DAYS of it); a run's
    engagement counts wherever in the month the model drew it."""
    events = [{"date": "2023-03", "sender": "USA", "receiver": "CHN", "kind": "high_level_visit",
               "channel": "economic", "planned": True}]  # fmt: skip
    sc = parse_scenario({"name": "month", "start": "2023-01-01", "end": "2023-06-30", "spontaneous": False,
                         "events": events}, "month.yaml")  # fmt: skip
    rows = [("m1", "2023-03-27", "USA", "CHN", "high_level_visit", "economic", "", "", "042", "high")]
    facts = derive_facts(Documented(write_timeline(tmp_path / "month.csv", rows)), sc)
    (fact,) = facts.of("meeting")
    assert (fact.id, fact.observed, fact.start, fact.window) == ("meeting.2023-03-01.economic", 1.0, ts("2023-03-01"), 30)
    held = _hand_run([(1, "2023-03-19", "USA", "CHN", "high_level_visit", "economic", None, True)], "held")
    late = _hand_run([(1, "2023-04-02", "USA", "CHN", "high_level_visit", "economic", None, True)], "late")
    assert observe(held, facts).values == {fact.id: 1.0} and observe(late, facts).values == {fact.id: 0.0}
