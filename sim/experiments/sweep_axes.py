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
from sim.experiments.parameter_labels import parameter_label
from sim.outputs import style as palette

LINE_COLORS = (palette.BLUE, palette.ORANGE, palette.REDDISH_PURPLE, palette.BLUISH_GREEN, palette.VERMILLION,
               palette.SKY_BLUE)  # fmt: skip
# Lines of a second parameter differ in dash and marker as well as colour, so that curves lying on top of
# each other, or read in greyscale, stay apart (the marker of each line drawn smaller than the one before).
LINE_STYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 2)))
MARKERS = ("o", "s", "^", "D", "v", "P")
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
    ax.tick_params(labelsize=palette.TICK_SIZE)
    if rate:
        from matplotlib.ticker import PercentFormatter

        ax.set_ylim(-0.04, 1.04)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def no_values(ax) -> None:
    ax.text(0.5, 0.5, "no values", transform=ax.transAxes, ha="center", va="center", color="grey",
            fontsize=palette.NOTE_SIZE)  # fmt: skip


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


def x_axis(ax, labels: list[str], position: dict[str, float], numeric: bool,
           words: Sequence[str] | None = None) -> None:  # fmt: skip
    """Ticks at the parameter's values: categories by name (``words``: the names to show, e.g. a rule's in words),
    numbers on a linear or (wide positive range) log scale."""
    values = np.array([position[s] for s in labels])
    if not numeric:
        shown = list(words) if words is not None else labels
        rotate = sum(len(s) for s in shown) > 28
        ax.set_xticks(values, shown, rotation=30 if rotate else 0, ha="right" if rotate else "center")
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


def draw_group(ax, xs, stats, color: str, categorical: bool, rate: bool, width: float, line: int = 0) -> None:
    """One line (numeric axis) or one set of boxes (categorical axis) of centre, band and mean points;
    ``line`` (the line's number) picks its dash and marker (:data:`LINE_STYLES`, :data:`MARKERS`)."""
    from matplotlib.patches import Rectangle

    centre, low, high, mean = (np.array(col) for col in zip(*stats))
    dash, marker = LINE_STYLES[line % len(LINE_STYLES)], MARKERS[line % len(MARKERS)]
    if categorical:
        for x, c, lo, hi in zip(xs, centre, low, high):
            ax.add_patch(Rectangle((x - width / 2, lo), width, hi - lo, fc=color, alpha=0.2, lw=0))
            if not rate:
                ax.hlines(c, x - width / 2, x + width / 2, color=color, lw=2, linestyles=[dash])
    else:
        ax.fill_between(xs, low, high, color=color, alpha=0.18, lw=0)
        ax.plot(xs, centre, color=color, lw=1.8, ls=dash)
    size = max(16.0, 46.0 - 8.0 * (line % len(MARKERS)))  # later lines' markers fit inside earlier ones
    ax.scatter(xs, mean, s=size, marker=marker, color=color, ec="white", lw=0.6, zorder=3 + line)


def coinciding(curves: dict[str, tuple[list[float], list[tuple[float, float, float, float]]]]) -> list[list[str]]:
    """The groups of two or more lines that lie on top of each other: the same x values and, at every one,
    the same centre, band and mean (to 1e-9 of the values' size), each group in the order of ``curves``."""
    groups: list[list[str]] = []
    for name, (xs, stats) in curves.items():
        values = np.array(stats, dtype=float).ravel()
        for g in groups:
            gx, gstats = curves[g[0]]
            other = np.array(gstats, dtype=float).ravel()
            scale = max(1.0, float(np.nanmax(np.abs(other)))) if other.size else 1.0
            same = list(gx) == list(xs) and other.shape == values.shape
            if same and np.allclose(values, other, atol=1e-9 * scale, rtol=0, equal_nan=True):
                g.append(name)
                break
        else:
            groups.append([name])
    return [g for g in groups if len(g) > 1]


def title(head: str, ordered: pd.DataFrame, ok: np.ndarray, pooled: Sequence[str]) -> str:
    """A figure title: ``head``, then the runs it is drawn from, what is pooled and how many runs failed."""
    n_ok, n_failed = int(ok.sum()), int((~ok).sum())
    details = [f"{n_ok} successful run{'s' if n_ok != 1 else ''}"]
    if pooled:
        details.append("pooled over " + ", ".join(parameter_label(p) for p in pooled))
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
