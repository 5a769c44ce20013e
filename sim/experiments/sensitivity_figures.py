"""The sensitivity study's figures: importance bars with intervals clipped at zero, and Morris's mu_star-sigma plane.

Each panel is one output, titled in words (``mean skill vs null (skill.mean)``);
an output with no indices (undefined at some design point) gets a panel saying so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiments.sensitivity_design import RANK_BY


def clipped_errors(value: pd.Series, conf: pd.Series) -> np.ndarray:
    """Error bars (lower, upper: distances from ``value``) of ``value +- conf``, the interval clipped at zero
    (mu_star and the Sobol indices are never negative: an interval reaching below zero says only that the index
    may be zero)."""
    v, c = value.to_numpy(dtype=float), np.nan_to_num(conf.to_numpy(dtype=float))
    lo, hi = np.maximum(v - c, 0.0), np.maximum(v + c, 0.0)
    return np.vstack([np.maximum(v - lo, 0.0), np.maximum(hi - v, 0.0)])


def title(name: str, labels: Mapping[str, str]) -> str:
    """An output's panel title: its words and its name (the name alone if it has no other words)."""
    words = labels.get(name, name)
    return name if words == name else f"{words} ({name})"


def _grid(n: int, n_params: int, per_param: float = 0.3) -> tuple[Figure, int, int]:
    ncols = min(2, n)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(6.5 * ncols, per_param * n_params * nrows + 1.5 * nrows + 0.6), layout="constrained")
    return fig, nrows, ncols


def _undefined(ax, heading: str) -> None:
    ax.text(0.5, 0.5, "undefined at some design points:\nno indices", ha="center", va="center", fontsize=9,
            transform=ax.transAxes, color="#616161")  # fmt: skip
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(heading, fontsize=10)


def figure(indices: pd.DataFrame, method: str, outputs: Sequence[str], title_text: str = "",
           labels: Mapping[str, str] | None = None) -> Figure:  # fmt: skip
    """Per output, horizontal bars of mu_star (Morris) or ST (Sobol, S1 as dots), 95% intervals clipped at zero."""
    labels = labels or {}
    col, conf = RANK_BY[method]
    fig, nrows, ncols = _grid(len(outputs), indices["parameter"].nunique())
    for i, o in enumerate(outputs):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        f = indices[indices["output"] == o].sort_values(col)
        if f[col].isna().any():
            _undefined(ax, title(o, labels))
            continue
        ypos = np.arange(len(f))
        ax.barh(ypos, f[col], xerr=clipped_errors(f[col], f[conf]), color="#1565c0", alpha=0.85, ecolor="#424242",
                capsize=2, label=col)  # fmt: skip
        if method == "sobol":
            ax.plot(f["S1"], ypos, "o", color="#e65100", ms=4, label="S1")
            ax.legend(fontsize=7, loc="lower right")
        ax.set_yticks(ypos, f["parameter"], fontsize=8)
        ax.axvline(0, color="grey", lw=0.8)
        unit = "" if method == "sobol" else f"in units of {labels.get(o, o)}; "
        ax.set_xlabel(f"{col} ({unit}error bars: 95% confidence, clipped at 0)", fontsize=8)
        ax.set_title(title(o, labels), fontsize=10)
    fig.suptitle(title_text or f"Sensitivity ({method})")
    return fig


def mu_sigma_figure(indices: pd.DataFrame, outputs: Sequence[str], title_text: str = "",
                    labels: Mapping[str, str] | None = None) -> Figure:  # fmt: skip
    """Morris: per output, each parameter's mu_star against sigma, labelled; the line sigma = mu_star parts
    near-linear effects (below) from non-linear ones or interactions (above; Garcia Sanchez et al. 2014)."""
    labels = labels or {}
    fig, nrows, ncols = _grid(len(outputs), 12, per_param=0.35)
    for i, o in enumerate(outputs):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        f = indices[indices["output"] == o]
        if f["mu_star"].isna().any():
            _undefined(ax, title(o, labels))
            continue
        ax.scatter(f["mu_star"], f["sigma"], s=22, color="#1565c0", zorder=3)
        for _, r in f.iterrows():
            ax.annotate(str(r["parameter"]), (r["mu_star"], r["sigma"]), xytext=(3, 3), textcoords="offset points",
                        fontsize=7)  # fmt: skip
        top = float(max(f["mu_star"].max(), f["sigma"].max(), 0.0)) or 1.0
        ax.plot([0, top * 1.05], [0, top * 1.05], ls="--", lw=0.8, color="grey", label="sigma = mu_star")
        ax.set_xlim(0, top * 1.15)
        ax.set_ylim(0, top * 1.15)
        ax.legend(fontsize=7, loc="upper left")
        ax.set_xlabel(f"mu_star (in units of {labels.get(o, o)})", fontsize=8)
        ax.set_ylabel("sigma", fontsize=8)
        ax.set_title(title(o, labels), fontsize=10)
    fig.suptitle(title_text or "Morris: mu_star against sigma")
    return fig
