"""Outcome metrics of one run, declared explicitly (name, meaning, computation).

Every metric reads a :class:`RunTables`, built either from the two saved
tables (``events``, ``steps``) or straight from a finished model
(``sim.outputs.tables.run_arrays``, the fast path sweeps use); both give the same
summary, and a test holds them to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from sim.outputs import columns


@dataclass(frozen=True)
class RunTables:
    """What a metric may read, as arrays: built from the two tables or straight from a model.

    Attributes:
        start: The first simulated day.
        tension: Daily US-China tension.
        suspended: Per channel column name, daily True where suspended at day's end.
        kinds: The kind of every signal, in order; ``scripted`` flags the scripted ones.
        alignment: Per regional state, its (first-day, last-day) alignment.
        crisis_threshold: The crisis level.
        overrides: How many scripted signals carry an intensity the scenario set by hand
            (the event log's ``intensity_override``) instead of the weight scale's.
    """

    start: np.datetime64
    tension: np.ndarray
    suspended: dict[str, np.ndarray]
    kinds: list[str]
    scripted: np.ndarray
    alignment: dict[str, tuple[float, float]]
    crisis_threshold: float
    overrides: int = 0

    @classmethod
    def from_tables(cls, events: pd.DataFrame, steps: pd.DataFrame, crisis_threshold: float) -> RunTables:
        align = {columns.actor_of(c): (float(steps[c].iloc[0]), float(steps[c].iloc[-1]))
                 for c in columns.of(steps.columns, columns.ALIGNMENT)}  # fmt: skip
        return cls(
            start=np.datetime64(pd.Timestamp(steps["date"].iloc[0]).date(), "D"),
            tension=steps[columns.tension_column(steps.columns)].to_numpy(),
            suspended={c: suspended_mask(steps[c]) for c in columns.of(steps.columns, columns.CHANNEL)},
            kinds=[str(k) for k in events["kind"].tolist()],
            scripted=events["scripted"].to_numpy(dtype=bool),
            alignment=align,
            crisis_threshold=crisis_threshold,
            overrides=_overrides(events),
        )

    @cached_property
    def spells(self) -> list[tuple[str, int, int, bool]]:
        """Suspension spells as ``(channel, first_day, end_day, resumed)``, from day-end status."""
        out = []
        n = len(self.tension)
        for col, susp in self.suspended.items():
            edges = np.diff(np.concatenate(([0], susp.astype(np.int8), [0])))
            starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
            out += [(col, int(s), int(e), bool(e < n)) for s, e in zip(starts, ends)]
        return out


def _overrides(events: pd.DataFrame) -> int:
    """Scripted signals whose intensity the scenario set by hand; 0 for a log saved before the column existed."""
    if "intensity_override" not in events.columns:
        return 0
    flagged = events["intensity_override"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return int((flagged & events["scripted"].to_numpy(dtype=bool)).sum())


def suspended_mask(column: pd.Series) -> np.ndarray:
    """Boolean array: True where a channel-status column says "suspended"."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return (column.cat.codes == column.cat.categories.get_loc("suspended")).to_numpy()
    return (column.astype(str) == "suspended").to_numpy()


def _date(t: RunTables, i: int | None) -> str | None:
    return None if i is None else str(t.start + np.timedelta64(i, "D"))


def _first_crisis(t: RunTables) -> str | None:
    above = np.flatnonzero(t.tension >= t.crisis_threshold)
    return _date(t, int(above[0])) if above.size else None


def _mean_resumption(t: RunTables) -> float | None:
    done = [e - s for _, s, e, resumed in t.spells if resumed]
    return float(np.mean(done)) if done else None


def _counts(kinds: list[str]) -> dict[str, int]:
    return dict(sorted(Counter(kinds).items()))


def _alignment_shift(t: RunTables) -> dict[str, float]:
    return {code: round(last - first, 6) for code, (first, last) in t.alignment.items()}


GROUPS: tuple[str, ...] = ("escalation", "freeze", "signals", "alignment", "setting")
"""The groups of outcomes, in the order tables list them; ``setting`` echoes the config, it is no outcome."""
KINDS: tuple[str, ...] = ("scalar", "date", "list", "dict")
"""The shapes of a value in ``summary.json``: a number or boolean, an ISO date, a list, a mapping."""


@dataclass(frozen=True)
class Outcome:
    """One declared outcome metric: how to compute it and how tables, figures and reports show it.

    Attributes:
        name: The key in ``summary.json`` and the column in a sweep's runs table.
        description: One sentence on what it means (reports and the README's table).
        compute: The value, from a run's arrays.
        label: Axis label and figure title; defaults to the name with spaces.
        header: A short column header for text tables; defaults to the name.
        unit: The unit of the value ("" for a boolean or a date).
        kind: Its shape in ``summary.json``, one of :data:`KINDS`.
        rate: A boolean per run, so summarised over runs as the share where it holds.
        group: What it measures, one of :data:`GROUPS` (sensitivity reports drivers per group).
        headline: Shown by default in a sweep's table and figures (:data:`HEADLINE`).
        absent: For a ``dict`` outcome, the value of a key a run does not have, in a runs table whose
            other runs have it: 0 for counts (a kind a run never sent was sent 0 times), None (null)
            where the key has no value in that run (a state the scenario does not hold).
    """

    name: str
    description: str
    compute: Callable[[RunTables], Any]
    label: str = ""
    header: str = ""
    unit: str = ""
    kind: str = "scalar"
    rate: bool = False
    group: str = "setting"
    headline: bool = False
    absent: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.group not in GROUPS:
            raise ValueError(f"outcome {self.name}: kind {self.kind!r} or group {self.group!r} is not declared")
        object.__setattr__(self, "label", self.label or self.name.replace("_", " "))
        object.__setattr__(self, "header", self.header or self.name)


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("peak_tension", "Highest daily US-China tension (mean of the two directed hostilities, 0..1).",
            lambda t: round(float(t.tension.max()), 6),
            label="peak tension (0..1)", header="peak tension", unit="tension (0..1)", group="escalation", headline=True),
    Outcome("peak_tension_date", "Date of the peak tension (first if tied).",
            lambda t: _date(t, int(np.argmax(t.tension))), kind="date", group="escalation"),
    Outcome("final_tension", "Tension on the last day.", lambda t: round(float(t.tension[-1]), 6),
            label="final tension (0..1)", header="final tension", unit="tension (0..1)", group="escalation"),
    Outcome("crisis_threshold", "The tension level that counts as crisis (config crisis_threshold).",
            lambda t: t.crisis_threshold, unit="tension (0..1)", group="setting"),
    Outcome("intensity_overrides", "Number of scripted events whose intensity the scenario set by hand "
            "(events[i].intensity), overriding the weight scale (sim/data/weight_scale.csv).",
            lambda t: t.overrides, header="overrides", unit="events", group="setting"),
    Outcome("crisis_crossed", "Whether tension ever reached the crisis threshold.",
            lambda t: bool((t.tension >= t.crisis_threshold).any()),
            label="share of runs reaching crisis", header="crisis", rate=True, group="escalation", headline=True),
    Outcome("first_crisis_date", "First day tension reached the crisis threshold (null if never).", _first_crisis,
            kind="date", group="escalation"),
    Outcome("days_above_crisis", "Number of days with tension at or above the crisis threshold.",
            lambda t: int((t.tension >= t.crisis_threshold).sum()),
            label="days at or above crisis", header="days > crisis", unit="days", group="escalation", headline=True),
    Outcome("channel_suspensions", "Number of suspension spells over all channels (status at day's end).",
            lambda t: len(t.spells),
            label="channel suspension spells", header="suspensions", unit="spells", group="freeze", headline=True),
    Outcome("channel_days_suspended", "Total channel-days spent suspended, summed over channels.",
            lambda t: int(sum(e - s for _, s, e, _ in t.spells)),
            label="channel-days suspended", header="days suspended", unit="channel-days", group="freeze", headline=True),
    Outcome("mean_days_to_resumption", "Mean days from a suspension to its resumption, over spells that ended (null if none).",
            _mean_resumption,
            label="mean days to resumption", header="days to resume", unit="days", group="freeze", headline=True),
    Outcome("suspensions_unresolved", "Suspension spells still in force on the last day.",
            lambda t: sum(1 for *_, resumed in t.spells if not resumed),
            label="suspensions unresolved at end", header="unresolved", unit="spells", group="freeze"),
    Outcome("channels_suspended_at_end", "Channels suspended on the last day.",
            lambda t: sorted(columns.channel_name(c) for c, susp in t.suspended.items() if susp[-1]),
            unit="channels", kind="list", group="freeze"),
    Outcome("signal_counts", "Number of signals of each kind, scripted and decided.",
            lambda t: _counts(t.kinds), unit="signals", kind="dict", group="signals", absent=0),
    Outcome("response_counts", "Number of signals of each kind that rules decided (not scripted).",
            lambda t: _counts([k for k, s in zip(t.kinds, t.scripted) if not s]), unit="signals", kind="dict",
            group="signals", absent=0),
    Outcome("n_signals", "Total number of signals.", lambda t: len(t.kinds),
            label="number of signals", header="signals", unit="signals", group="signals"),
    Outcome("alignment_shift", "Each regional state's alignment change, last day minus first (+ towards the US).",
            _alignment_shift, unit="alignment (-1..+1)", kind="dict", group="alignment"),
)  # fmt: skip


def _declared(name: str) -> Outcome | None:
    return next((o for o in OUTCOMES if o.name == name), None)


def outcome(name: str) -> Outcome:
    """The declared outcome called ``name``.

    Raises:
        KeyError: No outcome has that name.
    """
    found = _declared(name)
    if found is None:
        raise KeyError(f"no outcome metric {name!r}; declared: {', '.join(o.name for o in OUTCOMES)}")
    return found


def label(name: str) -> str:
    """The axis label of a metric; an undeclared column gets its name with spaces."""
    found = _declared(name)
    return found.label if found else name.replace("_", " ")


def header(name: str) -> str:
    """The short text-table header of a metric; an undeclared column keeps its name."""
    found = _declared(name)
    return found.header if found else name


def is_rate(name: str) -> bool:
    """Whether a declared metric is a boolean per run, summarised as a share of runs."""
    found = _declared(name)
    return bool(found and found.rate)


def scalar_outcomes(group: str | None = None) -> tuple[Outcome, ...]:
    """The outcomes with one number (or boolean) per run, the ones tables compare across runs.

    Listed group by group (:data:`GROUPS`), within a group levels and counts
    before rates, else in declared order; the ``setting`` group (the config's
    crisis threshold) is left out.

    Args:
        group: Only the outcomes of this group; None for all groups.
    """
    chosen = [o for o in OUTCOMES if o.kind == "scalar" and o.group != "setting" and group in (None, o.group)]
    return tuple(sorted(chosen, key=lambda o: (GROUPS.index(o.group), o.rate)))


HEADLINE: tuple[str, ...] = tuple(o.name for o in scalar_outcomes() if o.headline)
"""The metrics a sweep's table and figures show by default, in :func:`scalar_outcomes` order."""


def summarize(events: pd.DataFrame, steps: pd.DataFrame, crisis_threshold: float) -> dict[str, Any]:
    """Compute every declared outcome from a run's two tables."""
    return summarize_arrays(RunTables.from_tables(events, steps, crisis_threshold))


def summarize_arrays(t: RunTables) -> dict[str, Any]:
    """Compute every declared outcome from a run's arrays."""
    return {o.name: o.compute(t) for o in OUTCOMES}
