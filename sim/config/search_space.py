"""Parameter search spaces shared by calibration and sensitivity analysis.

Both read a ``params`` mapping (name -> ``{key, low, high, int?, log?}``) from
their config and a list naming which parameters to use.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.core.errors import SimInputError


@dataclass(frozen=True)
class Param:
    """One parameter to vary: a config key and its range (log-scaled if ``log``)."""

    name: str
    key: str
    low: float
    high: float
    integer: bool = False
    log: bool = False

    @property
    def bounds(self) -> list[float]:
        """The range in design coordinates (SALib's and the posterior study's)."""
        return [math.log(self.low), math.log(self.high)] if self.log else [self.low, self.high]

    def value(self, x: float) -> float | int:
        """The model value of design coordinate ``x``."""
        v = math.exp(x) if self.log else float(x)
        return int(round(v)) if self.integer else v


def read_params(use: Sequence[str], space: Mapping[str, Any], source: str, field: str) -> list[Param]:
    """The parameters named in ``use``, checked against the search space.

    Args:
        use: Parameter names, from the config field ``field``.
        space: The ``params`` mapping.
        source: The config file, for error messages.

    Raises:
        SimInputError: an unknown name, a malformed entry, or an empty range.
    """
    if not use or len(set(use)) != len(use):
        raise SimInputError(source, field, list(use), "must name at least one parameter, each once")
    out = []
    for name in use:
        if name not in space:
            raise SimInputError(source, field, name, f"not in params (known: {', '.join(space)})")
        p = space[name]
        if not isinstance(p, Mapping) or not {"key", "low", "high"} <= set(p) <= {"key", "low", "high", "int", "log"}:
            raise SimInputError(source, f"params.{name}", p, "needs key, low, high (and optional int, log)")
        try:
            low, high = float(p["low"]), float(p["high"])
        except (TypeError, ValueError):
            raise SimInputError(source, f"params.{name}", p, "low and high must be numbers") from None
        if not low < high or (p.get("log") and low <= 0):
            raise SimInputError(source, f"params.{name}", p, "needs low < high (and low > 0 if log)")
        out.append(Param(name, str(p["key"]), low, high, bool(p.get("int")), bool(p.get("log"))))
    return out
