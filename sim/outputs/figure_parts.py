"""Pieces the run figures (:mod:`sim.outputs.figures`) are drawn with: bands over seeds, label
placement, status bars and legends kept off the data.

* :func:`seed_band`: per day, the median and the 10-90% quantiles of one column over several
  runs of one config (seeds), the band a figure draws behind its run's line;
* :func:`spread`: positions for labels of events that may lie close together, each at least
  a label's width from the next and as near its event as the others allow;
* :func:`status_bars`: Gantt bars of a channel's status, one colour per status
  (:data:`sim.outputs.style.STATUS_COLORS`);
* :func:`legend_outside`: a legend to the right of an axes, outside its data area.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.outputs import style

BAND = (0.1, 0.9)
"""The quantiles of the band over seeds: the middle 80% of runs."""


def seed_band(runs: Sequence[pd.DataFrame], column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 10% quantile, median and 90% quantile, per day, of ``column`` over the steps tables ``runs``.

    Raises:
        ValueError: fewer than two runs, or runs of different lengths (not runs of one scenario).
    """
    if len(runs) < 2:
        raise ValueError(f"a band over seeds needs the steps tables of two runs or more, got {len(runs)}")
    if len({len(st) for st in runs}) != 1:
        raise ValueError("a band over seeds needs runs of one scenario: the steps tables differ in length")
    values = np.vstack([st[column].to_numpy(dtype=float) for st in runs])
    low, mid, high = np.quantile(values, [BAND[0], 0.5, BAND[1]], axis=0)
    return low, mid, high


def band_label(n: int) -> str:
    """The legend entry of a band over ``n`` runs."""
    return f"{BAND[0]:.0%}-{BAND[1]:.0%} of {n} seeds (median dashed)"


def spread(xs: Sequence[float], gap: float, high: float) -> np.ndarray:
    """Positions for labels of events at sorted ``xs``: each at least ``gap`` after the one before, as
    near its event as that allows, and none beyond ``high`` (a crowd at the end is pushed back left)."""
    pos = np.array(xs, dtype=float)
    for i in range(1, len(pos)):
        pos[i] = max(pos[i], pos[i - 1] + gap)
    if len(pos) and pos[-1] > high:
        pos[-1] = high
        for i in range(len(pos) - 2, -1, -1):
            pos[i] = min(pos[i], pos[i + 1] - gap)
    return pos


def status_bars(ax, start: float, codes: np.ndarray, y: float, height: float, statuses: Sequence[str], **kw) -> None:
    """Gantt bars from date number ``start``: each run of equal ``codes`` (indices into ``statuses``) in its colour."""
    edges = np.flatnonzero(np.diff(np.concatenate(([-1], codes, [-1]))) != 0)
    for s, e in itertools.pairwise(edges):
        ax.broken_barh([(start + s, e - s)], (y - height / 2, height), color=style.STATUS_COLORS[statuses[codes[s]]], **kw)


def legend_outside(ax, **kw):
    """The axes' legend to the right of its data area (constrained layout makes room for it)."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=style.LEGEND_SIZE,
                     title_fontsize=style.LEGEND_SIZE, **kw)  # fmt: skip
