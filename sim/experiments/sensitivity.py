"""``python -m sim.sensitivity``: which parameters drive escalation and freeze.

A Morris (elementary effects) or Sobol (variance-based) design from SALib
varies the rules' and governments' parameters named in ``use`` over their
ranges in ``params`` (``configs/sensitivity.yaml``), around the model config
the default run uses (calibration included). The model config is composed
once; each design point sets its values on a copy and runs the model on seeds
``0..seeds-1``, and the point's outcome is the mean over those seeds.

Writes ``results/sensitivity/<study>/``: ``design.csv`` (design points and
their outcomes), ``indices.csv`` (one row per outcome and parameter),
``report.md`` (rankings and the top drivers) and ``sensitivity.png``.
"""

from __future__ import annotations

import copy
import math
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from matplotlib.figure import Figure
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.build import build
from sim.config.compose import CONFIG_DIR, compose_config
from sim.config.search_space import Param
from sim.config.search_space import read_params as read_space
from sim.core.errors import SimInputError
from sim.experiments.runner import quiet_mesa
from sim.outputs.io import atomic_write
from sim.outputs.metrics import summarize
from sim.outputs.tables import events_frame, steps_frame

REPO = CONFIG_DIR.parent
SOURCE = "configs/sensitivity.yaml"
ESCALATION = ("peak_tension", "final_tension", "days_above_crisis", "crisis_crossed")
FREEZE = ("channel_suspensions", "channel_days_suspended", "mean_days_to_resumption", "suspensions_unresolved")
OUTPUTS = (*ESCALATION, *FREEZE, "n_signals")
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


def read_settings(cfg: DictConfig) -> Settings:
    """The method, sizes and outputs of ``cfg``, checked."""
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
    for o in outputs:
        if o not in OUTPUTS:
            raise SimInputError(SOURCE, "outputs", o, f"not a numeric outcome (known: {', '.join(OUTPUTS)})")
    if not outputs or len(set(outputs)) != len(outputs):
        raise SimInputError(SOURCE, "outputs", list(outputs), "must name at least one outcome, each once")
    return Settings(method, ints["morris_trajectories"], ints["morris_levels"], ints["sobol_base_samples"],
                    ints["seeds"], ints["sample_seed"], outputs)  # fmt: skip


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
    for p in params:
        try:
            current = OmegaConf.select(base, p.key, default=None)
        except OmegaConfBaseException:  # a malformed key
            current = None
        if current is None:
            raise SimInputError(SOURCE, f"params.{p.name}.key", p.key, "not a key of the model config")
        if isinstance(current, bool) or not isinstance(current, (int, float)):
            raise SimInputError(SOURCE, f"params.{p.name}.key", p.key, "not a numeric value of the model config")
        for end in ("low", "high"):
            cfg = with_values(base, {p.key: p.value(p.bounds[end == "high"])})
            try:
                build(cfg, choices)
            except SimInputError as e:
                field, value = f"params.{p.name}.{end}", getattr(p, end)
                raise SimInputError(SOURCE, field, value, f"the model refuses it: {e}") from None


def with_values(base: DictConfig, values: Mapping[str, float | int]) -> DictConfig:
    """A copy of ``base`` with the dotted keys of ``values`` set."""
    cfg = copy.deepcopy(base)
    for key, v in values.items():
        OmegaConf.update(cfg, key, v, merge=False)
    return cfg


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


def evaluate(
    base: DictConfig, choices: Mapping[str, str], params: Sequence[Param], design: np.ndarray, s: Settings
) -> tuple[pd.DataFrame, int, int]:
    """Run every design point on seeds ``0..seeds-1``.

    Args:
        base: The composed model config; each point sets its values on a copy.
        choices: Hydra's group choices of ``base``.
        params: The parameters, in the design's column order.
        design: The SALib design (design coordinates), one row per point.
        s: The settings (seeds and outputs).

    Returns:
        One row per point (parameter values as run, then the mean of each output over seeds),
        the scenario length in days, and how many runs had no resumption.
    """
    from tqdm import tqdm

    rows, n_days, unresolved = [], 0, 0
    for x in tqdm(design, desc=f"{s.method} design points", unit="point", file=sys.stderr):
        values = {p.name: p.value(v) for p, v in zip(params, x)}
        cfg = with_values(base, {p.key: values[p.name] for p in params})
        runs = []
        for seed in range(s.seeds):
            cfg.seed = seed
            try:
                model, threshold = build(cfg, choices)
            except SimInputError as e:
                raise SimInputError(SOURCE, "params", values, f"the model refuses this design point: {e}") from None
            model.run()
            n_days = model.n_days
            out = summarize(events_frame(model), steps_frame(model), threshold)
            if out.get("mean_days_to_resumption") is None:
                out["mean_days_to_resumption"] = float(n_days)  # nothing resumed: as long as the scenario
                unresolved += 1
            runs.append([float(out[o]) for o in s.outputs])
        rows.append({**values, **dict(zip(s.outputs, np.mean(runs, axis=0)))})
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
        if np.ptp(y) == 0:  # a constant output: no parameter moves it (Sobol would divide by zero)
            res = {c: np.zeros(len(params)) for c in INDICES[s.method]}
        elif s.method == "morris":
            res = morris.analyze(problem, design, y, num_levels=s.levels, seed=s.sample_seed)
        else:
            res = sobol.analyze(problem, y, calc_second_order=False, seed=s.sample_seed)
        f = pd.DataFrame({c: np.asarray(res[c], dtype=float) for c in INDICES[s.method]})
        f.insert(0, "parameter", [p.name for p in params])
        f.insert(0, "output", o)
        f["rank"] = f[RANK_BY[s.method][0]].rank(ascending=False, method="min").astype(int)
        frames.append(f.sort_values(["rank", "parameter"]))
    return pd.concat(frames, ignore_index=True)


def top_drivers(indices: pd.DataFrame, method: str, outputs: Sequence[str], n: int = 3) -> list[str]:
    """The ``n`` parameters of greatest mean importance over ``outputs`` (fewer if fewer matter at all).

    Args:
        indices: The table of :func:`analyse`.
        method: ``morris`` (importance: ``mu_star`` over the output's largest) or ``sobol`` (``ST``).
        outputs: The outputs to average the importance over.
        n: How many parameters to name.
    """
    col = RANK_BY[method][0]
    f = indices[indices["output"].isin(outputs)].copy()
    if f.empty:
        return []
    if method == "morris":
        peak = f.groupby("output")[col].transform("max")
        f[col] = (f[col] / peak.where(peak > 0)).fillna(0.0)
    score = f.groupby("parameter")[col].mean().clip(lower=0).sort_values(ascending=False, kind="stable")
    return [name for name, v in score.items() if v > 0][:n]


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


def drivers_sentence(indices: pd.DataFrame, method: str, outputs: Sequence[str]) -> list[str]:
    """One plain-language line each for escalation and freeze (for the outputs analysed)."""
    lines = []
    for label, group in (("escalation", ESCALATION), ("freeze", FREEZE)):
        chosen = [o for o in outputs if o in group]
        if not chosen:
            continue
        top = top_drivers(indices, method, chosen)
        what = f"{label} ({', '.join(chosen)})"
        lines.append(f"The top drivers of {what} are {_names(top)}." if top
                     else f"No parameter varied here changes {what}.")  # fmt: skip
    return lines


def report_text(
    study: str, s: Settings, params: Sequence[Param], overrides: Sequence[str], table: pd.DataFrame,
    indices: pd.DataFrame, n_days: int, unresolved: int, seconds: float,
) -> str:  # fmt: skip
    """The Markdown report: the design, the top drivers and one ranking table per output."""
    design = (f"Morris, {s.trajectories} trajectories on {s.levels} levels" if s.method == "morris"
              else f"Sobol (Saltelli), {s.base_samples} base samples")  # fmt: skip
    lines = [
        f"# Sensitivity report: study `{study}`", "",
        f"{design}: {len(table)} design points x {s.seeds} model seeds = {len(table) * s.seeds} runs "
        f"({seconds:.0f} s); sample seed {s.sample_seed}; model overrides {list(overrides)} "
        f"({'uncalibrated' if '~calibration' in overrides else 'around the calibrated model'}). "
        f"A point's outcome is its mean over seeds 0..{s.seeds - 1}.", "",
        "## Top drivers", "", *(f"- {line}" for line in drivers_sentence(indices, s.method, s.outputs)), "",
        ("Importance: mu_star (mean absolute elementary effect: the outcome's change, in its units, scaled to a "
         "move across the parameter's whole range) relative to the largest for that outcome, averaged over the "
         "group's outcomes. mu is the signed mean (positive: raising the parameter raises the outcome); a sigma "
         "large against mu_star marks a non-linear effect or interactions." if s.method == "morris" else
         "Importance: the total-order index ST (share of the outcome's variance due to the parameter, "
         "interactions included), averaged over the group's outcomes; S1 is the share of its effect alone."),
        "", "## Parameters", "", "| parameter | config key | range | scale |", "|---|---|---|---|",
        *(f"| {p.name} | `{p.key}` | [{p.low:g}, {p.high:g}] | {'log' if p.log else 'linear'}"
          f"{', whole numbers' if p.integer else ''} |" for p in params),
    ]  # fmt: skip
    cols = INDICES[s.method]
    for o in s.outputs:
        y = table[o]
        lines += ["", f"## {o}", "", f"Mean over design points {y.mean():.4g} (from {y.min():.4g} to {y.max():.4g}).",
                  "", "| rank | parameter | " + " | ".join(cols) + " |", "|---" * (len(cols) + 2) + "|"]  # fmt: skip
        for _, r in indices[indices["output"] == o].iterrows():
            lines.append(f"| {r['rank']} | {r['parameter']} | " + " | ".join(f"{r[c]:.4g}" for c in cols) + " |")
    if "mean_days_to_resumption" in s.outputs:
        lines += ["", "## Notes", "", "- mean_days_to_resumption: a run in which no suspended channel reopened "
                  f"counts as {n_days} days, the scenario's length ({unresolved} of {len(table) * s.seeds} runs)."]
    return "\n".join(lines) + "\n"


def figure(indices: pd.DataFrame, method: str, outputs: Sequence[str], title: str = "") -> Figure:
    """Per output, horizontal bars of mu_star (Morris) or ST (Sobol, S1 as dots) with confidence intervals."""
    col, conf = RANK_BY[method]
    n_params = indices["parameter"].nunique()
    ncols = min(2, len(outputs))
    nrows = math.ceil(len(outputs) / ncols)
    fig = Figure(figsize=(6.5 * ncols, 0.3 * n_params * nrows + 1.5 * nrows + 0.6), layout="constrained")
    for i, o in enumerate(outputs):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        f = indices[indices["output"] == o].sort_values(col)
        ypos = np.arange(len(f))
        ax.barh(ypos, f[col], xerr=f[conf], color="#1565c0", alpha=0.85, ecolor="#424242", capsize=2, label=col)
        if method == "sobol":
            ax.plot(f["S1"], ypos, "o", color="#e65100", ms=4, label="S1")
            ax.legend(fontsize=7, loc="lower right")
        ax.set_yticks(ypos, f["parameter"], fontsize=8)
        ax.axvline(0, color="grey", lw=0.8)
        unit = "" if method == "sobol" else f"in units of {o}; "
        ax.set_xlabel(f"{col} ({unit}error bars: 95% confidence)", fontsize=8)
        ax.set_title(o, fontsize=10)
    fig.suptitle(title or f"Sensitivity ({method})")
    return fig


def run_sensitivity(cfg: DictConfig) -> dict[str, Any]:
    """The whole command: check, sample, run, analyse and write the study folder.

    Raises:
        SimInputError: on bad input, before anything is written.
    """
    quiet_mesa()
    s = read_settings(cfg)
    space = OmegaConf.to_container(cfg.params, resolve=True)
    params = read_params([str(u) for u in cfg.use], space if isinstance(space, dict) else {})
    overrides = [str(o) for o in cfg.model_overrides]
    try:
        base, choices = compose_config(overrides)
    except (HydraException, OmegaConfBaseException) as e:  # an unknown option or key
        raise SimInputError(SOURCE, "model_overrides", overrides, str(e).splitlines()[0]) from None
    check_params(base, choices, params)
    started = time.perf_counter()
    design = sample(params, s)
    table, n_days, unresolved = evaluate(base, choices, params, design, s)
    indices = analyse(params, design, table, s)
    seconds = time.perf_counter() - started
    folder = REPO / str(cfg.results_dir) / str(cfg.study)
    text = report_text(str(cfg.study), s, params, overrides, table, indices, n_days, unresolved, seconds)
    fig = figure(indices, s.method, s.outputs, f"Sensitivity of the outcomes ({s.method}, study {cfg.study})")
    atomic_write(folder / "design.csv", lambda p: table.rename_axis("point").to_csv(p))
    atomic_write(folder / "indices.csv", lambda p: indices.to_csv(p, index=False))
    atomic_write(folder / "sensitivity.png", lambda p: fig.savefig(p, format="png", dpi=110))
    atomic_write(folder / "report.md", lambda p: p.write_text(text, encoding="utf-8"))
    return {"folder": folder, "points": len(table), "runs": len(table) * s.seeds, "seconds": seconds,
            "drivers": drivers_sentence(indices, s.method, s.outputs), "indices": indices}  # fmt: skip


def _discard_hydra_dir(out: Path, top: Path) -> None:
    """Remove Hydra's record of a refused run, and the folders it leaves empty below ``top``."""
    if not out.is_dir() or any(p.name not in {".hydra", "sensitivity.log"} for p in out.iterdir()):
        return
    shutil.rmtree(out, ignore_errors=True)
    for parent in out.resolve().parents:
        if parent == top.resolve() or not parent.is_relative_to(top.resolve()) or any(parent.iterdir()):
            break
        parent.rmdir()


@hydra.main(config_path=str(CONFIG_DIR), config_name="sensitivity", version_base="1.3")
def main(cfg: DictConfig) -> None:
    try:
        result = run_sensitivity(cfg)
    except SimInputError as e:
        _discard_hydra_dir(Path(HydraConfig.get().runtime.output_dir), REPO / str(cfg.results_dir))
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    print(f"Sensitivity done ({cfg.method}): {result['points']} design points, {result['runs']} runs "
          f"in {result['seconds']:.0f} s")  # fmt: skip
    for line in result["drivers"]:
        print(f"  {line}")
    print(f"  results: {result['folder']}")


if __name__ == "__main__":
    main()
