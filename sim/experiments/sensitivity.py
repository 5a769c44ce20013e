"""``python -m sim.sensitivity``: which parameters drive escalation and freeze.

A Morris (elementary effects) or Sobol (variance-based) design from SALib
varies the rules' and governments' parameters named in ``use`` over their
ranges in ``params`` (``configs/sensitivity.yaml``), around the model config
the default run uses (calibration included). The model config is composed
once; each design point sets its values on a copy, is built once and runs the
model on seeds ``0..seeds-1``, and the point's outcome is the mean over those
seeds (the design, its runs and the indices: :mod:`sim.experiments.sensitivity_design`;
this module writes the report and figure and is the command).

Writes ``results/sensitivity/<study>/``: ``design.csv`` (design points and
their outcomes), ``indices.csv`` (one row per outcome and parameter),
``report.md`` (rankings and the top drivers) and ``sensitivity.png``.
"""

from __future__ import annotations

import math
import shutil
import sys
import time
from collections.abc import Sequence
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

from sim.config.compose import CONFIG_DIR, compose_config
from sim.config.search_space import Param
from sim.core.errors import SimInputError
from sim.experiments.runner import quiet_mesa
from sim.experiments.sensitivity_design import (
    ESCALATION,
    FREEZE,
    INDICES,
    RANK_BY,
    REPO,
    SOURCE,
    Settings,
    analyse,
    check_params,
    evaluate,
    read_params,
    read_settings,
    sample,
)  # fmt: skip
from sim.outputs.io import atomic_write


def top_drivers(indices: pd.DataFrame, method: str, outputs: Sequence[str], n: int = 3) -> list[str]:
    """The ``n`` parameters of greatest mean importance over ``outputs`` (fewer if fewer matter at all).

    Args:
        indices: The table of :func:`~sim.experiments.sensitivity_design.analyse`.
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
