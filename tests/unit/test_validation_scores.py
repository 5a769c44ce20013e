"""Scoring models on the documented facts (sim.history.validation), the reference models
(sim.history.references) and the VAR of weekly Goldstein sums (sim.history.var_reference).

Predictors whose scores are known by hand are built as Observations directly: one that is
always right scores the Jeffreys-prior floor on binary facts and 0 on quantities; one that
refuses every meeting scores worst on the meeting pattern. The references are checked on
the rules their docstrings state; the VAR on data drawn from a known VAR.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from sim.core.errors import SimInputError
from sim.core.scenario_files import load_scenario
from sim.core.vocabulary import load_vocabulary
from sim.history.calibrate import NULL_MODEL
from sim.history.documented import Documented
from sim.history.facts import BINARY, QUANTITY, Facts, derive_facts
from sim.history.observe import Observation, observe
from sim.history.references import (
    CUT_DAY,
    NEVER,
    RESPONSE_DAY,
    SyntheticRun,
    TrainingRates,
    climatology,
    respond,
    triggers_of,
)
from sim.history.scores import brier, share
from sim.history.splits import Part, make_split
from sim.history.validation import (
    ROW_COLUMNS,
    SKILL_FLOOR,
    common_facts,
    coverage,
    mean_skill,
    pattern_scores,
    score_model,
    skill_table,
)
from sim.history.var_reference import (
    MIN_WEEKS,
    WEEK_DAYS,
    WeeklyVAR,
    fit_var,
    known_weeks,
    var_reference,
    weekly_sums,
)
from sim.outputs import columns
from sim.outputs.io import Run

ts = pd.Timestamp
N_RUNS = 5
FLOOR = (0.5 / (N_RUNS + 1)) ** 2  # Brier of a Jeffreys share when all N_RUNS runs agree with what happened
MILITARY = [c for c, s in load_vocabulary().channels.items() if s.military]


@pytest.fixture(scope="module")
def facts() -> Facts:
    return derive_facts(Documented(), load_scenario("historical_2022_2024"))


@pytest.fixture(scope="module")
def everything(facts) -> Part:
    (fold,) = make_split(facts, "none")
    return fold.train


@pytest.fixture(scope="module")
def base() -> Run:
    """The null model's run: the scripted events and days every reference starts from."""
    from sim.api import run

    r = run(["~calibration", *NULL_MODEL])
    return Run(r.events, r.steps, "null seed 0")


def observation(facts: Facts, **values) -> Observation:
    """A run that shows every fact's documented value, but for the values given (by fact id)."""
    vals = {f.id: f.observed for f in facts.facts if f.pattern != "order"}
    vals.update(values)
    times = {f.id: dict(f.times) for f in facts.of("order")}
    return Observation(vals, times, {t.channel: t.observed.copy() for t in facts.status})


def scored(facts, part, **models) -> pd.DataFrame:
    """score_model of each model (a list of Observations), as validate stacks them."""
    return pd.concat([score_model(facts, obs, part).assign(model=m, part="train") for m, obs in models.items()],
                     ignore_index=True)  # fmt: skip


# -- score_model on predictors whose scores are known -----------------------------------------------


def test_a_perfect_predictor_scores_the_floor_on_binary_facts_and_zero_on_quantities(facts, everything):
    table = score_model(facts, [observation(facts)] * N_RUNS, everything)
    assert list(table.columns) == list(ROW_COLUMNS)
    assert len(table) == len(facts.facts) + len(facts.status)  # one row per fact, one per channel
    rows = table.set_index("fact")
    for f in facts.facts:
        row = rows.loc[f.id]
        assert row["runs"] == N_RUNS
        if f.pattern in BINARY:
            assert row["forecast"] == pytest.approx((N_RUNS + 0.5) / (N_RUNS + 1) if f.observed else 0.5 / (N_RUNS + 1))
            assert row["score"] == pytest.approx(FLOOR) and row["score"] < 0.01
            assert row["log_score"] == pytest.approx(-math.log((N_RUNS + 0.5) / (N_RUNS + 1)))
        elif f.pattern in QUANTITY:
            assert row["score"] == 0.0 and row["covered"] is True
            assert row["lo"] == row["hi"] == row["forecast"] == f.observed
        else:
            assert f.pattern == "order" and row["score"] == 0.0
    status = table[table["pattern"] == "status"]
    assert list(status["fact"]) == [f"status.{t.channel}" for t in facts.status]
    assert np.allclose(status["score"], FLOOR)
    assert status.set_index("fact").loc["status.climate", "observed"] == pytest.approx(102 / 879)


def test_a_fact_no_run_can_show_is_not_scored_and_runs_count_only_those_showing_it(facts, everything):
    some = [observation(facts, **{"lag.pelosi_first_response": None, "meeting.2023-02-04.defense_ministers": None})] * 2
    table = score_model(facts, [*some, observation(facts)], everything).set_index("fact")
    assert table.loc["lag.pelosi_first_response", "runs"] == 1
    assert table.loc["meeting.2023-02-04.defense_ministers", "runs"] == 1
    assert table.loc["meeting.2023-02-18.high_level_diplomacy", "runs"] == 3
    nobody = [observation(facts, **{"lag.pelosi_first_response": None})] * 3
    assert "lag.pelosi_first_response" not in set(score_model(facts, nobody, everything)["fact"])


def test_score_model_scores_only_the_part_given(facts):
    (fold,) = make_split(facts, "temporal", ts("2024-01-01"))
    obs = [observation(facts)] * N_RUNS
    train, test = score_model(facts, obs, fold.train), score_model(facts, obs, fold.test)
    facts_only = lambda t: set(t.loc[t["pattern"] != "status", "fact"])
    assert facts_only(train) == set(fold.train.ids) and facts_only(test) == set(fold.test.ids)
    status = test[test["pattern"] == "status"].set_index("fact")
    assert status.loc["status.senior_military", "date"] == ts("2024-12-27")  # the part's last day
    assert status.loc["status.senior_military", "observed"] == 0.0  # senior_military reopened before 2024
    assert train[train["pattern"] == "status"].set_index("fact").loc["status.senior_military", "date"] == ts("2023-12-31")


def test_lags_off_by_a_constant_cost_that_constant_and_are_not_covered(facts, everything):
    late = {f.id: f.observed + 10 for f in facts.of("lag")}
    table = score_model(facts, [observation(facts, **late)] * N_RUNS, everything)
    lags = table[table["pattern"] == "lag"]
    assert np.allclose(lags["score"], 10.0) and not lags["covered"].any()
    spread = [observation(facts, **{f.id: f.observed + d for f in facts.of("lag")}) for d in (-2, -1, 0, 1, 2)]
    row = score_model(facts, spread, everything).set_index("fact").loc["lag.nasams_refuses_defense_ministers"]
    # CRPS of {y-2..y+2} at y: E|X-y| = 6/5, E|X-X'| = 2*(1*8+2*6+3*4+4*2)/25 = 1.6, so 1.2 - 0.8 = 0.4.
    assert row["score"] == pytest.approx(0.4)
    assert row["covered"] and (row["lo"], row["hi"]) == pytest.approx((24.2, 27.8))  # 5th, 95th percentiles


def test_refusing_every_meeting_scores_worst_on_the_meeting_pattern(facts, everything):
    meetings = facts.of("meeting")
    refuse = [observation(facts, **{f.id: 0.0 for f in meetings})] * N_RUNS
    hold = [observation(facts, **{f.id: 1.0 for f in meetings})] * N_RUNS
    table = scored(facts, everything, refuse_all=refuse, hold_all=hold, right=[observation(facts)] * N_RUNS)
    patterns = pattern_scores(table).set_index(["model", "pattern"])["score"]
    held = sum(f.observed for f in meetings)
    # Of nine requests six held, three refused; of seven planned visits six held, one called off (2023-02-05).
    assert (held, len(meetings)) == (12, 16)
    assert {f.id for f in meetings if not f.observed} == {
        "meeting.2023-02-04.defense_ministers", "meeting.2023-02-05.high_level_diplomacy",
        "meeting.2023-06-02.defense_ministers", "meeting.2024-11-20.defense_ministers",
    }  # fmt: skip
    wrong, right = (1 - 0.5 / (N_RUNS + 1)) ** 2, FLOOR
    assert patterns["refuse_all", "meeting"] == pytest.approx((12 * wrong + 4 * right) / 16)
    assert patterns["hold_all", "meeting"] == pytest.approx((4 * wrong + 12 * right) / 16)
    assert patterns["right", "meeting"] == pytest.approx(FLOOR)
    assert patterns["refuse_all", "meeting"] > patterns["hold_all", "meeting"] > patterns["right", "meeting"]
    # A refusal of a held meeting costs as much as holding a refused one.
    rows = table.set_index(["model", "fact"])["score"]
    refused_held = rows["refuse_all", "meeting.2023-02-18.high_level_diplomacy"]
    held_refused = rows["hold_all", "meeting.2023-02-04.defense_ministers"]
    assert refused_held == pytest.approx(held_refused) == pytest.approx(wrong)
    assert refused_held == pytest.approx(brier([share([False] * N_RUNS)], [1]))
    # The other patterns do not see the meeting forecasts.
    for pattern in ("response", "lag", "status", "thaw", "order"):
        assert patterns["refuse_all", pattern] == patterns["hold_all", pattern] == patterns["right", pattern]


# -- pattern_scores, skill_table, coverage ---------------------------------------------------------


def test_pattern_scores_are_the_means_of_the_rows_in_pattern_order(facts, everything):
    late = observation(facts, **{f.id: f.observed + 4 for f in facts.of("thaw")})
    table = scored(facts, everything, late=[late] * N_RUNS)
    p = pattern_scores(table)
    assert list(p["pattern"]) == ["response", "lag", "meeting", "status", "thaw", "order"]
    by = p.set_index("pattern")
    assert by.loc["thaw", "score"] == pytest.approx(4.0) and by.loc["thaw", "coverage"] == 0.0
    assert by.loc["lag", "coverage"] == 1.0 and by.loc["lag", "facts"] == len(facts.of("lag"))
    assert by.loc["status", "facts"] == len(load_vocabulary().channels) and math.isnan(by.loc["order", "log_score"])
    assert math.isnan(by.loc["meeting", "coverage"])  # binary facts have no interval
    kept = pattern_scores(table, {"thaw.climate.2022-08-05", "lag.pelosi_first_response"})
    assert list(kept["pattern"]) == ["lag", "thaw"] and list(kept["facts"]) == [1, 1]


def test_coverage_counts_the_intervals_of_lags_and_thaws(facts, everything):
    late_thaws = observation(facts, **{f.id: f.observed + 4 for f in facts.of("thaw")})
    table = scored(facts, everything, right=[observation(facts)] * N_RUNS, late=[late_thaws] * N_RUNS)
    cov = coverage(table).set_index("model")
    n_lags, n_thaws = len(facts.of("lag")), len(facts.of("thaw"))
    assert (n_lags, n_thaws) == (13, 8)
    assert cov.loc["right", "intervals"] == cov.loc["late", "intervals"] == n_lags + n_thaws
    assert cov.loc["right", "coverage"] == 1.0
    assert cov.loc["late", "coverage"] == pytest.approx(n_lags / (n_lags + n_thaws))
    only_thaws = coverage(table, {f.id for f in facts.of("thaw")}).set_index("model")
    assert only_thaws.loc["late", "coverage"] == 0.0 and only_thaws.loc["late", "intervals"] == n_thaws


def test_the_null_model_has_skill_zero_against_itself_and_a_perfect_one_near_one(facts, everything, base):
    null = [observe(base, facts)] * 3
    table = scored(facts, everything, null=null, perfect=[observation(facts)] * 3)
    keep = common_facts(table)
    # The null model cannot show a refusal nothing asked for, nor a refusal on a channel never requested.
    assert "response.balloon.USA.meeting_rejection" not in keep and "lag.lishangfu_refuses_senior_military" not in keep
    assert "lag.pelosi_first_response" in keep and "status.defense_policy" in keep
    patterns = pattern_scores(table, keep)
    skills = skill_table(patterns, ["null"])
    assert set(skills["reference"]) == {"null"}
    own = skills[skills["model"] == "null"].set_index("pattern")["skill"]
    assert set(own.index) == {"response", "lag", "meeting", "status", "thaw", "order", "mean"}
    assert (own == 0.0).all()
    perfect = skills[skills["model"] == "perfect"].set_index("pattern")["skill"]
    for pattern in ("lag", "thaw", "order"):  # scored 0: skill exactly 1
        assert perfect[pattern] == 1.0
    null_scores = patterns[patterns["model"] == "null"].set_index("pattern")["score"]
    for pattern in ("response", "meeting", "status"):  # the Jeffreys floor of 3 agreeing runs
        assert perfect[pattern] == pytest.approx(1 - (0.5 / 4) ** 2 / null_scores[pattern])
        assert 0.85 < perfect[pattern] < 1
    # The null model sends nothing: of the 72 response facts it shows, it misses the 11 documented ones (Pelosi 4,
    # balloon 4, Tsai 1, NASAMS 2) and is right on 61, most of them kinds never documented (tariffs, visas).
    wrong, right = (1 - 0.5 / 4) ** 2, (0.5 / 4) ** 2
    assert null_scores["response"] == pytest.approx((11 * wrong + 61 * right) / 72)
    assert patterns.set_index(["model", "pattern"]).loc[("null", "response"), "facts"] == 72
    assert perfect["response"] == pytest.approx(0.88)
    # Meetings: the null model holds all 16 (requests accepted, planned visits made); four were not held.
    assert null_scores["meeting"] == pytest.approx((4 * wrong + 12 * right) / 16)
    assert perfect["mean"] == pytest.approx(np.mean([perfect[p] for p in ("response", "lag", "meeting", "status",
                                                                          "thaw", "order")]))  # fmt: skip


def hand_patterns(rows) -> pd.DataFrame:
    return pd.DataFrame([{"model": m, "part": "test", "pattern": p, "facts": 1, "score": s, "log_score": math.nan,
                          "coverage": math.nan} for m, p, s in rows])  # fmt: skip


def test_skill_by_hand_and_the_mean_floors_each_pattern():
    patterns = hand_patterns([
        ("ref", "lag", 4.0), ("perfect", "lag", 0.0), ("bad", "lag", 40.0),  # skill of bad: 1 - 10 = -9
        ("ref", "meeting", 0.2), ("perfect", "meeting", 0.0), ("bad", "meeting", 0.1),  # skill of bad: 0.5
        ("ref", "order", 0.0), ("perfect", "order", 0.0), ("bad", "order", 0.3),  # a perfect reference: NaN
    ])  # fmt: skip
    skills = skill_table(patterns, ["ref"]).set_index(["model", "pattern"])["skill"]
    assert skills["perfect", "lag"] == skills["perfect", "meeting"] == 1.0
    assert skills["ref", "lag"] == skills["ref", "meeting"] == 0.0
    assert skills["bad", "lag"] == pytest.approx(-9.0) and skills["bad", "meeting"] == pytest.approx(0.5)
    assert math.isnan(skills["bad", "order"]) and math.isnan(skills["perfect", "order"])
    # mean: lag floored at SKILL_FLOOR, NaN left out.
    assert SKILL_FLOOR == -1.0
    assert skills["bad", "mean"] == pytest.approx((SKILL_FLOOR + 0.5) / 2)
    assert skills["perfect", "mean"] == 1.0 and skills["ref", "mean"] == 0.0
    assert mean_skill({"lag": -9.0, "meeting": 0.5, "order": math.nan}) == pytest.approx(skills["bad", "mean"])
    # A reference that is not among the models gives no rows.
    assert skill_table(patterns, ["missing"]).empty


def test_skill_is_computed_per_part():
    patterns = pd.concat([
        hand_patterns([("ref", "lag", 2.0), ("m", "lag", 1.0)]),
        hand_patterns([("ref", "lag", 2.0), ("m", "lag", 3.0)]).assign(part="train"),
    ], ignore_index=True)  # fmt: skip
    skills = skill_table(patterns, ["ref"])
    lag = skills[(skills["model"] == "m") & (skills["pattern"] == "lag")].set_index("part")["skill"]
    assert lag["test"] == pytest.approx(0.5) and lag["train"] == pytest.approx(-0.5)


# -- the climatology reference and what it learns ---------------------------------------------------


def test_training_rates_of_every_fact(facts, everything):
    rates = TrainingRates.learn(facts, everything)
    # Seven (trigger, responder) pairs are asked, (hits + 0.5) / (7 + 1) per kind. From the timeline, within 30
    # days: Pelosi, China: condemnation, drills, suspensions, sanctions; balloon, China: the refused call;
    # balloon, US: the postponed trip (a called-off visit, not a refusal), the shoot-down, the entity listing;
    # Tsai, China: drills; NASAMS, China: the condemnation, the refused meeting. Li Shangfu (US) and Tsai (US):
    # nothing. No tariff nor visa restriction is documented.
    assert rates.kinds == pytest.approx({
        "meeting_rejection": 2.5 / 8, "channel_suspension": 1.5 / 8, "sanction": 1.5 / 8, "export_control": 1.5 / 8,
        "military_drill": 2.5 / 8, "surveillance_incident": 0.5 / 8, "interception": 1.5 / 8,
        "rhetoric_condemnation": 2.5 / 8, "tariff": 0.5 / 8, "visa_restriction": 0.5 / 8, "visit_postponed": 1.5 / 8,
    })  # fmt: skip
    # Of five asked episodes (Pelosi, balloon, Li Shangfu, Tsai, NASAMS), Pelosi cut defense_policy,
    # maritime_safety, theater_commanders, climate and working_groups: (1 + 0.5) / 6, and 0.5 / 6 for the others.
    pelosi_cuts = {"defense_policy", "maritime_safety", "theater_commanders", "climate", "working_groups"}
    assert rates.cuts == pytest.approx({c: 0.25 if c in pelosi_cuts else 1 / 12 for c in load_vocabulary().channels})
    assert rates.thaw_days == 398  # median of 14, 102, 185, 360, 437, 521, 607 and 766 days (398.5, rounded to even)
    # The most frequent kind respond() sends itself: drills and condemnations tie, the vocabulary's order decides.
    assert rates.most_frequent() == "military_drill"


def _replace(facts: Facts, **observed) -> Facts:
    return Facts(tuple(dataclasses.replace(f, observed=observed.get(f.id, f.observed)) for f in facts.facts),
                 facts.status, facts.spans, facts.doc)  # fmt: skip


def test_training_rates_see_only_the_training_part(facts):
    (fold,) = make_split(facts, "temporal", ts("2024-01-01"))
    rates = TrainingRates.learn(facts, fold.train)
    assert rates.thaw_days == 185  # median of 102, 185 and 360: the five later thaws are test facts
    # Six pairs train (all but NASAMS, known from 2024-10-26): condemnation by Pelosi's China only.
    assert rates.kinds["rhetoric_condemnation"] == pytest.approx(1.5 / 7)
    test_ids = [f.id for f in facts.facts if f.id in fold.test]
    assert "thaw.defense_ministers.2023-02-04" in test_ids and "response.nasams.CHN.sanction" in test_ids
    flipped = _replace(facts, **{i: 0.0 if f.pattern != "response" else 1.0 - f.observed
                                 for f in facts.facts if (i := f.id) in fold.test})  # fmt: skip
    assert TrainingRates.learn(flipped, fold.train) == rates
    # Changing a training fact does change them.
    changed = _replace(facts, **{"thaw.climate.2022-08-05": 1000.0, "response.pelosi.CHN.sanction": 0.0})
    other = TrainingRates.learn(changed, fold.train)
    assert other.thaw_days == 360 and other.kinds["sanction"] == pytest.approx(0.5 / 7)


def test_without_a_documented_thaw_in_training_a_reference_never_reopens(facts):
    """A training part that saw channels cut but none reopened (the whole Pelosi episode held
    out) teaches a reference to keep what it cuts shut: past any run's end."""
    responses = Part(frozenset(f.id for f in facts.of("response")), {})
    assert TrainingRates.learn(facts, responses).thaw_days == NEVER > 10 * 365


def _expected_cuts(triggers: list[tuple[int, int]], days: int, n: int) -> np.ndarray:
    """The climatology's status of a military channel: a cut CUT_DAY after each trigger, unless shut then."""
    shut = np.zeros(n, dtype=bool)
    for t0, _ in triggers:
        if t0 + CUT_DAY < n and not shut[t0 + CUT_DAY]:
            shut[t0 + CUT_DAY : t0 + CUT_DAY + days] = True
    return shut


@pytest.fixture(scope="module")
def clim_runs(facts, base):
    out = {}
    for split in ("none", "episode:balloon"):
        (fold,) = make_split(facts, split)
        out[split] = (TrainingRates.learn(facts, fold.train), climatology(facts, fold.train, base, range(8)))
    return out


@pytest.mark.parametrize("split, thaw_days", [("none", 398), ("episode:balloon", 58)])
def test_climatology_cuts_the_military_channels_on_day_3_for_the_training_thaw(
    facts, base, clim_runs, split, thaw_days
):
    rates, runs = clim_runs[split]
    # episode:balloon holds out 2023-02-02 to 2024-04-16 (its trigger to the defence ministers' reopening): Pelosi's
    # long military and working-group thaws and Li Shangfu's senior-military thaw are purged; climate's 102 days
    # and arms control's 14 alone train (median 58).
    assert rates.thaw_days == thaw_days
    probe = SyntheticRun(base)
    found = [probe.trigger(t) for t in triggers_of(facts)]
    assert all(f is not None for f in found) and len(found) == 5  # Pelosi, balloon, Li Shangfu, Tsai, NASAMS
    assert [t.episode for t in triggers_of(facts)] == ["E2022_PELOSI", "E2023_BALLOON", "E2023_LISHANGFU",
                                                       "E2023_TSAI", "E2024_NASAMS"]  # fmt: skip
    n = len(base.steps)
    expected = _expected_cuts(found, thaw_days, n)
    for run in runs:
        steps, ev = run.steps, run.events
        for c in load_vocabulary().channels:
            shut = (steps[columns.channel("USA", "CHN", c)] == "suspended").to_numpy()
            if c in MILITARY:
                np.testing.assert_array_equal(shut, expected)
                assert all(shut[t0 + CUT_DAY] for t0, _ in found)  # every trigger finds them shut on day 3
            else:
                assert not shut.any()
        cuts = ev[ev["kind"] == "channel_suspension"]
        assert set(cuts["channel"]) == set(MILITARY) and (cuts["sender"] == "CHN").all()
        causes = {i: t0 for t0, i in found}
        for cut in cuts.itertuples():
            assert cut.step == causes[int(cut.cause)] + CUT_DAY
            reopen = ev[(ev["kind"] == "channel_resumption") & (ev["cause"] == cut.id)]
            if cut.step + thaw_days < n:
                assert list(reopen["step"]) == [cut.step + thaw_days]
            else:
                assert reopen.empty  # past the run's end
        # In sample the 398-day cut from Pelosi (to 2023-09-07) covers the balloon's, Li Shangfu's and Tsai's
        # day 3: only Pelosi and NASAMS cut. Trained on 58 days, only Li Shangfu's day 3 (2023-03-15) falls in
        # the balloon's cut (to early April 2023): the other four triggers find the channels open again.
        cutters = 2 if split == "none" else len(found) - 1
        assert len(cuts) == cutters * len(MILITARY)
    if split == "episode:balloon":
        opened = [t0 for t0, _ in found if not expected[t0 + CUT_DAY - 1]]
        assert len(opened) == len(found) - 1 and all(expected[t0 + CUT_DAY] for t0 in opened)


def test_climatology_answers_on_day_1_and_refuses_a_meeting_exactly_when_its_channel_is_shut(facts, base, clim_runs):
    _, runs = clim_runs["none"]
    found = {t: SyntheticRun(base).trigger(t) for t in triggers_of(facts)}
    responders = triggers_of(facts)
    by_id = {i: (t0, trig) for trig, (t0, i) in found.items()}
    hostile = {k for k, s in load_vocabulary().kinds.items() if s.hostility > 0} - {
        "meeting_rejection",
        "channel_suspension",
    }
    for run in runs:
        ev = run.events
        acts = ev[~ev["scripted"].astype(bool) & ~ev["kind"].isin(["channel_suspension", "channel_resumption",
                                                                     "meeting_rejection", "ministerial_meeting"])]  # fmt: skip
        assert len(acts)
        for act in acts.itertuples():
            t0, trig = by_id[int(act.cause)]
            assert act.step == t0 + RESPONSE_DAY and act.kind in hostile
            assert act.sender in responders[trig] and act.receiver == ("USA" if act.sender == "CHN" else "CHN")
        shut = {c: (run.steps[columns.channel("USA", "CHN", c)] == "suspended").to_numpy() for c in MILITARY}
        requests = ev[(ev["kind"] == "meeting_request")]
        assert len(requests) == 9
        for q in requests.itertuples():
            (answer,) = ev.loc[ev["cause"] == q.id, "kind"]
            refused = q.channel in shut and shut[q.channel][q.step]
            assert answer == ("meeting_rejection" if refused else "ministerial_meeting"), q.date
    # In sample the military channels are shut 2022-08-05 to 2023-07-31 (Pelosi, 360 days) and from 2024-10-28
    # (NASAMS): the defence ministers' requests in those spells are refused, the one of 2024-05-31 is not.
    obs = observe(runs[0], facts).values
    refused = {f.id for f in facts.of("meeting") if obs[f.id] == 0.0}
    assert refused == {"meeting.2022-11-22.defense_ministers", "meeting.2023-02-04.defense_ministers",
                       "meeting.2023-06-02.defense_ministers", "meeting.2024-11-20.defense_ministers"}  # fmt: skip


def test_climatology_answers_every_trigger_by_each_responder_on_day_1(facts, base):
    (fold,) = make_split(facts, "none")
    runs = climatology(facts, fold.train, base, range(20))
    found = {t: SyntheticRun(base).trigger(t) for t in triggers_of(facts)}
    for run in runs:
        ev = run.events
        for trig, responders in triggers_of(facts).items():
            t0, root = found[trig]
            for r in responders:
                answer = ev[(ev["cause"] == root) & (ev["sender"] == r) & (ev["step"] == t0 + RESPONSE_DAY)]
                assert not answer.empty, (run.label, trig.episode, r)


def test_respond_sends_each_kind_with_its_training_frequency(facts, everything, base):
    rates = TrainingRates.learn(facts, everything)
    run = SyntheticRun(base)
    pelosi = next(iter(triggers_of(facts)))
    rng = np.random.default_rng(7)
    draws = 1000
    for _ in range(draws):
        respond(run, rates, pelosi, ["CHN"], RESPONSE_DAY, rng)
    sent = pd.Series([r["kind"] for r in run.rows]).value_counts()
    assert "meeting_rejection" not in sent and "channel_suspension" not in sent
    for kind in ("sanction", "export_control", "surveillance_incident", "interception"):
        p = rates.kinds[kind]
        assert sent[kind] / draws == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / draws)), kind
    assert all(r["step"] == 1 + RESPONSE_DAY and r["sender"] == "CHN" and r["receiver"] == "USA" for r in run.rows)


def test_climatology_is_reproducible_per_seed(facts, everything, base, clim_runs):
    again = climatology(facts, everything, base, [3])[0]
    pd.testing.assert_frame_equal(again.events, clim_runs["none"][1][3].events)
    assert again.label == "climatology seed 3"


def _planned_ids(facts: Facts) -> list[str]:
    return [f.id for f in facts.of("meeting") if f.kind]


def test_the_references_call_off_a_planned_engagement_as_they_refuse_a_meeting(facts, everything, base):
    scenario = load_scenario("historical_2022_2024")
    planned = _planned_ids(facts)
    assert len(planned) == 7
    # The climatology shuts only the military channels, and no planned visit is on one: every one takes place.
    (clim,) = climatology(facts, everything, base, [0], scenario=scenario)
    assert all(observe(clim, facts).values[f] == 1.0 for f in planned)
    assert not {"high_level_diplomacy", "economic"} & set(MILITARY)
    # The VAR refuses in a hostile week of the host: with the scenario, a planned visit then is called off (its
    # scripted row dropped, the host's refusal that day); without it, every one takes place.
    called_off = 0
    for seed in range(6):
        (told,) = var_reference(facts, everything, base, [seed], scenario=scenario)
        (blind,) = var_reference(facts, everything, base, [seed])
        seen, unseen = observe(told, facts).values, observe(blind, facts).values
        assert all(unseen[f] == 1.0 for f in planned)
        off = [f for f in planned if seen[f] == 0.0]
        called_off += len(off)
        ev, was = told.events, blind.events
        refusals = ev[(ev["kind"] == "meeting_rejection") & ev["cause"].isna()]
        assert sorted(f"meeting.{d.date()}.{c}" for d, c in zip(refusals["date"], refusals["channel"])) == sorted(off)
        dropped = was["scripted"] & was["kind"].eq("high_level_visit") & was["date"].isin(list(refusals["date"]))
        assert dropped.sum() == len(off)
        # Nothing else changes: the same acts, ids and all, but for the dropped rows and the added refusals.
        pd.testing.assert_frame_equal(ev.drop(index=refusals.index).reset_index(drop=True).astype(object),
                                      was[~dropped].reset_index(drop=True).astype(object))  # fmt: skip
    assert called_off > 0


def test_a_synthetic_run_ignores_acts_past_its_end(base):
    run = SyntheticRun(base)
    n = len(run.dates)
    assert run.add(n, "CHN", "USA", "sanction") is None and run.add(-1, "CHN", "USA", "sanction") is None
    first = run.add(n - 1, "CHN", "USA", "sanction")
    assert first == int(base.events.loc[base.events["scripted"], "id"].max()) + 1
    run.cut(n - 5, "defense_policy", 30, None)  # runs to the end: its resumption falls past it
    out = run.run("end")
    assert list(out.events.loc[~out.events["scripted"].astype(bool), "kind"]) == ["channel_suspension", "sanction"]
    assert (out.steps[columns.channel("USA", "CHN", "defense_policy")] == "suspended").sum() == 5
    assert list(out.events["step"]) == sorted(out.events["step"])


# -- the VAR reference ------------------------------------------------------------------------------

DIRECTIONS = [("USA", "CHN"), ("CHN", "USA")]


def simulate_var(coefs: list[np.ndarray], const, beta, weeks: int, seed: int, scale: float = 0.5):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=weeks)
    y = np.zeros((weeks, 2))
    for t in range(len(coefs), weeks):
        y[t] = (
            const + beta * x[t] + sum(a @ y[t - k - 1] for k, a in enumerate(coefs)) + rng.normal(scale=scale, size=2)
        )
    return y, x


def test_fit_var_recovers_a_known_var1_with_an_exogenous_input():
    a = np.array([[0.5, 0.2], [-0.1, 0.3]])
    const, beta = np.array([1.0, -2.0]), np.array([0.8, -0.5])
    y, x = simulate_var([a], const, beta, 400, seed=0)
    var = fit_var(y, x, DIRECTIONS)
    assert isinstance(var, WeeklyVAR) and var.directions == tuple(DIRECTIONS)
    assert var.order == 1 and var.params.shape == (4, 2)
    np.testing.assert_allclose(var.params[0], const, atol=0.15)  # row const
    np.testing.assert_allclose(var.params[1], beta, atol=0.1)  # row scripted
    np.testing.assert_allclose(var.params[2:].T, a, atol=0.1)  # rows L1.<series>, a column per equation
    np.testing.assert_allclose(var.sigma, 0.25 * np.eye(2), atol=0.05)


def test_weekly_var_mean_reproduces_statsmodels_fitted_values():
    from statsmodels.tsa.api import VAR

    a1, a2 = np.array([[0.4, 0.1], [0.0, 0.3]]), np.array([[-0.35, 0.0], [0.2, -0.3]])
    y, x = simulate_var([a1, a2], np.array([0.5, 0.2]), np.array([1.0, 0.3]), 400, seed=1)
    var = fit_var(y, x, DIRECTIONS)
    assert var.order == 2  # AIC sees the second lag
    res = VAR(pd.DataFrame(y, columns=["USA_CHN", "CHN_USA"]), exog=pd.DataFrame({"scripted": x})).fit(2, trend="c")
    assert list(res.params.index) == ["const", "scripted", "L1.USA_CHN", "L1.CHN_USA", "L2.USA_CHN", "L2.CHN_USA"]
    np.testing.assert_allclose(var.params, res.params.to_numpy())
    fitted = res.fittedvalues.to_numpy()
    mine = np.array([var.mean(y[t - 2 : t], x[t]) for t in range(2, len(y))])
    np.testing.assert_allclose(mine, fitted, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(var.sigma, res.sigma_u.to_numpy())


def test_weekly_sums_by_direction_and_week_on_a_hand_frame():
    start = ts("2024-01-01")
    rows = pd.DataFrame(
        [
            ("2024-01-01", "USA", "CHN", -4.4),  # week 0
            ("2024-01-07", "USA", "CHN", 1.0),  # week 0 (day 6)
            ("2024-01-08", "USA", "CHN", 2.5),  # week 1 (day 7)
            ("2024-01-03", "CHN", "USA", -8.0),  # week 0, other direction
            ("2024-01-21", "CHN", "USA", 3.0),  # week 2 (day 20, its last)
            ("2024-01-22", "CHN", "USA", 100.0),  # week 3 (day 21): past the weeks asked for
            ("2023-12-31", "USA", "CHN", 100.0),  # before the start
            ("2024-01-02", "USA", "TWN", 100.0),  # another pair
            ("2024-01-02", "CHN", "CHN", 100.0),
        ],
        columns=["date", "sender", "receiver", "goldstein"],
    ).assign(date=lambda d: pd.to_datetime(d["date"]))
    sums = weekly_sums(rows, start, 3, DIRECTIONS)
    np.testing.assert_allclose(sums, [[-4.4 + 1.0, -8.0], [2.5, 0.0], [0.0, 3.0]], rtol=0, atol=1e-12)
    assert WEEK_DAYS == 7
    everything = weekly_sums(rows.assign(sender="*", receiver="*"), start, 4, [("*", "*")])[:, 0]
    np.testing.assert_allclose(everything, [-4.4 + 1.0 - 8.0 + 200.0, 2.5, 3.0, 100.0], rtol=0, atol=1e-12)


def test_fit_var_with_too_few_weeks_is_a_one_line_error():
    y, x = simulate_var([np.eye(2) * 0.5], np.zeros(2), np.zeros(2), MIN_WEEKS - 1, seed=2)
    with pytest.raises(SimInputError) as err:
        fit_var(y, x, DIRECTIONS)
    assert f"={MIN_WEEKS - 1}" in str(err.value) and f"at least {MIN_WEEKS}" in str(err.value)
    assert "\n" not in str(err.value)


def test_known_weeks_are_those_before_the_cutoff_and_outside_the_test_part(facts):
    start = ts("2024-01-01")  # weeks 0..3: 01-01..01-07, 01-08..01-14, 01-15..01-21, 01-22..01-28
    assert known_weeks(start, 4, None, None, pd.DatetimeIndex([])).tolist() == [True] * 4
    # A cutoff: the weeks that end before it are known; the week it falls in, and the later ones, are not.
    assert known_weeks(start, 4, ts("2024-01-15"), None, pd.DatetimeIndex([])).tolist() == [True, True, False, False]
    assert known_weeks(start, 4, ts("2024-01-17"), None, pd.DatetimeIndex([])).tolist() == [True, True, False, False]
    assert known_weeks(start, 4, ts("2024-01-08"), None, pd.DatetimeIndex([])).tolist() == [True, False, False, False]
    # A test part: a week holding any of its status days is not known (here 01-10, and 01-24 to 01-26; a day
    # past the weeks asked for changes nothing).
    dates = pd.date_range("2023-12-25", "2024-02-10", freq="D")
    held = np.asarray(dates.isin([ts("2024-01-10"), *pd.date_range("2024-01-24", "2024-01-26"), ts("2024-02-05")]))
    test = Part(frozenset({"some.fact"}), {"climate": held, "defense_policy": held})
    assert known_weeks(start, 4, None, test, dates).tolist() == [True, False, True, False]
    assert known_weeks(start, 4, ts("2024-01-22"), test, dates).tolist() == [True, False, True, False]
    nothing = Part(frozenset(), {"climate": np.zeros(len(dates), dtype=bool)})
    assert known_weeks(start, 4, None, nothing, dates).tolist() == [True] * 4
    assert known_weeks(start, 4, None, Part(frozenset(), {}), dates).tolist() == [True] * 4
    # On the shipped facts: Tsai's fold holds out 2023-04-05 to 2023-05-05, weeks 35 to 39 from 2022-08-01.
    (fold,) = make_split(facts, "episode:tsai")
    origin = ts("2022-08-01")
    first, last = ((ts(d) - origin).days // WEEK_DAYS for d in ("2023-04-05", "2023-05-05"))
    assert (first, last) == (35, 39)
    known = known_weeks(origin, 130, None, fold.test, facts.status[0].dates)
    assert np.flatnonzero(~known).tolist() == list(range(first, last + 1))


def test_the_var_reference_writes_reproducible_synthetic_runs(facts, base):
    (fold,) = make_split(facts, "temporal", ts("2024-01-01"))
    runs = var_reference(facts, fold.train, base, [0, 1, 0], cutoff=ts("2024-01-01"))
    assert [r.label for r in runs] == ["var seed 0", "var seed 1", "var seed 0"]
    pd.testing.assert_frame_equal(runs[0].events, runs[2].events)
    scripted = base.events[base.events["scripted"]].reset_index(drop=True)
    for run in runs:
        ev = run.events
        mine = ev[ev["scripted"].astype(bool)].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine.astype(object), scripted.astype(object))
        assert len(ev[ev["kind"].isin(["meeting_rejection", "ministerial_meeting"])]) == 9  # every request answered
        obs = observe(run, facts)
        assert set(obs.values) == {f.id for f in facts.facts}
