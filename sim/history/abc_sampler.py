"""A pyabc sampler whose results depend on its seed only: not on the number of processes, nor on resumption.

pyabc's own multicore samplers reseed each worker from the operating system, so
two runs of one study differ. Here every candidate particle has a slot number
within its generation, and the random state of pyabc's proposal for slot ``s``
of generation ``t`` is seeded from ``(seed, t, s)`` alone. Slots are evaluated
in batches over a pool of forked processes and read back in slot order; the
generation keeps the first ``n`` accepted particles in that order, exactly as a
single process would (later slots of the last batch are evaluated, counted in
``evaluated``, and dropped). The model itself runs on fixed seeds, so a
particle's summary statistics are a function of its parameters.

Each evaluated particle (accepted or not) is passed to ``on_particle`` in slot
order with its generation and slot, which the study records for the profile
plots of fit against each parameter.

May import: pyabc, numpy, the standard library.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import signal
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from pyabc.sampler import Sampler

_SIMULATE: Callable[[], Any] | None = None  # pyabc's simulate_one of the current generation, inherited by fork


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the main process, which stops them (a worker dying of it would hang the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _seed_slot(seed: int, t: int, slot: int) -> None:
    state = np.random.SeedSequence([seed, t + 1, slot]).generate_state(4)  # t = -1: pyabc's calibration sample
    np.random.seed(state)
    random.seed(int(state[0]))


def _simulate_slot(args: tuple[int, int, int]) -> Any:
    seed, t, slot = args
    _seed_slot(seed, t, slot)
    assert _SIMULATE is not None
    return _SIMULATE()


class SeededSampler(Sampler):
    """Sample each generation's slots in order, over ``workers`` forked processes, from ``seed``.

    Args:
        seed: The study's sampler seed.
        workers: Processes evaluating particles (1: in this process).
        on_particle: Called as ``on_particle(t, slot, particle)`` for every particle kept (slot order).
        on_generation: Called as ``on_generation(t)`` once a generation's particles are all in (before pyabc
            stores it), so what was evaluated is on disk even if the study is killed later.
        progress: Show a progress bar of accepted particles per generation on stderr.
    """

    def __init__(self, seed: int, workers: int = 1, on_particle: Callable[[int, int, Any], None] | None = None,
                 progress: bool = False, on_generation: Callable[[int], None] | None = None) -> None:  # fmt: skip
        super().__init__()
        self.seed = int(seed)
        self.workers = max(1, int(workers))
        self.on_particle = on_particle
        self.on_generation = on_generation
        self.show_progress = progress
        self.evaluated = 0  # evaluations in this process's lifetime, including dropped ones

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        global _SIMULATE
        _SIMULATE = simulate_one
        sample = self._create_empty_sample()
        kept = accepted = 0
        pool = mp.get_context("fork").Pool(self.workers, _ignore_interrupt) if self.workers > 1 else None
        bar = _bar(n, t, self.show_progress)
        try:
            while accepted < n and kept < max_eval:
                size = int(min(max(4 * self.workers, n - accepted), max_eval - kept))
                slots = [(self.seed, int(t), kept + i) for i in range(size)]
                results = _map(pool, slots)
                self.evaluated += size
                for (_, _, slot), particle in zip(slots, results):
                    if accepted >= n:
                        break
                    sample.append(particle)
                    kept += 1
                    if self.on_particle is not None:
                        self.on_particle(int(t), slot, particle)
                    if particle.accepted:
                        accepted += 1
                        if bar is not None:
                            bar.update(1)
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
            if bar is not None:
                bar.close()
            _SIMULATE = None
        self.nr_evaluations_ = kept
        if self.on_generation is not None:
            self.on_generation(int(t))
        if sample.n_accepted < n:
            sample.ok = False
        return sample


def _map(pool: Any, slots: list[tuple[int, int, int]]) -> list[Any]:
    if pool is None:
        return [_simulate_slot(s) for s in slots]
    pending = pool.map_async(_simulate_slot, slots, chunksize=1)
    while True:  # a bare map() cannot be interrupted: waiting in short steps lets Ctrl-C through
        try:
            return pending.get(timeout=0.5)
        except mp.TimeoutError:
            continue


def _bar(n: int, t: int, show: bool):
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=n, desc=f"generation {t}: accepted", unit="particle", file=sys.stderr, leave=False)
