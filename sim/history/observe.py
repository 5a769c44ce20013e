"""What one run shows of each documented fact (:mod:`sim.history.facts`), read from its two tables.

:func:`observe` is the one reading of a run for validation: model runs and the
reference models' synthetic runs (:mod:`sim.history.references`) go through it
alike, so every model is scored on the same facts by the same code. A value is
None where the run cannot show the fact at all (it does not script the
trigger, or asks for no meeting a refusal could answer); such a run is left out
of that fact's forecast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.history.facts import Fact, Facts
from sim.history.simulated import (
    EventArrays,
    channel_status,
    days_to_open,
    measurable,
    simulated_lag,
    simulated_spell_length,
)
from sim.history.targets import Trigger
from sim.outputs.io import Run


@dataclass(frozen=True)
class Observation:
    """One run's value of every fact.

    Attributes:
        values: Per fact id: 1/0 (binary facts), days (lags, thaws), None where the run cannot show it.
        times: Per order fact id, each channel's days from the summit to its reopening (inf: never).
        status: Per channel, True on each day of the channel's :class:`sim.history.facts.StatusTarget` it is suspended.
    """

    values: Mapping[str, float | None]
    times: Mapping[str, Mapping[str, float]]
    status: Mapping[str, np.ndarray]


class _Triggers:
    """Each trigger's row in the run and the unscripted acts it caused, found once per run."""

    def __init__(self, ev: EventArrays) -> None:
        self.ev = ev
        self._found: dict[Trigger, tuple[int | None, np.ndarray]] = {}

    def __call__(self, trig: Trigger) -> tuple[int | None, np.ndarray]:
        if trig not in self._found:
            root = self.ev.trigger(trig)
            caused = np.zeros(len(self.ev.id), dtype=bool) if root is None else self.ev.caused_by(int(self.ev.id[root]))
            self._found[trig] = (root, caused & ~self.ev.scripted)
        return self._found[trig]


def _response(ev: EventArrays, f: Fact, found: _Triggers) -> float | None:
    assert f.trigger is not None
    root, caused = found(f.trigger)
    if root is None:
        return None
    window = ev.in_steps(int(ev.step[root]), f.window)
    if f.kind == "meeting_rejection":
        asked = (ev.kind == "meeting_request") & (ev.receiver == f.responder)
        if not (asked & window).any():
            return None  # nothing was asked that could be refused
    # A refusal answers the request it refuses (its cause), so any refusal in the window counts;
    # any other act counts if the trigger caused it, directly or through others.
    acts = ~ev.scripted if f.kind == "meeting_rejection" else caused
    return float((acts & (ev.sender == f.responder) & (ev.kind == f.kind) & window).any())


def _lag(ev: EventArrays, f: Fact) -> float | None:
    assert f.trigger is not None and f.measure is not None
    if not measurable(ev, f.trigger, f.measure):
        return None
    lag = simulated_lag(ev, f.trigger, f.measure)
    return float(f.window) if lag is None else lag  # no response within the window: censored at its end


def _meeting(ev: EventArrays, f: Fact) -> float | None:
    assert f.start is not None
    on_day = ev.on_days(f.start, f.window)  # its day, month or span
    if f.kind:  # a planned engagement: held if it took place on its day (each side may call it off)
        return float((ev.scripted & (ev.kind == f.kind) & (ev.channel == f.channel) & on_day).any())
    request = (ev.kind == "meeting_request") & (ev.channel == f.channel) & on_day
    if not request.any():
        return None
    answered = ev.kind[np.isin(ev.cause, ev.id[request]) & (ev.sender == f.responder)]
    # Held if the asked side met; a refusal, or a request left unanswered, is a meeting that did not take place.
    met = (answered == "ministerial_meeting") | (answered == "leader_summit")
    return float(met.any() and not (answered == "meeting_rejection").any())


def _thaw(status: Mapping[str, np.ndarray], dates: pd.DatetimeIndex, f: Fact) -> float | None:
    assert f.start is not None
    if f.channel not in status or not dates[0] <= f.start <= dates[-1]:
        return None
    length = simulated_spell_length(status[f.channel], dates, f.start)
    return 0.0 if length is None else length  # no spell near the documented one: shut for 0 days


def _reopenings(status: Mapping[str, np.ndarray], dates: pd.DatetimeIndex, f: Fact) -> dict[str, float] | None:
    assert f.start is not None
    if not dates[0] <= f.start <= dates[-1]:
        return None
    day = int(np.searchsorted(dates.to_numpy(), f.start.to_datetime64()))
    out = {}
    for channel, _ in f.times:
        if channel not in status:
            return None
        out[channel] = days_to_open(status[channel], day)
    return out


def observe(run: Run, facts: Facts) -> Observation:
    """Every fact's value in one run."""
    ev, st = EventArrays.of(run.events), run.steps
    dates = pd.DatetimeIndex(st["date"])
    status = channel_status(st)
    values: dict[str, float | None] = {}
    times: dict[str, dict[str, float]] = {}
    found = _Triggers(ev)
    for f in facts.facts:
        if f.pattern == "response":
            values[f.id] = _response(ev, f, found)
        elif f.pattern == "lag":
            values[f.id] = _lag(ev, f)
        elif f.pattern == "meeting":
            values[f.id] = _meeting(ev, f)
        elif f.pattern == "thaw":
            values[f.id] = _thaw(status, dates, f)
        elif f.pattern == "order":
            t = _reopenings(status, dates, f)
            values[f.id] = None if t is None else 1.0
            if t is not None:
                times[f.id] = t
    on_days = {}
    for target in facts.status:
        if target.channel not in status:
            continue
        where = dates.get_indexer(target.dates)
        if (where < 0).any():
            continue  # the run does not cover the documented period
        on_days[target.channel] = status[target.channel][where]
    return Observation(values, times, on_days)
