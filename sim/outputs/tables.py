"""Turn a finished model into the two tables a researcher analyses.

* ``events``: one row per signal (the event log, CAMEO-coded).
* ``steps``: one row per simulated day (tension, hostility in each issue area
  and its aggregate, trust, pressure, channel status, alignment). Column meanings
  are listed in the README and in :mod:`sim.outputs.columns`.

Both the steps table and :func:`run_arrays` compute a pair's tension here, the
same way: the mean of the two directed aggregate hostilities, where a
government's aggregate hostility towards an actor is its most aggrieved issue
area (the maximum over ``AREAS`` of its per-area hostility).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core.event_facts import NO_FACTS
from sim.core.model import SignalingModel
from sim.core.state import RelaxingState
from sim.core.vocabulary import AREAS, load_vocabulary
from sim.outputs import columns, nulls
from sim.outputs.metrics import RunTables

EVENT_COLUMNS = (
    "id", "date", "step", "sender", "receiver", "kind", "channel", "intensity", "cameo_code",
    "goldstein", "cause", "scripted", "note", "host", "magnitude", "unit", "facts", "intensity_override",
)  # fmt: skip


def events_frame(model: SignalingModel) -> pd.DataFrame:
    """The event log: one row per signal, in the order signals were sent.

    Optional fields without a value (``channel``, ``cause``, ``note``, ``host``, ``magnitude``,
    ``unit``, ``facts``) are null (:mod:`sim.outputs.nulls`).
    """
    kinds = load_vocabulary().kinds
    ev = model.events
    start = np.datetime64(model.scenario_spec.start, "D")
    step = np.fromiter((s.day for s in ev), dtype=np.int64, count=len(ev))
    return pd.DataFrame(
        {
            "id": np.fromiter((s.id for s in ev), dtype=np.int64, count=len(ev)),
            "date": (start + step).astype("datetime64[ns]"),
            "step": step,
            "sender": [s.sender for s in ev],
            "receiver": [s.receiver for s in ev],
            "kind": [s.kind for s in ev],
            "channel": nulls.text(s.channel for s in ev),
            "intensity": np.fromiter((s.intensity for s in ev), dtype=float, count=len(ev)),
            "cameo_code": [kinds[s.kind].cameo_code for s in ev],
            "goldstein": np.fromiter((kinds[s.kind].goldstein for s in ev), dtype=float, count=len(ev)),
            "cause": pd.array([s.cause for s in ev], dtype="Int64"),
            "scripted": np.fromiter((s.scripted for s in ev), dtype=bool, count=len(ev)),
            "note": nulls.text(s.note for s in ev),
            "host": nulls.text(s.host for s in ev),
            "magnitude": pd.array([s.magnitude for s in ev], dtype="Float64"),
            "unit": nulls.text(s.unit for s in ev),
            # getattr: signals pickled or built before the fields existed read as "no facts, weighed by the scale"
            "facts": nulls.text(getattr(s, "facts", NO_FACTS).text() for s in ev),
            "intensity_override": np.fromiter((getattr(s, "override", False) for s in ev), dtype=bool, count=len(ev)),
        },
        columns=list(EVENT_COLUMNS),
    )


def channel_status(model: SignalingModel, n_days: int | None = None) -> dict[str, np.ndarray]:
    """Per channel, a boolean array over days: True where suspended at day's end.

    Args:
        model: The model, finished or stepped part of the way.
        n_days: How many days from the start to cover (default: the whole scenario).
    """
    n = model.n_days if n_days is None else n_days
    out = {c: np.zeros(n, dtype=bool) for c in model.board.channels}
    for spell in model.board.history:
        end = n if spell.resumed_day is None else spell.resumed_day
        out[spell.channel][spell.suspended_day : end] = True
    return out


STATUS_DTYPE = pd.CategoricalDtype(["open", "suspended", "absent"])
"""The dtype of a ``channel_A_B_<channel>`` column: ``absent`` until a channel the scenario
lists as absent at the start is founded (``channels_at_start``, an event's ``launches``)."""


def channel_absent(model: SignalingModel, n_days: int | None = None) -> dict[str, np.ndarray]:
    """Per channel absent at the start, a boolean array over days: True before the day it was founded."""
    n = model.n_days if n_days is None else n_days
    out = {}
    for c, day in getattr(model.board, "founded", {}).items():
        absent = np.zeros(n, dtype=bool)
        absent[: n if day is None else day] = True
        out[c] = absent
    return out


def steps_frame(model: SignalingModel, n_days: int | None = None) -> pd.DataFrame:
    """The daily state table.

    Args:
        model: The model, finished or stepped part of the way.
        n_days: How many days from the start to cover (default: the whole scenario).
            A model stepped through day ``d - 1`` (``model.day == d``) has final
            values for days ``0 .. d - 1``, so ``n_days=model.day`` gives a live
            dashboard the table so far; later days would show the relaxation
            of today's state as if nothing else happened.
    """
    n = model.n_days if n_days is None else n_days
    days = np.arange(n)
    cols: dict[str, object] = {
        "step": days,
        "date": (np.datetime64(model.scenario_spec.start, "D") + days).astype("datetime64[ns]"),
    }
    a, b = model.poles
    series: dict[str, np.ndarray] = {}
    for agent in (*model.governments.values(), *model.regional.values()):
        values = agent.state.daily(n)
        index = agent.state.index
        for i, key in enumerate(agent.state.names):
            if len(key) == 3 and key[2] == AREAS[0]:  # ("hostility", other, area): the aggregate goes first
                rows = [index[(key[0], key[1], area)] for area in AREAS]
                series[columns.hostility(agent.code, key[1])] = values[:, rows].max(axis=1)
            series[columns.state_column(agent.code, key)] = values[:, i]
    cols[columns.tension(a, b)] = (series[columns.hostility(a, b)] + series[columns.hostility(b, a)]) / 2
    cols.update(series)
    absent = channel_absent(model, n)
    for c, susp in channel_status(model, n).items():
        codes = susp.astype(np.int8)
        if c in absent:
            codes[absent[c]] = STATUS_DTYPE.categories.get_loc("absent")
        cols[columns.channel(a, b, c)] = pd.Categorical.from_codes(codes, dtype=STATUS_DTYPE)
    return pd.DataFrame(cols)


def hostility_series(state: RelaxingState, towards: str, n_days: int) -> np.ndarray:
    """A government's daily aggregate hostility towards ``towards``: the maximum over its issue areas.

    Reads the per-area keys ``("hostility", towards, area)``, or a single
    ``("hostility", towards)`` key where the state has no areas.
    """
    keys = [k for k in state.names if len(k) == 3 and k[0] == columns.HOSTILITY and k[1] == towards]
    if not keys:
        return state.daily_of((columns.HOSTILITY, towards), n_days)
    return state.daily_of_many(keys, n_days).max(axis=1)


def run_arrays(model: SignalingModel, crisis_threshold: float) -> RunTables:
    """What the outcome metrics read, straight from a finished model (no tables built).

    Gives the same summary as ``summarize(events_frame(model), steps_frame(model), ...)``
    at a fraction of the cost; sweeps use it.
    """
    n = model.n_days
    a, b = model.poles
    ga, gb = model.governments[a], model.governments[b]
    tension = (hostility_series(ga.state, b, n) + hostility_series(gb.state, a, n)) / 2
    align = {}
    for code, reg in model.regional.items():
        series = reg.state.daily_of(("alignment", None), n)
        align[code] = (float(series[0]), float(series[-1]))
    return RunTables(
        start=np.datetime64(model.scenario_spec.start, "D"),
        tension=tension,
        suspended={columns.channel(a, b, c): s for c, s in channel_status(model).items()},
        kinds=[s.kind for s in model.events],
        scripted=np.fromiter((s.scripted for s in model.events), dtype=bool, count=len(model.events)),
        overrides=sum(1 for s in model.events if s.scripted and getattr(s, "override", False)),
        alignment=align,
        crisis_threshold=crisis_threshold,
    )
