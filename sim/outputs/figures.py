"""Figures of one run: tension with events marked, hostility by issue area, channel status, regional alignment.

Every figure takes its colours, markers, type sizes and names in words from
:mod:`sim.outputs.style` (the Okabe-Ito palette, colour-blind safe), keeps its
legend outside the data, and names actors, channels and kinds in words. Given the
steps tables of several runs of the same config (``runs``: seeds), the tension,
hostility and alignment figures draw their median and 10-90% band behind the
run's own line (:func:`sim.outputs.figure_parts.seed_band`); given the documented
channel record (``documented``: spells with ``channel``, ``start`` and ``end``, as
:func:`sim.history.targets.documented_spells` derives them), the channel figure
draws it under each simulated channel.

Uses matplotlib's object API (``Figure``) so that drawing never touches
pyplot's global state or the display backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.outputs import columns, style
from sim.outputs.figure_parts import band_label, legend_outside, seed_band, spread, status_bars
from sim.outputs.metrics import suspended_mask

_QUIET_SCRIPTED = {"meeting_request", "personnel_change"}  # venues and appointments: a faint line, no label
_STATUSES = ("open", "suspended", "absent")
_DATE_FORMAT = mdates.DateFormatter("%Y-%m")
_LINE_MARKERS = {"x", "+", "."}  # markers drawn as strokes: no edge, a thicker line


def _dates(steps: pd.DataFrame) -> np.ndarray:
    return steps["date"].to_numpy()


def _band(ax, steps: pd.DataFrame, runs: Sequence[pd.DataFrame] | None, column: str, color: str,
          alpha: float = 0.18, label: str | None = None) -> None:  # fmt: skip
    """The band and median of ``column`` over ``runs`` (nothing with fewer than two runs)."""
    if runs is None or len(runs) < 2:
        return
    low, mid, high = seed_band(runs, column)
    ax.fill_between(_dates(steps), low, high, color=color, alpha=alpha, lw=0, label=label)
    ax.plot(_dates(steps), mid, color=color, lw=1, ls="--", alpha=0.9)


def _event_strip(ax, scripted: pd.DataFrame, first: float, last: float, width_in: float) -> None:
    """Each scripted event's name in words above the plot, spread so that no two labels overlap."""
    shown = scripted[~scripted["kind"].isin(_QUIET_SCRIPTED)].sort_values(["date", "id"], kind="stable")
    xs = mdates.date2num(pd.DatetimeIndex(shown["date"]))
    gap = 1.35 * style.NOTE_SIZE / 72 * (last - first) / width_in  # a rotated label's thickness, in days
    for x, placed, ev in zip(xs, spread(xs, gap, last), shown.itertuples(index=False)):
        ax.plot([x, x, placed], [0.0, 0.08, 0.2], color=style.GREY, lw=0.6)
        ax.text(placed, 0.23, style.event_name(ev.kind, ev.sender, ev.receiver, ev.channel), rotation=90,
                ha="left", va="center", fontsize=style.NOTE_SIZE, rotation_mode="anchor")  # fmt: skip
    ax.set_ylim(0, 1)
    ax.set_axis_off()


def _decided_rows(ax, decided: pd.DataFrame) -> None:
    """Decided signals, one row per kind (named in words), each kind in its colour and marker."""
    order = {k: i for i, k in enumerate(style.KIND_STYLES)}
    kinds = sorted(decided["kind"].unique(), key=lambda k: (order.get(k, len(order)), k))
    for row, kind in enumerate(kinds):
        st = style.kind_style(kind)
        days = decided.loc[decided["kind"] == kind, "date"]
        filled = st.marker not in _LINE_MARKERS
        ax.scatter(days, np.full(len(days), row), s=60 if filled else 70, marker=st.marker, color=st.color,
                   ec="black" if filled else None, lw=0.4 if filled else 1.6, zorder=3)  # fmt: skip
    ax.set_yticks(range(len(kinds)), [style.kind_name(k) for k in kinds], fontsize=style.TICK_SIZE)
    ax.set_ylim(len(kinds) - 0.5, -0.5)
    ax.grid(axis="y", color="#eeeeee", lw=0.8)
    if not kinds:
        ax.text(0.5, 0.5, "no decided signals", transform=ax.transAxes, ha="center", va="center",
                fontsize=style.NOTE_SIZE, color=style.GREY)  # fmt: skip
    ax.set_title("signals the rules decided", fontsize=style.LABEL_SIZE, loc="left")


def tension_figure(events: pd.DataFrame, steps: pd.DataFrame, crisis_threshold: float, title: str = "",
                   runs: Sequence[pd.DataFrame] | None = None) -> Figure:  # fmt: skip
    """Tension and directed hostility over time: the scripted events named above, the decided signals in rows below.

    Args:
        events, steps: The run's two tables.
        crisis_threshold: Drawn as a dashed line.
        title: The figure's title.
        runs: Steps tables of several runs of the same config (seeds): their 10-90% band and median of
            each line are drawn behind the run's own (:func:`sim.outputs.figure_parts.seed_band`).
    """
    decided = events[~events["scripted"]]
    n_kinds = decided["kind"].nunique()
    fig = Figure(figsize=(14, 8.1 + 0.24 * n_kinds), layout="constrained")
    grid = fig.add_gridspec(3, 1, height_ratios=[2.0, 4.2, 0.5 + 0.26 * max(n_kinds, 1)])
    ax = fig.add_subplot(grid[1])
    strip, rows = fig.add_subplot(grid[0], sharex=ax), fig.add_subplot(grid[2], sharex=ax)
    tcol = columns.tension_column(steps.columns)
    a, b = columns.parse(tcol).actors
    dates = _dates(steps)
    na, nb = style.actor_name(a), style.actor_name(b)
    lines = ((tcol, style.BLACK, 2.4, f"tension {na}-{nb} (their mean)"),
             (columns.hostility(a, b), style.ACTOR_COLORS.get(a, style.BLUE), 1.3, f"hostility {na} → {nb}"),
             (columns.hostility(b, a), style.ACTOR_COLORS.get(b, style.VERMILLION), 1.3, f"hostility {nb} → {na}"))
    for col, color, lw, label in lines:
        main = col == tcol
        _band(ax, steps, runs, col, color, 0.25 if main else 0.12, band_label(len(runs)) if runs and main else None)
        ax.plot(dates, steps[col], color=color, lw=lw, label=label, zorder=4 if main else 3)
    ax.axhline(crisis_threshold, color=style.GREY, ls="--", lw=1, label=f"crisis threshold ({crisis_threshold:g})")
    scripted = events[events["scripted"]]
    for _, ev in scripted.iterrows():
        quiet = ev["kind"] in _QUIET_SCRIPTED
        for target in (ax, rows):
            target.axvline(ev["date"], color=style.GREY if quiet else style.ORANGE, lw=0.7 if quiet else 0.8,
                           ls=":" if quiet else "-", alpha=0.45 if quiet else 0.5, zorder=1)  # fmt: skip
    handles, _ = ax.get_legend_handles_labels()
    handles += [Line2D([], [], color=style.ORANGE, lw=0.8, alpha=0.6, label="scripted event (named above)"),
                Line2D([], [], color=style.GREY, lw=0.8, ls=":", alpha=0.6,
                       label="meeting request or appointment")]  # fmt: skip
    legend_outside(ax, handles=handles)
    ax.set_ylim(0, 1)
    ax.set_ylabel("0 = calm, 1 = maximal hostility", fontsize=style.LABEL_SIZE)
    ax.tick_params(labelsize=style.TICK_SIZE, labelbottom=False)
    first, last = mdates.date2num(pd.Timestamp(dates[0])), mdates.date2num(pd.Timestamp(dates[-1]))
    _event_strip(strip, scripted, first, last, width_in=10.0)
    _decided_rows(rows, decided)
    rows.set_xlim(first - 5, last + 5)
    rows.xaxis.set_major_formatter(_DATE_FORMAT)
    rows.tick_params(axis="x", labelsize=style.TICK_SIZE)
    fig.suptitle(title or "Tension over time", fontsize=style.TITLE_SIZE)
    return fig


def hostility_figure(steps: pd.DataFrame, title: str = "", runs: Sequence[pd.DataFrame] | None = None) -> Figure:
    """Each pole government's hostility towards the other, one panel each: a line per issue area and
    the aggregate (their maximum, the hostility that enters tension) drawn thick behind them; with ``runs``
    (several seeds), the aggregate's 10-90% band and median."""
    tcol = columns.tension_column(steps.columns)
    a, b = columns.parse(tcol).actors
    fig = Figure(figsize=(13, 6.5), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True, sharey=True)
    dates = _dates(steps)
    for ax, (holder, towards) in zip(axes, ((a, b), (b, a))):
        aggregate = columns.hostility(holder, towards)
        _band(ax, steps, runs, aggregate, style.GREY, 0.25, band_label(len(runs)) if runs else None)
        ax.plot(dates, steps[aggregate], color=style.BLACK, lw=4, alpha=0.2, label="aggregate (max over areas)")
        for area, col in columns.areas_of(steps.columns, holder, towards).items():
            ax.plot(dates, steps[col], color=style.AREA_COLORS.get(area, style.GREY), lw=1.4, label=area)
        ax.set_ylim(0, 1)
        ax.set_ylabel(f"{style.actor_name(holder)} → {style.actor_name(towards)}", fontsize=style.LABEL_SIZE)
        ax.tick_params(labelsize=style.TICK_SIZE)
        ax.xaxis.set_major_formatter(_DATE_FORMAT)
    legend_outside(axes[0])
    axes[0].set_title("hostility: 0 = calm, 1 = maximal", fontsize=style.LABEL_SIZE, loc="left")
    fig.suptitle(title or "Hostility by issue area", fontsize=style.TITLE_SIZE)
    return fig


def _documented_codes(documented: Sequence[Any], channel: str, days: pd.DatetimeIndex) -> np.ndarray:
    """Per day, 1 where the record shows ``channel`` suspended, else 0."""
    out = np.zeros(len(days), dtype=np.int8)
    for s in documented:
        if s.channel == channel:
            out[(days >= s.start) & ((days < s.end) if s.end is not None else True)] = 1
    return out


def channel_figure(events: pd.DataFrame, steps: pd.DataFrame, title: str = "",
                   documented: Sequence[Any] | None = None) -> Figure:  # fmt: skip
    """Gantt-style bars of each dialogue channel (named in words): open, suspended or not founded yet.

    With ``documented`` (the record's suspensions: objects with ``channel``, ``start`` and ``end``,
    ``end`` None while still suspended), a thinner bar under each channel (named on the right)
    shows what the record documents over the same days, beside what the run simulated.
    """
    cols = columns.of(steps.columns, columns.CHANNEL)
    per_row = 0.78 if documented is not None else 0.5
    fig = Figure(figsize=(13, per_row * len(cols) + 1.9), layout="constrained")
    ax = fig.add_subplot()
    start = mdates.date2num(pd.Timestamp(steps["date"].iloc[0]))
    days = pd.DatetimeIndex(steps["date"])
    seen = set()
    for row, col in enumerate(cols):
        codes = suspended_mask(steps[col]).astype(np.int8)
        codes[(steps[col].astype(str) == "absent").to_numpy()] = 2
        seen |= {_STATUSES[c] for c in np.unique(codes)}
        if documented is None:
            status_bars(ax, start, codes, row, 0.7, _STATUSES)
            continue
        status_bars(ax, start, codes, row - 0.14, 0.44, _STATUSES)
        doc = _documented_codes(documented, columns.channel_name(col), days)
        seen |= {_STATUSES[c] for c in np.unique(doc)}
        status_bars(ax, start, doc, row + 0.27, 0.22, _STATUSES)
    ax.set_yticks(range(len(cols)), [style.channel_name(columns.channel_name(c)) for c in cols],
                  fontsize=style.TICK_SIZE)  # fmt: skip
    ax.invert_yaxis()
    if documented is not None:  # each bar named on the right: which is the run, which the record
        right = ax.twinx()
        right.set_ylim(ax.get_ylim())
        right.set_yticks([y for r in range(len(cols)) for y in (r - 0.14, r + 0.27)],
                         ["simulated", "documented"] * len(cols), fontsize=style.NOTE_SIZE, color="#424242")  # fmt: skip
        right.tick_params(axis="y", length=0)
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(_DATE_FORMAT)
    ax.tick_params(axis="x", labelsize=style.TICK_SIZE)
    handles = [Patch(color=style.STATUS_COLORS[s], label=style.STATUS_LABELS[s]) for s in _STATUSES if s in seen]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=len(handles),
              fontsize=style.LEGEND_SIZE, frameon=False)  # fmt: skip
    ax.set_title(title or "Dialogue channels", fontsize=style.TITLE_SIZE)
    return fig


def alignment_figure(steps: pd.DataFrame, title: str = "", runs: Sequence[pd.DataFrame] | None = None) -> Figure:
    """Each regional state's alignment as its change since the first day, one panel per state on its own
    scale (the shifts are small against the -1..+1 range); with ``runs`` (seeds), their band and median."""
    cols = columns.of(steps.columns, columns.ALIGNMENT)
    fig = Figure(figsize=(13, 1.45 * max(len(cols), 1) + 1.2), layout="constrained")
    axes = fig.subplots(max(len(cols), 1), 1, sharex=True, squeeze=False)[:, 0]
    colors = style.region_colors([columns.actor_of(c) for c in cols])
    dates = _dates(steps)
    for ax, col in zip(axes, cols):
        code = columns.actor_of(col)
        series = steps[col].to_numpy(dtype=float)
        change = series - series[0]
        shown = [change]
        if runs is not None and len(runs) >= 2:
            moved = [st.assign(**{col: st[col] - st[col].iloc[0]}) for st in runs]
            shown.append(np.vstack(seed_band(moved, col)))
            _band(ax, steps, moved, col, colors[code], 0.2)
        ax.plot(dates, change, color=colors[code], lw=1.8)
        ax.axhline(0, color=style.GREY, lw=0.8)
        low, high = float(np.min([s.min() for s in shown])), float(np.max([s.max() for s in shown]))
        half = max((high - low) / 2 * 1.15, 0.005)  # at least +-0.005: a state that barely moves stays flat
        mid = (high + low) / 2
        ax.set_ylim(mid - half, mid + half)
        ax.set_ylabel(f"{style.actor_name(code)}\n(start {series[0]:+.2f})", rotation=0, ha="right", va="center",
                      fontsize=style.LABEL_SIZE)  # fmt: skip
        ax.tick_params(labelsize=style.TICK_SIZE)
        ax.grid(axis="y", color="#eeeeee", lw=0.8)
    axes[-1].xaxis.set_major_formatter(_DATE_FORMAT)
    shaded = f"; shaded: {band_label(len(runs))}" if runs is not None and len(runs) >= 2 else ""
    axes[0].set_title("change since the first day (+ towards the US, - towards China); each state on its own "
                      f"scale{shaded}", fontsize=style.LABEL_SIZE, loc="left")  # fmt: skip
    fig.suptitle(title or "Regional alignment", fontsize=style.TITLE_SIZE)
    return fig


def write_figures(events: pd.DataFrame, steps: pd.DataFrame, crisis_threshold: float, folder: Path, label: str = "",
                  runs: Sequence[pd.DataFrame] | None = None, documented: Sequence[Any] | None = None) -> None:  # fmt: skip
    """Draw every run figure into ``folder`` as PNG (``runs``: several seeds' steps tables for bands;
    ``documented``: the record's channel suspensions, drawn beside the simulated channels)."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = f" ({label})" if label else ""
    figures = {
        "tension.png": lambda: tension_figure(events, steps, crisis_threshold, "Tension over time" + suffix, runs),
        "hostility.png": lambda: hostility_figure(steps, "Hostility by issue area" + suffix, runs),
        "channels.png": lambda: channel_figure(events, steps, "Dialogue channels" + suffix, documented),
        "alignment.png": lambda: alignment_figure(steps, "Regional alignment" + suffix, runs),
    }
    for name, draw in figures.items():  # one figure in memory at a time
        draw().savefig(folder / name, dpi=110)
