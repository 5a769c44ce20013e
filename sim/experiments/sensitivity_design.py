"""The sensitivity design, its runs and SALib's indices (the command is :mod:`sim.experiments.sensitivity`).

The settings and parameters are read and checked here; a Morris or Sobol
design is sampled, every design point is built once (config composed once,
each point's values set on a copy, one :class:`~sim.config.build.ModelSpec`
per point) and run on seeds ``0..seeds-1`` through
:func:`sim.experiments.runner.run_seeds`, and SALib turns the points'
outcomes into indices. The outcomes analysed, and the groups the report
names drivers for, are the scalar outcomes of :data:`sim.outputs.metrics.OUTCOMES`
(a point's outcome: its mean over seeds), and any outputs a
:class:`~sim.experiments.sensitivity_fit.ScoredOutputs` passed in scores from a
point's runs together (the fit scores of :mod:`sim.history.fit_sensitivity`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.build import build_spec
from sim.config.calibration import set_values
from sim.config.search_space import Param
from sim.config.search_space import read_params as read_space
from sim.core.errors import SimInputError
from sim.experiments.runner import run_seeds, summary, tables
from sim.experiments.sensitivity_fit import PointScorer, ScoredOutputs
from sim.outputs.metrics import scalar_outcomes

SOURCE = "configs/sensitivity.yaml"
# The numeric outcomes, and those of the two groups the report names drivers for (sim.outputs.metrics.OUTCOMES).
ESCALATION = tuple(o.name for o in scalar_outcomes("escalation"))
FREEZE = tuple(o.name for o in scalar_outcomes("freeze"))
OUTPUTS = tuple(o.name for o in scalar_outcomes())
# Per method: the columns SALib returns, and the index that ranks parameters (with its confidence).
INDICES = {"morris": ("mu_star", "mu_star_conf", "sigma", "mu"), "sobol": ("S1", "S1_conf", "ST", "ST_conf")}
RANK_BY = {"morris": ("mu_star", "mu_star_conf"), "sobol": ("ST", "ST_conf")}


@dataclass(frozen=True)
class Settings:
    """The design's settings, checked."""

    method: str
    trajectories: int
    levels: int
    base_samples: int
    seeds: int
    sample_seed: int
    outputs: tuple[str, ...]
    scored: tuple[str, ...] = ()  # the outputs a PointScorer computes from a point's runs together


def read_settings(cfg: DictConfig, scored: ScoredOutputs | None = None) -> Settings:
    """The method, sizes and outputs of ``cfg``, checked (an output may also be one ``scored`` computes)."""
    method = str(cfg.method)
    if method not in INDICES:
        raise SimInputError(SOURCE, "method", method, f"unknown method (known: {', '.join(INDICES)})")
    ints = {}
    for name, least in (("morris_trajectories", 2), ("morris_levels", 2), ("sobol_base_samples", 2), ("seeds", 1),
                        ("sample_seed", 0)):  # fmt: skip
        v = cfg[name]
        if isinstance(v, bool) or not isinstance(v, int) or v < least:
            raise SimInputError(SOURCE, name, v, f"must be a whole number of at least {least}")
        ints[name] = v
    if ints["morris_levels"] % 2:
        raise SimInputError(SOURCE, "morris_levels", ints["morris_levels"], "must be even")
    if ints["sobol_base_samples"] & (ints["sobol_base_samples"] - 1):
        raise SimInputError(SOURCE, "sobol_base_samples", ints["sobol_base_samples"], "must be a power of two")
    outputs = tuple(str(o) for o in cfg.outputs)
    extra = tuple(scored.labels) if scored is not None else ()
    for o in outputs:
        if o not in OUTPUTS and o not in extra:
            also = f" nor a {scored.kind} (known: {', '.join(extra)})" if scored is not None else ""
            raise SimInputError(SOURCE, "outputs", o, f"not a numeric outcome (known: {', '.join(OUTPUTS)}){also}")
    if not outputs or len(set(outputs)) != len(outputs):
        raise SimInputError(SOURCE, "outputs", list(outputs), "must name at least one outcome, each once")
    return Settings(method, ints["morris_trajectories"], ints["morris_levels"], ints["sobol_base_samples"],
                    ints["seeds"], ints["sample_seed"], outputs, tuple(o for o in outputs if o in extra))  # fmt: skip


def read_params(use: Sequence[str], space: Mapping[str, Any]) -> list[Param]:
    """The parameters named in ``use``, checked against the space ``params``."""
    return read_space(use, space, SOURCE, "use")


def check_params(base: DictConfig, choices: Mapping[str, str], params: Sequence[Param]) -> None:
    """Refuse a parameter whose key is not a number in the model config, or whose range the model refuses.

    Args:
        base: The composed model config the design varies.
        choices: Hydra's group choices of ``base`` (for error messages).
        params: The parameters to vary; each is set alone to its low and its high end and built.

    Raises:
        SimInputError: naming ``configs/sensitivity.yaml``, the field and the value.
    """
    absent = object()
    for p in params:
        try:
            current = OmegaConf.select(base, p.key, default=absent)
        except OmegaConfBaseException:  # a malformed key
            current = absent
        if current is absent:
            raise SimInputError(SOURCE, f"params.{p.name}.key", p.key, "not a key of the model config")
        # null: a weight-scale parameter left at its declared value (sim/data/weight_scale.csv)
        if current is not None and (isinstance(current, bool) or not isinstance(current, (int, float))):
            raise SimInputError(SOURCE, f"params.{p.name}.key", p.key, "not a numeric value of the model config")
        for end in ("low", "high"):
            cfg = set_values(base, {p.key: p.value(p.bounds[end == "high"])}, SOURCE)
            try:
                build_spec(cfg, choices)
            except SimInputError as e:
                field, value = f"params.{p.name}.{end}", getattr(p, end)
                raise SimInputError(SOURCE, field, value, f"the model refuses it: {e}") from None


def sample(params: Sequence[Param], s: Settings) -> np.ndarray:
    """The SALib design, one row per point, in design coordinates."""
    problem = _problem(params)
    if s.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, s.trajectories, num_levels=s.levels, seed=s.sample_seed)
    from SALib.sample import sobol

    return sobol.sample(problem, s.base_samples, calc_second_order=False, seed=s.sample_seed)


def _problem(params: Sequence[Param]) -> dict[str, Any]:
    return {"num_vars": len(params), "names": [p.name for p in params], "bounds": [p.bounds for p in params]}


def summary_and_tables(model, spec) -> tuple[dict[str, Any], tuple[pd.DataFrame, pd.DataFrame]]:
    """A run's outcome metrics and its two tables (the fit scores read the tables)."""
    return summary(model, spec), tables(model, spec)


def summary_only(model, spec) -> tuple[dict[str, Any], None]:
    """A run's outcome metrics (no tables: no output reads them)."""
    return summary(model, spec), None


def evaluate(
    base: DictConfig, choices: Mapping[str, str], params: Sequence[Param], design: np.ndarray, s: Settings,
    scorer: PointScorer | None = None,
) -> tuple[pd.DataFrame, int, int]:  # fmt: skip
    """Run every design point on seeds ``0..seeds-1``.

    Args:
        base: The composed model config; each point sets its values on a copy, built once.
        choices: Hydra's group choices of ``base``.
        params: The parameters, in the design's column order.
        design: The SALib design (design coordinates), one row per point.
        s: The settings (seeds and outputs).
        scorer: The study's scorer of ``s.scored`` (required if any), which reads each run's tables.

    Returns:
        One row per point (parameter values as run, then each outcome's mean over seeds and each
        scored output of the point's runs together), the scenario length in days, and how many
        runs had no resumption.
    """
    from tqdm import tqdm

    if s.scored and scorer is None:
        raise ValueError(f"outputs {list(s.scored)} need their PointScorer")
    metrics = [o for o in s.outputs if o not in s.scored]
    measure = summary_and_tables if s.scored else summary_only
    rows, n_days, unresolved = [], 0, 0
    for x in tqdm(design, desc=f"{s.method} design points", unit="point", file=sys.stderr):
        values = {p.name: p.value(v) for p, v in zip(params, x)}
        try:  # one spec per point: its seeds run the same checked config
            spec = build_spec(set_values(base, {p.key: values[p.name] for p in params}, SOURCE), choices)
        except SimInputError as e:
            raise SimInputError(SOURCE, "params", values, f"the model refuses this design point: {e}") from None
        n_days = spec.scenario.n_days
        runs, reads = [], []
        for out, run_tables in run_seeds(spec, range(s.seeds), measure):
            if out.get("mean_days_to_resumption") is None:
                out["mean_days_to_resumption"] = float(n_days)  # nothing resumed: as long as the scenario
                unresolved += 1
            runs.append([float(out[o]) for o in metrics])
            if scorer is not None and run_tables is not None:  # read now: a point keeps no run's tables
                reads.append(scorer.read(run_tables))
        point = dict(zip(metrics, np.mean(runs, axis=0))) if metrics else {}
        if scorer is not None and s.scored:
            point.update(scorer.scores(reads))
        rows.append({**values, **{o: point[o] for o in s.outputs}})
    return pd.DataFrame(rows, columns=[*(p.name for p in params), *s.outputs]), n_days, unresolved


def analyse(params: Sequence[Param], design: np.ndarray, table: pd.DataFrame, s: Settings) -> pd.DataFrame:
    """SALib's indices: one row per output and parameter, ranked within each output (1 = most influential).

    Args:
        params: The parameters, in the design's column order.
        design: The design the outputs were computed on (Morris needs it).
        table: One row per design point with a column per output.
        s: The settings (method, levels, outputs, seed of the bootstrap).
    """
    from SALib.analyze import morris, sobol

    problem = _problem(params)
    frames = []
    for o in s.outputs:
        y = table[o].to_numpy(dtype=float)
        if not np.isfinite(y).all():  # undefined at some point (see undefined_points): no indices
            res = {c: np.full(len(params), np.nan) for c in INDICES[s.method]}
        elif np.ptp(y) == 0:  # a constant output: no parameter moves it (Sobol would divide by zero)
            res = {c: np.zeros(len(params)) for c in INDICES[s.method]}
        elif s.method == "morris":
            res = morris.analyze(problem, design, y, num_levels=s.levels, seed=s.sample_seed)
        else:
            res = sobol.analyze(problem, y, calc_second_order=False, seed=s.sample_seed)
        f = pd.DataFrame({c: np.asarray(res[c], dtype=float) for c in INDICES[s.method]})
        f.insert(0, "parameter", [p.name for p in params])
        f.insert(0, "output", o)
        f["rank"] = f[RANK_BY[s.method][0]].rank(ascending=False, method="min").astype("Int64")
        frames.append(f.sort_values(["rank", "parameter"]))
    return pd.concat(frames, ignore_index=True)


def undefined_points(table: pd.DataFrame, outputs: Sequence[str]) -> dict[str, int]:
    """Per output, how many design points have no finite value (a scored output undefined there, e.g. a fit
    score of a pattern no run of the point can show); outputs defined everywhere are left out."""
    counts = {o: int((~np.isfinite(table[o].to_numpy(dtype=float))).sum()) for o in outputs}
    return {o: n for o, n in counts.items() if n}
