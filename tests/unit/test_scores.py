"""The scoring rules on forecasts whose scores are known by hand or in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.history.scores import brier, covers, crps, interval, log_score, pairwise_order, share, skill


def test_brier_perfect_worst_and_hedged():
    assert brier([1.0, 0.0, 1.0], [1, 0, 1]) == 0.0
    assert brier([0.0, 1.0], [1, 0]) == 1.0
    assert brier([0.5, 0.5], [1, 0]) == 0.25


def test_brier_is_proper_hedging_costs_in_expectation():
    # A fact that happens 70% of the time: forecasting 0.7 beats both 1.0 and 0.5 on average.
    y = np.array([1] * 7 + [0] * 3)
    scores = {p: brier(np.full(10, p), y) for p in (0.5, 0.7, 1.0)}
    assert scores[0.7] < scores[0.5] and scores[0.7] < scores[1.0]
    assert scores[0.7] == pytest.approx(0.21)


def test_a_refusal_of_a_meeting_that_took_place_costs_as_much_as_accepting_one_refused():
    # Forecast probability of a refusal; 1 = refused, 0 = held.
    refused_held = brier([0.9], [0])
    accepted_refused = brier([0.1], [1])
    assert refused_held == accepted_refused == pytest.approx(0.81)


def test_log_score_known_values_and_a_failed_certainty():
    assert log_score([0.5], [1]) == pytest.approx(math.log(2))
    assert log_score([0.25, 0.75], [0, 1]) == pytest.approx(-math.log(0.75))
    assert log_score([1.0], [0]) == math.inf


def test_share_of_a_finite_sample_is_never_a_certainty():
    assert share([True] * 20) == pytest.approx(20.5 / 21)
    assert share([False] * 20) == pytest.approx(0.5 / 21)
    assert share([True, False, True, True], prior=0) == 0.75
    assert math.isfinite(log_score([share([True] * 20)], [0]))


def test_crps_of_a_point_forecast_is_its_absolute_error():
    assert crps([3.0, 3.0, 3.0], 3.0) == 0.0
    assert crps([5.0], 2.0) == 3.0


def test_crps_of_two_draws_by_hand():
    # E|X - 0| = 0.5; E|X - X'| over the four ordered pairs (0,0) (0,1) (1,0) (1,1) = 0.5.
    assert crps([0.0, 1.0], 0.0) == pytest.approx(0.5 - 0.25)
    assert crps([1.0, 0.0], 1.0) == pytest.approx(0.25)


def test_crps_of_a_normal_sample_approaches_the_closed_form():
    # For N(0, 1) at y: y(2Phi(y) - 1) + 2 phi(y) - 1/sqrt(pi); at y = 0: 2/sqrt(2 pi) - 1/sqrt(pi).
    x = np.random.default_rng(1).normal(size=200_000)
    assert crps(x, 0.0) == pytest.approx(2 / math.sqrt(2 * math.pi) - 1 / math.sqrt(math.pi), abs=0.01)  # ~5 standard errors
    y = 1.5
    phi, Phi = math.exp(-y * y / 2) / math.sqrt(2 * math.pi), 0.5 * (1 + math.erf(y / math.sqrt(2)))
    assert crps(x, y) == pytest.approx(y * (2 * Phi - 1) + 2 * phi - 1 / math.sqrt(math.pi), abs=0.01)  # ~5 standard errors


def test_crps_rewards_a_sharper_forecast_centred_on_the_truth():
    rng = np.random.default_rng(2)
    assert crps(rng.normal(10, 1, 5000), 10.0) < crps(rng.normal(10, 5, 5000), 10.0)
    assert crps(rng.normal(10, 1, 5000), 10.0) < crps(rng.normal(14, 1, 5000), 10.0)


def test_interval_and_coverage():
    sample = np.arange(100.0)
    assert interval(sample, 0.9) == pytest.approx((4.95, 94.05))
    assert covers(sample, 50.0) and covers(sample, 4.95) and not covers(sample, 99.0)
    # A well-calibrated forecast covers about 90% of draws from the same distribution.
    rng = np.random.default_rng(3)
    forecast = rng.normal(size=2000)
    share_covered = np.mean([covers(forecast, y) for y in rng.normal(size=2000)])
    assert share_covered == pytest.approx(0.9, abs=0.03)


def test_pairwise_order_right_reversed_and_undecided():
    observed = {"climate": 10.0, "economic": 10.0, "defense_policy": 40.0}
    right = {"climate": [5, 6], "economic": [5, 7], "defense_policy": [30, 50]}
    reversed_ = {"climate": [60, 60], "economic": [60, 61], "defense_policy": [30, 50]}
    tied = {"climate": [30, 50], "economic": [30, 50], "defense_policy": [30, 50]}
    assert pairwise_order(right, observed) == 0.0  # the economic-climate tie in the record is not scored
    assert pairwise_order(reversed_, observed) == 1.0
    assert pairwise_order(tied, observed) == pytest.approx(0.25)
    never = {"climate": [5, 5], "economic": [5, 5], "defense_policy": [math.inf, math.inf]}  # defense_policy never reopens
    assert pairwise_order(never, observed) == 0.0


def test_skill_against_a_reference():
    assert skill(0.2, 0.2) == 0.0  # a reference has no skill against itself
    assert skill(0.0, 0.2) == 1.0
    assert skill(0.3, 0.2) == pytest.approx(-0.5)
    assert math.isnan(skill(0.0, 0.0))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: brier([1.2], [1]), "in \\[0, 1\\]"),
        (lambda: brier([0.5, 0.5], [1]), "one per forecast"),
        (lambda: brier([0.5], [2]), "0 or 1"),
        (lambda: share([]), "at least one run"),
        (lambda: crps([], 1.0), "non-empty"),
        (lambda: crps([1.0, math.nan], 1.0), "finite"),
        (lambda: interval([1.0], 1.0), "level"),
        (lambda: pairwise_order({"a": [1]}, {"a": 1.0, "b": 2.0}), "strict order"),
        (lambda: pairwise_order({"a": [1, 2], "b": [1]}, {"a": 1.0, "b": 2.0}), "one time per run"),
        (lambda: skill(-1.0, 1.0), ">= 0"),
    ],
)  # fmt: skip
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
