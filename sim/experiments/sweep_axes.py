"""The pieces the sweep figures (:mod:`sim.experiments.sweep_figures`) are drawn with.

Panel grids, axis styles and scales, the centre-and-band summary of a group of
runs (median and 5-95% quantiles, or for a rate the share of runs and its 90%
Wilson interval), line colours, titles and histogram bins. Matplotlib is
imported inside the functions, as everywhere figures are drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.experiments import sweep_tables as tables

LINE_COLORS = ("#1565c0", "#ef6c00", "#6a1b9a", "#00897b", "#c2185b", "#5d4037")
_WILSON_Z = 1.6449  # a two-sided 90% interval, to match the 5-95% bands


def panels(n: int, width: float = 4.3, height: float = 3.1, extra: tuple[float, float] = (0.6, 1.3)):
    """A constrained-layout figure with ``n`` axes in a grid of up to three columns.

    Returns:
        The figure, its axes (row by row) and the axes at the bottom of each column.
    """
    ncols = max(1, min(3, n))
    nrows = max(1, math.ceil(n / ncols))
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols + extra[0], height * nrows + extra[1]), layout="constrained")
    axes = list(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes[n:]:
        ax.remove()
    return fig, axes[:n], [ax for i, ax in enumerate(axes[:n]) if i + ncols >= n]


def style(ax, rate: bool) -> None:
    ax.grid(color="#e0e0e0", lw=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)
    if rate:
        from matplotlib.ticker import PercentFormatter

        ax.set_ylim(-0.04, 1.04)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def no_values(ax) -> None:
    ax.text(0.5, 0.5, "no values", transform=ax.transAxes, ha="center", va="center", color="grey", fontsize=9)


def wilson(successes: float, n: int) -> tuple[float, float]:
    """The 90% Wilson interval of a proportion."""
    p, z2 = successes / n, _WILSON_Z**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _WILSON_Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def band(values: np.ndarray, rate: bool) -> tuple[float, float, float, float]:
    """(centre, low, high, mean) of one group: median and 5-95% quantiles, or for a rate the share and its interval."""
    mean = float(values.mean())
    if rate:
        return (mean, *wilson(float(values.sum()), len(values)), mean)
    q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
    return float(q50), float(q05), float(q95), mean


def line_colors(levels: list, numeric: bool) -> list[str]:
    """Colours of the lines: an ordered ramp for a numeric parameter, distinct colours otherwise."""
    if len(levels) == 1:
        return [LINE_COLORS[0]]
    if numeric:
        from matplotlib import colormaps
        from matplotlib.colors import to_hex

        cmap = colormaps["viridis"]
        return [to_hex(cmap(0.05 + 0.8 * i / (len(levels) - 1))) for i in range(len(levels))]
    return [LINE_COLORS[i % len(LINE_COLORS)] for i in range(len(levels))]


def x_axis(ax, labels: list[str], position: dict[str, float], numeric: bool) -> None:
    """Ticks at the parameter's values: categories by name, numbers on a linear or (wide positive range) log scale."""
    values = np.array([position[s] for s in labels])
    if not numeric:
        rotate = sum(len(s) for s in labels) > 28
        ax.set_xticks(values, labels, rotation=30 if rotate else 0, ha="right" if rotate else "center")
        ax.set_xlim(-0.6, len(labels) - 0.4)
        return
    log = log_spaced(values)
    if log:
        ax.set_xscale("log")
    scaled = np.log(values) if log else values
    gaps = np.diff(scaled)
    apart = not len(gaps) or gaps.min() >= 0.07 * (scaled[-1] - scaled[0])  # tick labels would not collide
    if len(labels) <= 10 and apart:
        ax.set_xticks(values, labels, rotation=30 if len(labels) > 6 else 0)
        ax.minorticks_off()


def log_spaced(values: np.ndarray) -> bool:
    """Whether sorted positive values spanning a factor of 8 or more are more evenly spaced on a log scale."""
    if len(values) < 3 or values.min() <= 0 or values.max() / values.min() < 8:
        return False
    linear, logged = np.diff(values), np.diff(np.log(values))
    return bool(np.std(logged) / np.mean(logged) < np.std(linear) / np.mean(linear))


def draw_group(ax, xs, stats, color: str, categorical: bool, rate: bool, width: float) -> None:
    """One line (numeric axis) or one set of boxes (categorical axis) of centre, band and mean points."""
    from matplotlib.patches import Rectangle

    centre, low, high, mean = (np.array(col) for col in zip(*stats))
    if categorical:
        for x, c, lo, hi in zip(xs, centre, low, high):
            ax.add_patch(Rectangle((x - width / 2, lo), width, hi - lo, fc=color, alpha=0.2, lw=0))
            if not rate:
                ax.hlines(c, x - width / 2, x + width / 2, color=color, lw=2)
    else:
        ax.fill_between(xs, low, high, color=color, alpha=0.18, lw=0)
        ax.plot(xs, centre, color=color, lw=1.8)
    ax.scatter(xs, mean, s=24, color=color, ec="white", lw=0.6, zorder=3)


def title(head: str, ordered: pd.DataFrame, ok: np.ndarray, pooled: Sequence[str]) -> str:
    """A figure title: ``head``, then the runs it is drawn from, what is pooled and how many runs failed."""
    n_ok, n_failed = int(ok.sum()), int((~ok).sum())
    details = [f"{n_ok} successful run{'s' if n_ok != 1 else ''}"]
    if pooled:
        details.append("pooled over " + ", ".join(tables.param_label(p) for p in pooled))
    if n_failed:
        details.append(f"{n_failed} failed run{'s' if n_failed != 1 else ''} left out")
    return f"{head}\n({'; '.join(details)})"


def bins(values: np.ndarray) -> np.ndarray:
    """Histogram bin edges: about numpy's "auto" number of bins (at most 30); for integers, whole numbers per bin."""
    n_bins = min(30, len(np.histogram_bin_edges(values, bins="auto")) - 1)
    if not np.all(values == np.round(values)):
        return np.histogram_bin_edges(values, bins=n_bins)
    low, high = values.min(), values.max()
    width = max(1, math.ceil((high - low + 1) / max(n_bins, 1)))
    return np.arange(low - 0.5, high + width, width)
