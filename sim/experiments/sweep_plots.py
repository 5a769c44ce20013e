"""Tables and figures that summarise a parameter sweep: outcome metrics against the swept parameters.

The input is a sweep's runs table (``runs.parquet``): one row per run, with
``job``, ``replicate``, ``seed``, ``status`` ("ok" or "failed"), one
``p.<key>`` column per overridden config key (values as strings, exactly as
given on the command line) and the outcome metrics of
:data:`sim.outputs.metrics.OUTCOMES`, flattened. Seeds are the replicate dimension:
every summary here is taken across the runs of one combination of swept
parameter values, over successful runs only; failed runs are counted.

* :func:`swept_parameters`: the ``p.*`` columns that take more than one value;
* :func:`metric_table` and :func:`format_table`: per combination of swept
  values, the number of runs and each metric's mean, sd, median and 5-95%
  quantiles, as a table and as plain text for a terminal;
* :func:`metric_vs_parameter_figure`: each metric against one swept parameter;
* :func:`heatmap_figure`: the mean of one metric over two swept parameters;
* :func:`distribution_figure`: each metric's distribution across seeds;
* :func:`write_sweep_figures`: the figures that suit the sweep, as PNG files.

Parameter values are ordered numerically when every value of the column
parses as a number, else in order of first appearance in job order
(:func:`numeric_or_categorical`). A job that does not override a key that
another job overrides gets the value ``"(default)"``.

Like :mod:`sim.outputs.figures`, figures use matplotlib's object API (``Figure``),
never pyplot's global state, with constrained layout.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # matplotlib is imported where figures are drawn: the tables do not need it (~0.4 s)
    from matplotlib.figure import Figure

MAIN_METRICS: tuple[str, ...] = (
    "peak_tension",
    "days_above_crisis",
    "crisis_crossed",
    "channel_suspensions",
    "channel_days_suspended",
    "mean_days_to_resumption",
)
STATS: tuple[str, ...] = ("mean", "sd", "median", "q05", "q95")
PARAM_PREFIX = "p."
MISSING = "(default)"  # the value of a p.* column for a job that does not override that key

_RATE_METRICS = {"crisis_crossed"}  # booleans: summarised as the share of runs
_METRIC_LABELS = {
    "peak_tension": "peak tension (0..1)",
    "final_tension": "final tension (0..1)",
    "days_above_crisis": "days at or above crisis",
    "crisis_crossed": "share of runs reaching crisis",
    "channel_suspensions": "channel suspension spells",
    "channel_days_suspended": "channel-days suspended",
    "mean_days_to_resumption": "mean days to resumption",
    "suspensions_unresolved": "suspensions unresolved at end",
    "n_signals": "number of signals",
}
_METRIC_HEADERS = {  # column headers of format_table, kept narrow
    "peak_tension": "peak tension",
    "final_tension": "final tension",
    "days_above_crisis": "days > crisis",
    "crisis_crossed": "crisis",
    "channel_suspensions": "suspensions",
    "channel_days_suspended": "days suspended",
    "mean_days_to_resumption": "days to resume",
    "suspensions_unresolved": "unresolved",
    "n_signals": "signals",
}
_LINE_COLORS = ("#1565c0", "#ef6c00", "#6a1b9a", "#00897b", "#c2185b", "#5d4037")
_MAX_LINES = 6  # more values of the second parameter than this: pooled into one line
_MAX_NAME = 40  # longest short name of a parameter in file names
_WILSON_Z = 1.6449  # a two-sided 90% interval, to match the 5-95% bands
_DPI = 110


# ----------------------------------------------------------------------------- values and ordering


def _job_order(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs sorted by job and replicate (stable), with a fresh index."""
    keys = [c for c in ("job", "replicate") if c in runs.columns]
    ordered = runs.sort_values(keys, kind="stable") if keys else runs
    return ordered.reset_index(drop=True)


def _as_strings(values: Iterable) -> np.ndarray:
    """The values as an object array of strings, missing ones as :data:`MISSING`."""
    return np.array([MISSING if pd.isna(v) else str(v) for v in values], dtype=object)


def _ok_mask(runs: pd.DataFrame) -> np.ndarray:
    """True for the runs whose status is "ok" (every run if there is no status column)."""
    if "status" not in runs.columns:
        return np.ones(len(runs), dtype=bool)
    return np.array([s == "ok" for s in runs["status"]], dtype=bool)


def _to_float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _metric_values(runs: pd.DataFrame, metric: str) -> np.ndarray:
    """A metric's values as floats (booleans as 0/1), NaN where missing or where the column is absent."""
    if metric not in runs.columns:
        return np.full(len(runs), np.nan)
    column = runs[metric]
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return column.to_numpy(dtype=float, na_value=np.nan)
    return np.array([_to_float(v) for v in column], dtype=float)


def _is_rate(runs: pd.DataFrame, metric: str) -> bool:
    """Whether a metric is boolean, so summarised as the share of runs where it holds."""
    if metric in _RATE_METRICS:
        return True
    if metric not in runs.columns:
        return False
    column = runs[metric].dropna()
    return bool(len(column)) and all(isinstance(v, (bool, np.bool_)) for v in column)


def numeric_or_categorical(values: Iterable) -> tuple[np.ndarray, bool]:
    """A ``p.*`` column's values as numbers when they all parse as finite numbers, else as categories.

    Args:
        values: The column's values (strings as given on the command line;
            missing values count as :data:`MISSING`), best in job order.

    Returns:
        ``(array, True)`` with one float per value when every value parses,
        else ``(array, False)`` with one string per value. In the categorical
        case the order of the categories is their order of first appearance
        in ``values``, i.e. ``pd.unique(array)``; pass the column sorted by
        job so that this is job order.
    """
    strings = _as_strings(values)
    try:
        numbers = np.array([float(s) for s in strings], dtype=float)
    except ValueError:
        return strings, False
    if not np.isfinite(numbers).all():  # "nan", "inf": no place on a numeric axis
        return strings, False
    return numbers, True


def _levels(ordered: pd.DataFrame, param: str) -> tuple[list[str], dict[str, float], bool]:
    """A parameter's distinct values in axis order, each value's position on the axis, and whether numeric.

    ``ordered`` must be in job order (:func:`_job_order`).
    """
    strings = _as_strings(ordered[param])
    _, numeric = numeric_or_categorical(strings)
    labels = list(pd.unique(strings))
    if numeric:
        position = {s: float(s) for s in labels}
        labels.sort(key=position.__getitem__)  # stable: equal numbers keep job order
    else:
        position = {s: float(i) for i, s in enumerate(labels)}
    return labels, position, numeric


def swept_parameters(runs: pd.DataFrame) -> list[str]:
    """The ``p.*`` columns that take more than one value in the runs table, in column order.

    Missing values count as a value of their own (:data:`MISSING`); failed
    runs count too.
    """
    return [
        c for c in runs.columns if str(c).startswith(PARAM_PREFIX) and len(set(_as_strings(runs[c]))) > 1
    ]  # fmt: skip


def _safe(text: str) -> str:
    """``text`` usable in a file name: runs of anything but letters, digits, "_" and "-" become "_"."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")


def short_names(params: Sequence[str]) -> dict[str, str]:
    """A short name for each parameter column, safe in file names and distinct from the others'.

    Each name is the shortest tail of the key's components (split at ".",
    "/" and "@") that no other parameter of ``params`` ends with, joined by
    "_": ``p.governments.CHN.retaliation.trigger`` becomes ``trigger``, or
    ``CHN_retaliation_trigger`` next to ``p.governments.USA.retaliation.trigger``.

    Args:
        params: Parameter columns (``p.<key>``), e.g. :func:`swept_parameters`.

    Returns:
        Column name to short name.
    """
    parts = {p: [s for s in re.split(r"[./@]+", p.removeprefix(PARAM_PREFIX)) if s] or ["param"] for p in params}
    names: dict[str, str] = {}
    for p, comps in parts.items():
        tail = comps
        for k in range(1, len(comps) + 1):
            tail = comps[-k:]
            if all(q == p or parts[q][-k:] != tail for q in params):
                break
        name = _safe("_".join(tail))[-_MAX_NAME:].strip("_") or "param"
        taken = set(names.values())
        unique, i = name, 1
        while unique in taken:
            unique, i = f"{name}_{i}", i + 1
        names[p] = unique
    return names


def _param_label(param: str) -> str:
    return param.removeprefix(PARAM_PREFIX)


def _metric_label(metric: str) -> str:
    return _METRIC_LABELS.get(metric, metric.replace("_", " "))


def _num(value: float) -> str:
    """A number with about three significant digits, never in scientific notation; "-" if missing."""
    if value is None or not np.isfinite(value):
        return "-"
    if value == 0:
        return "0"
    decimals = max(0, min(3, 2 - math.floor(math.log10(abs(value)))))
    return f"{value:.{decimals}f}"


# ----------------------------------------------------------------------------- table


def _groups(ordered: pd.DataFrame, params: Sequence[str]) -> list[tuple[tuple[str, ...], np.ndarray]]:
    """Each combination of values of ``params`` present in the runs, in axis order, with its runs' row numbers."""
    keys = list(zip(*(_as_strings(ordered[p]) for p in params))) if params else [()] * len(ordered)
    rows: dict[tuple[str, ...], list[int]] = {}
    for i, key in enumerate(keys):
        rows.setdefault(key, []).append(i)
    rank = [{s: i for i, s in enumerate(_levels(ordered, p)[0])} for p in params]
    combos = sorted(rows, key=lambda combo: [r[v] for r, v in zip(rank, combo)])
    return [(combo, np.array(rows[combo], dtype=int)) for combo in combos]


def _stats(values: np.ndarray) -> dict[str, float]:
    """Mean, sample sd, median and 5%/95% quantiles of the non-missing values (NaN if too few)."""
    v = values[~np.isnan(values)]
    if not len(v):
        return dict.fromkeys(STATS, math.nan)
    q05, q50, q95 = np.quantile(v, [0.05, 0.5, 0.95])
    sd = float(v.std(ddof=1)) if len(v) > 1 else math.nan
    return {"mean": float(v.mean()), "sd": sd, "median": float(q50), "q05": float(q05), "q95": float(q95)}


def metric_table(runs: pd.DataFrame, metrics: Sequence[str] = MAIN_METRICS) -> pd.DataFrame:
    """Summary statistics of each metric per combination of swept parameter values.

    Statistics are over the successful runs of a combination (its seeds);
    missing values of a metric (e.g. ``mean_days_to_resumption`` when no
    suspension ended) are left out of that metric's statistics. Boolean
    metrics count as 0/1, so their mean is the share of runs
    (``crisis_crossed.mean`` is the crisis rate). A metric with no column in
    ``runs`` gets NaN statistics.

    Args:
        runs: The sweep's runs table.
        metrics: The metric columns to summarise.

    Returns:
        One row per combination present in ``runs`` (also those whose runs all
        failed), ordered by the swept parameters' values; columns: the swept
        ``p.*`` columns (values as strings), ``n_runs`` (successful runs),
        ``n_failed``, then ``<metric>.mean``, ``.sd`` (sample sd),
        ``.median``, ``.q05``, ``.q95`` for each metric. Without swept
        parameters, a single row over all runs.
    """
    ordered = _job_order(runs)
    params = swept_parameters(ordered)
    ok = _ok_mask(ordered)
    values = {m: _metric_values(ordered, m) for m in metrics}
    records = []
    for combo, rows in _groups(ordered, params):
        good = rows[ok[rows]]
        record: dict[str, object] = dict(zip(params, combo))
        record.update(n_runs=len(good), n_failed=len(rows) - len(good))
        for m in metrics:
            record.update({f"{m}.{stat}": v for stat, v in _stats(values[m][good]).items()})
        records.append(record)
    columns = [*params, "n_runs", "n_failed", *(f"{m}.{s}" for m in metrics for s in STATS)]
    return pd.DataFrame.from_records(records, columns=columns)


def _cell(table: pd.DataFrame, row: int, metric: str) -> str:
    """One metric of one row of a :func:`metric_table`: mean ± sd, or a rate as a percentage."""
    mean = table[f"{metric}.mean"].iloc[row]
    sd = table[f"{metric}.sd"].iloc[row] if f"{metric}.sd" in table.columns else math.nan
    if metric in _RATE_METRICS:
        return "-" if pd.isna(mean) else f"{mean:.0%}"
    return _num(mean) if pd.isna(sd) else f"{_num(mean)} ± {_num(sd)}"


def format_table(table: pd.DataFrame, max_rows: int | None = 50) -> str:
    """A :func:`metric_table` as fixed-width plain text for a terminal.

    One line per combination: the swept values (headed by their short names,
    :func:`short_names`), ``n`` (successful runs), ``failed`` (only if any
    run failed) and each metric's mean ± sd (crisis rate as a percentage).

    Args:
        table: The output of :func:`metric_table`.
        max_rows: Most combinations shown; the rest are cut with a note.
            None shows all.

    Returns:
        The text, lines separated by newlines, without a trailing newline.
    """
    if table.empty:
        return "no runs"
    params = [c for c in table.columns if str(c).startswith(PARAM_PREFIX)]
    metrics = [c.removesuffix(".mean") for c in table.columns if str(c).endswith(".mean")]
    short = short_names(params)
    failed = bool((table["n_failed"] > 0).any())
    shown = table if max_rows is None else table.iloc[: max(max_rows, 0)]
    header = [short[p] for p in params] + ["n"] + (["failed"] if failed else [])
    header += [_METRIC_HEADERS.get(m, m) for m in metrics]
    rows = []
    for i in range(len(shown)):
        cells = [str(shown[p].iloc[i]) for p in params] + [str(shown["n_runs"].iloc[i])]
        cells += [str(shown["n_failed"].iloc[i])] if failed else []
        rows.append(cells + [_cell(shown, i, m) for m in metrics])
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
    left = len(params)  # parameter values left-aligned, numbers right-aligned

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if j < left else c.rjust(w) for j, (c, w) in enumerate(zip(cells, widths)))

    lines = [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]
    if len(shown) < len(table):
        lines.append(f"... {len(table) - len(shown)} more rows not shown ({len(table)} combinations in all)")
    rate_note = "; crisis: share of runs reaching it" if "crisis_crossed" in metrics else ""
    lines.append("mean ± sd over successful runs" + rate_note)
    renamed = [f"{short[p]} = {_param_label(p)}" for p in params if short[p] != _param_label(p)]
    if renamed:
        lines.append("parameters: " + "; ".join(renamed))
    return "\n".join(lines)


# ----------------------------------------------------------------------------- figures


def _panels(n: int, width: float = 4.3, height: float = 3.1, extra: tuple[float, float] = (0.6, 1.3)):
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


def _style(ax, rate: bool) -> None:
    ax.grid(color="#e0e0e0", lw=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)
    if rate:
        from matplotlib.ticker import PercentFormatter

        ax.set_ylim(-0.04, 1.04)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def _no_values(ax) -> None:
    ax.text(0.5, 0.5, "no values", transform=ax.transAxes, ha="center", va="center", color="grey", fontsize=9)


def _wilson(successes: float, n: int) -> tuple[float, float]:
    """The 90% Wilson interval of a proportion."""
    p, z2 = successes / n, _WILSON_Z**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _WILSON_Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _summary(values: np.ndarray, rate: bool) -> tuple[float, float, float, float]:
    """(centre, low, high, mean) of one group: median and 5-95% quantiles, or for a rate the share and its interval."""
    mean = float(values.mean())
    if rate:
        return (mean, *_wilson(float(values.sum()), len(values)), mean)
    q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
    return float(q50), float(q05), float(q95), mean


def _line_colors(levels: list, numeric: bool) -> list[str]:
    """Colours of the lines: an ordered ramp for a numeric parameter, distinct colours otherwise."""
    if len(levels) == 1:
        return [_LINE_COLORS[0]]
    if numeric:
        from matplotlib import colormaps
        from matplotlib.colors import to_hex

        cmap = colormaps["viridis"]
        return [to_hex(cmap(0.05 + 0.8 * i / (len(levels) - 1))) for i in range(len(levels))]
    return [_LINE_COLORS[i % len(_LINE_COLORS)] for i in range(len(levels))]


def _x_axis(ax, labels: list[str], position: dict[str, float], numeric: bool) -> None:
    """Ticks at the parameter's values: categories by name, numbers on a linear or (wide positive range) log scale."""
    values = np.array([position[s] for s in labels])
    if not numeric:
        rotate = sum(len(s) for s in labels) > 28
        ax.set_xticks(values, labels, rotation=30 if rotate else 0, ha="right" if rotate else "center")
        ax.set_xlim(-0.6, len(labels) - 0.4)
        return
    log = _log_spaced(values)
    if log:
        ax.set_xscale("log")
    scaled = np.log(values) if log else values
    gaps = np.diff(scaled)
    apart = not len(gaps) or gaps.min() >= 0.07 * (scaled[-1] - scaled[0])  # tick labels would not collide
    if len(labels) <= 10 and apart:
        ax.set_xticks(values, labels, rotation=30 if len(labels) > 6 else 0)
        ax.minorticks_off()


def _log_spaced(values: np.ndarray) -> bool:
    """Whether sorted positive values spanning a factor of 8 or more are more evenly spaced on a log scale."""
    if len(values) < 3 or values.min() <= 0 or values.max() / values.min() < 8:
        return False
    linear, logged = np.diff(values), np.diff(np.log(values))
    return bool(np.std(logged) / np.mean(logged) < np.std(linear) / np.mean(linear))


def _draw_group(ax, xs, stats, color: str, categorical: bool, rate: bool, width: float) -> None:
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
    runs are pooled over the remaining ones (named in the title).

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
    ordered = _job_order(runs)
    ok = _ok_mask(ordered)
    labels, position, numeric = _levels(ordered, param)
    others = [p for p in swept_parameters(ordered) if p != param]
    hue = others[0] if others and len(_levels(ordered, others[0])[0]) <= _MAX_LINES else None
    hue_labels, _, hue_numeric = _levels(ordered, hue) if hue else ([None], {}, False)
    colors = _line_colors(hue_labels, hue_numeric)
    x_strings = _as_strings(ordered[param])
    hue_strings = _as_strings(ordered[hue]) if hue else None
    width = 0.7 / len(hue_labels)  # categorical axis: boxes side by side within a category
    dodge = {h: (j - (len(hue_labels) - 1) / 2) * width for j, h in enumerate(hue_labels)}

    fig, axes, bottom = _panels(len(metrics))
    for ax, metric in zip(axes, metrics):
        values = _metric_values(ordered, metric)
        rate = _is_rate(ordered, metric)
        drawn = False
        for h, color in zip(hue_labels, colors):
            in_line = ok & (hue_strings == h) if hue else ok
            xs, stats = [], []
            for s in labels:
                v = values[in_line & (x_strings == s)]
                v = v[~np.isnan(v)]
                if len(v):
                    xs.append(position[s] + (0 if numeric else dodge[h]))
                    stats.append(_summary(v, rate))
            if xs:
                _draw_group(ax, xs, stats, color, not numeric, rate, width * 0.9)
                drawn = True
        if not drawn:
            _no_values(ax)
        _x_axis(ax, labels, position, numeric)
        _style(ax, rate)
        if not numeric:
            ax.grid(False, axis="x")
        ax.set_title(_metric_label(metric), fontsize=10)
    for ax in bottom:
        ax.set_xlabel(_param_label(param), fontsize=8)

    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    style = [
        Line2D([], [], color="#424242", lw=1.8, label="median across seeds"),
        Patch(color="#424242", alpha=0.2, lw=0, label="5-95% of seeds (rates: 90% interval)"),
        Line2D([], [], marker="o", ls="", color="#424242", mec="white", label="mean"),
    ]  # fmt: skip
    fig.legend(handles=style, loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    if hue:
        handles = [Line2D([], [], color=c, lw=2.5, label=h) for h, c in zip(hue_labels, colors)]
        fig.legend(handles=handles, loc="outside right upper", fontsize=8, title=_param_label(hue), title_fontsize=8)
    fig.suptitle(_title(f"Outcomes vs {_param_label(param)}", ordered, ok, [p for p in others if p != hue]))
    return fig


def _title(head: str, ordered: pd.DataFrame, ok: np.ndarray, pooled: Sequence[str]) -> str:
    """A figure title: ``head``, then the runs it is drawn from, what is pooled and how many runs failed."""
    n_ok, n_failed = int(ok.sum()), int((~ok).sum())
    details = [f"{n_ok} successful run{'s' if n_ok != 1 else ''}"]
    if pooled:
        details.append("pooled over " + ", ".join(_param_label(p) for p in pooled))
    if n_failed:
        details.append(f"{n_failed} failed run{'s' if n_failed != 1 else ''} left out")
    return f"{head}\n({'; '.join(details)})"


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
    ordered = _job_order(runs)
    ok = _ok_mask(ordered)
    values = _metric_values(ordered, metric)
    rate = _is_rate(ordered, metric)
    x_labels, y_labels = _levels(ordered, px)[0], _levels(ordered, py)[0]
    xs, ys = _as_strings(ordered[px]), _as_strings(ordered[py])
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
    fontsize = 9 if grid.size <= 30 else 7 if grid.size <= 80 else 6
    for (i, j), value in np.ndenumerate(grid):
        text = "n/a" if np.isnan(value) else f"{value:.0%}" if rate else _num(value)
        if show_n:
            text += f"\nn={counts[i, j]}"
        dark = not np.isnan(value) and image.norm(value) > 0.6
        ax.text(j, i, text, ha="center", va="center", fontsize=fontsize, color="white" if dark else "black")
    rotate = sum(len(s) for s in x_labels) > 40
    ax.set_xticks(range(len(x_labels)), x_labels, rotation=30 if rotate else 0, ha="right" if rotate else "center")
    ax.set_yticks(range(len(y_labels)), y_labels)
    ax.tick_params(labelsize=8, length=0)
    ax.set_xlabel(_param_label(px))
    ax.set_ylabel(_param_label(py))
    cbar = fig.colorbar(image, ax=ax, shrink=0.9)
    cbar.set_label(("share of runs" if rate else "mean") + " across seeds", fontsize=8)
    cbar.ax.tick_params(labelsize=8)
    if rate:
        from matplotlib.ticker import PercentFormatter

        cbar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    pooled = [p for p in swept_parameters(ordered) if p not in params]
    fig.suptitle(_title(_metric_label(metric), ordered, ok, pooled), fontsize=11)
    return fig


def _bins(values: np.ndarray) -> np.ndarray:
    """Histogram bin edges: about numpy's "auto" number of bins (at most 30); for integers, whole numbers per bin."""
    n_bins = min(30, len(np.histogram_bin_edges(values, bins="auto")) - 1)
    if not np.all(values == np.round(values)):
        return np.histogram_bin_edges(values, bins=n_bins)
    low, high = values.min(), values.max()
    width = max(1, math.ceil((high - low + 1) / max(n_bins, 1)))
    return np.arange(low - 0.5, high + width, width)


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

    ordered = _job_order(runs)
    ok = _ok_mask(ordered)
    fig, axes, _ = _panels(len(metrics), height=2.9)
    for ax, metric in zip(axes, metrics):
        v = _metric_values(ordered, metric)[ok]
        v = v[~np.isnan(v)]
        rate = _is_rate(ordered, metric)
        ax.set_title(_metric_label(metric), fontsize=10)
        ax.grid(axis="y", color="#e0e0e0", lw=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=8)
        if not len(v):
            _no_values(ax)
            continue
        if rate:
            yes = int(v.sum())
            bars = ax.bar([0, 1], [len(v) - yes, yes], color=["#66bb6a", "#c62828"], width=0.6)
            ax.bar_label(bars, labels=[f"{(len(v) - yes) / len(v):.0%}", f"{yes / len(v):.0%}"], fontsize=8)
            ax.set_xticks([0, 1], ["no", "yes"])
            ax.set_ylim(0, len(v) * 1.15)
        else:
            ax.hist(v, bins=_bins(v), color="#1565c0", alpha=0.7, ec="white", lw=0.5)
            ax.axvline(v.mean(), color="black", lw=1.4)
            ax.axvline(float(np.median(v)), color="#ef6c00", lw=1.4, ls="--")
            q05, q50, q95 = np.quantile(v, [0.05, 0.5, 0.95])
            ax.set_xlabel(f"mean {_num(v.mean())}, median {_num(q50)}, 5-95% [{_num(q05)}, {_num(q95)}]",
                          fontsize=8, color="#424242")  # fmt: skip
        ax.set_ylabel("runs", fontsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    handles = [Line2D([], [], color="black", lw=1.4, label="mean"),
               Line2D([], [], color="#ef6c00", lw=1.4, ls="--", label="median")]  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    fig.suptitle(_title("Outcomes across seeds", ordered, ok, []))
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
    params = swept_parameters(runs)
    jobs = []
    if not params:
        jobs.append(("metrics_distribution.png", lambda: distribution_figure(runs, metrics)))
    short = short_names(params)
    for p in params:
        jobs.append((f"metric_vs_{short[p]}.png", lambda p=p: metric_vs_parameter_figure(runs, p, metrics)))
    if len(params) == 2:
        for m in metrics:
            jobs.append((f"heatmap_{_safe(m)}.png", lambda m=m: heatmap_figure(runs, (params[0], params[1]), m)))
    paths = []
    for name, draw in jobs:  # one figure in memory at a time
        path = folder / name
        draw().savefig(path, dpi=_DPI)
        paths.append(path)
    return paths
