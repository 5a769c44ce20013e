"""The dashboard's live figures: the run so far, in a window that follows it.

Each figure's x axis runs from the scenario's start to a little past the last
simulated day (at least :data:`MIN_WINDOW_DAYS`), so the data fill the figure
from the first step; a note at the right edge gives the scenario's end, the
context of how far the run has got. Figures are sized for one cell of the
page's two-by-two grid at 1024x768 (a projector), and drawn with matplotlib's
object API (``Figure``), never pyplot: the server draws for many sessions from
several threads, and pyplot's global state is not thread-safe. Colours and
names come from :mod:`sim.outputs.style` (a colour-blind-safe palette).
"""

from __future__ import annotations

import datetime as dt
import itertools

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.outputs import columns, style
from sim.outputs.metrics import suspended_mask

# One grid cell at 1024x768 is about 360 px wide: drawn near that size, type stays
# at its point size on a projector instead of being scaled down.
FIGSIZE = (4.0, 3.6)
DPI = 100
TITLE_SIZE, LABEL_SIZE, TICK_SIZE, LEGEND_SIZE = 12, 10, 9, 9
# The window shows at least this many days, and a margin of this fraction past the last day.
MIN_WINDOW_DAYS = 60
WINDOW_MARGIN = 0.12
# Regional hostility lines are drawn only once they leave their baseline by this much.
_MOVED = 1e-3
# Alignment's y axis spans at least this much, centred on the data, so small shifts show.
_MIN_ALIGNMENT_SPAN = 0.04
_LINESTYLES = ("-", "--", "-.", ":")


def window_end(start: dt.date, end: dt.date, today: dt.date | None) -> dt.date:
    """The last date the x axis shows: a margin past ``today``, at least MIN_WINDOW_DAYS, at most ``end``."""
    if today is None:
        return min(end, start + dt.timedelta(days=MIN_WINDOW_DAYS))
    elapsed = (today - start).days + 1
    shown = max(MIN_WINDOW_DAYS, round(elapsed * (1 + WINDOW_MARGIN)))
    return min(end, start + dt.timedelta(days=shown))


def _figure(left: float = 0.13, bottom: float = 0.12, top: float = 0.88, right: float = 0.97) -> tuple[Figure, object]:
    """A figure with fixed margins: matplotlib's layout engines double the drawing time of a frame."""
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top)
    ax = fig.add_subplot()
    ax.tick_params(labelsize=TICK_SIZE)
    return fig, ax


def _today(steps: pd.DataFrame) -> dt.date | None:
    return steps["date"].iloc[-1].date() if len(steps) else None


def _frame_dates(ax, start: dt.date, end: dt.date, today: dt.date | None) -> None:
    """The x axis: from the start to the window's end, dates as labels, the last simulated day marked."""
    last = window_end(start, end, today)
    ax.set_xlim(pd.Timestamp(start), pd.Timestamp(last) + pd.Timedelta(days=1))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=5)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    if today is not None:
        ax.axvline(pd.Timestamp(today), color=style.GREY, lw=1, ls=":")
    if last < end:
        ax.annotate(f"runs to {end:%Y-%m-%d} →", (1, 1), xycoords="axes fraction", ha="right", va="bottom",
                    fontsize=TICK_SIZE - 1, color=style.GREY)  # fmt: skip
    ax.grid(axis="y", color="#e6e6e6", lw=0.6)


def tension_figure(steps: pd.DataFrame, poles: tuple[str, str], crisis_threshold: float,
                   start: dt.date, end: dt.date) -> Figure:  # fmt: skip
    """US-China tension and directed hostilities, and every other dyad's hostility once it moves.

    Args:
        steps: The daily table so far (``DashboardModel.steps_so_far``).
        poles: The two governments, e.g. ``("USA", "CHN")``.
        crisis_threshold: Drawn as a dashed line.
        start, end: The scenario's first and last day.
    """
    fig, ax = _figure(bottom=0.36, top=0.9)
    a, b = poles
    dates = steps["date"]
    ax.plot(dates, steps[columns.tension(a, b)], color=style.BLACK, lw=2.4, label="US–China tension")
    for sender, receiver in ((a, b), (b, a)):
        ax.plot(dates, steps[columns.hostility(sender, receiver)], color=style.ACTOR_COLORS.get(sender, style.GREY),
                lw=1.3, label=f"{style.actor_name(sender)} → {style.actor_name(receiver)}")  # fmt: skip
    regions = [columns.actor_of(c) for c in columns.of(steps.columns, columns.ALIGNMENT)]
    colors = style.region_colors(regions)
    # Dyads with a regional state: drawn only once they move, or ten flat lines would bury the rest.
    # Aggregates only (the maximum over issue areas): per-area columns would triple the lines.
    for col in sorted(c for c in columns.aggregates(steps.columns, columns.HOSTILITY)
                      if c not in (columns.hostility(a, b), columns.hostility(b, a))):  # fmt: skip
        series = steps[col].to_numpy()
        if len(series) and np.ptp(series) > _MOVED:
            sender, receiver = columns.parse(col).actors
            ax.plot(dates, series, lw=1.2, ls="-" if sender == b else "--", color=colors.get(receiver, style.GREY),
                    label=f"{style.actor_name(sender)} → {style.actor_name(receiver)}")  # fmt: skip
    ax.axhline(crisis_threshold, color=style.GREY, ls="--", lw=1.1, label=f"crisis level {crisis_threshold:g}")
    ax.set_ylim(0, 1)
    ax.set_ylabel("0 calm … 1 maximal", fontsize=LABEL_SIZE)
    ax.set_title("Tension and hostility", fontsize=TITLE_SIZE, loc="left")
    _frame_dates(ax, start, end, _today(steps))
    # Below the axes: a legend inside would cover the peaks a class is looking at.
    ax.legend(loc="upper left", bbox_to_anchor=(-0.12, -0.12), fontsize=LEGEND_SIZE, ncol=2, frameon=False,
              handlelength=1.6, columnspacing=0.8)  # fmt: skip
    return fig


def channel_figure(steps: pd.DataFrame, start: dt.date, end: dt.date) -> Figure:
    """Each US-China dialogue channel open or suspended, day by day; light grey: not founded yet.

    Each channel's name is written above its bar, inside the axes, so that long
    names ("defence policy coordination talks") keep the figure's full width for time.
    """
    cols = columns.of(steps.columns, columns.CHANNEL)
    fig, ax = _figure(left=0.03, bottom=0.17, top=0.9, right=0.97)
    first = mdates.date2num(pd.Timestamp(start))
    for row, col in enumerate(cols):
        # 0 open, 1 suspended, 2 not founded yet; runs of equal status: one bar per spell, not per day.
        status = suspended_mask(steps[col]).astype(np.int8) + 2 * (steps[col].astype(str) == "absent").to_numpy()
        edges = np.flatnonzero(np.diff(np.concatenate(([-1], status, [-1]))) != 0)
        for s, e in itertools.pairwise(edges):
            color = style.STATUS_COLORS[("open", "suspended", "absent")[status[s]]]
            ax.broken_barh([(first + s, e - s)], (row + 0.06, 0.38), color=color)
        ax.text(0.005, row - 0.14, style.channel_name(columns.channel_name(col)), transform=ax.get_yaxis_transform(),
                fontsize=TICK_SIZE, va="center", ha="left")  # fmt: skip
    ax.set_yticks([])
    ax.set_ylim(len(cols) - 0.5, -0.5)
    ax.xaxis_date()
    _frame_dates(ax, start, end, _today(steps))
    ax.grid(False)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_title("Dialogue channels", fontsize=TITLE_SIZE, loc="left")
    handles = [Line2D([], [], color=style.STATUS_COLORS[k], lw=7, label=style.STATUS_LABELS[k])
               for k in ("open", "suspended", "absent")]  # fmt: skip
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=LEGEND_SIZE,
               frameon=False, handlelength=1.2)  # fmt: skip
    return fig


def alignment_limits(values: np.ndarray) -> tuple[float, float]:
    """Y limits that show the data's movement: their range with a margin, at least ``_MIN_ALIGNMENT_SPAN``.

    Clipped to [-2, 2], the widest a change of alignment (a value in [-1, 1]) can be.
    """
    finite = values[np.isfinite(values)] if values.size else values
    if not finite.size:
        return -1.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    span = max(_MIN_ALIGNMENT_SPAN, (high - low) * 1.15)
    mid = (low + high) / 2
    return max(-2.0, mid - span / 2), min(2.0, mid + span / 2)


def alignment_figure(steps: pd.DataFrame, start: dt.date, end: dt.date) -> Figure:
    """Each regional state's alignment change since the start (towards the US up, towards China down).

    The states start far apart (Taiwan near +0.7, ASEAN near 0) and move by
    hundredths, so levels on a -1..1 axis would show flat lines: the change
    since the start, on an axis that follows it, shows the movement; the legend
    gives each state's level now. Line styles as well as colours tell the
    states apart, so that one drawn over another is still seen.
    """
    fig, ax = _figure(left=0.19, bottom=0.38, top=0.88)
    regions = [columns.actor_of(c) for c in columns.of(steps.columns, columns.ALIGNMENT)]
    colors = style.region_colors(regions)
    changes = []
    for i, (code, color) in enumerate(colors.items()):
        series = steps[columns.alignment(code)].to_numpy(dtype=float)
        change = series - series[0] if len(series) else series
        changes.append(change)
        label = style.actor_name(code) + (f" now {series[-1]:+.2f}" if len(series) else "")
        ax.plot(steps["date"], change, lw=1.8, color=color, ls=_LINESTYLES[i % len(_LINESTYLES)], label=label)
    ax.axhline(0, color=style.GREY, lw=0.8)
    ax.set_ylim(*alignment_limits(np.concatenate([[0.0], *changes])))
    ax.set_ylabel("change: ← China   US →", fontsize=LABEL_SIZE)
    ax.set_title("Regional alignment", fontsize=TITLE_SIZE, loc="left")
    _frame_dates(ax, start, end, _today(steps))
    ax.legend(loc="upper left", bbox_to_anchor=(-0.2, -0.12), fontsize=LEGEND_SIZE, ncol=2, frameon=False,
              handlelength=1.6, columnspacing=0.8)  # fmt: skip
    return fig
