"""Many runs of one config in memory: :func:`sim.api.run_many`'s loop, the rows of a seed sweep.

``run_many(seeds=S, ...)`` gives the table that ``python -m sim -m seed=<S> ...``
aggregates into ``runs.parquet``: one job per seed in the given order, each job's
``replicates`` runs with the seeds :func:`sim.experiments.sweep.replicate_seeds`
derives, the same identity and parameter columns, the same outcome record per
run, failures recorded (``status`` ``failed``) not raised. The config is built
once: a model's seed is an argument of ``spec.model``, so every run comes from one
spec, spread over worker processes by :func:`sim.experiments.runner.run_seeds`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.config.build import MAX_SEED, build_spec
from sim.config.calibration import posterior_draws
from sim.core.errors import SimInputError
from sim.experiments.aggregate import order_runs
from sim.experiments.runner import failed_record, quiet_mesa, run_seeds, summary_record
from sim.experiments.sweep import parameters, replicate_seeds

MAX_RUNS = 10_000_000
"""More runs than this in one call is refused before any runs (their rows alone would not fit in memory)."""


def checked_seeds(seeds: Iterable[int]) -> list[int]:
    """``seeds`` as a list of whole numbers >= 0 (numpy's included), or one :class:`SimInputError` line."""
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise SimInputError("run_many()", "seeds", seeds, "a list or range of whole numbers >= 0")
    if hasattr(seeds, "__len__") and len(seeds) > MAX_RUNS:  # before a list of them takes the memory
        raise SimInputError("run_many()", "seeds", len(seeds), f"more than {MAX_RUNS:,} runs")
    seeds = list(seeds)
    if not seeds:
        raise SimInputError("run_many()", "seeds", seeds, "name at least one seed")
    bad = [s for s in seeds if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not 0 <= s <= MAX_SEED]
    if bad:
        raise SimInputError("run_many()", "seeds", bad[:3], f"seeds are whole numbers from 0 to {MAX_SEED:,}")
    return [int(s) for s in seeds]


def run_seed_jobs(cfg: DictConfig, choices: Mapping[str, str], seeds: Iterable[int], overrides: Sequence[str],
                  workers: int | None = None, progress: bool = True) -> pd.DataFrame:  # fmt: skip
    """The runs of one job per seed of ``seeds`` (config ``cfg``, the jobs' other ``overrides``), as one table."""
    quiet_mesa()
    if posterior_draws(cfg):
        raise SimInputError("run_many()", "posterior_draws", cfg.get("posterior_draws"),
                            "draws from the posterior run in a sweep: python -m sim -m posterior_draws=N seed=...")  # fmt: skip
    seeds = checked_seeds(seeds)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise SimInputError("run_many()", "workers", workers, "worker processes: a whole number >= 1, or None")
    spec = build_spec(cfg, choices)
    if len(seeds) * spec.replicates > MAX_RUNS:
        raise SimInputError("run_many()", "seeds", len(seeds), f"x {spec.replicates} replicates exceeds {MAX_RUNS:,} runs")
    base = parameters(overrides)
    ids = [(job, r, s, base_seed) for job, base_seed in enumerate(seeds)
           for r, s in enumerate(replicate_seeds(base_seed, spec.replicates))]  # fmt: skip
    results = run_seeds(spec, [s for _, _, s, _ in ids], summary_record, workers or os.cpu_count() or 1,
                        on_error=failed_record)  # fmt: skip
    if progress:
        from tqdm import tqdm

        results = tqdm(results, desc="runs", unit="run", total=len(ids), file=sys.stderr, leave=False)
    rows = [{"job": job, **base, "replicate": r, "seed": s, "base_seed": base_seed, **record}
            for (job, r, s, base_seed), record in zip(ids, results)]  # fmt: skip
    return order_runs(pd.DataFrame(rows))
