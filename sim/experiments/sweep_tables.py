"""The table of a parameter sweep: outcome metrics per combination of swept parameter values.

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
  quantiles, as a table and as plain text for a terminal.

Parameter values are ordered numerically when every value of the column
parses as a number, else in order of first appearance in job order
(:func:`numeric_or_categorical`). A job that does not override a key that
another job overrides gets the value ``"(default)"``.

How a metric is shown (its header, whether it is a rate) is read from its
declaration in :data:`sim.outputs.metrics.OUTCOMES`; the figures are in
:mod:`sim.experiments.sweep_figures`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from sim.outputs import metrics as outcomes

MAIN_METRICS: tuple[str, ...] = outcomes.HEADLINE
STATS: tuple[str, ...] = ("mean", "sd", "median", "q05", "q95")
PARAM_PREFIX = "p."
MISSING = "(default)"  # the value of a p.* column for a job that does not override that key

_MAX_NAME = 40  # longest short name of a parameter in file names


# ----------------------------------------------------------------------------- values and ordering


def job_order(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs sorted by job and replicate (stable), with a fresh index."""
    keys = [c for c in ("job", "replicate") if c in runs.columns]
    ordered = runs.sort_values(keys, kind="stable") if keys else runs
    return ordered.reset_index(drop=True)


def as_strings(values: Iterable) -> np.ndarray:
    """The values as an object array of strings, missing ones as :data:`MISSING`."""
    return np.array([MISSING if pd.isna(v) else str(v) for v in values], dtype=object)


def ok_mask(runs: pd.DataFrame) -> np.ndarray:
    """True for the runs whose status is "ok" (every run if there is no status column)."""
    if "status" not in runs.columns:
        return np.ones(len(runs), dtype=bool)
    return np.array([s == "ok" for s in runs["status"]], dtype=bool)


def _to_float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def metric_values(runs: pd.DataFrame, metric: str) -> np.ndarray:
    """A metric's values as floats (booleans as 0/1), NaN where missing or where the column is absent."""
    if metric not in runs.columns:
        return np.full(len(runs), np.nan)
    column = runs[metric]
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return column.to_numpy(dtype=float, na_value=np.nan)
    return np.array([_to_float(v) for v in column], dtype=float)


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
    strings = as_strings(values)
    try:
        numbers = np.array([float(s) for s in strings], dtype=float)
    except ValueError:
        return strings, False
    if not np.isfinite(numbers).all():  # "nan", "inf": no place on a numeric axis
        return strings, False
    return numbers, True


def param_levels(ordered: pd.DataFrame, param: str) -> tuple[list[str], dict[str, float], bool]:
    """A parameter's distinct values in axis order, each value's position on the axis, and whether numeric.

    ``ordered`` must be in job order (:func:`job_order`).
    """
    strings = as_strings(ordered[param])
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
        c for c in runs.columns if str(c).startswith(PARAM_PREFIX) and len(set(as_strings(runs[c]))) > 1
    ]  # fmt: skip


def safe_name(text: str) -> str:
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
        name = safe_name("_".join(tail))[-_MAX_NAME:].strip("_") or "param"
        taken = set(names.values())
        unique, i = name, 1
        while unique in taken:
            unique, i = f"{name}_{i}", i + 1
        names[p] = unique
    return names


def param_label(param: str) -> str:
    return param.removeprefix(PARAM_PREFIX)


def num(value: float) -> str:
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
    keys = list(zip(*(as_strings(ordered[p]) for p in params))) if params else [()] * len(ordered)
    rows: dict[tuple[str, ...], list[int]] = {}
    for i, key in enumerate(keys):
        rows.setdefault(key, []).append(i)
    rank = [{s: i for i, s in enumerate(param_levels(ordered, p)[0])} for p in params]
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
    ordered = job_order(runs)
    params = swept_parameters(ordered)
    ok = ok_mask(ordered)
    values = {m: metric_values(ordered, m) for m in metrics}
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
    if outcomes.is_rate(metric):
        return "-" if pd.isna(mean) else f"{mean:.0%}"
    return num(mean) if pd.isna(sd) else f"{num(mean)} ± {num(sd)}"


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
    header += [outcomes.header(m) for m in metrics]
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
    rates = "".join(f"; {outcomes.header(m)}: {outcomes.label(m)}" for m in metrics if outcomes.is_rate(m))
    lines.append("mean ± sd over successful runs" + rates)
    renamed = [f"{short[p]} = {param_label(p)}" for p in params if short[p] != param_label(p)]
    if renamed:
        lines.append("parameters: " + "; ".join(renamed))
    return "\n".join(lines)
