"""The one run loop (sim.experiments.runner.run_seeds): same runs as by hand, seed order, workers, failures,
and a spec built once per parameter point by calibration, sensitivity and counterfactuals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config import build as build_module
from sim.config.build import build_spec
from sim.config.compose import compose_config
from sim.config.search_space import Param
from sim.core.model import SignalingModel
from sim.experiments import runner
from sim.experiments.runner import failed_record, run_seeds, summary, summary_record, tables
from sim.outputs.metrics import summarize, summarize_arrays
from sim.outputs.tables import events_frame, run_arrays, steps_frame

SEEDS = [5, 0, 3, 11]  # not sorted: the order given is the order returned


@pytest.fixture(scope="module")
def spec():
    return build_spec(*compose_config([]))


def test_each_run_is_the_model_built_by_hand_for_its_seed(spec):
    by_hand = []
    for seed in SEEDS:
        model = SignalingModel(spec.scenario, spec.governments, spec.regional, seed, scale=spec.scale)
        model.run()
        by_hand.append((events_frame(model), steps_frame(model)))
    looped = list(run_seeds(spec, SEEDS, tables))
    assert len(looped) == len(SEEDS)
    for (e1, s1), (e2, s2) in zip(by_hand, looped):
        pd.testing.assert_frame_equal(e1, e2)
        pd.testing.assert_frame_equal(s1, s2)


def test_measures_come_back_in_seed_order_and_agree_with_the_tables(spec):
    seeds = list(run_seeds(spec, SEEDS, lambda model, _: model.seed_value))
    assert seeds == SEEDS
    records = list(run_seeds(spec, SEEDS, summary_record))
    summaries = list(run_seeds(spec, SEEDS, summary))
    assert all(r["status"] == "ok" and r["error"] is None for r in records)
    assert [r["peak_tension"] for r in records] == [s["peak_tension"] for s in summaries]
    assert len({r["peak_tension"] for r in records}) > 1  # the seeds differ, so the records do
    model = spec.model(SEEDS[0])
    model.run()
    assert summaries[0] == summarize(events_frame(model), steps_frame(model), spec.crisis_threshold)
    assert records[0] == summary_record(model, spec)
    assert next(run_seeds(spec, SEEDS[:1], runner.arrays)).tension.tolist() == \
        run_arrays(model, spec.crisis_threshold).tension.tolist()  # fmt: skip
    assert summarize_arrays(run_arrays(model, spec.crisis_threshold))["n_signals"] == records[0]["n_signals"]


def test_two_workers_give_the_same_records_as_one(spec):
    seeds = list(range(8))  # at least two seeds per worker, or the pool is not worth starting
    one = list(run_seeds(spec, seeds, summary_record, workers=1))
    two = list(run_seeds(spec, seeds, summary_record, workers=2, on_error=failed_record))
    assert one == two


def _die(model, spec):  # a measure that kills its worker process (module level: it must travel to the worker)
    import os

    os._exit(3)


def test_a_worker_that_dies_stops_the_loop_with_an_error_not_a_hang(spec):
    with pytest.raises(RuntimeError, match="workers=2 died or failed to start"):
        list(run_seeds(spec, list(range(4)), _die, workers=2))


def test_no_worker_pools_keeps_the_runs_in_this_process(spec, monkeypatch):
    monkeypatch.setattr(runner, "_worker_pools", False)
    here = []  # a closure cannot travel to a worker process: this passes only in-process
    out = list(run_seeds(spec, range(4), lambda model, _: here.append(model.seed_value) or model.seed_value, workers=2))
    assert out == here == [0, 1, 2, 3]


def test_a_failing_run_is_recorded_by_the_sweep_measure_and_raised_without_on_error(spec, monkeypatch):
    real_run = SignalingModel.run

    def flaky(self):
        if self.seed_value == 3:
            raise FloatingPointError("overflow in hostility\nsecond line")
        real_run(self)

    monkeypatch.setattr(SignalingModel, "run", flaky)
    records = list(run_seeds(spec, SEEDS, summary_record, on_error=failed_record))
    assert [r["status"] for r in records] == ["ok", "ok", "failed", "ok"]
    assert records[2] == {"status": "failed", "error": "FloatingPointError: overflow in hostility"}
    with pytest.raises(FloatingPointError):
        list(run_seeds(spec, SEEDS, summary_record))


class _Counting:
    """Wraps build_spec, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return build_module.build_spec(*args, **kwargs)


def test_calibration_builds_one_spec_per_particle_and_composes_no_config(monkeypatch):
    import sim.history.abc_study as study
    s = study.StudySettings("t", "none", None, (Param("chn_trigger", "governments.CHN.retaliation.trigger", 0.2, 0.8),),
                            3, 4, 1, 10, 0.5, 0, 1, ("scenario=historical_2022_2024",), Path("."))  # fmt: skip
    model = study.FitModel(s)
    counter = _Counting()
    monkeypatch.setattr(study, "build_spec", counter)
    composed = []
    monkeypatch.setattr(study, "compose_config", lambda *a, **k: composed.append(1))
    built = []
    real_init = SignalingModel.__init__
    monkeypatch.setattr(SignalingModel, "__init__", lambda self, *a, **k: built.append(1) or real_init(self, *a, **k))
    skills = model({"chn_trigger": 0.5})
    assert counter.calls == 1 and len(built) == 3 and not composed
    assert set(skills) == set(study.STATS)
    assert model({"chn_trigger": 0.5}) == skills  # a particle's statistics are a function of its parameters


def test_sensitivity_builds_one_spec_per_design_point_not_per_seed(monkeypatch):
    import sim.experiments.sensitivity_design as design_module

    counter = _Counting()
    monkeypatch.setattr(design_module, "build_spec", counter)
    base, choices = compose_config([])
    params = [Param("chn_trigger", "governments.CHN.retaliation.trigger", 0.2, 0.8)]
    s = design_module.Settings("morris", 2, 4, 8, seeds=3, sample_seed=0, outputs=("peak_tension", "n_signals"))
    table, n_days, _ = design_module.evaluate(base, choices, params, np.array([[0.2], [0.8]]), s)
    assert counter.calls == 2 and len(table) == 2
    assert n_days == build_spec(base, choices).scenario.n_days
    # A point's outcome is the mean over its seeds, each run as run_seeds runs it.
    point = build_spec(design_module.set_values(base, {params[0].key: 0.2}, "test"), choices)
    expected = np.mean([o["peak_tension"] for o in run_seeds(point, range(3), summary)])
    assert table.loc[0, "peak_tension"] == expected


def test_counterfactual_builds_one_spec_per_scenario(monkeypatch):
    import sim.teaching.counterfactual as cf

    counter = _Counting()
    monkeypatch.setattr(cf, "build_spec", counter)
    cfg, choices = compose_config([])
    runs = cf.run_scenario(cfg, choices, "historical_2022_2024", (0, 1, 2))
    assert counter.calls == 1 and runs.seeds == (0, 1, 2) and runs.tension.shape[0] == 3
