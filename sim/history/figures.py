"""Figures comparing simulated runs with the documented 2022-2024 timeline.

Used by ``notebooks/compare_history.ipynb`` and the calibration report. Like
:mod:`sim.outputs.figures`, everything is drawn with matplotlib's object API
(``Figure``), never pyplot's global state, with constrained layout.

* :func:`channel_comparison_figure`: each dialogue channel's documented and
  simulated status over time (Gantt bars; over several runs, the share of runs
  in which the channel is suspended each day);
* :func:`lag_figure`: simulated lags from each trigger to China's response,
  run by run, against the documented lag;
* :func:`fit_figure`: the fit score of named groups of runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from sim.history.targets import LagMeasure, Spell, lag_measures
from sim.history.timeline import load_timeline
from sim.outputs import columns as colnames
from sim.outputs import style
from sim.outputs.metrics import suspended_mask

OPEN_COLOR = style.STATUS_COLORS["open"]  # the run figures' colours (Okabe-Ito, sim.outputs.style)
SUSPENDED_COLOR = style.STATUS_COLORS["suspended"]
DOCUMENTED_COLOR = "black"
# Share of runs with a channel suspended: green (open in every run) through amber to red (suspended in every run).
SUSPENDED_SHARE_CMAP = LinearSegmentedColormap.from_list(
    "suspended_share", [OPEN_COLOR, style.YELLOW, style.ORANGE, SUSPENDED_COLOR]
)
_GROUP_COLORS = ("#1565c0", "#ef6c00", "#6a1b9a", "#00897b", "#5d4037", "#c2185b")
_NULL_COLOR = "#757575"  # groups named like "null ..." are baselines: grey
def _suspended_share(steps_list: Sequence[pd.DataFrame], column: str) -> pd.Series:
    """Share of runs (0..1) with ``column`` suspended, per date; runs lacking a date do not count there."""
    masks = [
        pd.Series(suspended_mask(st[column]).astype(float), index=pd.DatetimeIndex(st["date"]))
        for st in steps_list
        if column in st.columns
    ]
    if not masks:
        return pd.Series(dtype=float)
    return pd.concat(masks, axis=1).mean(axis=1, skipna=True).sort_index()


def _box(ax, values: np.ndarray, pos: float, width: float, color: str, horizontal: bool = False) -> None:
    """A box from the 25th to the 75th percentile, the median, and whiskers over the 5-95% interval."""
    q05, q25, q50, q75, q95 = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95])
    lo, hi = pos - width / 2, pos + width / 2
    if horizontal:
        ax.add_patch(Rectangle((q25, lo), q75 - q25, width, fc=color, alpha=0.15, ec=color, lw=1.2, zorder=2))
        ax.vlines(q50, lo, hi, color=color, lw=2.2, zorder=2)
        ax.hlines([pos, pos], [q05, q75], [q25, q95], color=color, lw=1.2, zorder=2)
        ax.vlines([q05, q95], pos - width / 4, pos + width / 4, color=color, lw=1.2, zorder=2)
    else:
        ax.add_patch(Rectangle((lo, q25), width, q75 - q25, fc=color, alpha=0.15, ec=color, lw=1.2, zorder=2))
        ax.hlines(q50, lo, hi, color=color, lw=2.2, zorder=2)
        ax.vlines([pos, pos], [q05, q75], [q25, q95], color=color, lw=1.2, zorder=2)
        ax.hlines([q05, q95], pos - width / 4, pos + width / 4, color=color, lw=1.2, zorder=2)


def _runs_of(values: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of equal values in ``values``."""
    edges = np.flatnonzero(np.diff(np.concatenate(([np.nan], values, [np.nan]))) != 0)
    return [(int(s), int(e - s)) for s, e in zip(edges[:-1], edges[1:])]


def _bars(ax, start: float, suspended: np.ndarray, y: float, height: float) -> None:
    """Gantt bars of a boolean day-by-day status starting at date number ``start``."""
    values = suspended.astype(float)
    for s, n in _runs_of(values):
        ax.broken_barh([(start + s, n)], (y - height / 2, height), color=SUSPENDED_COLOR if values[s] else OPEN_COLOR)


def channel_comparison_figure(steps_list: Sequence[pd.DataFrame], spells: Sequence[Spell], title: str = "") -> Figure:
    """Documented and simulated status of each US-China dialogue channel over time.

    One panel per channel (in the steps table's order; channels only in
    ``spells`` come last), each with two rows of Gantt bars: ``documented``
    (from ``spells``) and ``simulated``. With one run the simulated row is
    open/suspended bars like :func:`sim.outputs.figures.channel_figure`; with several,
    each day is coloured by the share of runs in which the channel is
    suspended that day, so agreement between seeds shows as pure green or red
    and disagreement as amber.

    Args:
        steps_list: The steps tables of one or more runs (``RunResult.steps``),
            with ``date`` and ``channel_USA_CHN_<channel>`` columns.
        spells: Documented suspensions (:func:`sim.history.targets.documented_spells`).
        title: Figure title; a default naming the number of runs if empty.

    Returns:
        The figure: one axes per channel, plus a colour bar when there are
        several runs.

    Raises:
        ValueError: ``steps_list`` is empty.
    """
    steps_list = list(steps_list)
    if not steps_list:
        raise ValueError("channel_comparison_figure needs the steps table of at least one run")
    columns: list[str] = []
    for st in steps_list:
        columns += [c for c in colnames.of(st.columns, colnames.CHANNEL) if c not in columns]
    names = [colnames.channel_name(c) for c in columns]
    names += sorted({s.channel for s in spells} - set(names))
    n_runs = len(steps_list)
    shares = {colnames.channel_name(c): _suspended_share(steps_list, c) for c in columns}
    days = pd.date_range(min(st["date"].min() for st in steps_list), max(st["date"].max() for st in steps_list))
    first = mdates.date2num(days[0])

    fig = Figure(figsize=(12, 0.8 * max(len(names), 1) + 1.9), layout="constrained")
    axes = fig.subplots(max(len(names), 1), 1, sharex=True, squeeze=False)[:, 0]
    mesh = None
    sim_label = "simulated" if n_runs == 1 else f"simulated\n({n_runs} runs)"
    for ax, name in zip(axes, names):
        doc = np.zeros(len(days), dtype=bool)
        for s in spells:
            if s.channel == name:
                doc |= (days >= s.start) & ((days < s.end) if s.end is not None else True)
        _bars(ax, first, doc, 0, 0.7)
        share = shares.get(name)
        if share is None or share.empty:
            ax.text(first + len(days) / 2, 1, "not simulated", ha="center", va="center", fontsize=8, color="grey")
        elif n_runs == 1:
            _bars(ax, first, share.reindex(days).fillna(0).to_numpy() > 0.5, 1, 0.7)
        else:
            share = share.reindex(days)
            edges = mdates.date2num(days.append(pd.DatetimeIndex([days[-1] + pd.Timedelta(days=1)])))
            mesh = ax.pcolormesh(edges, [0.65, 1.35], np.ma.masked_invalid(share.to_numpy()[None, :]),
                                 cmap=SUSPENDED_SHARE_CMAP, vmin=0, vmax=1, shading="flat")  # fmt: skip
        ax.set_ylim(1.6, -0.6)
        ax.set_yticks([0, 1], ["documented", sim_label], fontsize=8)
        ax.set_ylabel(style.channel_name(name), rotation=0, ha="right", va="center", fontsize=10, fontweight="bold")
        ax.tick_params(axis="y", length=0)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
    for ax in axes[:-1]:
        ax.tick_params(axis="x", which="both", bottom=False)
        ax.spines["bottom"].set_visible(False)
    last = axes[-1]
    last.set_xlim(first, first + len(days))
    last.xaxis_date()
    last.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    last.xaxis.set_minor_locator(mdates.MonthLocator())
    last.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    for ax in axes:
        ax.grid(axis="x", which="major", color="white", lw=0.8, alpha=0.7)
    handles = [Patch(color=OPEN_COLOR, label="open"), Patch(color=SUSPENDED_COLOR, label="suspended")]
    if mesh is not None:
        cbar = fig.colorbar(mesh, ax=list(axes), location="bottom", shrink=0.4, aspect=40, pad=0.02)
        cbar.set_label("simulated: share of runs with the channel suspended that day", fontsize=8)
        cbar.ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        cbar.ax.tick_params(labelsize=8)
        fig.legend(handles=handles, title="documented", loc="outside upper right", ncol=2, fontsize=8, title_fontsize=8)
    else:
        fig.legend(handles=handles, loc="outside upper right", ncol=2, fontsize=8)
    fig.suptitle(title or f"Dialogue channels: documented vs simulated ({n_runs} run{'s' if n_runs != 1 else ''})")
    return fig


def _lag_names(per_run: pd.DataFrame) -> list[str]:
    """Names of the lag measures with both a ``lag.<name>.sim`` and a ``lag.<name>.doc`` column."""
    cols = set(per_run.columns)
    sims = [c[4:-4] for c in per_run.columns if c.startswith("lag.") and c.endswith(".sim")]  # lag.<name>.sim
    return [name for name in sims if f"lag.{name}.doc" in cols]


def lag_figure(per_run: pd.DataFrame, measures: Sequence[LagMeasure] | None = None) -> Figure:
    """Simulated lags from each trigger to China's response, against the documented lag.

    One row (axes) per lag measure, each with its own day scale: a dot per
    run (jittered vertically; with five runs or more, a box over the middle
    half of the runs with whiskers over the 5-95% interval) and the documented
    lag as a black diamond. Runs with no response within the
    measure's window are counted at the right.

    Args:
        per_run: The output of :func:`sim.history.compare.compare_runs`: one row per
            run with columns ``lag.<name>.sim`` and ``lag.<name>.doc``.
        measures: The lag measures, for their windows (default: the shipped timeline's;
            pass ``Documented.measures`` for another timeline).

    Returns:
        The figure, one axes per measure in column order.
    """
    names = _lag_names(per_run)
    windows = {m.name: m.window_days for m in (lag_measures(load_timeline()) if measures is None else measures)}
    n = len(per_run)
    fig = Figure(figsize=(10, 0.85 * max(len(names), 1) + 1.3), layout="constrained")
    axes = fig.subplots(max(len(names), 1), 1, squeeze=False)[:, 0]
    rng = np.random.default_rng(0)
    for ax, name in zip(axes, names):
        sim = pd.to_numeric(per_run[f"lag.{name}.sim"], errors="coerce").to_numpy(dtype=float)
        docs = pd.to_numeric(per_run[f"lag.{name}.doc"], errors="coerce").dropna()
        doc = float(docs.iloc[0]) if len(docs) else None
        got = sim[~np.isnan(sim)]
        if len(got) >= 5:
            _box(ax, got, 0, 0.6, "#1565c0", horizontal=True)
        if len(got):
            jitter = rng.uniform(-0.22, 0.22, len(got)) if len(got) > 1 else np.zeros(1)
            ax.scatter(got, jitter, s=22, color="#1565c0", alpha=0.55, ec="white", lw=0.5, zorder=3)
        if doc is not None:
            ax.scatter([doc], [0], marker="D", s=70, color=DOCUMENTED_COLOR, ec="white", lw=0.8, zorder=4)
        missing = int(np.isnan(sim).sum())
        window = f" within {windows[name]} d" if name in windows else ""
        runs = f"{n} run{'s' if n != 1 else ''}"
        ax.text(1.01, 0.5, f"no response{window}\nin {missing} of {runs}", transform=ax.transAxes,
                ha="left", va="center", fontsize=8, color="#b71c1c" if missing else "grey")  # fmt: skip
        top = max([*got, doc or 0.0, 4.0])
        ax.set_xlim(-0.05 * top - 0.5, top * 1.1 + 0.5)
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", color="#e0e0e0", lw=0.6)
        ax.set_axisbelow(True)
        ax.set_title(name, loc="left", fontsize=9)
        sim_text = "no simulated response"
        if len(got):
            q05, q50, q95 = np.quantile(got, [0.05, 0.5, 0.95])
            sim_text = f"simulated median {q50:.3g}" + (f" [5-95%: {q05:.3g}, {q95:.3g}]" if len(got) > 1 else "")
        doc_text = "undocumented" if doc is None else f"documented {doc:g}"
        ax.set_title(f"{doc_text}, {sim_text} (days)", loc="right", fontsize=8, color="#424242")
    axes[-1].set_xlabel("days from the episode's trigger (each row has its own scale)")
    handles = [Line2D([], [], marker="o", ls="", color="#1565c0", alpha=0.6, label="simulated (one dot per run)"),
               Line2D([], [], marker="D", ls="", color=DOCUMENTED_COLOR, label="documented")]  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=8)
    fig.suptitle(f"Lags from trigger to China's response: simulated ({n} run{'s' if n != 1 else ''}) vs documented")
    return fig


def fit_figure(groups: Mapping[str, Sequence[float]]) -> Figure:
    """Distribution of the fit score for named groups of runs.

    A dot per run and, with five runs or more, a box over the middle half of
    the runs with whiskers over the 5-95% interval; the group's median is
    written above it. Missing scores (None, NaN) are left out and
    counted in the group's label. Groups whose name starts with "null" are
    drawn in grey, as baselines.

    Args:
        groups: Group name to the fit scores of its runs, e.g.
            ``{"calibrated": [...], "default": [...], "null": [...]}``.

    Returns:
        A figure with one axes; groups left to right in the mapping's order.
    """
    fig = Figure(figsize=(max(4.5, 1.6 * len(groups) + 2.5), 4.5), layout="constrained")
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)
    labels: list[str] = []
    colors = iter(_GROUP_COLORS * (len(groups) // len(_GROUP_COLORS) + 1))
    for i, (name, values) in enumerate(groups.items()):
        v = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float)
        got = v[~np.isnan(v)]
        color = _NULL_COLOR if str(name).lower().startswith("null") else next(colors)
        if len(got) >= 5:
            _box(ax, got, i, 0.5, color)
        if len(got):
            jitter = rng.uniform(-0.15, 0.15, len(got)) if len(got) > 1 else np.zeros(1)
            ax.scatter(i + jitter, got, s=24, color=color, alpha=0.6, ec="white", lw=0.5, zorder=3)
            ax.annotate(f"median {np.median(got):.2f}", (i, got.max()), xytext=(0, 8), textcoords="offset points",
                        ha="center", fontsize=8)  # fmt: skip
        missing = len(v) - len(got)
        labels.append(f"{name}\n{len(got)} run{'s' if len(got) != 1 else ''}" + (f", {missing} n/a" if missing else ""))
    ax.set_xticks(range(len(labels)), labels)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("fit score (0..1, higher is better)")
    ax.grid(axis="y", color="#e0e0e0", lw=0.6)
    ax.set_axisbelow(True)
    ax.set_title("Fit to the documented 2022-2024 timeline")
    return fig
