"""The one run loop: run a built model spec over seeds and measure each run.

In the spirit of the EMA Workbench's ``Replicator`` (``ema_workbench.em_framework``
runs one model over a list of replications and hands each one's outcomes back),
:func:`run_seeds` takes a :class:`~sim.config.build.ModelSpec` (a config
composed and checked once), a list of seeds and a *measure*, a function of the
finished model and its spec that returns what the caller keeps from a run. It
builds ``spec.model(seed)`` for each seed, runs it and yields the measure, in
seed order, in this process or on a pool of worker processes. Sweeps,
calibration, sensitivity analysis, counterfactuals and the benchmarks all run
their models through it, so none of them rebuilds the spec per seed.

Ready-made measures: :func:`summary_record` (a sweep's row: status, error and
the flattened outcome metrics; pair it with ``on_error=failed_record`` so one
failing run is recorded, not raised), :func:`tables` (the events and steps
tables), :func:`steps` (the steps table alone), :func:`arrays` (the run's arrays,
the fast path without tables) and :func:`summary` (the outcome metrics, from the
arrays: no tables built).
"""

from __future__ import annotations

import logging
import math
import multiprocessing as mp
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import pandas as pd

from sim.config.build import ModelSpec
from sim.core.model import SignalingModel
from sim.outputs.metrics import RunTables, summarize_arrays
from sim.outputs.tables import events_frame, run_arrays, steps_frame

T = TypeVar("T")
Measure = Callable[[SignalingModel, ModelSpec], T]
OnError = Callable[[Exception], T]

_worker_pools = True  # False in a launcher's worker process (sim.experiments.pool_launcher)


def quiet_mesa() -> None:
    """Mesa 3.5 logs every step at INFO; under Hydra's logging that triples run time."""
    logging.getLogger("MESA").setLevel(logging.WARNING)


def no_worker_pools() -> None:
    """Run every :func:`run_seeds` in this process: it is already one of a launcher's workers."""
    global _worker_pools
    _worker_pools = False


def run_seeds(
    spec: ModelSpec, seeds: Sequence[int], measure: Measure[T], workers: int = 1, on_error: OnError[T] | None = None
) -> Iterator[T]:
    """Run ``spec`` once per seed and yield ``measure(model, spec)`` of each finished run, in seed order.

    Args:
        spec: The built model spec; every run is ``spec.model(seed)``, so the config is not looked at again.
        seeds: The runs' seeds, in the order their measures come back.
        measure: What to keep of a finished run. With ``workers`` > 1 it must pickle (a module-level function).
        workers: Worker processes; runs stay in this process when 1, when there are fewer than two
            seeds per worker, or inside a launcher's worker (:func:`no_worker_pools`).
        on_error: If given, an exception while building, running or measuring one run becomes
            ``on_error(exception)`` in that run's place instead of stopping the loop.

    The measures are the same whatever the number of workers: each run depends only on the spec and its seed.
    """
    if workers <= 1 or len(seeds) < 2 * workers or not _worker_pools:
        return (_run(spec, seed, measure, on_error) for seed in seeds)
    return _pooled(spec, seeds, measure, on_error, workers)


def _run(spec: ModelSpec, seed: int, measure: Measure[T], on_error: OnError[T] | None) -> T:
    if on_error is None:
        model = spec.model(seed)
        model.run()
        return measure(model, spec)
    try:
        model = spec.model(seed)
        model.run()
        return measure(model, spec)
    except Exception as e:  # noqa: BLE001  (one bad run must not sink the others)
        return on_error(e)


def worker_context() -> mp.context.BaseContext:
    """``forkserver`` (preloading this module) where the system has it, else ``spawn``.

    The forkserver imports this module once (about a second), so workers start warm
    without forking this process, whose numpy and pyarrow threads make a plain fork unsafe.
    """
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.experiments.runner"])  # the server imports once; its children start warm
        return ctx
    return mp.get_context("spawn")


def _pooled(spec: ModelSpec, seeds: Sequence[int], measure: Measure[T], on_error: OnError[T] | None,
            workers: int) -> Iterator[T]:  # fmt: skip
    # concurrent.futures rather than multiprocessing.Pool: a worker that dies, or whose start-up
    # fails, breaks the pool with an error instead of being replaced over and over (a hang).
    chunk = max(1, math.ceil(len(seeds) / (workers * 8)))
    pool = ProcessPoolExecutor(workers, mp_context=worker_context(), initializer=_init_worker,
                               initargs=(spec, measure, on_error))  # fmt: skip
    try:
        yield from pool.map(_run_in_worker, seeds, chunksize=chunk)  # results in seed order
    except BrokenProcessPool as e:
        raise RuntimeError(f"a worker process of workers={workers} died or failed to start: {e}") from e
    finally:  # a caller that stops early does not wait for the runs still queued
        pool.shutdown(wait=True, cancel_futures=True)


_WORKER: tuple[ModelSpec, Measure[Any], OnError[Any] | None] | None = None  # set once per worker by _init_worker


def _init_worker(spec: ModelSpec, measure: Measure[Any], on_error: OnError[Any] | None) -> None:
    global _WORKER
    _WORKER = (spec, measure, on_error)


def _run_in_worker(seed: int) -> Any:
    assert _WORKER is not None
    spec, measure, on_error = _WORKER
    return _run(spec, seed, measure, on_error)


# -- ready-made measures ---------------------------------------------------------------------------
def flatten(summary: Mapping[str, Any]) -> dict[str, Any]:
    """Outcome metrics as flat columns: dicts as ``name.key``, lists joined with commas."""
    row: dict[str, Any] = {}
    for k, v in summary.items():
        if isinstance(v, dict):
            row.update({f"{k}.{kk}": vv for kk, vv in v.items()})
        elif isinstance(v, list):
            row[k] = ",".join(map(str, v))
        else:
            row[k] = v
    return row


def summary(model: SignalingModel, spec: ModelSpec) -> dict[str, Any]:
    """The run's outcome metrics (``sim.outputs.metrics.OUTCOMES``), from its arrays: the same as
    from its tables (a test holds them to it), without building the tables."""
    return summarize_arrays(run_arrays(model, spec.crisis_threshold))


def summary_record(model: SignalingModel, spec: ModelSpec) -> dict[str, Any]:
    """A sweep's record of one run: status ``ok``, no error (null), and the flattened outcome metrics."""
    return {"status": "ok", "error": None, **flatten(summary(model, spec))}


def failed_record(error: Exception) -> dict[str, Any]:
    """A sweep's record of a run that raised: status ``failed`` and the error's first line."""
    return {"status": "failed", "error": f"{type(error).__name__}: {error}".splitlines()[0]}


def tables(model: SignalingModel, spec: ModelSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The run's events and steps tables (``sim.outputs.tables``)."""
    return events_frame(model), steps_frame(model)


def steps(model: SignalingModel, spec: ModelSpec) -> pd.DataFrame:
    """The run's steps table alone (a figure's band over seeds needs no event log)."""
    return steps_frame(model)


def arrays(model: SignalingModel, spec: ModelSpec) -> RunTables:
    """The run's arrays (``sim.outputs.tables.run_arrays``): the fast path, no tables built."""
    return run_arrays(model, spec.crisis_threshold)

