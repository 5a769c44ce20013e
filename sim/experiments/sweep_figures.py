"""Figures that summarise a parameter sweep: outcome metrics against the swept parameters.

The input is a sweep's runs table, as for :mod:`sim.experiments.sweep_tables`
(which orders the parameter values and picks the successful runs):

* :func:`metric_vs_parameter_figure`: each metric against one swept parameter;
* :func:`heatmap_figure`: the mean of one metric over two swept parameters;
* :func:`distribution_figure`: each metric's distribution across seeds;
* :func:`write_sweep_figures`: the figures that suit the sweep, as PNG files.

Titles and axis labels, and whether a metric is drawn as a share of runs,
come from the metric's declaration in :data:`sim.outputs.metrics.OUTCOMES`;
parameters are named in words by :mod:`sim.experiments.parameter_labels`, and
colours and type sizes come from :mod:`sim.outputs.style` (Okabe-Ito).
Like :mod:`sim.outputs.figures`, figures use matplotlib's object API
(``Figure``), never pyplot's global state, with constrained layout; the
drawing pieces are in :mod:`sim.experiments.sweep_axes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.experiments import sweep_axes
from sim.experiments import sweep_tables as tables
from sim.experiments.parameter_labels import parameter_label, value_label
from sim.experiments.sweep_tables import MAIN_METRICS
from sim.outputs import metrics as outcomes
from sim.outputs import style as palette

if TYPE_CHECKING:  # matplotlib is imported where figures are drawn: the tables do not need it (~0.4 s)
    from matplotlib.figure import Figure

_MAX_LINES = 6  # more values of the second parameter than this: pooled into one line
_DPI = 110


def metric_vs_parameter_figure(runs: pd.DataFrame, param: str, metrics: Sequence[str] = MAIN_METRICS) -> Figure:
    """Each metric against one swept parameter, across seeds.

    One panel per metric. At each value of ``param``, over the successful
    runs there: the median (line) with a shaded band over the 5-95%
    quantiles, and the mean (points). For a boolean metric (crisis crossed)
    the line is the share of runs and the band its 90% Wilson interval. A
    numeric parameter is drawn on a numeric axis (log scale when its positive
    values span a factor of 50 or more); a categorical one on a categorical
    axis, with a shaded box per category instead of a line.

    When other parameters are swept too, there is one line per value of the
    first of them (with a legend), unless it takes more than six values; the
    runs are pooled over the remaining ones (named in the title). Lines differ
    in colour, dash and marker (:mod:`sim.experiments.sweep_axes`), and lines
    that lie exactly on top of each other are named under the panel's title
    ("same values: tit for tat = grim trigger"), so none is hidden unsaid.

    Parameters and their values are named in words
    (:mod:`sim.experiments.parameter_labels`), the key under its words.

    Args:
        runs: The sweep's runs table.
        param: A ``p.*`` column of ``runs``.
        metrics: The metric columns to draw, one panel each.

    Returns:
        The figure, one axes per metric in the order of ``metrics``.

    Raises:
        KeyError: ``param`` is not a column of ``runs``.
    """
    if param not in runs.columns:
        raise KeyError(f"no parameter column {param!r} in the runs table")
    ordered = tables.job_order(runs)
    ok = tables.ok_mask(ordered)
    labels, position, numeric = tables.param_levels(ordered, param)
    others = [p for p in tables.swept_parameters(ordered) if p != param]
    hue = others[0] if others and len(tables.param_levels(ordered, others[0])[0]) <= _MAX_LINES else None
    hue_labels, _, hue_numeric = tables.param_levels(ordered, hue) if hue else ([None], {}, False)
    colors = sweep_axes.line_colors(hue_labels, hue_numeric)
    x_strings = tables.as_strings(ordered[param])
    hue_strings = tables.as_strings(ordered[hue]) if hue else None
    width = 0.7 / len(hue_labels)  # categorical axis: boxes side by side within a category
    dodge = {h: (j - (len(hue_labels) - 1) / 2) * width for j, h in enumerate(hue_labels)}

    hue_words = {h: value_label(hue, h) if hue else h for h in hue_labels}
    fig, axes, bottom = sweep_axes.panels(len(metrics))
    for ax, metric in zip(axes, metrics):
        values = tables.metric_values(ordered, metric)
        rate = outcomes.is_rate(metric)
        curves = {}
        for j, (h, color) in enumerate(zip(hue_labels, colors)):
            in_line = ok & (hue_strings == h) if hue else ok
            xs, stats, at = [], [], []
            for s in labels:
                v = values[in_line & (x_strings == s)]
                v = v[~np.isnan(v)]
                if len(v):
                    xs.append(position[s] + (0 if numeric else dodge[h]))
                    at.append(position[s])
                    stats.append(sweep_axes.band(v, rate))
            if xs:
                sweep_axes.draw_group(ax, xs, stats, color, not numeric, rate, width * 0.9, line=j)
                curves[hue_words[h]] = (at, stats)
        if not curves:
            sweep_axes.no_values(ax)
        sweep_axes.x_axis(ax, labels, position, numeric, [value_label(param, s) for s in labels])
        sweep_axes.style(ax, rate)
        if not numeric:
            ax.grid(False, axis="x")
        same = sweep_axes.coinciding(curves) if hue else []
        note = "".join(f"\nsame values: {' = '.join(g)}" for g in same)
        ax.set_title(outcomes.label(metric) + note, fontsize=palette.LABEL_SIZE)
    for ax in bottom:
        key = param.removeprefix(tables.PARAM_PREFIX)
        ax.set_xlabel(f"{parameter_label(param)}\n({key})", fontsize=palette.LABEL_SIZE)  # words, and what to type

    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    style = [
        Line2D([], [], color="#424242", lw=1.8, label="median across seeds"),
        Patch(color="#424242", alpha=0.2, lw=0, label="5-95% of seeds (rates: 90% interval)"),
        Line2D([], [], marker="o", ls="", color="#424242", mec="white", label="mean"),
    ]  # fmt: skip
    fig.legend(handles=style, loc="outside lower center", ncol=3, fontsize=palette.LEGEND_SIZE, frameon=False)
    if hue:
        handles = [Line2D([], [], color=c, lw=2, ls=sweep_axes.LINE_STYLES[j % len(sweep_axes.LINE_STYLES)],
                          marker=sweep_axes.MARKERS[j % len(sweep_axes.MARKERS)], mec="white", label=hue_words[h])
                   for j, (h, c) in enumerate(zip(hue_labels, colors))]  # fmt: skip
        fig.legend(handles=handles, loc="outside right upper", fontsize=palette.LEGEND_SIZE,
                   title=parameter_label(hue), title_fontsize=palette.LEGEND_SIZE)  # fmt: skip
    fig.suptitle(
        sweep_axes.title(f"Outcomes vs {parameter_label(param)}", ordered, ok, [p for p in others if p != hue]),
        fontsize=palette.TITLE_SIZE,
    )
    return fig


def heatmap_figure(runs: pd.DataFrame, params: tuple[str, str], metric: str) -> Figure:
    """The mean of one metric per combination of two swept parameters, as an annotated heat map.

    Columns are the values of ``params[0]``, rows those of ``params[1]``
    (both in axis order, equally spaced). Each cell is the mean over the
    successful runs of that combination (for a boolean metric, the share of
    runs, as a percentage), written in the cell, followed by the number of
    runs when that differs between cells; cells without a value are grey.
    The runs are pooled over any other swept parameter.

    Args:
        runs: The sweep's runs table.
        params: Two distinct ``p.*`` columns of ``runs``: (x, y).
        metric: The metric column to map.

    Returns:
        The figure: the heat map's axes and the colour bar's.

    Raises:
        KeyError: A parameter is not a column of ``runs``.
        ValueError: The two parameters are the same.
    """
    px, py = params
    for p in params:
        if p not in runs.columns:
            raise KeyError(f"no parameter column {p!r} in the runs table")
    if px == py:
        raise ValueError(f"heatmap_figure needs two different parameters, got {px!r} twice")
    ordered = tables.job_order(runs)
    ok = tables.ok_mask(ordered)
    values = tables.metric_values(ordered, metric)
    rate = outcomes.is_rate(metric)
    x_labels, y_labels = tables.param_levels(ordered, px)[0], tables.param_levels(ordered, py)[0]
    xs, ys = tables.as_strings(ordered[px]), tables.as_strings(ordered[py])
    grid = np.full((len(y_labels), len(x_labels)), np.nan)
    counts = np.zeros(grid.shape, dtype=int)
    for i, y in enumerate(y_labels):
        for j, x in enumerate(x_labels):
            v = values[ok & (ys == y) & (xs == x)]
            v = v[~np.isnan(v)]
            counts[i, j] = len(v)
            if len(v):
                grid[i, j] = v.mean()

    from matplotlib import colormaps
    from matplotlib.figure import Figure

    fig = Figure(figsize=(min(14.0, max(5.5, 1.1 * len(x_labels) + 3.2)),
                          min(10.0, max(3.8, 0.6 * len(y_labels) + 2.4))), layout="constrained")  # fmt: skip
    ax = fig.add_subplot()
    cmap = colormaps["YlOrRd"].with_extremes(bad="#e0e0e0")
    limits = {"vmin": 0.0, "vmax": 1.0} if rate else {}
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, origin="lower", aspect="auto", **limits)
    show_n = len(set(counts.ravel().tolist())) > 1
    fontsize = palette.NOTE_SIZE if grid.size <= 80 else 8  # a larger grid's cells hold 9 pt text no more
    for (i, j), value in np.ndenumerate(grid):
        text = "n/a" if np.isnan(value) else f"{value:.0%}" if rate else tables.num(value)
        if show_n:
            text += f"\nn={counts[i, j]}"
        dark = not np.isnan(value) and image.norm(value) > 0.6
        ax.text(j, i, text, ha="center", va="center", fontsize=fontsize, color="white" if dark else "black")
    x_words = [value_label(px, s) for s in x_labels]
    rotate = sum(len(s) for s in x_words) > 40
    ax.set_xticks(range(len(x_labels)), x_words, rotation=30 if rotate else 0, ha="right" if rotate else "center")
    ax.set_yticks(range(len(y_labels)), [value_label(py, s) for s in y_labels])
    ax.tick_params(labelsize=palette.TICK_SIZE, length=0)
    ax.set_xlabel(parameter_label(px), fontsize=palette.LABEL_SIZE)
    ax.set_ylabel(parameter_label(py), fontsize=palette.LABEL_SIZE)
    cbar = fig.colorbar(image, ax=ax, shrink=0.9)
    cbar.set_label(("share of runs" if rate else "mean") + " across seeds", fontsize=palette.LABEL_SIZE)
    cbar.ax.tick_params(labelsize=palette.TICK_SIZE)
    if rate:
        from matplotlib.ticker import PercentFormatter

        cbar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    pooled = [p for p in tables.swept_parameters(ordered) if p not in params]
    fig.suptitle(sweep_axes.title(outcomes.label(metric), ordered, ok, pooled), fontsize=palette.TITLE_SIZE)
    return fig


def distribution_figure(runs: pd.DataFrame, metrics: Sequence[str] = MAIN_METRICS) -> Figure:
    """Each metric's distribution across the runs (seeds), for a sweep with no swept parameter.

    One panel per metric: a histogram of the successful runs' values with
    the mean (solid line) and median (dashed), summarised in the panel's
    subtitle with the 5-95% interval; a boolean metric is two bars (no, yes)
    labelled with the share of runs.

    Args:
        runs: The sweep's runs table.
        metrics: The metric columns to draw, one panel each.

    Returns:
        The figure, one axes per metric in the order of ``metrics``.
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    ordered = tables.job_order(runs)
    ok = tables.ok_mask(ordered)
    fig, axes, _ = sweep_axes.panels(len(metrics), height=2.9)
    for ax, metric in zip(axes, metrics):
        v = tables.metric_values(ordered, metric)[ok]
        v = v[~np.isnan(v)]
        rate = outcomes.is_rate(metric)
        ax.set_title(outcomes.label(metric), fontsize=palette.LABEL_SIZE)
        ax.grid(axis="y", color="#e0e0e0", lw=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=palette.TICK_SIZE)
        if not len(v):
            sweep_axes.no_values(ax)
            continue
        if rate:
            yes = int(v.sum())
            bars = ax.bar([0, 1], [len(v) - yes, yes], color=[palette.BLUISH_GREEN, palette.VERMILLION], width=0.6)
            ax.bar_label(bars, labels=[f"{(len(v) - yes) / len(v):.0%}", f"{yes / len(v):.0%}"],
                         fontsize=palette.NOTE_SIZE)  # fmt: skip
            ax.set_xticks([0, 1], ["no", "yes"])
            ax.set_ylim(0, len(v) * 1.15)
        else:
            ax.hist(v, bins=sweep_axes.bins(v), color=palette.BLUE, alpha=0.7, ec="white", lw=0.5)
            ax.axvline(v.mean(), color="black", lw=1.4)
            ax.axvline(float(np.median(v)), color=palette.ORANGE, lw=1.4, ls="--")
            q05, q50, q95 = np.quantile(v, [0.05, 0.5, 0.95])
            ax.set_xlabel(f"mean {tables.num(v.mean())}, median {tables.num(q50)}, 5-95% [{tables.num(q05)}, {tables.num(q95)}]",
                          fontsize=palette.NOTE_SIZE, color="#424242")  # fmt: skip
        ax.set_ylabel("runs", fontsize=palette.LABEL_SIZE)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    handles = [Line2D([], [], color="black", lw=1.4, label="mean"),
               Line2D([], [], color=palette.ORANGE, lw=1.4, ls="--", label="median")]  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=palette.LEGEND_SIZE, frameon=False)
    fig.suptitle(sweep_axes.title("Outcomes across seeds", ordered, ok, []), fontsize=palette.TITLE_SIZE)
    return fig


def write_sweep_figures(runs: pd.DataFrame, folder: Path | str, metrics: Sequence[str] = MAIN_METRICS) -> list[Path]:
    """Draw the figures that suit the sweep into ``folder`` as PNG files.

    * for each swept parameter, ``metric_vs_<short name>.png``
      (:func:`metric_vs_parameter_figure`; short names from :func:`short_names`);
    * if exactly two parameters are swept, also ``heatmap_<metric>.png`` per
      metric (:func:`heatmap_figure`);
    * with no swept parameter (only seeds vary), ``metrics_distribution.png``
      (:func:`distribution_figure`).

    Args:
        runs: The sweep's runs table.
        folder: Where to write; created if missing.
        metrics: The metrics to draw.

    Returns:
        The paths written, in the order above.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    params = tables.swept_parameters(runs)
    jobs = []
    if not params:
        jobs.append(("metrics_distribution.png", lambda: distribution_figure(runs, metrics)))
    short = tables.short_names(params)
    for p in params:
        jobs.append((f"metric_vs_{short[p]}.png", lambda p=p: metric_vs_parameter_figure(runs, p, metrics)))
    if len(params) == 2:
        for m in metrics:
            jobs.append(
                (f"heatmap_{tables.safe_name(m)}.png", lambda m=m: heatmap_figure(runs, (params[0], params[1]), m))
            )
    paths = []
    for name, draw in jobs:  # one figure in memory at a time
        path = folder / name
        draw().savefig(path, dpi=_DPI)
        paths.append(path)
    return paths
