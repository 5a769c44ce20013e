"""The dashboard's live figures: the run so far, drawn against the scenario's whole span.

Each figure's x axis covers the scenario from start to end, so lines grow to the
right as the model steps and a class sees how far the run has got. Figures use
matplotlib's object API (``Figure``), never pyplot: the server draws for many
sessions from several threads, and pyplot's global state is not thread-safe.
"""

from __future__ import annotations

import datetime as dt
import itertools

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.core.vocabulary import load_vocabulary
from sim.outputs import columns
from sim.outputs.metrics import suspended_mask

# Sized for one cell of SolaraViz's two-column grid (the page scales the image to
# the cell), with fonts large enough to read from the back of a classroom.
FIGSIZE = (6.4, 4.0)
DPI = 100
TITLE_SIZE, LABEL_SIZE, TICK_SIZE, LEGEND_SIZE = 14, 11, 10, 9
_OPEN, _SUSPENDED, _NOT_YET = "#66bb6a", "#c62828", "#eeeeee"
# Regional hostility lines are drawn only once they leave their baseline by this much.
_MOVED = 1e-3
# One colour per regional state in every figure; blue and red stay with the two governments.
_REGION_COLORS = ("#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")


def _region_colors(steps: pd.DataFrame) -> dict[str, str]:
    codes = [columns.actor_of(c) for c in columns.of(steps.columns, columns.ALIGNMENT)]
    return {code: _REGION_COLORS[i % len(_REGION_COLORS)] for i, code in enumerate(codes)}


def _figure(left: float = 0.11, bottom: float = 0.12, top: float = 0.9) -> tuple[Figure, object]:
    """A figure with fixed margins: matplotlib's layout engines double the drawing time of a frame."""
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    fig.subplots_adjust(left=left, right=0.96, bottom=bottom, top=top)
    ax = fig.add_subplot()
    ax.tick_params(labelsize=TICK_SIZE)
    return fig, ax


def _name(code: str) -> str:
    actor = load_vocabulary().actors.get(code)
    return actor.name if actor else code


def _frame_dates(ax, start: dt.date, end: dt.date, today: dt.date | None) -> None:
    """Fix the x axis to the scenario, label it with dates, and mark the last simulated day."""
    ax.set_xlim(pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1))
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if today is not None:
        ax.axvline(pd.Timestamp(today), color="#555555", lw=1, ls=":")
    ax.grid(axis="y", color="#e0e0e0", lw=0.6)


def tension_figure(steps: pd.DataFrame, poles: tuple[str, str], crisis_threshold: float,
                   start: dt.date, end: dt.date) -> Figure:  # fmt: skip
    """US-China tension and directed hostilities, and every other dyad's hostility once it moves.

    Args:
        steps: The daily table so far (``DashboardModel.steps_so_far``).
        poles: The two governments, e.g. ``("USA", "CHN")``.
        crisis_threshold: Drawn as a dashed line.
        start, end: The scenario's first and last day.
    """
    fig, ax = _figure(bottom=0.33, top=0.91)
    a, b = poles
    dates = steps["date"]
    today = steps["date"].iloc[-1].date() if len(steps) else None
    ax.plot(dates, steps[columns.tension(a, b)], color="black", lw=2.4, label=f"{_name(a)}–{_name(b)} tension")
    ax.plot(dates, steps[columns.hostility(a, b)], color="#1f77b4", lw=1.2, label=f"{_name(a)} → {_name(b)} hostility")
    ax.plot(dates, steps[columns.hostility(b, a)], color="#d62728", lw=1.2, label=f"{_name(b)} → {_name(a)} hostility")
    colors = _region_colors(steps)
    # Dyads with a regional state: drawn only once they move, or ten flat lines would bury the rest.
    # Aggregates only (the maximum over issue areas): per-area columns would triple the lines.
    for col in sorted(c for c in columns.aggregates(steps.columns, columns.HOSTILITY)
                      if c not in (columns.hostility(a, b), columns.hostility(b, a))):  # fmt: skip
        series = steps[col].to_numpy()
        if len(series) and np.ptp(series) > _MOVED:
            sender, receiver = columns.parse(col).actors
            ax.plot(dates, series, lw=1.2, ls="-" if sender == b else "--", color=colors.get(receiver, "grey"),
                    label=f"{_name(sender)} → {_name(receiver)} hostility")  # fmt: skip
    ax.axhline(crisis_threshold, color="grey", ls="--", lw=1.2, label=f"crisis threshold ({crisis_threshold:g})")
    ax.set_ylim(0, 1)
    ax.set_ylabel("0 calm … 1 maximal", fontsize=LABEL_SIZE)
    ax.set_title("Tension of each dyad", fontsize=TITLE_SIZE, loc="left")
    _frame_dates(ax, start, end, today)
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.1), fontsize=LEGEND_SIZE, ncol=2, frameon=False)
    return fig


def channel_figure(steps: pd.DataFrame, start: dt.date, end: dt.date) -> Figure:
    """Each dialogue channel open (green) or suspended (red), day by day; grey: not simulated yet, or
    not founded yet (a channel a scenario starts without)."""
    vocab = load_vocabulary()
    cols = columns.of(steps.columns, columns.CHANNEL)
    fig, ax = _figure(left=0.37, bottom=0.2)
    first = mdates.date2num(pd.Timestamp(start))
    n_total = (end - start).days + 1
    names = []
    for row, col in enumerate(cols):
        channel = columns.channel_name(col)
        spec = vocab.channels.get(channel)
        names.append(spec.label if spec and spec.label else channel.replace("_", " "))
        ax.broken_barh([(first, n_total)], (row - 0.35, 0.7), color=_NOT_YET)
        # 0 open, 1 suspended, 2 not founded yet; runs of equal status: one bar per spell, not per day.
        status = suspended_mask(steps[col]).astype(np.int8) + 2 * (steps[col].astype(str) == "absent").to_numpy()
        edges = np.flatnonzero(np.diff(np.concatenate(([-1], status, [-1]))) != 0)
        for s, e in itertools.pairwise(edges):
            color = (_OPEN, _SUSPENDED, _NOT_YET)[status[s]]
            ax.broken_barh([(first + s, e - s)], (row - 0.35, 0.7), color=color)
    ax.set_yticks(range(len(cols)), names, fontsize=LABEL_SIZE)
    ax.set_ylim(len(cols) - 0.5, -0.5)
    ax.xaxis_date()
    today = steps["date"].iloc[-1].date() if len(steps) else None
    _frame_dates(ax, start, end, today)
    ax.grid(False)
    fig.suptitle("Dialogue channels, United States–China", fontsize=TITLE_SIZE, x=0.02, ha="left")
    handles = [Line2D([], [], color=c, lw=8, label=lbl)
               for c, lbl in ((_OPEN, "open"), (_SUSPENDED, "suspended"), (_NOT_YET, "not simulated or founded yet"))]  # fmt: skip
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=LABEL_SIZE,
               frameon=False)  # fmt: skip
    return fig


def alignment_figure(steps: pd.DataFrame, start: dt.date, end: dt.date) -> Figure:
    """Each regional state's alignment (-1 with China, +1 with the US); the legend gives today's value."""
    fig, ax = _figure(left=0.14)
    colors = _region_colors(steps)
    for code, color in colors.items():
        series = steps[columns.alignment(code)].to_numpy()
        label = _name(code)
        if len(series):
            label += f"  {series[-1]:+.2f} (change {series[-1] - series[0]:+.2f})"
        ax.plot(steps["date"], series, lw=1.8, color=color, label=label)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylim(-1, 1)
    ax.set_ylabel("← China     US →", fontsize=LABEL_SIZE)
    ax.set_title("Regional alignment", fontsize=TITLE_SIZE, loc="left")
    today = steps["date"].iloc[-1].date() if len(steps) else None
    _frame_dates(ax, start, end, today)
    ax.legend(loc="lower left", fontsize=LEGEND_SIZE, ncol=2, framealpha=0.9, title="today (change since start)",
              title_fontsize=LEGEND_SIZE)  # fmt: skip
    return fig
