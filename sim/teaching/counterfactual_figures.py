"""The figure of a counterfactual beside its base (``sim.teaching.counterfactual``).

Three panels sharing the time axis: tension of base and counterfactual (means
with 5-95% bands across seeds, the changed events marked), their paired
difference with its band, and the channels' status as rows coloured by the
share of seeds with the channel suspended, base above counterfactual. Uses
matplotlib's object API (``Figure``), never pyplot's global state.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.teaching.counterfactual_results import CounterfactualResult

BASE_COLOR, CF_COLOR = "#424242", "#1565c0"
REMOVED_COLOR, ADDED_COLOR = "#c62828", "#2e7d32"


def _mark_changes(ax, r: CounterfactualResult, labels: bool) -> None:
    """Vertical lines at the changed events: removed ones red and dashed, added ones green."""
    for events, color, ls, sign in ((r.removed, REMOVED_COLOR, "--", "without"), (r.added, ADDED_COLOR, "-", "with")):
        for e in events:
            ax.axvline(pd.Timestamp(e.date), color=color, ls=ls, lw=1.2)
            if labels:
                ax.text(pd.Timestamp(e.date), 1.01, f"{sign}: {e.sender}→{e.receiver} {e.kind.replace('_', ' ')}",
                        color=color, fontsize=7, rotation=0, ha="left", va="bottom",
                        transform=ax.get_xaxis_transform())  # fmt: skip


def counterfactual_figure(r: CounterfactualResult) -> Figure:
    """Tension base against counterfactual, their difference, and channel status over time."""
    d = r.differences
    t = d[d["variable"] == "tension"]
    dates = t["date"].to_numpy()
    shares = d[d["variable"] == "suspended_share"]
    # Channels suspended in some run of either scenario; the others would be blank rows.
    channels = [c for c, g in shares.groupby("channel", sort=False) if (g["base_mean"] > 0).any() or (g["cf_mean"] > 0).any()]
    fig = Figure(figsize=(12, 8.5 + 0.3 * len(channels)), layout="constrained")
    grid = fig.add_gridspec(3, 1, height_ratios=[3.2, 1.6, 0.6 + 0.32 * max(1, 2 * len(channels))])
    ax_t = fig.add_subplot(grid[0])
    ax_d = fig.add_subplot(grid[1], sharex=ax_t)
    ax_c = fig.add_subplot(grid[2], sharex=ax_t)
    base, cf = r.base_runs.scenario.name, r.name
    threshold = r.base_runs.summaries[0]["crisis_threshold"]

    ax_t.fill_between(dates, t["base_q05"], t["base_q95"], color=BASE_COLOR, alpha=0.18, lw=0)
    ax_t.plot(dates, t["base_mean"], color=BASE_COLOR, lw=1.6, label=f"{base} (mean, 5-95% band)")
    ax_t.fill_between(dates, t["cf_q05"], t["cf_q95"], color=CF_COLOR, alpha=0.18, lw=0)
    ax_t.plot(dates, t["cf_mean"], color=CF_COLOR, lw=1.6, label=f"{cf} (mean, 5-95% band)")
    ax_t.axhline(threshold, color="grey", ls=":", lw=1, label=f"crisis threshold {threshold:g}")
    _mark_changes(ax_t, r, labels=True)
    ax_t.set_ylim(0, 1)
    ax_t.set_ylabel("US-China tension (0..1)")
    ax_t.legend(loc="upper right", fontsize=8)

    ax_d.axvspan(pd.Timestamp(r.period[0]), pd.Timestamp(r.period[1]), color="#fff3e0", zorder=0, label="changed period")
    ax_d.fill_between(dates, t["diff_q05"], t["diff_q95"], color=CF_COLOR, alpha=0.2, lw=0, label="5-95% across seeds")
    ax_d.plot(dates, t["diff_mean"], color=CF_COLOR, lw=1.4, label="mean difference")
    ax_d.axhline(0, color="black", lw=0.8)
    _mark_changes(ax_d, r, labels=False)
    ax_d.set_ylabel("tension,\ncf − base")
    ax_d.legend(loc="upper right", fontsize=7, ncol=3)

    if channels:
        rows, names = [], []
        for c in channels:
            g = shares[shares["channel"] == c]
            rows += [g["base_mean"].to_numpy(), g["cf_mean"].to_numpy()]
            names += [f"{c}: base", f"{c}: cf"]
        x0, x1 = mdates.date2num(pd.Timestamp(dates[0])), mdates.date2num(pd.Timestamp(dates[-1]) + pd.Timedelta(days=1))
        img = ax_c.imshow(np.vstack(rows), aspect="auto", cmap="Reds", vmin=0, vmax=1, interpolation="nearest",
                          extent=(x0, x1, len(rows), 0))  # fmt: skip
        ax_c.set_yticks(np.arange(len(rows)) + 0.5, names, fontsize=8)
        for k in range(2, len(rows), 2):
            ax_c.axhline(k, color="white", lw=2)
        fig.colorbar(img, ax=ax_c, label="share of seeds\nsuspended", fraction=0.03, pad=0.01)
    else:
        ax_c.set_yticks([])
        ax_c.text(0.5, 0.5, "no channel suspended in any run of either scenario", ha="center", va="center",
                  transform=ax_c.transAxes)  # fmt: skip
    _mark_changes(ax_c, r, labels=False)
    ax_c.xaxis_date()
    ax_c.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax_c.set_xlim(pd.Timestamp(dates[0]), pd.Timestamp(dates[-1]))
    for ax in (ax_t, ax_d):
        ax.tick_params(labelbottom=False)
    n = len(r.seeds)
    fig.suptitle(f"Counterfactual {cf} against {base}: {n} seeds, the same seeds and config")
    return fig
