"""Scenario facts, month dates, planned engagements and the situation at the start: each new field
is stored as written, and each bad one stops with one line naming the file, the field and the value."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sim.core.errors import SimInputError
from sim.core.event_facts import FIELD_KINDS, NO_FACTS, EventFacts
from sim.core.scenario import DEFAULT_INTENSITY, ChannelAtStart, HostilityAtStart, with_default_intensities
from sim.core.scenario_files import load_scenario
from sim.core.vocabulary import load_vocabulary

CHANNELS = ", ".join(load_vocabulary().channels)
N_CHANNELS = len(load_vocabulary().channels)


def doc_with(*events: dict, **top) -> dict:
    """A 2023 scenario with ``events`` (each a few fields over a USA->CHN sanction on 2023-03-01)."""
    base = {"date": "2023-03-01", "sender": "USA", "receiver": "CHN", "kind": "sanction"}
    return {"name": "facts", "start": "2023-01-01", "end": "2023-12-31", "spontaneous": False,
            "events": [{**base, **e} for e in events], **top}  # fmt: skip


def error(write_scenario, doc: dict, name: str = "case.yaml") -> tuple[str, str]:
    """The one-line message loading ``doc`` gives, and the file it names."""
    path = write_scenario(doc, name)
    with pytest.raises(SimInputError) as info:
        load_scenario(str(path))
    msg = str(info.value)
    assert "\n" not in msg
    return msg, str(path.resolve())


# -- facts stored --------------------------------------------------------------------------------
def test_every_fact_is_stored_as_written(write_scenario):
    doc = doc_with(
        {"kind": "arms_sale", "receiver": "TWN", "package": "upgrade", "magnitude": 0.5, "unit": "usd_bn"},
        {"kind": "high_level_visit", "receiver": "TWN", "rank": "legislature_leader", "place": "transit"},
        {"kind": "leader_summit", "form": "state_visit", "reopens": ["defense_policy", "climate"], "launches": ["economic"]},
        {"kind": "ministerial_meeting", "launches": ["working_groups"], "rank": "cabinet", "place": "third_country"},
        {"kind": "export_control", "scope": "economy_wide"},
        {"kind": "tariff", "tariff_rate_pct": 25, "coverage_usd_bn": 34.5},
        {"kind": "interception", "incident": "shoot_down"},
        {"kind": "military_drill"},
        channels_at_start=[{"channel": "economic", "status": "absent"}, {"channel": "working_groups", "status": "absent"}],
    )  # fmt: skip
    facts = [e.facts for e in load_scenario(str(write_scenario(doc))).events]
    assert facts == [
        EventFacts(value_usd_bn=0.5, package="upgrade"),
        EventFacts(rank="legislature_leader", place="transit"),
        EventFacts(form="state_visit", reopens=("defense_policy", "climate"), launches=("economic",)),
        EventFacts(rank="cabinet", place="third_country", launches=("working_groups",)),
        EventFacts(scope="economy_wide"),
        EventFacts(tariff_rate_pct=25.0, coverage_usd_bn=34.5),
        EventFacts(incident="shoot_down"),
        NO_FACTS,
    ]
    assert isinstance(facts[5].tariff_rate_pct, float)


def test_a_value_in_usd_bn_is_the_acts_value(write_scenario):
    doc = doc_with({"kind": "arms_sale", "receiver": "TWN", "magnitude": 1.988, "unit": "usd_bn"},
                   {"kind": "arms_sale", "receiver": "TWN", "package": "sustainment"},
                   {"kind": "export_control", "magnitude": 3, "unit": "firms"})  # fmt: skip
    sale, parts, controls = load_scenario(str(write_scenario(doc))).events
    assert (sale.facts.value_usd_bn, sale.magnitude, sale.unit) == (1.988, 1.988, "usd_bn")
    assert parts.facts == EventFacts(package="sustainment") and parts.magnitude is None
    assert controls.facts == NO_FACTS and (controls.magnitude, controls.unit) == (3.0, "firms")


# -- facts refused -------------------------------------------------------------------------------
WRONG_KIND = {
    "package": "upgrade", "rank": "cabinet", "place": "transit", "form": "call", "reopens": ["defense_policy"],
    "launches": ["climate"], "scope": "named", "tariff_rate_pct": 10, "coverage_usd_bn": 5,
    "incident": "intrusion", "planned": True,
}  # fmt: skip


def test_every_fact_field_is_tested_on_a_wrong_kind():
    assert set(WRONG_KIND) == set(FIELD_KINDS)


@pytest.mark.parametrize("field", sorted(WRONG_KIND))
def test_a_fact_on_a_kind_that_cannot_state_it_is_refused(write_scenario, field):
    value = WRONG_KIND[field]
    msg, path = error(write_scenario, doc_with({}, {"kind": "military_drill", field: value}))
    kinds = ", ".join(FIELD_KINDS[field])
    assert msg == (f"{path}: events[1].{field}={value!r}: only {kinds} events state a {field} "
                   "(this event's kind: military_drill)")  # fmt: skip


@pytest.mark.parametrize(
    ("event", "field", "value", "problem"),
    [
        ({"kind": "arms_sale", "receiver": "TWN", "package": "jets"}, "package", "'jets'",
         "must be one of sustainment, upgrade, new_platform"),
        ({"kind": "arms_sale", "receiver": "TWN", "package": 3}, "package", "3",
         "must be one of sustainment, upgrade, new_platform"),
        ({"kind": "high_level_visit", "rank": "king"}, "rank", "'king'",
         "must be one of legislators, sub_cabinet, cabinet, legislature_leader, head"),
        ({"kind": "meeting_request", "channel": "climate", "place": None}, "place", "None",
         "must be one of receiver_territory, transit, third_country"),
        ({"kind": "leader_summit", "form": ["call"]}, "form", "['call']",
         "must be one of call, sideline, bilateral, state_visit"),
        ({"kind": "visa_restriction", "scope": "wide"}, "scope", "'wide'", "must be one of named, sector, economy_wide"),
        ({"kind": "surveillance_incident", "incident": "balloon"}, "incident", "'balloon'",
         "must be one of intrusion, interception, collision, shoot_down, loss_of_life"),
        ({"kind": "tariff", "tariff_rate_pct": -5}, "tariff_rate_pct", "-5", "must be a number in [0, 1000]"),
        ({"kind": "tariff", "tariff_rate_pct": "25%"}, "tariff_rate_pct", "'25%'", "must be a number in [0, 1000]"),
        ({"kind": "tariff", "coverage_usd_bn": 2e5}, "coverage_usd_bn", "200000.0", "must be a number in [0, 100000]"),
        ({"kind": "tariff", "coverage_usd_bn": True}, "coverage_usd_bn", "True", "must be a number in [0, 100000]"),
        ({"kind": "leader_summit", "reopens": "defense_policy"}, "reopens", "'defense_policy'",
         f"must be a list of channels (known: {CHANNELS})"),
        ({"kind": "leader_summit", "reopens": ["backchannel"]}, "reopens[0]", "'backchannel'",
         f"unknown channel (known: {CHANNELS})"),
        ({"kind": "leader_summit", "reopens": ["defense_policy", "climate", "defense_policy"]}, "reopens[2]", "'defense_policy'",
         "is named twice (also events[0].reopens[0])"),
        ({"kind": "leader_summit", "reopens": ["defense_policy"] * (N_CHANNELS + 1)}, "reopens",
         repr(["defense_policy"] * (N_CHANNELS + 1))[:80] + f"... ({N_CHANNELS + 1} items)",  # a long value is cut
         f"names at most the {N_CHANNELS} channels, each once"),
        ({"kind": "high_level_visit", "launches": [None]}, "launches[0]", "None", f"unknown channel (known: {CHANNELS})"),
        ({"kind": "leader_summit", "reopens": ["climate"], "launches": ["climate"]}, "launches", "['climate']",
         "channel climate cannot be both reopened and founded by one event"),
        ({"kind": "arms_sale", "receiver": "TWN", "magnitude": 1.1, "unit": "usd_m"}, "unit", "'usd_m'",
         "an arms_sale's magnitude is its value: unit must be usd_bn (billions of US dollars)"),
        ({"kind": "arms_sale", "receiver": "TWN", "magnitude": 1.1}, "unit", "None",
         "an arms_sale's magnitude is its value: unit must be usd_bn (billions of US dollars)"),
        ({"kind": "arms_sale", "receiver": "TWN", "magnitude": 0, "unit": "usd_bn"}, "magnitude", "0",
         "an arms sale's value must be above 0"),
        ({"kind": "high_level_visit", "planned": "yes"}, "planned", "'yes'", "must be true or false"),
        ({"kind": "high_level_visit", "receiver": "TWN", "planned": True}, "planned", "True",
         "a planned high_level_visit must be between the governments USA and CHN (receiver is TWN)"),
        ({"kind": "ministerial_meeting", "sender": "JPN", "planned": True}, "planned", "True",
         "a planned ministerial_meeting must be between the governments USA and CHN (sender is JPN)"),
        ({"intensity": 0}, "intensity", "0", "must be a number in [0.01, 10]"),
        ({"intensity": None}, "intensity", "None", "must be a number in [0.01, 10]"),
    ],
)  # fmt: skip
def test_a_bad_fact_names_file_field_and_value(write_scenario, event, field, value, problem):
    msg, path = error(write_scenario, doc_with(event))
    assert msg == f"{path}: events[0].{field}={value}: {problem}"


def test_a_channel_founded_must_be_absent_at_the_start_and_founded_once(write_scenario):
    summit = {"kind": "leader_summit", "launches": ["climate"]}
    msg, path = error(write_scenario, doc_with(summit))
    assert msg == (f"{path}: events[0].launches[0]='climate': founds a channel that exists at the start "
                   "(list it in channels_at_start with status absent)")  # fmt: skip
    absent = [{"channel": "climate", "status": "absent"}]
    twice = doc_with(summit, {"kind": "ministerial_meeting", "date": "2023-02-01", "launches": ["climate"]},
                     channels_at_start=absent)  # fmt: skip
    msg, path = error(write_scenario, twice)
    assert msg == f"{path}: events[1].launches[0]='climate': founds a channel events[0] founds already"
    sc = load_scenario(str(write_scenario(doc_with(summit, channels_at_start=absent))))
    assert sc.events[0].facts.launches == ("climate",)


# -- intensity: an optional override -------------------------------------------------------------
def test_intensity_is_optional_and_an_override(write_scenario):
    sc = load_scenario(str(write_scenario(doc_with({}, {"intensity": 2.5}, {"intensity": 1}))))
    assert [e.intensity for e in sc.events] == [None, 2.5, 1.0]
    assert sc.overrides == sc.events[1:]
    default = with_default_intensities(sc)
    assert [e.intensity for e in default.events] == [DEFAULT_INTENSITY] * 3 == [1.0] * 3
    assert default.overrides == default.events
    assert [dataclasses.replace(e, intensity=None) for e in default.events] == [
        dataclasses.replace(e, intensity=None) for e in sc.events]  # fmt: skip


# -- dates known to the month --------------------------------------------------------------------
def test_a_month_date_stands_on_the_first_day_of_its_month(write_scenario):
    doc = doc_with({"date": "2023-05-20", "kind": "export_control"}, {"date": "2023-05"}, {"date": "2023-02-03"})
    sc = load_scenario(str(write_scenario(doc)))
    assert [(e.date, e.precision, e.kind) for e in sc.events] == [
        (dt.date(2023, 2, 3), "day", "sanction"),
        (dt.date(2023, 5, 1), "month", "sanction"),
        (dt.date(2023, 5, 20), "day", "export_control"),
    ]


@pytest.mark.parametrize(
    ("date", "value", "problem"),
    [
        ("2023-13", "'2023-13'", "must be a date written YYYY-MM-DD, YYYY-MM for a month, or YYYY-MM-DD..YYYY-MM-DD for a span"),
        ("2023-00", "'2023-00'", "must be a date written YYYY-MM-DD, YYYY-MM for a month, or YYYY-MM-DD..YYYY-MM-DD for a span"),
        ("2023-5", "'2023-5'", "must be a date written YYYY-MM-DD, YYYY-MM for a month, or YYYY-MM-DD..YYYY-MM-DD for a span"),
        ("May 2023", "'May 2023'", "must be a date written YYYY-MM-DD, YYYY-MM for a month, or YYYY-MM-DD..YYYY-MM-DD for a span"),
        ("2023-02-30", "'2023-02-30'", "must be a date written YYYY-MM-DD, YYYY-MM for a month, or YYYY-MM-DD..YYYY-MM-DD for a span"),
        ("2022-12", "'2022-12'", "is outside the scenario's dates 2023-01-01..2023-06-30 (its first possible day, 2022-12-01)"),
        ("2023-07", "'2023-07'", "is outside the scenario's dates 2023-01-01..2023-06-30 (its first possible day, 2023-07-01)"),
        ("2023-07-01", "'2023-07-01'", "is outside the scenario's dates 2023-01-01..2023-06-30"),
        ("2023-03-10..2023-03-01", "'2023-03-10..2023-03-01'", "a span must end after it begins and last at most a year"),
        ("2023-01-01..2024-06-01", "'2023-01-01..2024-06-01'", "a span must end after it begins and last at most a year"),
        ("2023-03-01..late March", "'2023-03-01..late March'", "must be a date written YYYY-MM-DD, YYYY-MM for a month, or YYYY-MM-DD..YYYY-MM-DD for a span"),
        ("2023-07-01..2023-07-09", "'2023-07-01..2023-07-09'", "is outside the scenario's dates 2023-01-01..2023-06-30 (its first possible day, 2023-07-01)"),
    ],
)  # fmt: skip
def test_a_bad_date_names_file_field_and_value(write_scenario, date, value, problem):
    msg, path = error(write_scenario, doc_with({"date": date}, end="2023-06-30"))
    assert msg == f"{path}: events[0].date={value}: {problem}"


def test_a_month_date_may_start_a_month_the_scenario_ends_within(write_scenario):
    sc = load_scenario(str(write_scenario(doc_with({"date": "2023-06"}, end="2023-06-10"))))
    assert (sc.events[0].date, sc.events[0].precision) == (dt.date(2023, 6, 1), "month")


def test_a_span_stands_on_its_first_day_and_keeps_its_last(write_scenario):
    sc = load_scenario(str(write_scenario(doc_with({"date": "2023-03-21..2023-03-31"}, {"date": "2023-04"},
                                                   {"date": "2023-05-02"}))))  # fmt: skip
    spans = [(e.date, e.precision, e.latest) for e in sc.events]
    assert spans == [(dt.date(2023, 3, 21), "span", dt.date(2023, 3, 31)), (dt.date(2023, 4, 1), "month", dt.date(2023, 4, 30)),
                     (dt.date(2023, 5, 2), "day", dt.date(2023, 5, 2))]  # fmt: skip


def test_only_an_engagement_between_the_governments_founds_a_channel(write_scenario):
    doc = doc_with({"kind": "high_level_visit", "receiver": "TWN", "launches": ["climate"]},
                   channels_at_start=[{"channel": "climate", "status": "absent"}])  # fmt: skip
    msg, path = error(write_scenario, doc)
    assert msg == (f"{path}: events[0].launches=['climate']: only an engagement between the governments USA and CHN "
                   "founds a channel (USA->TWN does not)")  # fmt: skip


def test_start_and_end_stay_days(write_scenario):
    msg, path = error(write_scenario, doc_with(start="2023-01"))
    assert msg == f"{path}: start='2023-01': must be a date written YYYY-MM-DD"


# -- planned engagements -------------------------------------------------------------------------
def test_planned_engagements_between_the_governments(write_scenario):
    doc = doc_with({"kind": "high_level_visit", "planned": True, "rank": "cabinet"},
                   {"kind": "ministerial_meeting", "sender": "CHN", "receiver": "USA", "planned": True},
                   {"kind": "high_level_visit", "receiver": "TWN", "planned": False},
                   {"kind": "high_level_visit"})  # fmt: skip
    sc = load_scenario(str(write_scenario(doc)))
    assert [e.planned for e in sc.events] == [True, True, False, False]
    assert sc.events[0].facts == EventFacts(rank="cabinet")


# -- the situation at the start ------------------------------------------------------------------
def test_the_situation_at_the_start_is_stored(write_scenario):
    doc = doc_with(
        channels_at_start=[{"channel": "defense_policy", "status": "suspended", "by": "CHN", "source": "MFA 2022-08-05"},
                           {"channel": "economic", "status": "absent"}],
        hostility_at_start=[{"holder": "CHN", "towards": "USA", "area": "security", "value": 0.6, "source": "s"},
                            {"holder": "CHN", "towards": "USA", "area": "economy", "value": 0},
                            {"holder": "USA", "towards": "TWN", "area": "diplomacy", "value": 1}],
    )  # fmt: skip
    sc = load_scenario(str(write_scenario(doc)))
    assert sc.channels_at_start == (ChannelAtStart("defense_policy", "suspended", "CHN", "MFA 2022-08-05"),
                                    ChannelAtStart("economic", "absent", ""))  # fmt: skip
    assert sc.hostility_at_start == (HostilityAtStart("CHN", "USA", "security", 0.6, "s"),
                                     HostilityAtStart("CHN", "USA", "economy", 0.0),
                                     HostilityAtStart("USA", "TWN", "diplomacy", 1.0))  # fmt: skip
    plain = load_scenario(str(write_scenario(doc_with({}), "plain.yaml")))
    assert (plain.channels_at_start, plain.hostility_at_start) == ((), ())


SUSPENDED = {"channel": "defense_policy", "status": "suspended", "by": "CHN"}
GRIEVANCE = {"holder": "CHN", "towards": "USA", "area": "security", "value": 0.5}


@pytest.mark.parametrize(
    ("top", "field", "value", "problem"),
    [
        ({"channels_at_start": {"defense_policy": "suspended"}}, "channels_at_start", "{'defense_policy': 'suspended'}", "must be a list"),
        ({"channels_at_start": ["defense_policy"]}, "channels_at_start[0]", "'defense_policy'",
         "must be a mapping {channel, status, by, source}"),
        ({"channels_at_start": [{**SUSPENDED, "since": "2022-08-05"}]}, "channels_at_start[0].since", "'2022-08-05'",
         "unknown field (allowed: by, channel, source, status)"),
        ({"channels_at_start": [{**SUSPENDED, "channel": "hotline"}]}, "channels_at_start[0].channel", "'hotline'",
         f"unknown channel (known: {CHANNELS})"),
        ({"channels_at_start": [{**SUSPENDED, "status": "closed"}]}, "channels_at_start[0].status", "'closed'",
         "must be one of suspended, absent"),
        ({"channels_at_start": [{"channel": "defense_policy", "status": "suspended"}]}, "channels_at_start[0].by", "None",
         "must be one of the governments (USA, CHN)"),
        ({"channels_at_start": [{**SUSPENDED, "by": "TWN"}]}, "channels_at_start[0].by", "'TWN'",
         "must be one of the governments (USA, CHN)"),
        ({"channels_at_start": [{"channel": "defense_policy", "status": "absent", "by": "CHN"}]}, "channels_at_start[0].by",
         "'CHN'", "only a suspended channel names who suspended it"),
        ({"channels_at_start": [SUSPENDED, {"channel": "defense_policy", "status": "absent"}]},
         "channels_at_start[1].channel", "'defense_policy'", "is listed twice (also channels_at_start[0])"),
        ({"channels_at_start": [SUSPENDED] * (N_CHANNELS + 1)}, "channels_at_start", f"'{N_CHANNELS + 1} entries'",
         f"lists at most the {N_CHANNELS} channels, each once"),
        ({"hostility_at_start": GRIEVANCE}, "hostility_at_start", repr(GRIEVANCE), "must be a list"),
        ({"hostility_at_start": [0.5]}, "hostility_at_start[0]", "0.5",
         "must be a mapping {holder, towards, area, value, source}"),
        ({"hostility_at_start": [{**GRIEVANCE, "date": "2023-01-01"}]}, "hostility_at_start[0].date", "'2023-01-01'",
         "unknown field (allowed: area, holder, source, towards, value)"),
        ({"hostility_at_start": [{**GRIEVANCE, "holder": "TWN"}]}, "hostility_at_start[0].holder", "'TWN'",
         "must be one of the governments (USA, CHN)"),
        ({"hostility_at_start": [{**GRIEVANCE, "towards": "PRK"}]}, "hostility_at_start[0].towards", "'PRK'",
         "unknown actor (known: USA, CHN, TWN, JPN, PHL, AUS, ASN)"),
        ({"hostility_at_start": [{**GRIEVANCE, "towards": "CHN"}]}, "hostility_at_start[0].towards", "'CHN'",
         "a government holds no grievance towards itself"),
        ({"hostility_at_start": [{**GRIEVANCE, "area": "trade"}]}, "hostility_at_start[0].area", "'trade'",
         "must be one of the issue areas security, economy, diplomacy"),
        ({"hostility_at_start": [{**GRIEVANCE, "area": "all"}]}, "hostility_at_start[0].area", "'all'",
         "must be one of the issue areas security, economy, diplomacy"),
        ({"hostility_at_start": [{**GRIEVANCE, "value": 1.5}]}, "hostility_at_start[0].value", "1.5",
         "must be a number in [0, 1]"),
        ({"hostility_at_start": [{k: v for k, v in GRIEVANCE.items() if k != "value"}]}, "hostility_at_start[0].value",
         "None", "must be a number in [0, 1]"),
        ({"hostility_at_start": [GRIEVANCE, {**GRIEVANCE, "value": 0.1}]}, "hostility_at_start[1]",
         "{'holder': 'CHN', 'towards': 'USA', 'area': 'security'}", "is listed twice (also hostility_at_start[0])"),
        ({"hostility_at_start": [GRIEVANCE] * 37}, "hostility_at_start", "'37 entries'",
         "lists at most 36 grievances (one per holder, actor and area)"),
    ],
)  # fmt: skip
def test_a_bad_situation_at_the_start_names_file_field_and_value(write_scenario, top, field, value, problem):
    msg, path = error(write_scenario, doc_with(**top))
    assert msg == f"{path}: {field}={value}: {problem}"


# -- derived scenarios ---------------------------------------------------------------------------
def _base() -> dict:
    return doc_with(
        {"kind": "leader_summit", "date": "2023-06", "launches": ["economic"]},
        {"kind": "high_level_visit", "date": "2023-06-01"},
        channels_at_start=[SUSPENDED, {"channel": "economic", "status": "absent"},
                           {"channel": "climate", "status": "absent"}],
        hostility_at_start=[GRIEVANCE],
    )  # fmt: skip


def test_a_derived_scenario_keeps_its_bases_situation_at_the_start(write_scenario):
    base_path = write_scenario(_base(), "base.yaml")
    added = {"date": "2023-09", "sender": "USA", "receiver": "CHN", "kind": "ministerial_meeting",
             "launches": ["climate"], "planned": True}  # fmt: skip
    path = write_scenario({"base": "base.yaml", "remove": [{"date": "2023-06", "kind": "leader_summit"}],
                           "add": [added]}, "cf.yaml")  # fmt: skip
    base, cf = load_scenario(str(base_path)), load_scenario(str(path))
    assert (cf.channels_at_start, cf.hostility_at_start) == (base.channels_at_start, base.hostility_at_start)
    assert cf.channels_at_start[0] == ChannelAtStart("defense_policy", "suspended", "CHN")
    assert [(e.kind, e.date, e.precision) for e in cf.events] == [
        ("high_level_visit", dt.date(2023, 6, 1), "day"),
        ("ministerial_meeting", dt.date(2023, 9, 1), "month"),
    ]
    assert cf.events[1].planned and cf.events[1].facts.launches == ("climate",)


@pytest.mark.parametrize(
    ("derived", "field", "value", "problem"),
    [
        ({"remove": [{"date": "2023-06", "kind": "high_level_visit"}, {"date": "2023-06-01", "kind": "high_level_visit"}]},
         "remove[1]", "{'date': '2023-06-01', 'kind': 'high_level_visit'}", "removes the same event as remove[0]"),
        ({"remove": [{"date": "2023-13", "kind": "leader_summit"}]}, "remove[0].date", "'2023-13'",
         "must be a date written YYYY-MM-DD, YYYY-MM for a month, or YYYY-MM-DD..YYYY-MM-DD for a span"),
        ({"add": [{"date": "2023-09-01", "sender": "USA", "receiver": "CHN", "kind": "leader_summit",
                   "launches": ["economic"]}]}, "add[0].launches[0]", "'economic'",
         "founds a channel the base's events[0] founds already"),
        ({"add": [{"date": "2023-09-01", "sender": "USA", "receiver": "CHN", "kind": "leader_summit",
                   "launches": ["defense_policy"]}]}, "add[0].launches[0]", "'defense_policy'",
         "founds a channel that exists at the start (list it in channels_at_start with status absent)"),
        ({"add": [{"date": "2023-09", "sender": "USA", "receiver": "CHN", "kind": "arms_sale", "package": "big"}]},
         "add[0].package", "'big'", "must be one of sustainment, upgrade, new_platform"),
        ({"channels_at_start": []}, "channels_at_start", "[]",
         ("unknown field in a scenario with a base, which takes its dates, posts and events from the base, "
          "and its channels and hostility at the start (allowed: add, base, description, name, remove)")),
    ],
)  # fmt: skip
def test_a_bad_derived_scenario_names_file_field_and_value(write_scenario, derived, field, value, problem):
    write_scenario(_base(), "base.yaml")
    msg, path = error(write_scenario, {"base": "base.yaml", **derived}, "cf.yaml")
    assert msg == f"{path}: {field}={value}: {problem}"
