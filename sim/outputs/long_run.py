"""The long-run dynamics of unscripted runs: spirals, thaws, stationarity, freezes.

A spiral here is a day on which a government cuts at least one dialogue channel;
a thaw is a day on which it reopens at least one. Over an unscripted run of decades
(scenario ``baseline_30y``) a model whose rules neither explode nor freeze shows
both, at rates that do not drift, and no freeze that never ends.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.core.vocabulary import load_vocabulary

_DECADE = 3652.5  # days


def long_run_table(runs: Sequence[tuple[int, pd.DataFrame, pd.DataFrame]]) -> pd.DataFrame:
    """One row per run: spirals and thaws per decade, tension by decade, the longest freeze.

    Args:
        runs: ``(seed, events, steps)`` of each run (the tables of ``sim.run``).

    Returns:
        Columns ``seed``, ``years``, ``spirals_per_decade`` (days with a cut),
        ``thaws_per_decade`` (days with a reopening), ``cuts``, ``reopenings``,
        ``tension_mean_first``/``tension_mean_last`` (mean tension of the first and last
        third of the run), ``tension_max``, ``longest_shut_days`` (the longest spell of any
        channel), ``shut_at_end`` (channels still suspended on the last day),
        ``alignment_up``/``alignment_down`` (days on which a regional state's alignment was
        pushed further towards the US, or towards China, than where it started, summed over states).
    """
    rows = []
    for seed, ev, st in runs:
        days = len(st)
        decades = days / _DECADE
        cut = ev[ev["kind"] == "channel_suspension"]
        reopen = ev[ev["kind"] == "channel_resumption"]
        tension = st["tension_USA_CHN"].to_numpy(dtype=float)
        third = max(1, days // 3)
        channels = [c for c in st.columns if c.startswith("channel_")]
        longest = 0
        shut = np.zeros((days, len(channels)), dtype=bool)
        for i, c in enumerate(channels):
            shut[:, i] = (st[c].astype(str) == "suspended").to_numpy()
            longest = max(longest, _longest_run(shut[:, i]))
        names = [_channel(c) for c in channels]
        reopened = set(reopen["channel"]) if "channel" in reopen else set()
        never = sum(1 for i, n in enumerate(names) if shut[:, i].any() and n not in reopened)
        up = down = 0
        for c in (c for c in st.columns if c.startswith("alignment_")):
            up_c, down_c = _shocks(st[c].to_numpy(dtype=float))
            up, down = up + up_c, down + down_c
        rows.append({
            "seed": seed, "years": days / 365.25,
            "spirals_per_decade": cut["step"].nunique() / decades,
            "thaws_per_decade": reopen["step"].nunique() / decades,
            "cuts": len(cut), "reopenings": len(reopen),
            "tension_mean_first": float(tension[:third].mean()),
            "tension_mean_last": float(tension[-third:].mean()),
            "tension_max": float(tension.max()),
            "longest_shut_days": int(longest),
            "all_shut_share": float(shut.all(axis=1).mean()) if channels else 0.0,
            "military_shut_share": _military_share(shut, names),
            "never_reopened": int(never),
            "shut_at_end": int(sum(st[c].astype(str).iloc[-1] == "suspended" for c in channels)),
            "alignment_up": up, "alignment_down": down,
        })  # fmt: skip
    return pd.DataFrame(rows)


def _channel(column: str) -> str:
    """The channel of a steps column ``channel_<A>_<B>_<channel>`` (channel names hold underscores)."""
    return column.split("_", 3)[3]


def _military_share(shut: np.ndarray, names: list[str]) -> float:
    spec = load_vocabulary().channels
    military = [i for i, n in enumerate(names) if n in spec and spec[n].military]
    return float(shut[:, military].mean()) if military else 0.0


def _longest_run(flags: np.ndarray) -> int:
    if not flags.any():
        return 0
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return int((ends - starts).max())


def _shocks(series: np.ndarray) -> tuple[int, int]:
    """Days on which a relaxing series was pushed away from where it started, upwards or downwards.

    Between shocks a series only relaxes towards its baseline (its first value in an unscripted
    run), so a day that takes it further from there, above or below, is a shock in that direction.
    """
    base = series[0]
    away = np.abs(series[1:] - base) > np.abs(series[:-1] - base) + 1e-9
    return int((away & (series[1:] > base)).sum()), int((away & (series[1:] < base)).sum())


def long_run_figure(table: pd.DataFrame, tensions: Sequence[pd.DataFrame], path=None):
    """Spirals and thaws per decade over runs (histograms), and the tension of a few runs.

    Args:
        table: :func:`long_run_table`'s table.
        tensions: Steps tables (``date``, ``tension_USA_CHN``) of the runs to plot (a few).
        path: Where to save the figure (PNG), or None to return it only.
    """
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [1, 2]})
    hi = max(table["spirals_per_decade"].max(), table["thaws_per_decade"].max())
    bins = np.linspace(0, hi + 1, 16)
    a.hist(table["spirals_per_decade"], bins=bins, alpha=0.6, color="tab:red", label="spirals (days with a cut)")
    a.hist(table["thaws_per_decade"], bins=bins, alpha=0.6, color="tab:blue", label="thaws (days with a reopening)")
    a.set(xlabel="per decade", ylabel="runs", title=f"{len(table)} unscripted runs of {table['years'].mean():.0f} years")
    a.legend(fontsize=8)
    for st in tensions:
        b.plot(st["date"], st["tension_USA_CHN"], lw=0.6, alpha=0.7)
    b.set(xlabel="date", ylabel="tension", title="tension in the first runs", ylim=(0, 1))
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig
