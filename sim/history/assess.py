"""One run held to the documented timeline: every comparison item and the fit score.

:func:`assess` gives, for one run, the simulated and documented lag of each
measure, the share of days each channel's status matches the record, the
simulated and documented length of each documented suspension that ended,
the reopening order after each thaw summit, every declared check, the four
component scores and the fit score (:data:`FIT_WEIGHTS`), in [0, 1].
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.history.checks import declare_checks, run_checks
from sim.history.documented import Documented
from sim.history.simulated import (
    EventArrays,
    Observed,
    channel_status,
    measurable,
    reopening_order_ok,
    simulated_lag,
    simulated_spell_length,
)
from sim.history.targets import documented_status
from sim.outputs.io import Run

# Score of a lag error of d days: exp(-d / LAG_SCALE_DAYS); of a thaw-length error: exp(-d / THAW_SCALE_DAYS).
LAG_SCALE_DAYS = 7.0
THAW_SCALE_DAYS = 60.0
# The overall fit score: weighted mean of the component scores, each in [0, 1].
FIT_WEIGHTS: dict[str, float] = {"lags": 0.4, "status": 0.3, "thaw": 0.2, "order": 0.1}


def assess(run: Run, doc: Documented) -> dict[str, Any]:
    """Every comparison item for one run: lags, status match, thaw timing, order, checks, fit."""
    ev, st = run.events, run.steps
    out: dict[str, Any] = {"run": run.label}
    # Lags.
    lag_scores = []
    present: dict[str, bool] = {}  # whether the run can show the measure at all (simulated.measurable)
    lags: dict[str, float | None] = {}
    arrays = EventArrays.of(ev)  # read once per measure
    for m in doc.measures:
        trig = doc.triggers.get(m.episode)
        present[m.name] = trig is not None and measurable(arrays, trig, m)
        lags[m.name] = simulated_lag(arrays, trig, m) if present[m.name] else None
        docd = doc.lags[m.name]
        out[f"lag.{m.name}.sim"], out[f"lag.{m.name}.doc"] = lags[m.name], docd
        if docd is not None and present[m.name]:
            lag_scores.append(0.0 if lags[m.name] is None else math.exp(-abs(lags[m.name] - docd) / LAG_SCALE_DAYS))
    # Channel status, over the days both cover.
    dates = pd.DatetimeIndex(st["date"])
    within = (dates >= doc.period[0]) & (dates <= doc.period[1])
    status = channel_status(st)
    status_scores = []
    for c, sim_susp in status.items():
        match = float(np.mean(sim_susp[within] == documented_status(doc.spells, c, dates[within]))) if within.any() else None
        out[f"status.{c}"] = match
        if match is not None:
            status_scores.append(match)
    # Thaw timing: each documented spell that ended, against the simulated spell that began nearest to it.
    thaw_scores = []
    for s in doc.spells:
        if s.end is None or s.channel not in status:
            continue
        doc_len = float((s.end - s.start).days)
        sim_len = simulated_spell_length(status[s.channel], dates, s.start)
        key = f"thaw.{s.channel}.{s.start.date()}"
        out[f"{key}.doc"], out[f"{key}.sim"] = doc_len, sim_len
        if within.any() and s.start >= dates[0]:
            thaw_scores.append(0.0 if sim_len is None else math.exp(-abs(sim_len - doc_len) / THAW_SCALE_DAYS))
    # Reopening order after each thaw summit.
    order_scores = []
    order: dict[str, bool | None] = {}
    for summit in doc.summits:
        order[summit.name] = out[f"order.{summit.name}"] = reopening_order_ok(status, st["date"], summit.date)
        if order[summit.name] is not None:
            order_scores.append(float(order[summit.name]))
    components = {"lags": lag_scores, "status": status_scores, "thaw": thaw_scores, "order": order_scores}
    weights = {k: w for k, w in FIT_WEIGHTS.items() if components[k]}
    for k, vals in components.items():
        out[f"score.{k}"] = float(np.mean(vals)) if vals else None
    out["fit"] = (sum(w * out[f"score.{k}"] for k, w in weights.items()) / sum(weights.values())) if weights else None
    out.update(run_checks(declare_checks(doc), Observed(ev, dates, status, lags, present, order)))
    return out
