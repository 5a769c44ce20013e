"""The simulated side of the comparison: what one run did at the moments the timeline documents.

Functions read a run's two tables (``sim.outputs.io.Run``): where the run
scripts a documented trigger, how long China took to answer it, which
channels were suspended day by day, how long a suspension lasted, and in
which order channels reopened after a summit. :class:`Observed` gathers them
for the checks (:mod:`sim.history.checks`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from sim.core.vocabulary import load_vocabulary
from sim.history.targets import RESPONDER, LagMeasure, Trigger
from sim.outputs import columns, nulls
from sim.outputs.metrics import suspended_mask


@dataclass(frozen=True)
class Observed:
    """What the checks read from one run (built once by :func:`sim.history.assess.assess`).

    Attributes:
        events: The run's event log.
        dates: The run's days.
        status: Per channel name, True on the days it is suspended at day's end.
        lags: Per lag measure name, the simulated lag (None: no response within the window).
        present: Per lag measure name, whether the run can show it at all (:func:`measurable`).
        order: Per thaw summit name, whether civilian channels reopened first (None: nothing to order).
    """

    events: pd.DataFrame
    dates: pd.DatetimeIndex
    status: Mapping[str, np.ndarray]
    lags: Mapping[str, float | None]
    present: Mapping[str, bool]
    order: Mapping[str, bool | None]


@dataclass(frozen=True, eq=False)
class EventArrays:
    """A run's event log as numpy columns, for reading it many times.

    Validation reads each run once per documented fact (over a hundred facts);
    a numpy mask over a few hundred rows costs microseconds where a pandas
    filter, which copies the rows it keeps, costs about a millisecond. Build it
    with :meth:`of`; ``cause`` is -1 and ``channel`` None where an event has none.
    """

    id: np.ndarray
    date: np.ndarray
    step: np.ndarray
    sender: np.ndarray
    receiver: np.ndarray
    kind: np.ndarray
    channel: np.ndarray
    cause: np.ndarray
    scripted: np.ndarray

    @classmethod
    def of(cls, ev: pd.DataFrame | EventArrays) -> EventArrays:
        """The columns of an events table (``sim.outputs.tables.events_frame``); an EventArrays is returned as it is."""
        if isinstance(ev, EventArrays):
            return ev
        text = {c: ev[c].to_numpy(dtype=object, na_value=None) for c in ("sender", "receiver", "kind")}
        text["channel"] = nulls.text(ev["channel"]).to_numpy(dtype=object, na_value=None)  # no channel: None
        return cls(
            id=ev["id"].to_numpy(dtype=np.int64),
            date=ev["date"].to_numpy(dtype="datetime64[ns]"),
            step=ev["step"].to_numpy(dtype=np.int64),
            cause=ev["cause"].to_numpy(dtype=np.int64, na_value=-1),
            scripted=ev["scripted"].to_numpy(dtype=bool),
            **text,
        )

    def on_days(self, start: pd.Timestamp, days: int) -> np.ndarray:
        """Rows dated from ``start`` to ``days`` days after it, both ends included."""
        first = start.to_datetime64()
        return (self.date >= first) & (self.date <= first + np.timedelta64(days, "D"))

    def in_steps(self, t0: int, days: int) -> np.ndarray:
        """Rows from step ``t0`` to ``t0 + days``, both ends included."""
        return (self.step >= t0) & (self.step <= t0 + days)

    def trigger(self, trig: Trigger) -> int | None:
        """Position of the scripted row matching a documented trigger (same day, kind and sender), or None."""
        match = self.scripted & (self.date == trig.date.to_datetime64()) & (self.kind == trig.kind) & (self.sender == trig.sender)
        where = np.flatnonzero(match)
        return int(where[0]) if where.size else None

    @cached_property
    def _children(self) -> dict[int, list[int]]:
        children: dict[int, list[int]] = {}
        for i, c in zip(self.id.tolist(), self.cause.tolist()):
            if c >= 0:
                children.setdefault(c, []).append(i)
        return children

    def descendants(self, root: int) -> set[int]:
        """Ids of every event caused, directly or through others, by the event with id ``root``."""
        out, todo = set(), [root]
        while todo:
            for child in self._children.get(todo.pop(), ()):
                if child not in out:
                    out.add(child)
                    todo.append(child)
        return out

    def caused_by(self, root: int) -> np.ndarray:
        """Rows caused, directly or through others, by the event with id ``root``."""
        return np.isin(self.id, np.fromiter(self.descendants(root), dtype=np.int64))


def trigger_row(ev: pd.DataFrame, trig: Trigger) -> pd.Series | None:
    """The run's scripted event matching a documented row (same day, kind and sender), or None."""
    where = EventArrays.of(ev).trigger(trig)
    return None if where is None else ev.iloc[where]


def simulated_lag(ev: pd.DataFrame | EventArrays, trig: Trigger, m: LagMeasure) -> float | None:
    """Days from the run's trigger to its first response ``m`` (None: none within the window)."""
    e = EventArrays.of(ev)
    root = e.trigger(trig)
    if root is None:
        return None
    t0 = int(e.step[root])
    rows = (e.sender == RESPONDER) & ~e.scripted & e.in_steps(t0, m.window_days)
    if m.what == "first_response":
        rows &= e.caused_by(int(e.id[root]))
    elif m.what == "suspension":
        rows &= (e.kind == "channel_suspension") & (e.channel == m.channel)
    else:
        rows &= (e.kind == "meeting_rejection") & (e.channel == m.channel)
    return float(e.step[rows].min() - t0) if rows.any() else None


def measurable(ev: pd.DataFrame | EventArrays, trig: Trigger, m: LagMeasure) -> bool:
    """Whether the run can show response ``m`` at all: it scripts the trigger and, for a refusal,
    a meeting on ``m.channel`` requested of the responder within the window (a meeting that is
    never requested cannot be refused, so its absence says nothing about the model)."""
    e = EventArrays.of(ev)
    root = e.trigger(trig)
    if root is None:
        return False
    if m.what != "refusal":
        return True
    asked = (e.kind == "meeting_request") & (e.receiver == RESPONDER) & (e.channel == m.channel)
    return bool((asked & e.in_steps(int(e.step[root]), m.window_days)).any())


def channel_status(steps: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per channel name, True on the days the channel is suspended at day's end."""
    return {columns.channel_name(c): suspended_mask(steps[c]) for c in columns.of(steps.columns, columns.CHANNEL)}


def days_to_open(suspended: np.ndarray, day: int) -> float:
    """Days from ``day`` to the first day the channel is open (0: open that day; inf: never within the run)."""
    after = np.flatnonzero(~suspended[day:])
    return float(after[0]) if after.size else math.inf


def reopening_order_ok(status: Mapping[str, np.ndarray], dates: pd.Series, summit: pd.Timestamp) -> bool | None:
    """After ``summit``: were the civilian channels open again before the first military reopening?

    None when no military channel is suspended on the summit's day (nothing to
    order). Civilian channels already open at the summit count as reopened first.
    """
    day = int(np.searchsorted(dates.to_numpy(), summit.to_datetime64()))
    if day >= len(dates) or summit < dates.iloc[0]:
        return None  # the summit falls outside the run
    military = {c for c, s in load_vocabulary().channels.items() if s.military}

    def reopening(c: str) -> float:
        return days_to_open(status[c], day)

    shut = [c for c, s in status.items() if s[day]]
    mil = [reopening(c) for c in shut if c in military]
    if not mil:
        return None
    first_military = min(mil)
    # Every civilian channel shut at the summit must reopen, and no later than the first military one.
    return all(reopening(c) <= first_military and reopening(c) < math.inf for c in shut if c not in military)


def simulated_spell_length(susp: np.ndarray, dates: pd.DatetimeIndex, start: pd.Timestamp, slack: int = 30) -> float | None:
    """Length of the simulated spell beginning nearest ``start`` (within ``slack`` days); None if none."""
    edges = np.diff(np.concatenate(([0], susp.astype(np.int8), [0])))
    begins, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if not begins.size:
        return None
    day = (start - dates[0]).days
    k = int(np.argmin(np.abs(begins - day)))
    if abs(begins[k] - day) > slack:
        return None
    return float(ends[k] - begins[k])
