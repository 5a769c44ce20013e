"""A posterior study's summary statistics and distance, and what it keeps besides pyabc's history.

``STATS``, ``OBSERVED`` and ``distance`` define the fit (one minus the mean skill);

``Evaluations`` is ``evaluations.csv``: every particle the sampler evaluated,
accepted or not (generation, slot, design coordinates, skills, distance), for
the profile plots; ``populations`` and ``posterior_frame`` read pyabc's stored
history; ``read_study_posterior`` gives a finished study's posterior as config
keys and values, which ``python -m sim.validate`` draws a split's posterior
predictive runs from.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.calibration import Posterior
from sim.config.search_space import Param
from sim.core.errors import SimInputError
from sim.history.facts import PATTERNS
from sim.history.validation import SKILL_FLOOR, mean_skill
from sim.outputs.io import atomic_write

STATS = tuple(f"skill.{p}" for p in PATTERNS)
WORST = 1.0 - SKILL_FLOOR
"""The distance of a particle the model refuses (or whose skills are all undefined): every pattern at the floor."""
OBSERVED = {k: 1.0 for k in STATS}
"""The observed summary statistics: a perfect skill on every pattern."""
STUDY_FILE, EVALUATIONS = "study.json", "evaluations.csv"

def distance(x: Mapping[str, float], x0: Mapping[str, float]) -> float:
    """One minus the mean skill over the patterns (each floored at the validation's floor); the observed ``x0``
    is a perfect skill of 1 on every pattern."""
    m = mean_skill({k: float(v) for k, v in x.items() if k in x0})
    return WORST if math.isnan(m) else 1.0 - m


class Evaluations:
    """Every particle evaluated (accepted or not): generation, slot, design coordinates, skills, distance."""

    def __init__(self, path: Path, params: Sequence[Param], keep_below: int) -> None:
        self.path, self.params = path, params
        self.rows: list[dict[str, Any]] = []
        if path.is_file() and keep_below > 0:  # a resumed study: keep what pyabc stored, drop an interrupted generation
            with path.open(newline="") as f:
                self.rows = [r for r in csv.DictReader(f) if int(r["t"]) < keep_below]

    def add(self, t: int, slot: int, particle: Any) -> None:
        # The distance from the statistics (pyabc leaves its calibration sample's, generation -1, unset).
        row = {
            "t": t,
            "slot": slot,
            "accepted": bool(particle.accepted),
            "distance": distance(particle.sum_stat, OBSERVED),
        }
        row.update({p.name: float(particle.parameter[p.name]) for p in self.params})
        row.update({k: float(particle.sum_stat.get(k, math.nan)) for k in STATS})
        self.rows.append(row)

    def write(self) -> None:
        frame = pd.DataFrame(self.rows)
        atomic_write(self.path, lambda p: frame.to_csv(p, index=False))

    def frame(self) -> pd.DataFrame:
        """The rows as a table (rows read back from the file of a resumed study are text: typed here)."""
        frame = pd.DataFrame(self.rows)
        if frame.empty:
            return frame
        accepted = frame["accepted"].astype(str).isin(["True", "true", "1"])
        return frame.drop(columns="accepted").apply(pd.to_numeric).assign(accepted=accepted)


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of importance weights, ``(sum w)^2 / sum w^2``: the particles a weighted
    sample is worth (all of them when the weights are equal, one when one particle holds all the weight)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2))


def populations(history: Any) -> pd.DataFrame:
    """Per generation: tolerance (epsilon), particles, effective sample size, simulations and acceptance rate."""
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].copy()
    pops["particles"] = [int(history.get_nr_particles_per_population()[t]) for t in pops["t"]]
    pops["effective_particles"] = [effective_sample_size(history.get_distribution(m=0, t=int(t))[1]) for t in pops["t"]]
    pops["acceptance_rate"] = pops["particles"] / pops["samples"]
    columns = ["t", "epsilon", "particles", "effective_particles", "samples", "acceptance_rate"]
    return pops[columns].rename(columns={"samples": "simulations"})


def posterior_frame(history: Any, params: Sequence[Param]) -> pd.DataFrame:
    """The last generation: weight, design coordinates (``x.<name>``) and model values (``<name>``) per particle."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    out = pd.DataFrame({"weight": np.asarray(weights, dtype=float) / float(np.sum(weights))})
    for p in params:
        x = frame[p.name].to_numpy(dtype=float)
        out[f"x.{p.name}"] = x
        out[p.name] = [p.value(v) for v in x]
    return out.reset_index(drop=True)


def read_study_posterior(folder: Path) -> Posterior:
    """A finished study's posterior (``posterior.csv`` with ``study.json``'s parameters) as config keys and values."""
    try:
        params = [Param(**p) for p in json.loads((folder / STUDY_FILE).read_text())["settings"]["params"]]
        frame = pd.read_csv(folder / "posterior.csv")
        design = frame[[f"x.{p.name}" for p in params]]
        weights = frame["weight"].to_numpy(dtype=float)
    except FileNotFoundError as e:
        raise SimInputError(str(e.filename), "posterior", folder.name, "no finished study here; run "
                            "`python -m sim.calibrate split=...` first, or leave the posterior models out") from None  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SimInputError(str(folder / "posterior.csv"), "posterior", folder.name, f"unreadable ({e})") from None
    rows = tuple({p.key: p.value(float(x)) for p, x in zip(params, r)} for r in design.itertuples(index=False))
    if not rows or not np.isfinite(weights).all() or weights.sum() <= 0:
        raise SimInputError(str(folder / "posterior.csv"), "weight", folder.name, "needs rows of positive weight")
    return Posterior(tuple(p.key for p in params), rows, weights / weights.sum(), str(folder / "posterior.csv"))
