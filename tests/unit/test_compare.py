"""Comparing runs with the documented timeline (sim.history.compare).

Hand-made runs against a tiny hand-made timeline give every lag, status
match, thaw length, order flag, check and the fit score a value computed by
hand below; real runs check the default model fits better than a null model;
the command line is run on real run folders and on bad input.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import run
from sim.core.errors import SimInputError
from sim.core.vocabulary import AREAS, load_vocabulary
from sim.history.compare import (
    FIT_WEIGHTS,
    LAG_SCALE_DAYS,
    THAW_SCALE_DAYS,
    Documented,
    Run,
    assess,
    compare_runs,
    declare_checks,
    find_runs,
    format_report,
    main,
    read_run,
    simulated_lag,
    summarize_comparison,
)
from sim.history.targets import LagMeasure, Tenure, Trigger, lag_measures
from sim.history.timeline import load_timeline
from sim.outputs import columns
from sim.outputs.nulls import with_nulls
from sim.outputs.tables import EVENT_COLUMNS, STATUS_DTYPE
from tests.conftest import REPO
from tests.unit.test_targets import make_timeline

START = np.datetime64("2022-08-01", "D")
CHANNELS = ("defense_policy", "defense_ministers", "climate", "working_groups")
NULL_MODEL = ["rules/retaliation@governments.CHN.retaliation=none", "rules/thaw@governments.CHN.thaw=none"]
E1 = math.exp(-1 / LAG_SCALE_DAYS)  # score of a lag off by one day
SUMMIT = "pelosi_summit_2022-08-10"  # the hand-made thaw summit, named from its episode tag and date
REFUSAL = "check.nasams_refuses_defense_ministers_on_its_day"
TENURE = "check.lishangfu_defense_ministers_shut_in_tenure"

LAG_MEASURES = lag_measures(load_timeline())  # the shipped timeline's measures


# -- hand-made tables ------------------------------------------------------------------------------


def make_events(rows) -> pd.DataFrame:
    """An events table as ``sim.outputs.tables.events_frame`` makes it, from
    ``(id, step, sender, receiver, kind, channel, cause, scripted)`` rows (cause None: no cause)."""
    kinds = load_vocabulary().kinds
    ids, steps, senders, receivers, kk, channels, causes, scripted = (list(c) for c in zip(*rows)) if rows else [[]] * 8
    step = np.array(steps, dtype=np.int64)
    return with_nulls(pd.DataFrame(  # "" and NaN below: no value, null as in events_frame
        {
            "id": np.array(ids, dtype=np.int64),
            "date": (START + step).astype("datetime64[ns]"),
            "step": step,
            "sender": senders,
            "receiver": receivers,
            "kind": kk,
            "channel": channels,
            "intensity": np.ones(len(rows)),
            "cameo_code": [kinds[k].cameo_code for k in kk],
            "goldstein": np.array([kinds[k].goldstein for k in kk], dtype=float),
            "cause": pd.array(causes, dtype="Int64"),
            "scripted": np.array(scripted, dtype=bool),
            "note": [""] * len(rows),
            "host": [""] * len(rows),
            "magnitude": np.full(len(rows), np.nan),
            "unit": [""] * len(rows),
            "facts": [""] * len(rows),  # no facts stated: weighed as a typical act
            "intensity_override": np.zeros(len(rows), dtype=bool),
        },
        columns=list(EVENT_COLUMNS),
    ))


def make_steps(n: int, suspended: dict[str, list[tuple[int, int]]]) -> pd.DataFrame:
    """A steps table of ``n`` days from START; ``suspended[channel]`` lists [first, end) step ranges.
    Hostility is held per issue area, its aggregate the maximum over them; no channel is ever absent."""
    days = np.arange(n)
    cols: dict[str, object] = {"step": days, "date": (START + days).astype("datetime64[ns]"), "tension_USA_CHN": 0.1}
    for a, b in (("USA", "CHN"), ("CHN", "USA")):
        cols[columns.hostility(a, b)] = 0.1
        for area in AREAS:
            cols[columns.hostility(a, b, area)] = 0.1
    status = STATUS_DTYPE
    for c in CHANNELS:
        susp = np.zeros(n, dtype=np.int8)
        for a, b in suspended.get(c, ()):
            susp[a:b] = 1
        cols[f"channel_USA_CHN_{c}"] = pd.Categorical.from_codes(susp, dtype=status)
    return pd.DataFrame(cols)


# The documented side: Pelosi (trigger 08-02) and NASAMS (trigger 08-08) episodes, one thaw summit (08-10).
TIMELINE = [
    ("2022-08-02", "USA", "TWN", "high_level_visit", "high_level_diplomacy", "E2022_PELOSI", "trigger"),
    ("2022-08-03", "CHN", "USA", "rhetoric_condemnation", "", "E2022_PELOSI", "response"),  # first response: 1
    ("2022-08-04", "CHN", "USA", "channel_suspension", "defense_policy", "E2022_PELOSI", "response"),  # 2
    ("2022-08-04", "CHN", "USA", "channel_suspension", "climate", "E2022_PELOSI", "response"),  # 2
    ("2022-08-05", "CHN", "USA", "channel_suspension", "working_groups", "E2022_PELOSI", "response"),  # 3
    ("2022-08-08", "USA", "TWN", "arms_sale", "", "E2024_NASAMS", "trigger"),
    ("2022-08-09", "CHN", "USA", "rhetoric_condemnation", "", "E2024_NASAMS", "response"),  # first response: 1
    ("2022-08-10", "USA", "CHN", "leader_summit", "high_level_diplomacy", "E2022_PELOSI", "thaw"),
    ("2022-08-12", "CHN", "USA", "channel_resumption", "climate", "E2022_PELOSI", "thaw"),
    ("2022-08-16", "CHN", "USA", "channel_resumption", "defense_policy", "E2022_PELOSI", "thaw"),
    ("2022-08-18", "CHN", "USA", "meeting_rejection", "defense_ministers", "E2024_NASAMS", "response"),  # 10
    ("2022-08-18", "USA", "CHN", "working_group", "working_groups"),
]
# Documented spells: climate 08-04..08-12 (8 days), defense_policy 08-04..08-16 (12 days), working_groups
# 08-05..08-18 (13 days); the refusal starts none (no resumption follows). Compared days: 08-02..08-18 =
# steps 1..17.

# The simulated side: 20 days from 2022-08-01 (step 0).
EVENTS = [
    (0, 1, "USA", "TWN", "high_level_visit", "high_level_diplomacy", None, True),  # Pelosi trigger, t0 = 1
    (1, 2, "CHN", "TWN", "military_drill", "", None, False),  # not descending from the trigger
    (2, 2, "USA", "CHN", "rhetoric_condemnation", "", 0, False),
    (3, 3, "CHN", "USA", "rhetoric_condemnation", "", 2, False),  # grandchild: first response, lag 2
    (4, 3, "CHN", "USA", "channel_suspension", "climate", 0, False),  # lag 2
    (5, 4, "CHN", "USA", "channel_suspension", "defense_policy", 3, False),  # lag 3; no working_groups suspension
    (6, 7, "USA", "TWN", "arms_sale", "", None, True),  # NASAMS trigger, t0 = 7
    (7, 7, "CHN", "USA", "rhetoric_condemnation", "", 6, False),  # lag 0
    (8, 9, "USA", "CHN", "leader_summit", "high_level_diplomacy", None, True),
    (9, 17, "USA", "CHN", "meeting_request", "defense_ministers", None, True),  # on the documented refusal day
    (10, 17, "CHN", "USA", "meeting_rejection", "defense_ministers", 9, False),  # lag 10
]
STATUS = {"defense_policy": [(4, 14)], "climate": [(3, 13)]}  # simulated spells: both 10 days long

# Every value of the case, by hand.
LAGS = {
    "pelosi_first_response": (2.0, 1.0),
    "pelosi_suspends_defense_policy": (3.0, 2.0),
    "pelosi_suspends_climate": (2.0, 2.0),
    "pelosi_suspends_working_groups": (None, 3.0),
    "nasams_first_response": (0.0, 1.0),
    "nasams_refuses_defense_ministers": (10.0, 10.0),
}
SCORE_LAGS = (E1 + E1 + 1 + 0 + E1 + 1) / 6  # the missing working_groups suspension scores 0
STATUS_MATCH = {"defense_policy": 15 / 17, "climate": 15 / 17, "working_groups": 4 / 17, "defense_ministers": 1.0}
SCORE_STATUS = 51 / 68
SCORE_THAW = (math.exp(-2 / THAW_SCALE_DAYS) * 2 + 0) / 3  # climate and defense_policy 2 days off; no working_groups spell
FIT = 0.4 * SCORE_LAGS + 0.3 * SCORE_STATUS + 0.2 * SCORE_THAW + 0.1 * 1.0


@pytest.fixture(scope="module")
def doc() -> Documented:
    return Documented(make_timeline(TIMELINE))


def case(events=EVENTS, status=STATUS, n: int = 20, label: str = "case") -> Run:
    """A run of ``n`` days (events after its last day dropped, as a shorter run would not have them)."""
    return Run(make_events([e for e in events if e[1] < n]), make_steps(n, status), label)


def without(ids, events=EVENTS):
    return [e for e in events if e[0] not in ids]


# -- the hand-made tables look like real ones --------------------------------------------------------


def test_hand_made_tables_have_the_real_columns_and_dtypes(historical):
    ev, st = make_events(EVENTS), make_steps(20, STATUS)
    assert list(ev.columns) == list(historical.events.columns)
    assert ev.dtypes.to_dict() == historical.events.dtypes.to_dict()
    for c in CHANNELS:
        assert st[f"channel_USA_CHN_{c}"].dtype == historical.steps[f"channel_USA_CHN_{c}"].dtype
        assert list(st[f"channel_USA_CHN_{c}"].cat.categories) == ["open", "suspended", "absent"]
    pair = {("USA", "CHN"), ("CHN", "USA")}
    hostility = [c for c in historical.steps.columns if c.startswith("hostility_") and columns.parse(c).actors in pair]
    assert len(hostility) == 2 * (1 + len(AREAS))  # the aggregate and each area, both ways
    assert [c for c in st.columns if c.startswith("hostility_")] == hostility
    assert st[hostility].dtypes.eq(historical.steps[hostility].dtypes).all()
    assert st["date"].dtype == historical.steps["date"].dtype
    assert st["step"].dtype == historical.steps["step"].dtype


def test_documented_targets_of_the_hand_made_timeline(doc):
    # The measures come from the timeline: its two triggers, China's responses and the channels it suspended or
    # refused, in that order (no balloon or Li Shangfu measure: the timeline has no such episode).
    assert [m.name for m in doc.measures] == list(LAGS)
    assert {m.name: doc.lags[m.name] for m in doc.measures} == {k: v[1] for k, v in LAGS.items()}
    assert [(s.channel, str(s.start.date()), s.end and str(s.end.date())) for s in doc.spells] == [
        ("climate", "2022-08-04", "2022-08-12"),
        ("defense_policy", "2022-08-04", "2022-08-16"),
        ("working_groups", "2022-08-05", "2022-08-18"),
    ]
    assert [(s.date, s.episode, s.name) for s in doc.summits] == [(pd.Timestamp("2022-08-10"), "E2022_PELOSI", SUMMIT)]
    assert doc.period == (pd.Timestamp("2022-08-02"), pd.Timestamp("2022-08-18"))
    assert doc.tenures == []  # no sanctioned official documented


# -- one hand-made run, every value ----------------------------------------------------------------


def test_every_value_of_the_hand_made_run(doc):
    out = assess(case(), doc)
    assert out["run"] == "case"
    for name, (sim, docd) in LAGS.items():
        assert out[f"lag.{name}.sim"] == sim, name
        assert out[f"lag.{name}.doc"] == docd, name
    for c, match in STATUS_MATCH.items():
        assert out[f"status.{c}"] == pytest.approx(match), c
    thaw = {k: v for k, v in out.items() if k.startswith("thaw.")}
    assert thaw == {
        "thaw.climate.2022-08-04.doc": 8.0, "thaw.climate.2022-08-04.sim": 10.0,
        "thaw.defense_policy.2022-08-04.doc": 12.0, "thaw.defense_policy.2022-08-04.sim": 10.0,
        "thaw.working_groups.2022-08-05.doc": 13.0, "thaw.working_groups.2022-08-05.sim": None,
    }  # fmt: skip
    assert out[f"order.{SUMMIT}"] is True
    assert [k for k in out if k.startswith("order.")] == [f"order.{SUMMIT}"]  # the timeline has one thaw summit
    assert out["score.lags"] == pytest.approx(SCORE_LAGS)
    assert out["score.status"] == pytest.approx(SCORE_STATUS)
    assert out["score.thaw"] == pytest.approx(SCORE_THAW)
    assert out["score.order"] == 1.0
    assert out["fit"] == pytest.approx(FIT)
    assert {k: v for k, v in out.items() if k.startswith("check.")} == {
        "check.pelosi_answered_within_3d": True,
        "check.nasams_answered_within_3d": True,
        "check.pelosi_suspends_defense_policy_within_7d": True,
        "check.pelosi_suspends_climate_within_7d": True,
        "check.pelosi_suspends_working_groups_within_7d": False,  # never suspended in the run
        REFUSAL: True,
        f"check.{SUMMIT}_civilian_before_military": True,
    }  # no balloon episode, no second summit, no sanctioned official in the timeline: no check for them
    assert [c.name for c in declare_checks(doc)] == [k.removeprefix("check.") for k in out if k.startswith("check.")]


def test_fit_weights_sum_to_one():
    assert sum(FIT_WEIGHTS.values()) == pytest.approx(1.0)
    assert set(FIT_WEIGHTS) == {"lags", "status", "thaw", "order"}


def test_first_response_follows_cause_links(doc):
    ev = make_events(EVENTS)
    m = next(m for m in doc.measures if m.name == "pelosi_first_response")
    assert simulated_lag(ev, doc.triggers["E2022_PELOSI"], m) == 2.0
    # Without the direct child (the climate suspension), the grandchild still answers the same day.
    cut = [(*e[:6], None, e[7]) if e[0] == 4 else e for e in EVENTS]
    assert simulated_lag(make_events(cut), doc.triggers["E2022_PELOSI"], m) == 2.0
    # With the grandchild a US signal, the great-grandchild (defense_policy suspension, day 4) is the first answer.
    cut = [(e[0], e[1], "USA", "CHN", *e[4:]) if e[0] == 3 else e for e in cut]
    assert simulated_lag(make_events(cut), doc.triggers["E2022_PELOSI"], m) == 3.0
    # With the links cut, nothing descends from the trigger; the unlinked drill on day 1 never counted.
    cut = [(*e[:6], None, e[7]) if e[0] in (3, 4) else e for e in EVENTS]
    assert simulated_lag(make_events(cut), doc.triggers["E2022_PELOSI"], m) is None
    # A scripted Chinese descendant does not count as China's answer.
    scripted = [(*e[:7], True) if e[0] in (3, 4, 5) else e for e in EVENTS]
    assert simulated_lag(make_events(scripted), doc.triggers["E2022_PELOSI"], m) is None


def test_suspension_and_refusal_lags_count_only_inside_the_window(doc):
    trig = doc.triggers["E2022_PELOSI"]  # 2022-08-02, step 1 below
    m = LagMeasure("x", "E2022_PELOSI", "suspension", "climate", window_days=60)
    base = [(0, 1, "USA", "TWN", "high_level_visit", "high_level_diplomacy", None, True)]

    def lag(*rows):
        return simulated_lag(make_events(base + list(rows)), trig, m)

    susp = ("CHN", "USA", "channel_suspension", "climate", None, False)
    assert lag((1, 61, *susp)) == 60.0  # the window's last day counts
    assert lag((1, 62, *susp)) is None  # one day after it does not
    assert lag((1, 0, *susp)) is None  # nor does one before the trigger
    assert lag((1, 62, *susp), (2, 30, *susp)) == 29.0
    # Suspensions need not descend from the trigger, but must be China's, decided, and of that channel.
    assert lag((1, 5, "USA", "CHN", "channel_suspension", "climate", 0, False)) is None
    assert lag((1, 5, "CHN", "USA", "channel_suspension", "climate", None, True)) is None
    assert lag((1, 5, "CHN", "USA", "channel_suspension", "defense_policy", 0, False)) is None
    refusal = LagMeasure("y", "E2022_PELOSI", "refusal", "defense_ministers", window_days=10)
    rej = ("CHN", "USA", "meeting_rejection", "defense_ministers", None, False)
    assert simulated_lag(make_events(base + [(1, 11, *rej)]), trig, refusal) == 10.0
    assert simulated_lag(make_events(base + [(1, 12, *rej)]), trig, refusal) is None
    # The trigger must be scripted, on the documented day, of the documented kind and sender.
    assert simulated_lag(make_events([(0, 2, *base[0][2:])] + [(1, 5, *susp)]), trig, m) is None
    assert simulated_lag(make_events([(*base[0][:7], False), (1, 5, *susp)]), trig, m) is None


def test_a_suspension_outside_the_window_in_a_full_run_scores_zero(doc):
    # The climate suspension moved 70 days after the Pelosi trigger (beyond its 60-day window).
    events = [(*e[:1], 71, *e[2:]) if e[0] == 4 else e for e in EVENTS]
    out = assess(case(events, n=80), doc)
    assert out["lag.pelosi_suspends_climate.sim"] is None
    assert out["score.lags"] == pytest.approx((E1 + E1 + 0 + 0 + E1 + 1) / 6)


def test_a_missing_response_scores_zero_and_fails_its_check(doc):
    out = assess(case(without({5})), doc)  # no defense_policy suspension
    assert out["lag.pelosi_suspends_defense_policy.sim"] is None
    assert out["check.pelosi_suspends_defense_policy_within_7d"] is False
    assert out["score.lags"] == pytest.approx((E1 + 0 + 1 + 0 + E1 + 1) / 6)
    assert out["fit"] == pytest.approx(0.4 * out["score.lags"] + 0.3 * SCORE_STATUS + 0.2 * SCORE_THAW + 0.1)


def test_a_run_without_a_trigger_leaves_its_lags_and_checks_none(doc):
    out = assess(case(without({6, 7})), doc)  # no NASAMS sale scripted
    assert out["lag.nasams_first_response.sim"] is None
    assert out["lag.nasams_refuses_defense_ministers.sim"] is None  # the rejection is there, the trigger is not
    assert out["lag.nasams_first_response.doc"] == 1.0
    assert out["check.nasams_answered_within_3d"] is None
    # Not scored, rather than scored 0.
    assert out["score.lags"] == pytest.approx((E1 + E1 + 1 + 0) / 4)
    # No scripted trigger at all: no lag score, and the fit is the weighted mean of the rest.
    out = assess(case(without({0, 6, 7})), doc)
    assert all(out[f"lag.{m.name}.sim"] is None for m in doc.measures)
    assert out["score.lags"] is None
    assert out["check.pelosi_answered_within_3d"] is None and out["check.pelosi_suspends_defense_policy_within_7d"] is None
    assert out["fit"] == pytest.approx((0.3 * SCORE_STATUS + 0.2 * SCORE_THAW + 0.1) / 0.6)


def test_a_lag_too_long_fails_its_3_day_check(doc):
    events = [(*e[:1], 5, *e[2:]) if e[0] in (3, 4) else e for e in EVENTS]  # Pelosi answered on day 4
    events = [(*e[:1], 6, *e[2:]) if e[0] == 5 else e for e in events]
    out = assess(case(events), doc)
    assert out["lag.pelosi_first_response.sim"] == 4.0
    assert out["check.pelosi_answered_within_3d"] is False
    assert out["check.pelosi_suspends_defense_policy_within_7d"] is True  # 5 days


# On the summit day (step 9) the offsets below count from there: a spell (4, 11) reopens at offset 2.
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ({"defense_policy": [(4, 11)], "climate": [(3, 13)]}, False),  # military reopens first (offset 2 < 4)
        ({"defense_policy": [(4, 13)], "climate": [(3, 13)]}, True),  # the same day counts as "no later"
        ({"defense_policy": [(4, 14)], "climate": [(3, 20)]}, False),  # civilian never reopens
        ({"defense_policy": [(4, 20)], "climate": [(3, 13)]}, True),  # military never reopens
        ({"defense_policy": [(4, 14)], "climate": [(3, 9)]}, True),  # civilian already open on the summit day
        ({"defense_policy": [(4, 9)], "climate": [(3, 13)]}, None),  # no military channel shut: nothing to order
        ({}, None),
        # Every civilian channel (offsets 3 and 4) before the first military one (5, then 6).
        ({"defense_ministers": [(4, 14)], "defense_policy": [(4, 15)], "working_groups": [(5, 12)], "climate": [(3, 13)]},
         True),
        # One civilian channel (offset 3) before, the other (offset 6) after the first military one (5).
        ({"defense_ministers": [(4, 14)], "defense_policy": [(4, 15)], "working_groups": [(5, 12)], "climate": [(3, 15)]},
         False),
    ],
)  # fmt: skip
def test_reopening_order_after_the_summit(doc, status, expected):
    out = assess(case(status=status), doc)
    assert out[f"order.{SUMMIT}"] is expected
    assert out[f"check.{SUMMIT}_civilian_before_military"] is expected
    assert out["score.order"] == (None if expected is None else float(expected))


def test_reopening_order_when_nothing_reopens_is_not_a_pass(doc):
    out = assess(case(status={"defense_policy": [(4, 20)], "climate": [(3, 20)]}), doc)
    assert out[f"order.{SUMMIT}"] is False


def test_a_summit_after_the_run_orders_nothing(doc):
    out = assess(case(n=9), doc)  # days 08-01..08-09; the summit is on 08-10
    assert out[f"order.{SUMMIT}"] is None and out["score.order"] is None


def test_a_summit_before_the_run_orders_nothing(doc):
    # A run of 08-15..08-24 (after the 08-10 summit) with both channels shut on its first day.
    st = make_steps(10, {"defense_policy": [(0, 6)], "climate": [(0, 3)]})
    st["date"] = st["date"] + pd.Timedelta(days=14)
    out = assess(Run(make_events([]), st, "late"), doc)
    assert out[f"order.{SUMMIT}"] is None


def test_thaw_matches_the_simulated_spell_that_began_nearest(doc):
    # Two simulated climate spells; the one starting nearest the documented start (day 3) is used.
    out = assess(case(status={"defense_policy": [(4, 14)], "climate": [(0, 2), (5, 8)]}), doc)
    assert out["thaw.climate.2022-08-04.sim"] == 3.0
    # No simulated defense_policy spell at all: no length, and a thaw score of 0 for it.
    out = assess(case(status={"climate": [(3, 13)]}), doc)
    assert out["thaw.defense_policy.2022-08-04.sim"] is None
    assert out["score.thaw"] == pytest.approx((math.exp(-2 / THAW_SCALE_DAYS) + 0 + 0) / 3)


def test_thaw_spells_beginning_too_far_from_the_documented_start_do_not_count(doc):
    # A simulated climate spell 31 days after the documented start is not the same spell.
    out = assess(case(status={"defense_policy": [(4, 14)], "climate": [(34, 40)]}, n=60), doc)
    assert out["thaw.climate.2022-08-04.sim"] is None
    out = assess(case(status={"defense_policy": [(4, 14)], "climate": [(33, 40)]}, n=60), doc)
    assert out["thaw.climate.2022-08-04.sim"] == 7.0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda ev, st: (ev, st), True),
        # Another channel suspended that day.
        (lambda ev, st: (ev, {**st, "working_groups": [(15, 20)]}), False),
        # The refused meeting is the only suspended channel: still True.
        (lambda ev, st: (ev, {**st, "defense_ministers": [(15, 20)]}), True),
        # The answer is not a refusal.
        (lambda ev, st: ([(*e[:4], "ministerial_meeting", *e[5:]) if e[0] == 10 else e for e in ev], st), False),
        # The refusal does not answer the request.
        (lambda ev, st: ([(*e[:6], None, e[7]) if e[0] == 10 else e for e in ev], st), False),
        # No request on the documented day.
        (lambda ev, st: ([(e[0], 16, *e[2:]) if e[0] == 9 else e for e in ev], st), None),
    ],
)
def test_admm_refusal_check(doc, change, expected):
    ev, st = change(EVENTS, STATUS)
    assert assess(case(ev, st), doc)[REFUSAL] is expected


def test_defense_shut_under_li_check():
    li = [
        # The US sanction names the post; the appointment and the removal tagged thaw... bound the tenure.
        ("2018-09-20", "USA", "CHN", "sanction", "defense_ministers", "E2023_LISHANGFU", "background"),
        ("2022-08-03", "CHN", "CHN", "personnel_change", "defense_ministers", "E2023_LISHANGFU", "trigger"),
        ("2022-08-14", "CHN", "CHN", "personnel_change", "defense_ministers", "E2023_LISHANGFU", "thaw_precondition"),
    ]
    doc = Documented(make_timeline(sorted(TIMELINE + li)))
    appointment = Trigger("E2023_LISHANGFU", pd.Timestamp("2022-08-03"), "CHN", "CHN", "personnel_change")
    assert doc.tenures == [Tenure("E2023_LISHANGFU", "defense_ministers", appointment, pd.Timestamp("2022-08-14"))]
    assert doc.period[0] == pd.Timestamp("2022-08-02")  # the 2018 sanction is background
    # The run must script Li's appointment for the check to apply (a run without it cannot show it).
    events = EVENTS + [(20, 2, "CHN", "CHN", "personnel_change", "defense_ministers", None, True)]
    assert assess(case(), doc)[TENURE] is None
    meeting = (11, 10, "USA", "CHN", "ministerial_meeting", "defense_ministers", None, False)
    assert assess(case(events), doc)[TENURE] is True
    assert assess(case(events + [meeting]), doc)[TENURE] is False
    resumed = (11, 12, "CHN", "USA", "channel_resumption", "defense_ministers", None, False)
    assert assess(case(events + [resumed]), doc)[TENURE] is False
    after = (11, 13, "USA", "CHN", "ministerial_meeting", "defense_ministers", None, False)  # on 08-14: Li gone
    assert assess(case(events + [after]), doc)[TENURE] is True
    other = (11, 10, "USA", "CHN", "ministerial_meeting", "high_level_diplomacy", None, False)
    assert assess(case(events + [other]), doc)[TENURE] is True
    # A run that ends before Li's tenure does cannot show it.
    assert assess(case(events, n=12), doc)[TENURE] is None


def test_status_is_compared_only_over_the_documented_period(doc):
    # A run entirely before the documented period: no status match, no thaw score.
    st = make_steps(10, {})
    st["date"] = st["date"] - pd.Timedelta(days=30)
    out = assess(Run(make_events([]), st, "early"), doc)
    assert all(out[f"status.{c}"] is None for c in CHANNELS)
    assert out["score.status"] is None and out["score.thaw"] is None
    assert out["fit"] is None


def test_an_open_ended_documented_spell_is_compared_to_the_end_and_has_no_thaw(doc):
    # Without the working group of 08-18, the working_groups spell never ends.
    doc = Documented(make_timeline(TIMELINE[:-1]))
    assert doc.spells[-1].channel == "working_groups" and doc.spells[-1].end is None
    out = assess(case(), doc)
    assert out["status.working_groups"] == pytest.approx(3 / 17)  # suspended documented from step 4 to 17
    assert not [k for k in out if k.startswith("thaw.working_groups")]
    assert out["score.thaw"] == pytest.approx(math.exp(-2 / THAW_SCALE_DAYS))


def test_a_timeline_without_the_nasams_episode_can_be_compared():
    doc = Documented(make_timeline([r for r in TIMELINE if "E2024_NASAMS" not in r]))
    out = assess(case(), doc)
    assert not [k for k in out if "nasams" in k]  # no measure or check for an episode the timeline lacks
    assert out["check.pelosi_answered_within_3d"] is True


# -- many runs -------------------------------------------------------------------------------------


def test_summarize_comparison_by_hand():
    per_run = pd.DataFrame({
        "run": ["a", "b", "c", "d", "e"],
        "fit": [0.5, 0.1, 0.4, 0.2, 0.3],
        "lag.x.sim": [1.0, None, 3.0, None, 2.0],
        "check.a": [True, False, None, True, True],
        "check.none": [None] * 5,
        "order.bali": [True, None, None, None, False],
        "lag.y.sim": [None] * 5,
    })  # fmt: skip
    s = summarize_comparison(per_run)
    assert list(s.columns) == ["item", "n", "median", "q05", "q95", "pass_rate"]
    assert s["item"].tolist() == ["fit", "lag.x.sim", "check.a", "check.none", "order.bali", "lag.y.sim"]
    s = s.set_index("item")
    assert s.loc["fit", ["n", "median", "q05", "q95"]].tolist() == pytest.approx([5, 0.3, 0.12, 0.48])
    assert s.loc["lag.x.sim", ["n", "median", "q05", "q95"]].tolist() == pytest.approx([3, 2.0, 1.1, 2.9])
    assert pd.isna(s.loc["fit", "pass_rate"])
    assert s.loc["check.a", "n"] == 4 and s.loc["check.a", "pass_rate"] == pytest.approx(0.75)
    assert pd.isna(s.loc["check.a", "median"])
    assert s.loc["check.none", "n"] == 0 and pd.isna(s.loc["check.none", "pass_rate"])
    assert s.loc["order.bali", "n"] == 2 and s.loc["order.bali", "pass_rate"] == pytest.approx(0.5)
    assert s.loc["lag.y.sim", "n"] == 0 and pd.isna(s.loc["lag.y.sim", "median"])


@pytest.fixture(scope="module")
def three_runs(doc) -> pd.DataFrame:
    """The case, the case with military reopening first, and the case without the NASAMS sale."""
    runs = [
        case(label="a"),
        case(status={"defense_policy": [(4, 11)], "climate": [(3, 13)]}, label="b"),
        case(without({6, 7}), label="c"),
    ]
    return compare_runs(runs, doc)


def test_compare_runs_and_summary_over_several_runs(three_runs):
    per_run = three_runs
    assert per_run["run"].tolist() == ["a", "b", "c"]
    s = summarize_comparison(per_run).set_index("item")
    assert s.loc[f"check.{SUMMIT}_civilian_before_military", "pass_rate"] == pytest.approx(2 / 3)
    assert s.loc["check.nasams_answered_within_3d", ["n", "pass_rate"]].tolist() == [2, 1.0]
    assert s.loc[REFUSAL, "n"] == 2
    assert s.loc[f"order.{SUMMIT}", "pass_rate"] == pytest.approx(2 / 3)
    # Lags: 2 in every run.
    assert s.loc["lag.pelosi_first_response.sim", ["n", "median", "q05", "q95"]].tolist() == [3, 2.0, 2.0, 2.0]
    # NASAMS lag: only two runs have it.
    assert s.loc["lag.nasams_first_response.sim", "n"] == 2
    # The three fits, by hand.
    status_b = {"defense_policy": 12 / 17, "climate": 15 / 17, "working_groups": 4 / 17, "defense_ministers": 1.0}
    fit_b = 0.4 * SCORE_LAGS + 0.3 * np.mean(list(status_b.values())) + 0.2 * (
        (math.exp(-2 / THAW_SCALE_DAYS) + math.exp(-5 / THAW_SCALE_DAYS) + 0) / 3
    )  # defense_policy simulated 7 days against 12; order 0
    fit_c = 0.4 * (E1 + E1 + 1 + 0) / 4 + 0.3 * SCORE_STATUS + 0.2 * SCORE_THAW + 0.1
    assert per_run["fit"].tolist() == pytest.approx([FIT, fit_b, fit_c])
    fits = np.array([FIT, fit_b, fit_c])
    assert s.loc["fit", "median"] == pytest.approx(np.median(fits))
    assert s.loc["fit", "q05"] == pytest.approx(np.quantile(fits, 0.05))
    assert s.loc["fit", "q95"] == pytest.approx(np.quantile(fits, 0.95))
    assert s.loc["fit", "q05"] < s.loc["fit", "median"] < s.loc["fit", "q95"]


def test_format_report_names_every_check_and_shows_pass_rates(three_runs, doc):
    text = format_report(three_runs, doc)
    assert text.startswith("Comparison with the documented 2022-2024 timeline over 3 runs")
    texts = {c.name: c.text for c in declare_checks(doc)}
    for key, check_text in texts.items():
        assert check_text in text, key
    lines = text.splitlines()

    def line(needle: str) -> str:
        (found,) = [ln for ln in lines if needle in ln]
        return found

    assert line(texts[f"{SUMMIT}_civilian_before_military"]).split()[0] == "67%"
    assert line(texts["pelosi_answered_within_3d"]).split()[0] == "100%"
    assert line(texts["pelosi_suspends_working_groups_within_7d"]).split()[0] == "0%"
    assert line("pelosi_first_response").split()[1:] == ["2", "[2,", "2]", "vs", "1.0"]
    assert "no response in 100% of runs" in line("pelosi_suspends_working_groups")
    assert "no response in 33% of runs" in line("nasams_first_response")
    assert line("climate.2022-08-04").split()[-1] == "8"
    assert "Fit score (0..1, higher is better)" in text
    for k in FIT_WEIGHTS:
        assert f"{k} " in line("components:")
    one = format_report(three_runs.iloc[:1], doc)
    assert one.startswith("Comparison with the documented 2022-2024 timeline over 1 run\n")
    assert f"Fit score (0..1, higher is better): {FIT:.3g}" in one
    assert line("pelosi_first_response") not in one.splitlines()  # no interval for one run


# -- real runs -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> tuple[Path, dict]:
    """A sweep folder of two run folders written by sim.run: the null model (0) and the baseline scenario (1)."""
    root = tmp_path_factory.mktemp("compare") / "sweep"
    results = {
        "null": run([*NULL_MODEL, "figures=false"], output_dir=root / "0"),
        "baseline": run(["scenario=baseline", "figures=false"], output_dir=root / "1"),
    }
    return root, results


def test_the_default_run_fits_the_shipped_timeline(historical):
    per_run = compare_runs([historical])
    (fit,) = per_run["fit"].tolist()
    assert isinstance(fit, float) and 0 < fit <= 1
    assert per_run["run"].tolist() == ["run 0"]
    row = per_run.iloc[0]
    for m in LAG_MEASURES:
        assert isinstance(row[f"lag.{m.name}.doc"], float)
        # The default run scripts every trigger but Lai's inauguration (2024-05-20).
        assert pd.isna(row[f"lag.{m.name}.sim"]) or m.episode != "E2024_LAI"
    scores = {k: row[f"score.{k}"] for k in FIT_WEIGHTS if row[f"score.{k}"] is not None}
    assert {"lags", "status", "thaw"} <= set(scores)  # order may be None if nothing is shut at a summit
    assert all(0 <= v <= 1 for v in scores.values())
    assert row["fit"] == pytest.approx(
        sum(FIT_WEIGHTS[k] * v for k, v in scores.items()) / sum(FIT_WEIGHTS[k] for k in scores)
    )
    # Every check that rests on a scripted trigger, request or appointment is judged (True or False): all but
    # Lai's inauguration (not scripted) and the two refusals of Li Shangfu's tenure (no request scripted that day).
    unjudged = {"lai_answered_within_3d", "lishangfu_refuses_defense_ministers_on_its_day",
                "lishangfu_refuses_senior_military_on_its_day"}  # fmt: skip
    for c in declare_checks(Documented()):
        if "civilian_before_military" not in c.name:
            assert (row[f"check.{c.name}"] is None) == (c.name in unjudged), c.name


def test_a_null_model_fits_worse_than_the_default(historical, sweep):
    root, _ = sweep
    per_run = compare_runs([historical, root / "0"])
    assert per_run["run"].tolist() == ["run 0", str(root / "0")]
    default_fit, null_fit = per_run["fit"].tolist()
    assert 0 <= null_fit < default_fit
    # The null model never answers: every lag is missing and every lag check fails.
    null = per_run.iloc[1]
    assert all(pd.isna(null[f"lag.{m.name}.sim"]) for m in LAG_MEASURES)
    assert null["score.lags"] == 0.0
    assert null["check.pelosi_answered_within_3d"] is not None and not null["check.pelosi_answered_within_3d"]


def test_a_baseline_run_scripts_no_trigger_so_its_lags_and_checks_are_none(sweep):
    _, results = sweep
    baseline = results["baseline"]
    doc = Documented()
    assert not baseline.events["scripted"].any()  # nothing scripted, so no trigger
    row = compare_runs([baseline], doc).iloc[0]
    for m in LAG_MEASURES:
        assert row[f"lag.{m.name}.sim"] is None, m.name
        assert row[f"lag.{m.name}.doc"] == doc.lags[m.name]
    assert row["score.lags"] is None
    for c in declare_checks(doc):
        if c.name.endswith("civilian_before_military"):
            # A check of channel states, not of a trigger: the unscripted run cuts channels of its own
            # accord, so it may have channels shut on a summit's day to order.
            assert row[f"check.{c.name}"] in (None, True, False), c.name
        else:
            assert row[f"check.{c.name}"] is None, c.name
    assert 0 < row["fit"] <= 1


def test_a_baseline_run_does_not_judge_li_shangfus_tenure(sweep):
    _, results = sweep
    row = compare_runs([results["baseline"]]).iloc[0]
    assert row[TENURE] is None


def test_compare_runs_reads_run_folders_like_run_results(sweep):
    root, results = sweep
    from_disk = compare_runs([root / "1"])
    in_memory = compare_runs([results["baseline"]])
    assert from_disk["run"].tolist() == [str(root / "1")]
    pd.testing.assert_frame_equal(from_disk.drop(columns="run"), in_memory.drop(columns="run"))
    r = read_run(root / "1")
    assert len(r.events) == len(results["baseline"].events) and r.label == str(root / "1")


def test_find_runs(sweep, tmp_path):
    root, _ = sweep
    assert find_runs([root]) == [root / "0", root / "1"]
    assert find_runs([root / "1", str(root / "0")]) == [root / "1", root / "0"]
    with pytest.raises(SimInputError, match="does not exist"):
        find_runs([tmp_path / "nope"])
    with pytest.raises(SimInputError, match="holds no run folder"):
        find_runs([tmp_path])
    job = tmp_path / "a_sweep" / "0"  # what a sweep writes: per-job rows of metrics, no event logs
    job.mkdir(parents=True)
    (job / "runs.part.parquet").write_bytes(b"")
    with pytest.raises(SimInputError, match="is a sweep folder: a sweep keeps one row of metrics per run .* sim.compare re-runs a sweep.s runs"):
        find_runs([tmp_path / "a_sweep"])


def test_read_run_names_the_folder_of_a_bad_run(sweep, tmp_path):
    root, _ = sweep
    ev = pd.read_parquet(root / "1" / "events.parquet")
    ev.drop(columns=["cause"]).to_parquet(tmp_path / "events.parquet")
    (tmp_path / "steps.parquet").write_bytes((root / "1" / "steps.parquet").read_bytes())
    with pytest.raises(SimInputError, match=r"events\.parquet: columns=\['cause'\]") as e:
        read_run(tmp_path)
    assert str(tmp_path) in str(e.value)
    (tmp_path / "steps.parquet").unlink()
    with pytest.raises(SimInputError, match="steps.parquet='missing'") as e:
        read_run(tmp_path)
    assert str(tmp_path) in str(e.value)


# -- the command line ------------------------------------------------------------------------------


def compare_cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim.compare", *map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def one_error_line(err: str, path: Path | str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert str(path) in lines[0]
    return lines[0]


@pytest.mark.slow
def test_cli_on_one_run_folder_writes_the_tables(sweep, tmp_path):
    root, _ = sweep
    out = tmp_path / "x.csv"
    proc = compare_cli(root / "1", "--out", out)
    assert proc.returncode == 0, proc.stderr
    per_run = compare_runs([root / "1"])
    assert proc.stdout.startswith(format_report(per_run) + "\n")
    for c in declare_checks(Documented()):
        assert c.text in proc.stdout
    assert f"wrote {out} and {tmp_path / 'x.summary.json'}" in proc.stdout
    table = pd.read_csv(out)
    assert table["run"].tolist() == [str(root / "1")]
    assert list(table.columns) == list(per_run.columns)
    assert table["fit"].iloc[0] == pytest.approx(per_run["fit"].iloc[0])
    summary = json.loads((tmp_path / "x.summary.json").read_text(), parse_constant=lambda c: pytest.fail(c))
    expected = summarize_comparison(per_run)
    assert [r["item"] for r in summary] == expected["item"].tolist()
    fit = next(r for r in summary if r["item"] == "fit")
    assert fit["n"] == 1 and fit["median"] == pytest.approx(per_run["fit"].iloc[0]) and fit["pass_rate"] is None
    assert not list(tmp_path.glob(".*tmp"))


@pytest.mark.slow
def test_cli_on_a_sweep_folder(sweep):
    root, _ = sweep
    proc = compare_cli(root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == format_report(compare_runs([root / "0", root / "1"])) + "\n"
    assert "over 2 runs" in proc.stdout.splitlines()[0]


def test_cli_refuses_a_run_folder_whose_events_are_not_parquet(sweep, tmp_path):
    root, _ = sweep
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "events.parquet").write_text("not a parquet file\n")
    (bad / "steps.parquet").write_bytes((root / "1" / "steps.parquet").read_bytes())
    proc = compare_cli(bad)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "unreadable run table" in one_error_line(proc.stderr, bad)


def test_main_bad_input_one_line_error_exit_2(sweep, tmp_path, capsys):
    root, _ = sweep
    missing = tmp_path / "missing"
    empty = tmp_path / "empty"
    empty.mkdir()
    no_steps = tmp_path / "no_steps"
    no_steps.mkdir()
    (no_steps / "events.parquet").write_bytes((root / "1" / "events.parquet").read_bytes())
    bad_timeline = tmp_path / "timeline.csv"
    text = (REPO / "sim" / "data" / "timeline_2022_2024.csv").read_text(encoding="utf-8").splitlines()
    bad_timeline.write_text("\n".join([text[0], text[1].replace(",sanction,", ",sanctionz,", 1)]) + "\n")
    cases = [
        ([str(missing)], missing, "does not exist"),
        ([str(empty)], empty, "holds no run folder"),
        ([str(no_steps)], no_steps, "steps.parquet='missing'"),
        ([str(root), "--timeline", str(bad_timeline)], bad_timeline, "row 1.kind='sanctionz'"),
        ([str(root), "--timeline", str(tmp_path / "none.csv")], tmp_path / "none.csv", "no such timeline file"),
        ([str(root), str(missing)], missing, "does not exist"),  # one bad folder among good ones
    ]
    for argv, path, needle in cases:
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        assert captured.out == "", argv
        assert needle in one_error_line(captured.err, path), argv


def _events(rows: list[tuple]) -> pd.DataFrame:
    """A minimal events table from (day, sender, receiver, kind, channel, scripted) rows, starting 2023-01-01."""
    day0 = pd.Timestamp("2023-01-01")
    return pd.DataFrame(
        [{"id": i, "date": day0 + pd.Timedelta(days=d), "step": d, "sender": s, "receiver": r, "kind": k,
          "channel": c, "cause": pd.NA, "scripted": sc} for i, (d, s, r, k, c, sc) in enumerate(rows)]
    )  # fmt: skip


def test_a_refusal_counts_only_where_the_run_requests_that_meeting():
    from sim.history.simulated import measurable

    trig = Trigger("E2099_TEST", pd.Timestamp("2023-01-02"), "USA", "TWN", "arms_sale")
    refusal = LagMeasure("test_refuses_defense_policy", "E2099_TEST", "refusal", "defense_policy", 30)
    first = LagMeasure("test_first_response", "E2099_TEST", "first_response")
    trigger = (1, "USA", "TWN", "arms_sale", "", True)
    no_request = _events([trigger])
    asked_other_channel = _events([trigger, (5, "USA", "CHN", "meeting_request", "climate", True)])
    asked_too_late = _events([trigger, (40, "USA", "CHN", "meeting_request", "defense_policy", True)])
    asked = _events([trigger, (5, "USA", "CHN", "meeting_request", "defense_policy", True)])
    assert measurable(no_request, trig, first)
    assert not measurable(no_request, trig, refusal)
    assert not measurable(asked_other_channel, trig, refusal)
    assert not measurable(asked_too_late, trig, refusal)
    assert measurable(asked, trig, refusal)
    assert not measurable(_events([(1, "USA", "TWN", "high_level_visit", "", True)]), trig, first)  # no trigger
