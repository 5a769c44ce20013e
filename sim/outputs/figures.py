"""Figures of one run: tension with events marked, hostility by issue area, channel status, regional alignment.

Uses matplotlib's object API (``Figure``) so that drawing never touches
pyplot's global state or the display backend.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.outputs import columns
from sim.outputs.metrics import suspended_mask

_KIND_COLORS = {
    "rhetoric_condemnation": "#9e9e9e",
    "sanction": "#8e24aa",
    "export_control": "#283593",
    "military_drill": "#d32f2f",
    "interception": "#b71c1c",
    "surveillance_incident": "#e65100",
    "channel_suspension": "#000000",
    "meeting_rejection": "#5d4037",
    "channel_resumption": "#2e7d32",
    "ministerial_meeting": "#00897b",
    "defense_cooperation": "#1565c0",
}


_QUIET_SCRIPTED = {"meeting_request", "personnel_change"}

# A channel's status by code: open, suspended, absent (not founded yet).
_STATUS_COLORS = ("#66bb6a", "#c62828", "#cfcfcf")
# One colour per issue area (sim.core.vocabulary.AREAS) in the hostility figure.
_AREA_COLORS = {"security": "#c62828", "economy": "#2e7d32", "diplomacy": "#1565c0"}


def _dates(steps: pd.DataFrame) -> np.ndarray:
    return steps["date"].to_numpy()


def tension_figure(events: pd.DataFrame, steps: pd.DataFrame, crisis_threshold: float, title: str = "") -> Figure:
    """Tension and directed hostility over time; scripted triggers as lines, responses as markers."""
    fig = Figure(figsize=(12, 5.5), layout="constrained")
    ax = fig.add_subplot()
    tcol = columns.tension_column(steps.columns)
    a, b = columns.parse(tcol).actors
    dates = _dates(steps)
    ax.plot(dates, steps[tcol], color="black", lw=2, label=f"tension {a}-{b}")
    ax.plot(dates, steps[columns.hostility(a, b)], color="#1f77b4", lw=1, alpha=0.8, label=f"hostility {a}→{b}")
    ax.plot(dates, steps[columns.hostility(b, a)], color="#d62728", lw=1, alpha=0.8, label=f"hostility {b}→{a}")
    ax.axhline(crisis_threshold, color="grey", ls="--", lw=1, label="crisis threshold")
    scripted = events[events["scripted"]]
    for _, ev in scripted.iterrows():
        if ev["kind"] in _QUIET_SCRIPTED:  # venues and appointments: a faint line, no label
            ax.axvline(ev["date"], color="#9e9e9e", lw=0.6, ls=":", alpha=0.8)
            continue
        ax.axvline(ev["date"], color="#ff9800", lw=0.8, alpha=0.6)
        ax.text(ev["date"], 1.01, f"{ev['sender']}→{ev['receiver']} {ev['kind'].replace('_', ' ')}", rotation=90,
                fontsize=6, va="bottom", ha="center", transform=ax.get_xaxis_transform())  # fmt: skip
    decided = events[~events["scripted"]]
    tension_by_day = steps[tcol].to_numpy()
    handles = []
    for kind, group in decided.groupby("kind", sort=True):
        color = _KIND_COLORS.get(kind, "#607d8b")
        ax.scatter(group["date"], tension_by_day[group["step"].to_numpy()], s=18, color=color, zorder=3, ec="white", lw=0.4)
        handles.append(Line2D([], [], marker="o", ls="", color=color, label=kind.replace("_", " ")))
    ax.set_ylim(0, 1)
    ax.set_ylabel("0 = calm, 1 = maximal hostility")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    first = ax.legend(loc="upper left", fontsize=8, title="state", title_fontsize=8)
    ax.add_artist(first)
    if handles:
        ax.legend(handles=handles, loc="upper right", fontsize=7, title="decided signals", title_fontsize=8, ncol=2)
    fig.suptitle(title or "Tension over time")
    ax.set_xlabel("orange: scripted events; dotted: meeting requests at venues and appointments; dots: decided signals")
    return fig


def hostility_figure(steps: pd.DataFrame, title: str = "") -> Figure:
    """Each pole government's hostility towards the other, one panel each: a line per issue area and
    the aggregate (their maximum, the hostility that enters tension) drawn thick behind them."""
    tcol = columns.tension_column(steps.columns)
    a, b = columns.parse(tcol).actors
    fig = Figure(figsize=(12, 6), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True, sharey=True)
    dates = _dates(steps)
    for ax, (holder, towards) in zip(axes, ((a, b), (b, a))):
        ax.plot(dates, steps[columns.hostility(holder, towards)], color="black", lw=4, alpha=0.2,
                label="aggregate (max over areas)")  # fmt: skip
        for area, col in columns.areas_of(steps.columns, holder, towards).items():
            ax.plot(dates, steps[col], color=_AREA_COLORS.get(area, "#607d8b"), lw=1.2, label=area)
        ax.set_ylim(0, 1)
        ax.set_ylabel(f"{holder} → {towards}")
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    axes[0].legend(loc="upper left", fontsize=8, ncol=4)
    axes[0].set_title("hostility: 0 = calm, 1 = maximal", fontsize=9, loc="left")
    fig.suptitle(title or "Hostility by issue area")
    return fig


def channel_figure(events: pd.DataFrame, steps: pd.DataFrame, title: str = "") -> Figure:
    """Gantt-style bars: each channel open (green), suspended (red) or not founded yet (grey) over time."""
    cols = columns.of(steps.columns, columns.CHANNEL)
    fig = Figure(figsize=(12, 0.55 * len(cols) + 1.6), layout="constrained")
    ax = fig.add_subplot()
    start = mdates.date2num(pd.Timestamp(steps["date"].iloc[0]))
    any_absent = False
    for row, col in enumerate(cols):
        state = suspended_mask(steps[col]).astype(np.int8)
        absent = (steps[col].astype(str) == "absent").to_numpy()
        state[absent] = 2
        any_absent |= bool(absent.any())
        edges = np.flatnonzero(np.diff(np.concatenate(([-1], state, [-1]))) != 0)
        for s, e in itertools.pairwise(edges):
            ax.broken_barh([(start + s, e - s)], (row - 0.35, 0.7), color=_STATUS_COLORS[state[s]])
    names = [columns.channel_name(c) for c in cols]
    ax.set_yticks(range(len(cols)), names)
    ax.invert_yaxis()
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    shown = ("open", "suspended", "not founded yet")[: 3 if any_absent else 2]
    ax.legend(handles=[Line2D([], [], color=c, lw=8, label=lbl) for c, lbl in zip(_STATUS_COLORS, shown)],
              loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(shown), fontsize=8)  # fmt: skip
    ax.set_title(title or "Dialogue channels")
    return fig


def alignment_figure(steps: pd.DataFrame, title: str = "") -> Figure:
    """Each regional state's alignment (-1 with China, +1 with the US)."""
    fig = Figure(figsize=(12, 4), layout="constrained")
    ax = fig.add_subplot()
    for col in columns.of(steps.columns, columns.ALIGNMENT):
        ax.plot(_dates(steps), steps[col], lw=1.5, label=columns.actor_of(col))
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylim(-1, 1)
    ax.set_ylabel("← China   alignment   US →")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.legend(loc="lower left", ncol=5, fontsize=8)
    ax.set_title(title or "Regional alignment")
    return fig


def write_figures(events: pd.DataFrame, steps: pd.DataFrame, crisis_threshold: float, folder: Path, label: str = "") -> None:
    """Draw every run figure into ``folder`` as PNG."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = f" ({label})" if label else ""
    figures = {
        "tension.png": tension_figure(events, steps, crisis_threshold, "Tension over time" + suffix),
        "hostility.png": hostility_figure(steps, "Hostility by issue area" + suffix),
        "channels.png": channel_figure(events, steps, "Dialogue channels" + suffix),
        "alignment.png": alignment_figure(steps, "Regional alignment" + suffix),
    }
    for name, fig in figures.items():
        fig.savefig(folder / name, dpi=110)
