"""Before anything is timed: the naive model and a model from the reused spec reproduce the default run exactly."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.config.build import ModelSpec, build
from sim.core.model import SignalingModel
from sim.experiments.runner import run_seeds
from sim.outputs import columns
from sim.outputs.metrics import summarize
from sim.outputs.tables import events_frame, steps_frame

try:  # run as a script (python bench/bench_run.py): bench/ is on sys.path
    from naive_model import run_naive
except ImportError:  # imported as bench.bench_run
    from bench.naive_model import run_naive


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise AssertionError(message)


def _event_keys(model: SignalingModel) -> list[tuple[Any, ...]]:
    return [(s.id, s.day, s.kind, s.sender, s.receiver, s.channel, s.cause) for s in model.events]


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    return a == b


def check_equivalence(cfg: DictConfig, choices: Mapping[str, str], spec: ModelSpec) -> dict[str, Any]:
    """Check the naive model reproduces the event-driven run exactly; raise AssertionError if not.

    Compares the events (ids, days, kinds, senders, receivers, channels,
    causes), every column of the daily table and the summary. Also checks
    that a model built by ``build()`` and one run from the reused spec by the
    run loop (``sim.experiments.runner.run_seeds``) give the same events.

    Returns:
        A few facts about the run (days, signals, agents) for the report.
    """
    built, _ = build(cfg, choices)
    built.run()
    (model,) = run_seeds(spec, [spec.seed], lambda m, _: m)
    _check(_event_keys(built) == _event_keys(model), "a model from the reused spec differs from build()'s model")
    naive, table = run_naive(spec.scenario, spec.governments, spec.regional, spec.seed, spec.scale)
    _check(_event_keys(naive) == _event_keys(model), "naive model's events differ from the event-driven run")
    events, steps = events_frame(model), steps_frame(model)
    expected = steps.drop(columns="step")
    _check(list(table.columns) == list(expected.columns), "naive daily table has different columns")
    _check(len(table) == len(expected), "naive daily table has a different number of days")
    _check(bool((pd.to_datetime(table["date"]).to_numpy() == expected["date"].to_numpy()).all()), "dates differ")
    channel_columns = set(columns.of(expected.columns, columns.CHANNEL))
    for col in expected.columns.drop("date"):
        if col in channel_columns:
            same = table[col].tolist() == expected[col].astype(str).tolist()
        else:
            diff = np.abs(table[col].to_numpy(dtype=float) - expected[col].to_numpy()).max()
            same = bool(diff <= 1e-12)
        _check(same, f"naive daily table differs from steps_frame in {col}")
    s_fast = summarize(events, steps, spec.crisis_threshold)
    s_naive = summarize(events_frame(naive), table, spec.crisis_threshold)
    _check(_same_value(s_fast, s_naive), "summary of the naive run differs")
    return {
        "scenario": spec.scenario.name,
        "seed": spec.seed,
        "n_days": model.n_days,
        "n_signals": len(model.events),
        "n_agents": len(model.agents),
        "n_step_columns": len(steps.columns),
    }
