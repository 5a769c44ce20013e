"""What a counterfactual comparison produces: the runs of each scenario and their differences.

Data only, shared by :mod:`sim.teaching.counterfactual` (which runs them),
:mod:`sim.teaching.counterfactual_report` (tables, text, files) and
:mod:`sim.teaching.counterfactual_figures` (figures), so none of those needs
another's module to name its types.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.core.scenario import Scenario, ScriptedEvent

DIFF_COLUMNS = ("counterfactual", "base", "date", "step", "variable", "channel", "base_mean", "base_q05", "base_q95",
                "cf_mean", "cf_q05", "cf_q95", "diff_mean", "diff_q05", "diff_q95")  # fmt: skip


@dataclass(frozen=True)
class Runs:
    """One scenario run on several seeds under one config.

    Attributes:
        scenario: The scenario.
        seeds: The seeds, in row order.
        tension: Daily US-China tension, one row per seed.
        suspended: Per channel, daily True where suspended at day's end, one row per seed.
        summaries: Each seed's outcome metrics (``sim.outputs.metrics.OUTCOMES``).
    """

    scenario: Scenario
    seeds: tuple[int, ...]
    tension: np.ndarray
    suspended: dict[str, np.ndarray]
    summaries: list[dict[str, Any]] = field(repr=False)


@dataclass
class CounterfactualResult:
    """A counterfactual beside its base, on the same seeds.

    Attributes:
        name: The counterfactual scenario's name.
        base_runs, cf_runs: The runs of the base and of the counterfactual.
        removed, added: Scripted events of the base missing from the counterfactual, and new ones.
        period: The changed period: the first changed event to ``window_days`` after the last.
        differences: Tidy per-day table (``DIFF_COLUMNS``).
        summary: One row per metric (``SUMMARY_COLUMNS``).
    """

    name: str
    base_runs: Runs = field(repr=False)
    cf_runs: Runs = field(repr=False)
    removed: tuple[ScriptedEvent, ...]
    added: tuple[ScriptedEvent, ...]
    period: tuple[dt.date, dt.date]
    differences: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)

    @property
    def seeds(self) -> tuple[int, ...]:
        return self.base_runs.seeds
