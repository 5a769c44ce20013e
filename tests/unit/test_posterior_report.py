"""What a posterior study reports: the declared point, identifiability, trade-offs, and degenerate weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.config.search_space import Param
from sim.history.abc_records import distance, effective_sample_size
from sim.history.posterior_report import (
    correlations,
    identifiability,
    point,
    profile,
    report_text,
    trade_offs,
    weighted_quantile,
)

WIDE = Param("wide", "a.wide", 0.0, 1.0)
NARROW = Param("narrow", "a.narrow", 0.0, 1.0)
LOGGED = Param("logged", "a.logged", 1.0, 100.0, log=True)
WHOLE = Param("whole", "a.whole", 1, 60, integer=True)


def _posterior(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    narrow = rng.normal(0.3, 0.02, n)
    return pd.DataFrame({
        "weight": np.full(n, 1 / n),
        "x.wide": rng.uniform(0, 1, n),  # as wide as its prior
        "x.narrow": narrow,  # a twentieth of it
        "x.logged": np.log(10) + rng.normal(0, 0.1, n),  # design coordinates: log(value)
        "x.whole": 30 + 200 * (narrow - 0.3),  # moves with `narrow`: a trade-off
    })  # fmt: skip


def test_the_declared_point_is_the_weighted_marginal_median_in_model_values():
    post = _posterior()
    got = point(post, [WIDE, NARROW, LOGGED, WHOLE])
    assert got["narrow"] == pytest.approx(0.3, abs=0.005)
    assert got["logged"] == pytest.approx(10, rel=0.02)  # exp of the median of log(value)
    assert got["whole"] == 30 and isinstance(got["whole"], int)
    x, w = np.array([1.0, 2.0, 3.0]), np.array([0.1, 0.1, 0.8])
    assert weighted_quantile(x, w, 0.5) == 3.0 and weighted_quantile(x, w, 0.05) == 1.0


def test_contraction_tells_a_pinned_parameter_from_one_the_record_leaves_open():
    post = _posterior()
    rng = np.random.default_rng(1)
    tried = rng.uniform(0, 1, (3000, 2))  # every particle evaluated, over the prior
    evaluations = pd.DataFrame({"wide": tried[:, 0], "narrow": tried[:, 1], "distance": np.abs(tried[:, 1] - 0.3)})
    ident = identifiability(post, evaluations, [WIDE, NARROW]).set_index("parameter")
    assert ident.loc["wide", "contraction"] == pytest.approx(0.0, abs=0.1) and ident.loc["wide", "verdict"] == "not identified"
    assert ident.loc["narrow", "contraction"] > 0.99 and ident.loc["narrow", "verdict"] == "pinned down"
    assert ident.loc["narrow", "interval_share"] < 0.1 < ident.loc["wide", "interval_share"]
    # The fit moves along `narrow` (its best distance per bin rises away from 0.3), not along `wide`.
    assert ident.loc["narrow", "profile_range"] > 5 * ident.loc["wide", "profile_range"]
    assert len(profile(evaluations, NARROW)) <= 10


def test_trade_offs_are_the_strongly_correlated_pairs():
    corr = correlations(_posterior(), [WIDE, NARROW, WHOLE])
    assert corr.loc["narrow", "whole"] == pytest.approx(1.0)
    assert [(a, b) for a, b, _ in trade_offs(corr)] == [("narrow", "whole")]


def test_the_effective_sample_size_and_the_warning_when_weights_collapse():
    assert effective_sample_size(np.ones(50)) == pytest.approx(50)
    assert effective_sample_size(np.array([1.0, 0, 0, 0])) == pytest.approx(1)
    post = _posterior(200)
    ident = identifiability(post, pd.DataFrame({"wide": post["x.wide"], "distance": 0.5}), [WIDE])
    settings = {"seeds": 5, "sampler_seed": 0}

    def report(effective: float) -> str:
        pops = pd.DataFrame({"t": [0], "epsilon": [0.7], "particles": [200], "effective_particles": [effective],
                             "simulations": [900], "acceptance_rate": [0.22]})  # fmt: skip
        return report_text("t", settings, ident, pops, [], {"lag": 0.5}, [])

    assert "weights are degenerate" in report(3.2) and "weights are degenerate" not in report(200)


def test_the_distance_is_one_minus_the_mean_floored_skill():
    observed = {"skill.a": 1.0, "skill.b": 1.0}
    assert distance({"skill.a": 0.5, "skill.b": 0.3}, observed) == pytest.approx(0.6)
    assert distance({"skill.a": -5.0, "skill.b": 1.0}, observed) == pytest.approx(1.0)  # -5 floored at -1
    assert distance({"skill.a": float("nan"), "skill.b": 0.2}, observed) == pytest.approx(0.8)  # undefined: left out
    assert distance({"skill.a": float("nan")}, observed) == 2.0  # nothing defined: the worst
