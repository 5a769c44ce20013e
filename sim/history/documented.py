"""The documented side of the comparison: every target of one timeline, derived once.

The checks a run must pass are declared from these targets by :func:`sim.history.checks.declare_checks`.
"""

from __future__ import annotations

import pandas as pd

from sim.history.targets import (
    LagMeasure,
    Spell,
    Summit,
    Tenure,
    documented_lag,
    documented_spells,
    lag_measures,
    sanctioned_tenures,
    thaw_summits,
    triggers,
)
from sim.history.timeline import load_timeline

REPLAY_SCENARIO = "historical_2022_2024"
"""The shipped scenario that replays this record (``scenarios/historical_2022_2024.yaml``)."""


def replayed_spells(scenario: str) -> list[Spell] | None:
    """The record's channel suspensions (:func:`documented_spells`) when ``scenario`` is the shipped replay of
    the record, so that a run's channel figure can show them beside the simulated ones; None for any other."""
    return documented_spells(load_timeline()) if scenario == REPLAY_SCENARIO else None


class Documented:
    """The targets derived from one timeline, computed once and reused for many runs.

    Attributes:
        timeline: The documented timeline (default: the shipped one).
        triggers: Each episode's trigger, by episode tag.
        measures: The lag measures (:func:`sim.history.targets.lag_measures`); ``lags`` their
            documented values, by name.
        spells: The documented suspensions; ``summits`` the thaw summits; ``tenures`` the posts
            held by officials the rival sanctions.
        period: The first (2022 or later) and last documented day: the days whose status is compared.
    """

    def __init__(self, timeline: pd.DataFrame | None = None) -> None:
        self.timeline = load_timeline() if timeline is None else timeline
        self.triggers = triggers(self.timeline)
        self.measures: tuple[LagMeasure, ...] = lag_measures(self.timeline)
        self.lags = {m.name: documented_lag(self.timeline, m) for m in self.measures}
        self.spells: list[Spell] = documented_spells(self.timeline)
        self.summits: list[Summit] = thaw_summits(self.timeline)
        self.tenures: list[Tenure] = sanctioned_tenures(self.timeline)
        self.period = (self.timeline.loc[self.timeline["date"].dt.year >= 2022, "date"].min(), self.timeline["date"].max())
