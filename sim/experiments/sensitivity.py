"""``python -m sim.sensitivity``: which parameters drive escalation and freeze, and the fit to history.

A Morris (elementary effects) or Sobol (variance-based) design from SALib
varies the rules' and governments' parameters named in ``use`` over their
ranges in ``params`` (``configs/sensitivity.yaml``), around the model config
the default run uses (calibration included), or, with ``space: calibrate``,
the calibration's prior (``configs/calibrate.yaml``'s ``fit`` and ``params``,
:mod:`sim.experiments.sensitivity_fit`). The model config is composed
once; each design point sets its values on a copy, is built once and runs the
model on seeds ``0..seeds-1``, and the point's outcome is the mean over those
seeds (the design, its runs and the indices: :mod:`sim.experiments.sensitivity_design`;
this module writes the report; the figures: :mod:`sim.experiments.sensitivity_figures`).

Outputs scored from a point's runs together come in through a
:class:`~sim.experiments.sensitivity_fit.ScoredOutputs`: the command
(:mod:`sim.history.fit_sensitivity`, which ``python -m sim.sensitivity`` runs)
passes the validation's fit scores, ``skill.mean`` and ``skill.<pattern>``.

Writes ``results/sensitivity/<study>/``: ``design.csv`` (design points and
their outcomes), ``indices.csv`` (one row per outcome and parameter),
``report.md`` (rankings and the top drivers), ``sensitivity.png`` and, for
Morris, ``morris_mu_sigma.png`` (mu_star against sigma, per output).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from sim.config.compose import compose_config
from sim.config.entry import discard_record, hydra_problem
from sim.config.search_space import Param
from sim.core.errors import SimInputError
from sim.core.extras import require
from sim.core.shipped import results_root
from sim.experiments.runner import quiet_mesa
from sim.experiments.sensitivity_design import (
    ESCALATION,
    FREEZE,
    INDICES,
    RANK_BY,
    SOURCE,
    Settings,
    analyse,
    check_params,
    evaluate,
    read_params,
    read_settings,
    sample,
    undefined_points,
)  # fmt: skip
from sim.experiments.parameter_labels import parameter_label
from sim.experiments.sensitivity_figures import figure, mu_sigma_figure
from sim.experiments.sensitivity_fit import CALIBRATE, ScoredOutputs, read_space
from sim.outputs.io import atomic_write, write_json
from sim.outputs.metrics import label as metric_label
from sim.outputs.provenance import now, provenance

UNCALIBRATED = "~calibration"
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (("escalation", ESCALATION), ("freeze", FREEZE))
"""The outcome groups the report names top drivers for (a ScoredOutputs adds its own)."""


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


def labels_for(outputs: Sequence[str], scored: ScoredOutputs | None = None) -> dict[str, str]:
    """Each output in words: a scored output's (``mean skill vs null``) or an outcome metric's axis label."""
    extra = scored.labels if scored is not None else {}
    return {o: extra[o] if o in extra else metric_label(o) for o in outputs}


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


def drivers_sentence(
    indices: pd.DataFrame, method: str, outputs: Sequence[str], groups: Sequence[tuple[str, Sequence[str]]] = GROUPS
) -> list[str]:
    """One plain-language line per group (escalation, freeze, and any a ScoredOutputs adds) of the outputs
    analysed with indices (an output undefined at some design point has none)."""
    lines = []
    ranked = set(indices.loc[indices[RANK_BY[method][0]].notna(), "output"])
    for label, group in groups:
        chosen = [o for o in outputs if o in group and o in ranked]
        if not chosen:
            continue
        top = top_drivers(indices, method, chosen)
        what = f"{label} ({', '.join(chosen)})"
        lines.append(f"The top drivers of {what} are {_names(top)}." if top
                     else f"No parameter varied here changes {what}.")  # fmt: skip
    return lines


def space_text(space: str, overrides: Sequence[str]) -> list[str]:
    """The report's line on where the parameters come from (nothing for this file's own space)."""
    if space != "calibrate":
        return []
    line = f"The parameters and their ranges are the calibration's prior ({CALIBRATE}'s `fit` and `params`)."
    if UNCALIBRATED not in overrides:
        line += (" Note: the calibration searches it around the uncalibrated model, but these runs keep the "
                 "calibration (add `~calibration` to model_overrides).")  # fmt: skip
    return [line, ""]


def report_text(
    study: str, s: Settings, params: Sequence[Param], overrides: Sequence[str], table: pd.DataFrame,
    indices: pd.DataFrame, n_days: int, unresolved: int, seconds: float, labels: Mapping[str, str] | None = None,
    groups: Sequence[tuple[str, Sequence[str]]] = GROUPS, about: Sequence[str] = (),
) -> str:  # fmt: skip
    """The Markdown report: the design, what the scored outputs are (``about``), the top drivers and one
    ranking table per output (headed by its name and its words, ``labels``)."""
    labels = labels or labels_for(s.outputs)
    design = (f"Morris, {s.trajectories} trajectories on {s.levels} levels" if s.method == "morris"
              else f"Sobol (Saltelli), {s.base_samples} base samples")  # fmt: skip
    per_point = seconds / len(table) if len(table) else math.nan
    lines = [
        f"# Sensitivity report: study `{study}`", "",
        (f"{design}: {len(table)} design points x {s.seeds} model seeds = {len(table) * s.seeds} runs "
         f"({seconds:.0f} s, {per_point:.2f} s per point); sample seed {s.sample_seed}; model overrides "
         f"{list(overrides)} ({'uncalibrated' if UNCALIBRATED in overrides else 'around the calibrated model'}). "
         f"A point's outcome is its mean over seeds 0..{s.seeds - 1}"
         f"{f'; {_names(s.scored)} are scored on its runs together' if s.scored else ''}."), "",
        *about, *([""] if about else []),
        "## Top drivers", "", *(f"- {line}" for line in drivers_sentence(indices, s.method, s.outputs, groups)), "",
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
    undefined = undefined_points(table, s.outputs)
    for o in s.outputs:
        y = table[o]
        lines += ["", f"## {o}: {labels[o]}" if labels[o] != o else f"## {o}", "",
                  f"Mean over design points {y.mean():.4g} (from {y.min():.4g} to {y.max():.4g})."]  # fmt: skip
        if o in undefined:
            lines += ["", f"Undefined at {undefined[o]} of {len(table)} design points: no indices."]
            continue
        lines += ["", "| rank | parameter | " + " | ".join(cols) + " |", "|---" * (len(cols) + 2) + "|"]
        for _, r in indices[indices["output"] == o].iterrows():
            lines.append(f"| {r['rank']} | {r['parameter']} | " + " | ".join(f"{r[c]:.4g}" for c in cols) + " |")
    notes = []
    if "mean_days_to_resumption" in s.outputs:
        notes.append("mean_days_to_resumption: a run in which no suspended channel reopened "
                     f"counts as {n_days} days, the scenario's length ({unresolved} of {len(table) * s.seeds} runs).")  # fmt: skip
    if undefined:
        notes.append(f"{_names(list(undefined))}: undefined (NaN) at some design points; SALib needs every point, "
                     "so these outputs have no indices.")  # fmt: skip
    if notes:
        lines += ["", "## Notes", "", *(f"- {n}" for n in notes)]
    return "\n".join(lines) + "\n"


def run_sensitivity(cfg: DictConfig, scored: ScoredOutputs | None = None) -> dict[str, Any]:
    """The whole command: check, sample, run, analyse and write the study folder.

    Args:
        cfg: The composed configs/sensitivity.yaml.
        scored: Outputs scored from a point's runs together, which ``outputs`` may then name
            (``python -m sim.sensitivity`` passes the fit scores, :data:`sim.history.fit_sensitivity.FIT_SCORES`).

    Raises:
        SimInputError: on bad input, before anything is written.
    """
    require("calibrate", "python -m sim.sensitivity", ("SALib",))
    begun = now()
    quiet_mesa()
    s = read_settings(cfg, scored)
    space = str(cfg.get("space", "sensitivity"))
    params = read_params(*read_space(cfg))
    overrides = [str(o) for o in cfg.model_overrides]
    try:
        base, choices = compose_config(overrides)
    except (HydraException, OmegaConfBaseException) as e:  # an unknown option or key
        raise SimInputError(SOURCE, "model_overrides", overrides, str(e).splitlines()[0]) from None
    check_params(base, choices, params)
    # Once per study: what every point's scored outputs share (for the fit: the facts and the null model's runs).
    scorer = scored.prepare(base, choices, overrides, cfg, s.seeds) if scored is not None and s.scored else None
    started = time.perf_counter()
    design = sample(params, s)
    table, n_days, unresolved = evaluate(base, choices, params, design, s, scorer)
    indices = analyse(params, design, table, s)
    seconds = time.perf_counter() - started
    folder = results_root() / str(cfg.results_dir) / str(cfg.study)
    labels = labels_for(s.outputs, scored)
    groups = (*GROUPS, *(scored.groups if scored is not None else ()))
    about = [*space_text(space, overrides), *(scorer.describe() if scorer is not None else [])]
    text = report_text(str(cfg.study), s, params, overrides, table, indices, n_days, unresolved, seconds, labels,
                       groups, about)  # fmt: skip
    what = ("the fit" if len(s.scored) == len(s.outputs) else "the outcomes and the fit" if s.scored
            else "the outcomes")  # fmt: skip
    names = {p.name: parameter_label(p.key) for p in params}  # each parameter in words on the figures
    figures = {"sensitivity.png": figure(indices, s.method, s.outputs, f"Sensitivity of {what} ({s.method}, "
                                         f"study {cfg.study})", labels, names)}  # fmt: skip
    if s.method == "morris":
        figures["morris_mu_sigma.png"] = mu_sigma_figure(indices, s.outputs, f"Morris: mu_star against sigma "
                                                         f"(study {cfg.study})", labels, names)  # fmt: skip
    atomic_write(folder / "design.csv", lambda p: table.rename_axis("point").to_csv(p))
    atomic_write(folder / "indices.csv", lambda p: indices.to_csv(p, index=False))
    for name, fig in figures.items():
        atomic_write(folder / name, lambda p, fig=fig: fig.savefig(p, format="png", dpi=110))
    write_json(folder / "provenance.json", provenance(begun))
    atomic_write(folder / "report.md", lambda p: p.write_text(text, encoding="utf-8"))
    return {"folder": folder, "points": len(table), "runs": len(table) * s.seeds, "seconds": seconds,
            "seconds_per_point": seconds / len(table), "indices": indices,
            "drivers": drivers_sentence(indices, s.method, s.outputs, groups)}  # fmt: skip


def command(cfg: DictConfig, scored: ScoredOutputs | None = None) -> None:
    """The body of a Hydra main: run the study; bad input is one ``error:`` line and exit code 2, and leaves
    no Hydra record behind."""
    try:
        try:
            result = run_sensitivity(cfg, scored)
        except (HydraException, OmegaConfBaseException) as e:  # a deleted setting, a bad model override
            raise SimInputError("configs/sensitivity.yaml or the command line", "settings", " ".join(
                HydraConfig.get().overrides.task), hydra_problem(e)) from None
    except SimInputError as e:
        discard_record(Path(HydraConfig.get().runtime.output_dir), results_root() / str(cfg.results_dir))
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    print(f"Sensitivity done ({cfg.method}): {result['points']} design points, {result['runs']} runs "
          f"in {result['seconds']:.0f} s ({result['seconds_per_point']:.2f} s per point)")  # fmt: skip
    for line in result["drivers"]:
        print(f"  {line}")
    print(f"  results: {result['folder']}")
