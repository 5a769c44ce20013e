"""The statistical event-data reference: a vector autoregression of weekly Goldstein sums.

In the tradition of Goldstein & Freeman (1990, *Three-Way Street*), the record
is reduced to weekly sums of Goldstein scores in each direction of the dyad
(United States to China, China to the United States), and a VAR(p) with a
constant is fitted to them with statsmodels, the lag order chosen by AIC up to
:data:`MAX_LAGS`. The scenario's scripted events enter as an exogenous series
(their weekly Goldstein sum): the VAR is given the same inputs as the model.

It forecasts one week ahead: each week's sums are the fitted mean given the
sums of the weeks before, plus a shock drawn from the fitted residual
covariance with the seed's generator. The weeks before are the documented
training rows where the fold lets it see them, and its own simulated sums in
the weeks of the test part (after the cutoff, or within a held-out fact's
interval), so it never conditions on what it is scored on. In sample it is told
the documented past of every week, which the model is not.

Its forecasts become the same synthetic runs as the climatology's
(:mod:`sim.history.references`) by one declared reading: a government answers a
trigger if, within the response window, a week of its direction is at least as
hostile as one formal condemnation (:data:`HOSTILE_CAMEO`, Goldstein -4.4); it
answers at the start of the first such week with the training frequencies of
kinds, cuts each channel with its training rate and reopens it after the median
training thaw; a meeting requested in a hostile week of the asked side, or on a
shut channel, is refused, and a planned engagement then is called off (the host
refuses it). Only rows of the training part are fitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.core.errors import SimInputError
from sim.core.scenario import Scenario
from sim.core.vocabulary import load_vocabulary
from sim.history.facts import RESPONSE_WINDOW_DAYS, Facts
from sim.history.references import SyntheticRun, TrainingRates, respond, rival_of, triggers_of
from sim.history.splits import Part
from sim.history.targets import GOVERNMENTS, RESPONDER
from sim.outputs.io import Run

MAX_LAGS = 4
"""The largest lag order (weeks) AIC may choose."""
WEEK_DAYS = 7
HOSTILE_CAMEO = "130"
"""A week at least as hostile as this CAMEO code's Goldstein score (a formal condemnation) is a hostile week."""
MIN_WEEKS = 20
"""Fewer training weeks than this cannot fit the VAR: a one-line error."""


@dataclass(frozen=True)
class WeeklyVAR:
    """A fitted VAR of weekly Goldstein sums.

    Attributes:
        directions: The series' directions, ``(sender, receiver)``.
        order: The lag order p.
        params: Rows ``const``, ``scripted``, then ``L1.<series>`` ... ``Lp.<series>``; a column per series.
        sigma: The residual covariance.
    """

    directions: tuple[tuple[str, str], ...]
    order: int
    params: np.ndarray
    sigma: np.ndarray

    def mean(self, history: np.ndarray, exog: float) -> np.ndarray:
        """One-step-ahead mean given the last ``order`` weeks (``history[-1]`` the latest) and the week's input."""
        lags = history[::-1][: self.order].ravel()
        return np.concatenate(([1.0, exog], lags)) @ self.params


def weekly_sums(rows: pd.DataFrame, start: pd.Timestamp, weeks: int, directions) -> np.ndarray:
    """Weekly sums of ``goldstein`` per direction (weeks of :data:`WEEK_DAYS` counted from ``start``)."""
    out = np.zeros((weeks, len(directions)))
    week = ((rows["date"] - start).dt.days // WEEK_DAYS).to_numpy()
    for j, (s, r) in enumerate(directions):
        mine = ((rows["sender"] == s) & (rows["receiver"] == r)).to_numpy() & (week >= 0) & (week < weeks)
        np.add.at(out[:, j], week[mine], rows["goldstein"].to_numpy()[mine])
    return out


def fit_var(endog: np.ndarray, exog: np.ndarray, directions, max_lags: int = MAX_LAGS) -> WeeklyVAR:
    """Fit the VAR with statsmodels (constant, the exogenous input, AIC-chosen order >= 1)."""
    from statsmodels.tsa.api import VAR

    if len(endog) < MIN_WEEKS:
        raise SimInputError("timeline", "training weeks", len(endog), f"the VAR reference needs at least {MIN_WEEKS}")
    names = [f"{s}_{r}" for s, r in directions]
    model = VAR(pd.DataFrame(endog, columns=names), exog=pd.DataFrame({"scripted": exog}))
    # The order by AIC, chosen first and fitted alone: statsmodels 0.15 mislabels params when fit() selects it.
    order = max(1, int(model.select_order(max_lags, trend="c").selected_orders["aic"]))
    res = model.fit(order, trend="c")
    return WeeklyVAR(tuple(directions), int(res.k_ar), np.asarray(res.params, dtype=float), np.asarray(res.sigma_u))


def training_rows(facts: Facts, train: Part, cutoff: pd.Timestamp | None, held_out: str) -> pd.DataFrame:
    """Timeline rows the VAR may see: not low confidence, before the cutoff, not of the held-out episode."""
    t = facts.doc.timeline
    t = t[t["confidence"] != "low"]
    if cutoff is not None:
        t = t[t["date"] < cutoff]
    if held_out:
        t = t[t["episode"] != held_out]
    return t


def known_weeks(start: pd.Timestamp, weeks: int, cutoff: pd.Timestamp | None, test: Part | None,
                status_dates: pd.DatetimeIndex) -> np.ndarray:
    """Per week, whether its documented sums may serve as history: it ends before the cutoff and holds no
    status day of the test part (``status_dates``: the days the parts' day masks run over)."""
    days = pd.date_range(start, periods=weeks * WEEK_DAYS, freq="D")
    unknown = np.zeros(len(days), dtype=bool)
    if cutoff is not None:
        unknown |= np.asarray(days >= cutoff)
    if test is not None and test.days:
        mask = next(iter(test.days.values()))  # the same days for every channel
        unknown |= np.asarray(days.isin(status_dates[mask]))
    return ~unknown.reshape(weeks, WEEK_DAYS).any(axis=1)


def var_reference(facts: Facts, train: Part, base: Run, seeds: Sequence[int], cutoff: pd.Timestamp | None = None,
                  held_out: str = "", max_lags: int = MAX_LAGS, test: Part | None = None,
                  scenario: Scenario | None = None) -> list[Run]:
    """The VAR reference's run for each seed (see the module's docstring); ``scenario``: the one ``base``
    ran, whose planned engagements a hostile week of the host calls off (None: all take place)."""
    rates = TrainingRates.learn(facts, train)
    directions = [(a, b) for a in GOVERNMENTS for b in GOVERNMENTS if a != b]
    start = pd.Timestamp(base.steps["date"].iloc[0])
    weeks = (len(base.steps) + WEEK_DAYS - 1) // WEEK_DAYS
    scripted = base.events[base.events["scripted"]]
    exog = weekly_sums(scripted.assign(sender="*", receiver="*"), start, weeks, [("*", "*")])[:, 0]
    rows = training_rows(facts, train, cutoff, held_out)
    # The history forecasts are conditioned on: training rows only; a week of the test part (after the
    # cutoff, or within a held-out fact's interval) takes the VAR's own simulated sums instead.
    documented = weekly_sums(rows, start, weeks, directions)
    known = known_weeks(start, weeks, cutoff, test, facts.status[0].dates)
    fit_weeks = weeks if cutoff is None else max(0, min(weeks, (cutoff - start).days // WEEK_DAYS))
    var = fit_var(weekly_sums(rows, start, fit_weeks, directions), exog[:fit_weeks], directions, max_lags)
    hostile = load_vocabulary().goldstein[HOSTILE_CAMEO]
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        sums = np.full((weeks, len(directions)), np.nan)
        history = documented.copy()
        for w in range(var.order, weeks):
            sums[w] = var.mean(history[w - var.order : w], exog[w]) + rng.multivariate_normal(np.zeros(len(directions)), var.sigma)
            if not known[w]:
                history[w] = sums[w]
        is_hostile = {d: sums[:, j] <= hostile for j, d in enumerate(directions)}
        run = SyntheticRun(base, scenario)
        for trig, responders in triggers_of(facts).items():
            found = run.trigger(trig)
            if found is None:
                continue
            t0, cause = found
            for r in responders:
                direction = (r, rival_of(r, run.pair))
                first = [w for w in range(t0 // WEEK_DAYS, (t0 + RESPONSE_WINDOW_DAYS) // WEEK_DAYS + 1)
                         if w < weeks and is_hostile[direction][w]]  # fmt: skip
                if not first:
                    continue
                day = max(0, first[0] * WEEK_DAYS - t0)
                respond(run, rates, trig, [r], day, rng)
                if r == RESPONDER:
                    for c, p in rates.cuts.items():
                        if rng.random() < p:
                            run.cut(t0 + day, c, rates.thaw_days, cause)
        run.answer_meetings(lambda q, hostile_weeks=is_hostile: (q.receiver, q.sender) in hostile_weeks
                            and bool(hostile_weeks[(q.receiver, q.sender)][int(q.step) // WEEK_DAYS]))  # fmt: skip
        out.append(run.run(f"var seed {seed}"))
    return out
