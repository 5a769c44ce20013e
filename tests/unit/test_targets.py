"""What the documented timeline says the model should reproduce (sim.history.targets).

First the values derived from the shipped timeline, then small hand-made
timelines that pin each rule of ``documented_spells`` one at a time.
"""

from __future__ import annotations

import ast
import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.history.targets import (
    MIN_WINDOW_DAYS,
    REOPENING_KINDS,
    LagMeasure,
    Spell,
    Summit,
    Tenure,
    Trigger,
    documented_lag,
    documented_spells,
    documented_status,
    lag_measures,
    lag_window,
    sanctioned_tenures,
    short_name,
    thaw_summits,
    triggers,
)
from sim.history.timeline import COLUMNS, TIMELINE_PATH, load_timeline

ts = pd.Timestamp
LAG_MEASURES = lag_measures(load_timeline())  # the shipped timeline's measures, derived



def make_timeline(rows: Sequence[Sequence[str]]) -> pd.DataFrame:
    """A timeline frame shaped like ``load_timeline``'s, from short rows.

    Each row is ``(date, sender, receiver, kind[, channel[, episode[, role[, confidence]]]])``;
    the other columns get neutral values (the rules never read them).
    """
    fields = ("date", "sender", "receiver", "kind", "channel", "episode", "role", "confidence")
    full = []
    for i, r in enumerate(rows):
        given = {"channel": "", "episode": "", "role": "", "confidence": "high", **dict(zip(fields, r))}
        full.append({
            **given, "id": f"row-{i}", "date_precision": "day", "mechanism": "", "description": "test row",
            "cameo_code": "010", "goldstein": 0.0, "source": "test",
        })  # fmt: skip
    df = pd.DataFrame(full, columns=list(COLUMNS))
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d").astype("datetime64[ns]")
    df["goldstein"] = df["goldstein"].astype(float)
    return df


def spells_of(rows) -> list[tuple[str, str, str | None]]:
    """documented_spells of a hand-made timeline, as (channel, start, end) strings."""
    return [
        (s.channel, str(s.start.date()), None if s.end is None else str(s.end.date()))
        for s in documented_spells(make_timeline(rows))
    ]


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    return load_timeline()


# -- the shipped timeline --------------------------------------------------------------------------


def test_make_timeline_has_the_shape_load_timeline_returns(shipped):
    df = make_timeline([("2022-08-02", "USA", "TWN", "high_level_visit", "high_level_diplomacy")])
    assert list(df.columns) == list(shipped.columns)
    assert df["date"].dtype == shipped["date"].dtype
    assert df["goldstein"].dtype == shipped["goldstein"].dtype


def test_shipped_triggers(shipped):
    trig = triggers(shipped)
    assert {m.episode for m in LAG_MEASURES} <= set(trig)
    assert trig["E2022_PELOSI"].date == ts("2022-08-02")
    assert (trig["E2022_PELOSI"].sender, trig["E2022_PELOSI"].kind) == ("USA", "high_level_visit")
    assert trig["E2023_BALLOON"].date == ts("2023-02-02")
    assert (trig["E2023_BALLOON"].sender, trig["E2023_BALLOON"].kind) == ("CHN", "surveillance_incident")
    assert trig["E2023_LISHANGFU"].date == ts("2023-03-12")
    assert trig["E2024_NASAMS"].date == ts("2024-10-25")
    assert (trig["E2024_NASAMS"].sender, trig["E2024_NASAMS"].kind) == ("USA", "arms_sale")


def test_shipped_documented_lags(shipped):
    lags = {m.name: documented_lag(shipped, m) for m in LAG_MEASURES}
    assert lags == {
        "pelosi_first_response": 0.0,
        "pelosi_suspends_defense_policy": 3.0,
        "pelosi_suspends_maritime_safety": 3.0,
        "pelosi_suspends_theater_commanders": 3.0,
        "pelosi_suspends_climate": 3.0,
        "pelosi_suspends_working_groups": 3.0,
        "balloon_first_response": 2.0,
        "balloon_refuses_defense_ministers": 2.0,
        # No first response to Li Shangfu's appointment: China's own act, answered by nobody.
        "lishangfu_refuses_defense_ministers": 78.0,
        # The refusal to reopen military-to-military channels during Blinken's visit (2023-06-19).
        "lishangfu_refuses_senior_military": 99.0,
        "tsai_first_response": 3.0,
        "lai_first_response": 3.0,
        "nasams_first_response": 1.0,
        "nasams_refuses_defense_ministers": 26.0,
    }
    # Windows by one rule: 60 days, or 1.5 times the documented lag if longer.
    windows = {m.name: m.window_days for m in LAG_MEASURES if m.window_days != MIN_WINDOW_DAYS}
    assert windows == {"lishangfu_refuses_defense_ministers": 117, "lishangfu_refuses_senior_military": 149}
    assert all(isinstance(v, float) for v in lags.values())


def test_shipped_documented_spells(shipped):
    spells = documented_spells(shipped)
    assert Spell("climate", ts("2022-08-05"), ts("2022-11-15")) in spells
    # The Pelosi cuts of three military channels, each ended by its own documented reopening.
    assert Spell("defense_policy", ts("2022-08-05"), ts("2024-01-08")) in spells
    assert Spell("maritime_safety", ts("2022-08-05"), ts("2024-04-03")) in spells
    assert Spell("theater_commanders", ts("2022-08-05"), ts("2024-09-09")) in spells
    # A refusal (Blinken's visit) followed by a documented resumption (the Brown-Liu call).
    assert Spell("senior_military", ts("2023-06-19"), ts("2023-12-21")) in spells
    # A refusal (the balloon) followed, much later, by a documented resumption.
    assert Spell("defense_ministers", ts("2023-02-04"), ts("2024-04-16")) in spells
    assert Spell("working_groups", ts("2022-08-05"), ts("2023-07-31")) in spells
    # The only high_level_diplomacy suspension (2023-02-01) is low confidence.
    assert not [s for s in spells if s.channel == "high_level_diplomacy"]
    # One spell per channel and start: the low-confidence re-freeze of December 2022 adds nothing to
    # defense_ministers; the Li Shangfu refusal of May 2023 falls inside the defense_ministers spell;
    # the November 2024 refusal comes after the last resumption; the second DPCT round (2024-09-14,
    # a working group) is held on a channel open since January.
    military = ("senior_military", "defense_policy", "maritime_safety", "theater_commanders", "defense_ministers")
    assert [s for s in spells if s.channel in (*military, "climate")] == [
        Spell("climate", ts("2022-08-05"), ts("2022-11-15")),
        Spell("defense_ministers", ts("2023-02-04"), ts("2024-04-16")),
        Spell("defense_policy", ts("2022-08-05"), ts("2024-01-08")),
        Spell("maritime_safety", ts("2022-08-05"), ts("2024-04-03")),
        Spell("senior_military", ts("2023-06-19"), ts("2023-12-21")),
        Spell("theater_commanders", ts("2022-08-05"), ts("2024-09-09")),
    ]
    # The 2024 arms-control suspension is a second working_groups spell, ended by the next working group.
    assert [s for s in spells if s.channel == "working_groups"] == [
        Spell("working_groups", ts("2022-08-05"), ts("2023-07-31")),
        Spell("working_groups", ts("2024-07-17"), ts("2024-07-31")),
    ]


def test_shipped_documented_status_on_key_days(shipped):
    spells = documented_spells(shipped)
    days = pd.DatetimeIndex(["2022-08-04", "2022-08-05", "2022-11-14", "2022-11-15", "2023-12-20", "2023-12-21"])
    assert documented_status(spells, "climate", days).tolist() == [False, True, True, False, False, False]
    assert documented_status(spells, "theater_commanders", days).tolist() == [False, True, True, True, True, True]
    assert documented_status(spells, "senior_military", days).tolist() == [False, False, False, False, True, False]
    dpct = pd.DatetimeIndex(["2024-01-07", "2024-01-08", "2024-09-14"])
    assert documented_status(spells, "defense_policy", dpct).tolist() == [True, False, False]
    assert not documented_status(spells, "high_level_diplomacy", days).any()


def test_shipped_thaw_summits_are_bali_and_woodside(shipped):
    # Lima 2024 and the April 2024 call are leader summits too, but not tagged as thaws.
    assert thaw_summits(shipped) == [Summit(ts("2022-11-14"), "E2022_PELOSI"), Summit(ts("2023-11-15"), "E2022_PELOSI")]
    assert [s.name for s in thaw_summits(shipped)] == ["pelosi_summit_2022-11-14", "pelosi_summit_2023-11-15"]


def test_shipped_sanctioned_tenure_is_li_shangfus(shipped):
    # Sanctioned in 2018, appointed 2023-03-12, removed 2023-10-24 (the removal tagged thaw_precondition).
    appointment = Trigger("E2023_LISHANGFU", ts("2023-03-12"), "CHN", "CHN", "personnel_change")
    assert sanctioned_tenures(shipped) == [Tenure("E2023_LISHANGFU", "defense_ministers", appointment, ts("2023-10-24"))]


def test_the_low_confidence_rule_on_a_loaded_csv(tmp_path):
    """Shipped rows written to a small CSV and loaded: the low-confidence freeze counts once it is not low."""
    with open(TIMELINE_PATH, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        keep = {
            "2022-08-02-usa-pelosi-visits-taiwan", "2022-08-05-chn-suspends-climate-talks",
            "2022-11-15-climate-talks-resume-cop27", "2023-02-01-chn-freezes-some-exchanges",
            "2023-02-18-blinken-wang-munich",
        }  # fmt: skip
        rows = [r for r in reader if r["id"] in keep]
    assert len(rows) == 5

    def write(name: str, rows: list[dict]) -> Path:
        path = tmp_path / name
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            w.writerows(rows)
        return path

    as_shipped = documented_spells(load_timeline(write("low.csv", rows)))
    assert as_shipped == [Spell("climate", ts("2022-08-05"), ts("2022-11-15"))]
    raised = [{**r, "confidence": "medium"} if r["id"].startswith("2023-02-01") else r for r in rows]
    assert documented_spells(load_timeline(write("medium.csv", raised))) == [
        Spell("climate", ts("2022-08-05"), ts("2022-11-15")),
        # Ends at the next row showing the channel in use: the Munich ministerial meeting.
        Spell("high_level_diplomacy", ts("2023-02-01"), ts("2023-02-18")),
    ]


# -- documented_lag on hand-made timelines --------------------------------------------------------

EPISODE = [
    ("2022-08-01", "CHN", "USA", "rhetoric_condemnation", "", "E1", "response"),  # before the trigger
    ("2022-08-02", "USA", "TWN", "high_level_visit", "high_level_diplomacy", "E1", "trigger"),
    ("2022-08-03", "CHN", "USA", "channel_suspension", "climate", "E1", "escalation"),  # not a "response" row
    ("2022-08-05", "USA", "CHN", "rhetoric_condemnation", "", "E1", "response"),  # not China
    ("2022-08-06", "CHN", "USA", "rhetoric_condemnation", "", "E1", "response"),
    ("2022-08-09", "CHN", "USA", "channel_suspension", "defense_policy", "E1", "response"),
    ("2022-08-12", "CHN", "USA", "channel_suspension", "climate", "E1", "response"),
    ("2022-08-20", "CHN", "USA", "channel_suspension", "defense_policy", "E2", "response"),  # another episode
    ("2022-08-30", "CHN", "USA", "meeting_rejection", "defense_ministers", "E1", "response"),
    ("2022-09-01", "USA", "TWN", "arms_sale", "", "E1", "trigger"),  # a second trigger row: not the trigger
]


@pytest.mark.parametrize(
    "what, channel, expected",
    [
        ("first_response", "", 4.0),  # China's first row tagged response on or after the trigger
        ("suspension", "defense_policy", 7.0),  # any role counts for suspensions; only this episode's rows
        ("suspension", "climate", 1.0),
        ("suspension", "working_groups", None),  # none documented
        ("refusal", "defense_ministers", 28.0),
        ("refusal", "defense_policy", None),
    ],
)
def test_documented_lag_rules(what, channel, expected):
    tl = make_timeline(EPISODE)
    assert triggers(tl)["E1"].date == ts("2022-08-02")
    assert documented_lag(tl, LagMeasure("x", "E1", what, channel)) == expected


def test_documented_lag_of_an_undocumented_episode_is_none_and_unknown_measures_raise():
    tl = make_timeline(EPISODE)
    assert documented_lag(tl, LagMeasure("x", "E9", "first_response")) is None
    # E2 has responses but no trigger row.
    assert documented_lag(tl, LagMeasure("x", "E2", "suspension", "defense_policy")) is None
    with pytest.raises(ValueError, match="unknown lag measure"):
        documented_lag(tl, LagMeasure("x", "E1", "sanction"))


def test_a_trigger_answered_the_same_day_has_lag_zero():
    tl = make_timeline([
        ("2022-08-02", "CHN", "USA", "rhetoric_condemnation", "", "E1", "response"),
        ("2022-08-02", "USA", "TWN", "high_level_visit", "high_level_diplomacy", "E1", "trigger"),
    ])  # fmt: skip
    assert documented_lag(tl, LagMeasure("x", "E1", "first_response")) == 0.0


# -- documented_spells: one rule at a time --------------------------------------------------------

SUSPEND = ("CHN", "USA", "channel_suspension")
RESUME = ("CHN", "USA", "channel_resumption")
REFUSE = ("CHN", "USA", "meeting_rejection")


def test_a_suspension_ends_at_the_first_later_reopening_row_of_its_channel():
    rows = [
        ("2022-08-05", *SUSPEND, "climate"),
        ("2022-08-07", *RESUME, "defense_policy"),  # another channel
        ("2022-08-09", "USA", "CHN", "sanction", "climate"),  # not a reopening kind
        ("2022-08-10", "USA", "CHN", "ministerial_meeting", "climate"),
        ("2022-08-20", *RESUME, "climate"),
    ]
    assert spells_of(rows) == [("climate", "2022-08-05", "2022-08-10")]


@pytest.mark.parametrize("kind", ["channel_resumption", "ministerial_meeting", "working_group", "leader_summit",
                                  "high_level_visit"])  # fmt: skip
def test_each_reopening_kind_ends_a_spell(kind):
    rows = [("2022-08-05", *SUSPEND, "working_groups"), ("2022-08-15", "USA", "CHN", kind, "working_groups")]
    assert spells_of(rows) == [("working_groups", "2022-08-05", "2022-08-15")]


def test_a_low_confidence_suspension_is_ignored():
    rows = [
        ("2022-08-05", *SUSPEND, "climate", "", "", "low"),
        ("2022-08-20", *RESUME, "climate"),
    ]
    assert spells_of(rows) == []
    # The same row with medium confidence starts a spell.
    rows[0] = ("2022-08-05", *SUSPEND, "climate", "", "", "medium")
    assert spells_of(rows) == [("climate", "2022-08-05", "2022-08-20")]


def test_a_low_confidence_reopening_does_not_end_a_spell():
    rows = [
        ("2022-08-05", *SUSPEND, "climate"),
        ("2022-08-10", *RESUME, "climate", "", "", "low"),
        ("2022-08-20", *RESUME, "climate"),
    ]
    assert spells_of(rows) == [("climate", "2022-08-05", "2022-08-20")]


def test_a_refusal_with_no_later_resumption_starts_no_spell():
    assert spells_of([("2022-08-05", *REFUSE, "defense_ministers")]) == []
    # A meeting later on is not a resumption: still no spell.
    rows = [("2022-08-05", *REFUSE, "defense_ministers"), ("2022-09-01", "USA", "CHN", "ministerial_meeting",
                                                               "defense_ministers")]  # fmt: skip
    assert spells_of(rows) == []
    # A resumption before the refusal does not count either.
    rows = [("2022-08-01", *RESUME, "defense_ministers"), ("2022-08-05", *REFUSE, "defense_ministers")]
    assert spells_of(rows) == []
    # Nor does a resumption on another channel.
    rows = [("2022-08-05", *REFUSE, "defense_ministers"), ("2022-09-01", *RESUME, "defense_policy")]
    assert spells_of(rows) == []


def test_a_refusal_followed_by_a_resumption_starts_a_spell_ended_by_the_first_reopening_row():
    rows = [("2022-08-05", *REFUSE, "defense_ministers"), ("2022-09-01", *RESUME, "defense_ministers")]
    assert spells_of(rows) == [("defense_ministers", "2022-08-05", "2022-09-01")]
    # The spell ends at the first row showing the channel in use, even if that is not the resumption.
    rows.insert(1, ("2022-08-20", "USA", "CHN", "ministerial_meeting", "defense_ministers"))
    assert spells_of(rows) == [("defense_ministers", "2022-08-05", "2022-08-20")]
    # A low-confidence resumption is ignored, so the refusal no longer starts a spell.
    rows = [("2022-08-05", *REFUSE, "defense_ministers"), ("2022-09-01", *RESUME, "defense_ministers", "", "", "low")]
    assert spells_of(rows) == []


def test_a_refusal_after_the_last_resumption_starts_no_spell():
    rows = [
        ("2022-08-05", *REFUSE, "defense_ministers"),
        ("2022-09-01", *RESUME, "defense_ministers"),
        ("2022-10-01", *REFUSE, "defense_ministers"),
    ]
    assert spells_of(rows) == [("defense_ministers", "2022-08-05", "2022-09-01")]


def test_only_rows_between_the_two_governments_count():
    rows = [
        ("2022-08-05", "CHN", "TWN", "channel_suspension", "defense_policy"),
        ("2022-08-06", "CHN", "CHN", "channel_suspension", "climate"),
        ("2022-08-07", "USA", "JPN", "channel_suspension", "working_groups"),
        ("2022-08-08", *SUSPEND, ""),  # no channel
        ("2022-08-09", "USA", "CHN", "channel_suspension", "economic"),  # the US suspending counts
        ("2022-08-20", *RESUME, "economic"),
    ]
    assert spells_of(rows) == [("economic", "2022-08-09", "2022-08-20")]
    # A reopening row from a third party does not end a spell.
    rows = [("2022-08-05", *SUSPEND, "defense_policy"), ("2022-08-10", "CHN", "TWN", "channel_resumption", "defense_policy")]
    assert spells_of(rows) == [("defense_policy", "2022-08-05", None)]


def test_overlapping_spells_of_a_channel_merge_and_later_ones_stay_separate():
    rows = [
        ("2022-08-05", *SUSPEND, "defense_policy"),
        ("2022-08-05", *SUSPEND, "defense_policy"),  # same day
        ("2022-08-05", *SUSPEND, "climate"),
        ("2022-08-10", *SUSPEND, "defense_policy"),  # inside the first spell
        ("2022-08-12", *REFUSE, "defense_policy"),  # inside too (a resumption follows, so it would start a spell)
        ("2022-08-20", *RESUME, "defense_policy"),
        ("2022-08-25", *RESUME, "climate"),
        ("2022-09-01", *SUSPEND, "defense_policy"),  # after the reopening: a new spell
        ("2022-09-15", "USA", "CHN", "working_group", "defense_policy"),
        ("2022-10-01", *RESUME, "defense_policy"),
    ]
    assert spells_of(rows) == [
        ("climate", "2022-08-05", "2022-08-25"),
        ("defense_policy", "2022-08-05", "2022-08-20"),
        ("defense_policy", "2022-09-01", "2022-09-15"),
    ]


def test_a_suspension_on_the_day_the_previous_spell_ended_is_not_lost():
    rows = [
        ("2022-08-05", *SUSPEND, "defense_policy"),
        ("2022-08-20", *RESUME, "defense_policy"),
        ("2022-08-20", *SUSPEND, "defense_policy"),  # re-suspended the same day
        ("2022-09-10", *RESUME, "defense_policy"),
    ]
    spells = documented_spells(make_timeline(rows))
    days = pd.date_range("2022-08-04", "2022-09-11")
    status = documented_status(spells, "defense_policy", days)
    # Whether recorded as one merged spell or two adjacent ones, the channel is shut from 08-05 to 09-09.
    expected = (days >= ts("2022-08-05")) & (days < ts("2022-09-10"))
    assert status.tolist() == expected.tolist()


def test_a_spell_with_no_reopening_row_runs_to_the_end():
    rows = [
        ("2022-08-05", *SUSPEND, "working_groups"),
        ("2022-08-06", "USA", "CHN", "sanction", "working_groups"),  # not a reopening kind
        ("2022-08-07", *RESUME, "climate"),  # another channel
    ]
    assert spells_of(rows) == [("working_groups", "2022-08-05", None)]
    spells = documented_spells(make_timeline(rows))
    assert spells[0].end is None


def test_spells_come_sorted_by_channel_then_start():
    rows = [
        ("2022-08-05", *SUSPEND, "working_groups"),
        ("2022-08-06", *SUSPEND, "climate"),
        ("2022-08-07", *SUSPEND, "defense_policy"),
    ]
    assert [s[0] for s in spells_of(rows)] == ["climate", "defense_policy", "working_groups"]


# -- documented_status ----------------------------------------------------------------------------


def test_documented_status_over_a_date_range():
    spells = [
        Spell("defense_policy", ts("2022-08-05"), ts("2022-08-08")),
        Spell("defense_policy", ts("2022-08-10"), ts("2022-08-12")),
        Spell("climate", ts("2022-08-02"), ts("2022-08-04")),
    ]
    days = pd.date_range("2022-08-01", "2022-08-12")  # 12 days
    mil = documented_status(spells, "defense_policy", days)
    assert mil.dtype == bool and mil.shape == (12,)
    #                        1      2      3      4      5     6     7     8      9      10    11    12
    assert mil.tolist() == [False, False, False, False, True, True, True, False, False, True, True, False]
    climate = documented_status(spells, "climate", days)
    assert np.flatnonzero(climate).tolist() == [1, 2]  # 08-02 and 08-03: the end day is open again
    assert not documented_status(spells, "economic", days).any()
    assert documented_status(spells, "defense_policy", pd.DatetimeIndex([])).shape == (0,)
    # Overlapping spells of one channel: suspended while either is.
    both = [Spell("climate", ts("2022-08-02"), ts("2022-08-05")), Spell("climate", ts("2022-08-04"), ts("2022-08-07"))]
    assert np.flatnonzero(documented_status(both, "climate", days)).tolist() == [1, 2, 3, 4, 5]


def test_documented_status_of_an_open_ended_spell_runs_to_the_end():
    spells = [Spell("defense_policy", ts("2022-08-05"), ts("2022-08-08")), Spell("defense_policy", ts("2022-08-10"), None)]
    days = pd.date_range("2022-08-01", "2022-08-12")
    assert np.flatnonzero(documented_status(spells, "defense_policy", days)).tolist() == [4, 5, 6, 9, 10, 11]
    far = pd.DatetimeIndex(["2020-01-01", "2030-01-01"])
    assert documented_status(spells, "defense_policy", far).tolist() == [False, True]
    # Straight from a timeline whose suspension has no reopening row.
    rows = [("2022-08-05", *SUSPEND, "working_groups"), ("2022-08-06", "USA", "CHN", "sanction", "working_groups")]
    status = documented_status(documented_spells(make_timeline(rows)), "working_groups", days)
    assert np.flatnonzero(status).tolist() == list(range(4, 12))


def test_documented_status_from_hand_made_timeline():
    rows = [("2022-08-03", *SUSPEND, "climate"), ("2022-08-06", *RESUME, "climate")]
    spells = documented_spells(make_timeline(rows))
    days = pd.date_range("2022-08-01", "2022-08-08")
    assert documented_status(spells, "climate", days).tolist() == [False, False, True, True, True, False, False, False]


# -- thaw summits ---------------------------------------------------------------------------------


def test_thaw_summits_are_leader_summits_tagged_thaw():
    rows = [
        ("2022-08-01", "USA", "CHN", "leader_summit", "high_level_diplomacy"),  # untagged
        ("2022-08-02", "USA", "CHN", "leader_summit", "high_level_diplomacy", "E1", "thaw"),
        ("2022-08-03", "USA", "CHN", "ministerial_meeting", "high_level_diplomacy", "E1", "thaw"),  # not a summit
        ("2022-08-04", "USA", "CHN", "leader_summit", "high_level_diplomacy", "E1", "partial_thaw"),
        ("2022-08-05", "USA", "CHN", "leader_summit", "high_level_diplomacy", "E1", "thaw_precondition"),
        ("2022-08-06", "USA", "CHN", "leader_summit", "high_level_diplomacy", "E1", "response"),
    ]
    assert [s.date for s in thaw_summits(make_timeline(rows))] == [ts("2022-08-02"), ts("2022-08-05")]
    assert thaw_summits(make_timeline(rows[:1])) == []


# -- measures, names and tenures derived from the tags ----------------------------------------------


def test_short_names_drop_the_year_prefix():
    assert short_name("E2022_PELOSI") == "pelosi"
    assert short_name("E2031_MADE_UP") == "made_up"
    assert short_name("ODD") == "odd"


def test_lag_window_rule():
    assert lag_window(None) == lag_window(0.0) == lag_window(40.0) == MIN_WINDOW_DAYS
    assert lag_window(41.0) == 62 and lag_window(78.0) == 117


def test_a_made_up_episode_yields_its_measures():
    rows = [
        ("2030-01-10", "USA", "CHN", "export_control", "economic", "E2030_WIDGETS", "trigger"),
        ("2030-01-12", "CHN", "USA", "rhetoric_condemnation", "", "E2030_WIDGETS", "response"),
        ("2030-01-15", "CHN", "USA", "channel_suspension", "climate", "E2030_WIDGETS", "response"),
        ("2030-01-16", "CHN", "USA", "channel_suspension", "economic", "E2030_WIDGETS", "escalation"),
        ("2030-01-16", "CHN", "USA", "channel_suspension", "climate", "E2030_WIDGETS", "response"),  # again: one measure
        ("2030-03-31", "CHN", "USA", "meeting_rejection", "defense_ministers", "E2030_WIDGETS", "response"),
        ("2030-02-01", "CHN", "USA", "channel_suspension", "defense_policy", "E2030_OTHER", "response"),  # no trigger
        ("2030-02-02", "CHN", "CHN", "personnel_change", "defense_policy", "E2030_OWN", "trigger"),  # China's own act
        ("2030-02-09", "CHN", "USA", "meeting_rejection", "defense_policy", "E2030_OWN", "response"),
    ]
    measures = lag_measures(make_timeline(rows))
    assert measures == (
        LagMeasure("widgets_first_response", "E2030_WIDGETS", "first_response", "", 60),
        LagMeasure("widgets_suspends_climate", "E2030_WIDGETS", "suspension", "climate", 60),
        LagMeasure("widgets_suspends_economic", "E2030_WIDGETS", "suspension", "economic", 60),
        LagMeasure("widgets_refuses_defense_ministers", "E2030_WIDGETS", "refusal", "defense_ministers", 120),
        LagMeasure("own_refuses_defense_policy", "E2030_OWN", "refusal", "defense_policy", 60),
    )
    tl = make_timeline(rows)
    assert [documented_lag(tl, m) for m in measures] == [2.0, 5.0, 6.0, 80.0, 7.0]


def test_a_made_up_sanction_yields_a_tenure():
    rows = [
        ("2029-05-01", "USA", "CHN", "sanction", "climate", "E2030_ENVOY", "background"),
        ("2029-06-01", "CHN", "CHN", "personnel_change", "climate", "E2030_ENVOY", "background"),  # before? no: after
        ("2030-01-01", "CHN", "CHN", "personnel_change", "climate", "E2030_ENVOY", "escalation"),  # not thaw...
        ("2030-02-01", "CHN", "CHN", "personnel_change", "climate", "E2030_ENVOY", "thaw"),
        ("2030-03-01", "CHN", "CHN", "personnel_change", "climate", "E2030_ENVOY", "thaw"),
        ("2029-05-01", "CHN", "USA", "sanction", "defense_policy", "E2030_ENVOY", "response"),  # China's sanction: no post
        ("2029-05-01", "USA", "CHN", "sanction", "", "E2030_ENVOY", "response"),  # no channel: no post
        ("2029-05-01", "USA", "CHN", "sanction", "economic", "", ""),  # untagged: no episode to follow
    ]
    appointment = Trigger("E2030_ENVOY", ts("2029-06-01"), "CHN", "CHN", "personnel_change")
    assert sanctioned_tenures(make_timeline(rows)) == [Tenure("E2030_ENVOY", "climate", appointment, ts("2030-02-01"))]
    # No removal documented: an open tenure.
    (open_ended,) = sanctioned_tenures(make_timeline(rows[:3]))
    assert open_ended.end is None and open_ended.start == ts("2029-06-01")
    # No personnel change after the sanction: no tenure.
    assert sanctioned_tenures(make_timeline(rows[:1])) == []


def test_reopening_kinds_are_channel_uses():
    assert set(REOPENING_KINDS) == {"channel_resumption", "ministerial_meeting", "working_group", "leader_summit",
                                    "high_level_visit"}  # fmt: skip


FORBIDDEN = ("E20", "pelosi", "nasams", "balloon", "lishangfu", "li_", "bali", "woodside", "admm", "tsai", "lai_")


def _code_words(path: Path) -> list[tuple[int, str]]:
    """The identifiers and string constants of a module, docstrings and comments left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
        and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }  # fmt: skip
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            out.append((node.lineno, node.value))
        elif isinstance(node, ast.Name):
            out.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute):
            out.append((node.lineno, node.attr))
    return out


def test_no_comparison_code_names_a_real_episode():
    """Episodes, summits and officials come from the timeline's tags, never from the comparison's code."""
    root = Path(__file__).resolve().parents[2] / "sim" / "history"
    found = [
        f"{path.name}:{line}: {word!r}"
        for path in sorted(root.glob("*.py"))
        if path.name != "timeline.py"  # the loader: its error message shows the tag format by an example
        for line, word in _code_words(path)
        if any(f.lower() in word.lower() for f in FORBIDDEN)
    ]
    assert found == []
