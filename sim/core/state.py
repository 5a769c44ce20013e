"""Continuous agent state that relaxes towards a baseline between signals.

Hostility, trust, domestic pressure and alignment all follow the same law:
between shocks a variable decays exponentially towards its baseline,
``x(t) = b + (x(t0) - b) * exp(-(t - t0) / tau)``. Because the law is closed
form, the model only does work on days when something happens and rebuilds
the daily series afterwards in one vectorised pass (see :meth:`daily`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

import numpy as np


class RelaxingState:
    """A set of named scalar variables, each with a baseline and a time constant.

    Args:
        names: Variable keys (any hashable; agents use ``(quantity, other actor)``).
        initial: Value of each variable on day 0.
        baselines: Value each variable relaxes towards.
        taus: Relaxation time constant in days (``math.inf`` for none).
        lo: Lower bound every value is clipped to.
        hi: Upper bound every value is clipped to.
    """

    __slots__ = ("_base", "_last", "_log", "_tau", "_value", "hi", "index", "lo", "names")

    def __init__(
        self,
        names: Sequence[Hashable],
        initial: Sequence[float],
        baselines: Sequence[float],
        taus: Sequence[float],
        lo: float,
        hi: float,
    ) -> None:
        self.names = list(names)
        self.index = {n: i for i, n in enumerate(self.names)}
        self._value = [float(v) for v in initial]
        self._base = [float(b) for b in baselines]
        self._tau = [float(t) for t in taus]
        self._last = [0] * len(self.names)
        self.lo, self.hi = lo, hi
        # Change log: (day, variable, value after the change), in time order.
        self._log: list[tuple[int, int, float]] = [(0, i, v) for i, v in enumerate(self._value)]

    def get(self, name: Hashable, day: int) -> float:
        """Value of ``name`` at the end of ``day`` (given no later shocks)."""
        i = self.index[name]
        dt = day - self._last[i]
        base = self._base[i]
        if dt == 0:
            return self._value[i]
        return base + (self._value[i] - base) * math.exp(-dt / self._tau[i])

    def shock(self, name: Hashable, day: int, delta: float) -> float:
        """Add ``delta`` on ``day`` (clipped to the bounds) and return the new value."""
        v = min(self.hi, max(self.lo, self.get(name, day) + delta))
        i = self.index[name]
        self._value[i] = v
        self._last[i] = day
        self._log.append((day, i, v))
        return v

    def daily(self, n_days: int) -> np.ndarray:
        """Return an ``(n_days, n_vars)`` array of end-of-day values."""
        return self.daily_of_many(self.names, n_days)

    def daily_of(self, name: Hashable, n_days: int) -> np.ndarray:
        """End-of-day values of one variable."""
        return self.daily_of_many([name], n_days)[:, 0]

    def daily_of_many(self, names: Sequence[Hashable], n_days: int) -> np.ndarray:
        """End-of-day values of several variables, an ``(n_days, len(names))`` array."""
        log = np.array(self._log, dtype=float).reshape(-1, 3)
        # Group the log by variable once; a stable sort keeps each variable's changes in time order.
        log = log[np.argsort(log[:, 1], kind="stable")]
        bounds = np.searchsorted(log[:, 1], np.arange(len(self.names) + 1), side="left")
        out = np.empty((n_days, len(names)))
        for j, name in enumerate(names):
            i = self.index[name]
            out[:, j] = self._series(log[bounds[i] : bounds[i + 1]], i, n_days)
        return out

    def _series(self, rows: np.ndarray, i: int, n_days: int) -> np.ndarray:
        d, v = rows[:, 0], rows[:, 2]
        days = np.arange(n_days)
        # Last change on or before each day; the log is in time order, so
        # 'right' picks the final value of a day with several shocks.
        k = np.searchsorted(d, days, side="right") - 1
        base, tau = self._base[i], self._tau[i]
        return base + (v[k] - base) * np.exp(-(days - d[k]) / tau)
