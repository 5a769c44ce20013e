"""Closed-form relaxation, and the daily series rebuilt from the change log."""

from __future__ import annotations

import math

import numpy as np

from sim.core.state import RelaxingState


def make() -> RelaxingState:
    return RelaxingState(["x", "y"], initial=[0.5, 0.2], baselines=[0.2, 0.2], taus=[10.0, math.inf], lo=0.0, hi=1.0)


def test_relaxes_exponentially_towards_baseline():
    s = make()
    assert s.get("x", 0) == 0.5
    assert math.isclose(s.get("x", 10), 0.2 + 0.3 * math.exp(-1))
    assert s.get("y", 1000) == 0.2  # infinite tau never moves


def test_shock_is_clipped_and_restarts_relaxation():
    s = make()
    assert s.shock("x", 5, 10.0) == 1.0
    assert math.isclose(s.get("x", 15), 0.2 + 0.8 * math.exp(-1))
    assert s.shock("x", 15, -5.0) == 0.0


def test_daily_series_equals_pointwise_values_with_several_shocks_a_day():
    s = make()
    s.shock("x", 3, 0.1)
    s.shock("x", 3, 0.2)  # the day's last value counts
    s.shock("y", 7, 0.3)
    expected = np.array([[s.get("x", d) if d >= 3 else make().get("x", d), s.get("y", d) if d >= 7 else 0.2] for d in range(20)])
    assert np.allclose(s.daily(20), expected)
