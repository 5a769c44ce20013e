"""Proper scoring rules for the model's predictive distribution, the yardstick validation is built on.

Runs of one configuration on many seeds are a sample from the model's
predictive distribution (later also over parameter draws); each documented
fact is one observation. A *proper* score is minimised in expectation only by
forecasting the true distribution, so a model cannot improve it by hedging
or by saying what it always says (Gneiting & Raftery 2007, JASA 102:359):

* binary facts (a response sent within a window, a meeting refused, a channel
  suspended on a day): the Brier score (Brier 1950) of the forecast
  probability, and the logarithmic score (Good 1952) of a probability that a
  finite sample cannot make exactly 0 or 1 (:func:`share`);
* quantities (lags, thaw lengths): the continuous ranked probability score
  (Matheson & Winkler 1976), computed from the sample in its energy form
  ``CRPS = E|X - y| - E|X - X'| / 2``, in the quantity's own unit (days);
* an order (which channel reopens first): the Brier score of the forecast
  probability of each pair's documented order (:func:`pairwise_order`);
* central prediction intervals and whether they cover what happened
  (:func:`interval`, :func:`covers`), and skill against a reference model
  (:func:`skill`: 1 perfect, 0 no better than the reference, negative worse).

Lower is better for every score. Only numpy is used: no knowledge of runs,
timelines or episodes lives here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np

ArrayLike = Sequence[float] | np.ndarray


def _probabilities(p: ArrayLike) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    if p.size == 0 or not np.all((p >= 0) & (p <= 1)):
        raise ValueError(f"forecast probabilities must be in [0, 1] (got {p.tolist()[:5]})")
    return p


def _outcomes(y: ArrayLike, shape: tuple[int, ...]) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != shape or not np.all((y == 0) | (y == 1)):
        raise ValueError(f"outcomes must be 0 or 1, one per forecast (got {np.asarray(y).tolist()[:5]})")
    return y.astype(float)


def share(hits: ArrayLike, prior: float = 0.5, axis: int | None = None) -> float | np.ndarray:
    """The forecast probability of a binary fact from a sample of runs (True where it happened).

    With ``n`` runs and ``k`` hits: ``(k + prior) / (n + 2 * prior)`` (Jeffreys' prior for
    ``prior=0.5``), so 20 seeds that all agree forecast 0.976, not a certainty a single
    contrary fact would punish with an infinite log score. ``prior=0`` gives the plain share.
    With ``axis``, runs lie along that axis of ``hits`` and one forecast per other position is
    returned (e.g. runs x days: one forecast per day).
    """
    h = np.asarray(hits, dtype=bool)
    if h.size == 0:
        raise ValueError("a forecast needs at least one run")
    if prior < 0:
        raise ValueError(f"prior must be >= 0 (got {prior})")
    if axis is not None:
        return (h.sum(axis=axis) + prior) / (h.shape[axis] + 2 * prior)
    return float((h.sum() + prior) / (h.size + 2 * prior))


def brier(p: ArrayLike, y: ArrayLike) -> float:
    """Mean squared difference between forecast probabilities and what happened (0 best, 1 worst)."""
    p = _probabilities(p)
    return float(np.mean((p - _outcomes(y, p.shape)) ** 2))


def log_score(p: ArrayLike, y: ArrayLike) -> float:
    """Mean negative log probability given to what happened (0 best; infinite for a certainty that failed)."""
    p = _probabilities(p)
    y = _outcomes(y, p.shape)
    given = np.where(y == 1, p, 1 - p)
    with np.errstate(divide="ignore"):
        return float(np.mean(-np.log(given)))


def crps(sample: ArrayLike, y: float) -> float:
    """CRPS of a sample (the predictive distribution's draws) against the observed value ``y``.

    ``E|X - y| - E|X - X'| / 2`` over the sample's empirical distribution, in the unit of
    ``y``; 0 when every draw equals ``y``, and the mean absolute error for a point forecast.
    A draw that never happened within its window must be given a value by the caller (for
    a lag, e.g. the window's end), so that the score stays finite and comparable.
    """
    x = np.sort(np.asarray(sample, dtype=float))
    if x.size == 0 or not np.all(np.isfinite(x)) or not math.isfinite(y):
        raise ValueError("CRPS needs a non-empty sample of finite values and a finite observation")
    n = x.size
    spread = 2.0 * np.sum((2 * np.arange(1, n + 1) - n - 1) * x) / n**2  # E|X - X'| from the sorted draws
    return float(np.mean(np.abs(x - y)) - spread / 2)


def interval(sample: ArrayLike, level: float = 0.9) -> tuple[float, float]:
    """The central ``level`` prediction interval of a sample (0.9: its 5th and 95th percentiles)."""
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1) (got {level})")
    x = np.asarray(sample, dtype=float)
    if x.size == 0:
        raise ValueError("an interval needs at least one draw")
    lo, hi = np.quantile(x, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def covers(sample: ArrayLike, y: float, level: float = 0.9) -> bool:
    """Whether the central ``level`` interval of the sample holds ``y`` (ends included)."""
    lo, hi = interval(sample, level)
    return lo <= y <= hi


def pairwise_order(samples: Mapping[str, ArrayLike], observed: Mapping[str, float]) -> float:
    """Brier score of the forecast order of every pair of items whose observed times differ.

    ``samples[c]`` holds item ``c``'s time in each run (``math.inf``: not within the run),
    ``observed[c]`` its documented time. For each pair documented in a strict order, the
    forecast is the share of runs in that order (ties count half). A model that reopens
    channels in the documented order in every run scores 0; one that always reverses it, 1.
    """
    items = [c for c in observed if c in samples]
    forecasts = []
    for a, b in itertools.combinations(items, 2):
        if observed[a] == observed[b]:
            continue
        first, second = (a, b) if observed[a] < observed[b] else (b, a)
        xa, xb = np.asarray(samples[first], dtype=float), np.asarray(samples[second], dtype=float)
        if xa.shape != xb.shape or xa.size == 0:
            raise ValueError(f"{first} and {second} need one time per run, for the same runs")
        forecasts.append(float(np.mean((xa < xb) + 0.5 * (xa == xb))))
    if not forecasts:
        raise ValueError("no pair of items is observed in a strict order")
    return brier(forecasts, np.ones(len(forecasts)))


def skill(score: float, reference: float) -> float:
    """Skill of a score against a reference model's score on the same facts: ``1 - score / reference``.

    1 is perfect, 0 no better than the reference, negative worse. Against a reference that
    already scores 0 (perfect), skill is undefined: NaN.
    """
    if reference < 0 or score < 0:
        raise ValueError(f"scores are >= 0 (got {score}, {reference})")
    return math.nan if reference == 0 else 1.0 - score / reference
