"""The sensitivity study's figures: importance bars with intervals clipped at zero, and Morris's mu_star-sigma plane.

Each panel is one output, titled in words (``mean skill vs null (skill.mean)``), and each
parameter is named in words (``names``: :func:`sim.experiments.parameter_labels.parameter_label`
of its config key); an output with no indices (undefined at some design point) gets a panel
saying so. Colours and type sizes come from :mod:`sim.outputs.style`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiments.sensitivity_design import RANK_BY
from sim.outputs import style

LABELLED_SHARE = 0.1
"""The mu_star-sigma plot names the parameters whose mu_star or sigma reaches this share of the panel's
largest; the rest, near the origin where names would pile up, are counted in the panel's note."""

KEY_WIDTH = 44
"""Characters per line of the mu_star-sigma key, so that a panel's key stays beside its own panel."""


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


def _grid(n: int, height: float, width: float) -> tuple[Figure, int, int]:
    """A figure of ``n`` panels in at most two columns, each panel ``width`` x ``height`` inches."""
    ncols = min(2, n)
    nrows = math.ceil(n / ncols)
    return Figure(figsize=(width * ncols, height * nrows + 0.6), layout="constrained"), nrows, ncols


def _undefined(ax, heading: str) -> None:
    ax.text(0.5, 0.5, "undefined at some design points:\nno indices", ha="center", va="center",
            fontsize=style.NOTE_SIZE, transform=ax.transAxes, color="#616161")  # fmt: skip
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(heading, fontsize=style.LABEL_SIZE)


def figure(indices: pd.DataFrame, method: str, outputs: Sequence[str], title_text: str = "",
           labels: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None) -> Figure:  # fmt: skip
    """Per output, horizontal bars of mu_star (Morris) or ST (Sobol, S1 as dots), 95% intervals clipped at zero
    (:func:`clipped_errors`); ``names``: each parameter in words (default: its name)."""
    labels, names = labels or {}, names or {}
    col, conf = RANK_BY[method]
    # A panel is wide enough for the parameters' names in words (some 60 characters) beside its bars.
    fig, nrows, ncols = _grid(len(outputs), 0.3 * indices["parameter"].nunique() + 1.5, width=10.0)
    for i, o in enumerate(outputs):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        f = indices[indices["output"] == o].sort_values(col)
        if f[col].isna().any():
            _undefined(ax, title(o, labels))
            continue
        ypos = np.arange(len(f))
        ax.barh(ypos, f[col], xerr=clipped_errors(f[col], f[conf]), color=style.BLUE, alpha=0.85, ecolor="#424242",
                capsize=2, label=col)  # fmt: skip
        if method == "sobol":
            ax.plot(f["S1"], ypos, "o", color=style.ORANGE, ms=5, label="S1")
            ax.legend(fontsize=style.LEGEND_SIZE, loc="lower right")
        ax.set_yticks(ypos, [names.get(p, p) for p in f["parameter"]], fontsize=style.NOTE_SIZE)
        ax.axvline(0, color="grey", lw=0.8)
        if method == "morris":
            ax.set_xlim(left=0)  # mu_star is never negative (a Sobol estimate may be, by noise)
        ax.tick_params(axis="x", labelsize=style.NOTE_SIZE)
        unit = "" if method == "sobol" else f" (in units of {labels.get(o, o)})"
        ax.set_xlabel(f"{col}{unit}\nerror bars: 95% confidence, clipped at 0", fontsize=style.NOTE_SIZE)
        ax.set_title(title(o, labels), fontsize=style.LABEL_SIZE)
    fig.suptitle(title_text or f"Sensitivity ({method})", fontsize=style.TITLE_SIZE)
    return fig


def mu_sigma_figure(indices: pd.DataFrame, outputs: Sequence[str], title_text: str = "",
                    labels: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None) -> Figure:  # fmt: skip
    """Morris: per output, each parameter's mu_star against sigma; the line sigma = mu_star parts near-linear
    effects (below) from non-linear ones or interactions (above; Garcia Sanchez et al. 2014).

    The parameters that matter (:data:`LABELLED_SHARE`) are numbered by mu_star on the plane and named, in
    words (``names``), in a key beside it: names written at the points would pile onto each other where two
    parameters have about the same effect, and run off the panel at its right edge.
    """
    labels, names = labels or {}, names or {}
    fig, nrows, ncols = _grid(len(outputs), 4.6, width=8.5)
    for i, o in enumerate(outputs):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        f = indices[indices["output"] == o]
        if f["mu_star"].isna().any():
            _undefined(ax, title(o, labels))
            continue
        ax.scatter(f["mu_star"], f["sigma"], s=26, color=style.BLUE, zorder=3)
        top = float(max(f["mu_star"].max(), f["sigma"].max(), 0.0)) or 1.0
        named = (f["mu_star"] >= LABELLED_SHARE * top) | (f["sigma"] >= LABELLED_SHARE * top)
        key = []
        for number, (_, r) in enumerate(f[named].sort_values("mu_star", ascending=False).iterrows(), start=1):
            ax.annotate(str(number), (r["mu_star"], r["sigma"]), xytext=(4, 3), textcoords="offset points",
                        fontsize=style.NOTE_SIZE, fontweight="bold")  # fmt: skip
            name = names.get(r["parameter"], str(r["parameter"]))
            key.append(textwrap.fill(name, KEY_WIDTH, initial_indent=f"{number:<3}", subsequent_indent="    "))
        if key:
            ax.text(1.04, 1.0, "\n".join(key), transform=ax.transAxes, ha="left", va="top",
                    fontsize=style.NOTE_SIZE, linespacing=1.5)  # fmt: skip
        ax.plot([0, top * 1.05], [0, top * 1.05], ls="--", lw=0.8, color="grey", label="sigma = mu_star")
        ax.set_xlim(0, top * 1.15)
        ax.set_ylim(0, top * 1.15)
        ax.set_box_aspect(1)
        ax.legend(fontsize=style.LEGEND_SIZE, loc="upper left")
        rest = int((~named).sum())
        note = f"\n{rest} unnamed near 0 (below {LABELLED_SHARE:.0%} of the largest)" if rest else ""
        ax.set_xlabel(f"mu_star (in units of {labels.get(o, o)}){note}", fontsize=style.NOTE_SIZE)
        ax.set_ylabel("sigma", fontsize=style.NOTE_SIZE)
        ax.tick_params(labelsize=style.NOTE_SIZE)
        ax.set_title(title(o, labels), fontsize=style.LABEL_SIZE, loc="left")
    fig.suptitle(title_text or "Morris: mu_star against sigma", fontsize=style.TITLE_SIZE)
    return fig
