"""Errors a user can cause, each rendered as one line naming file, field and value."""

from __future__ import annotations


class SimInputError(ValueError):
    """Bad input: a malformed scenario, an unknown rule, a value out of range.

    Args:
        source: The file (or config path) the bad value came from.
        field: The field within that source, dotted (``events[3].kind``).
        value: The offending value.
        problem: What is wrong with it, phrased to finish the sentence.
    """

    def __init__(self, source: str, field: str, value: object, problem: str) -> None:
        self.source = source
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"{source}: {field}={value!r}: {problem}")


class ParameterError(ValueError):
    """A rule or agent parameter out of its allowed range.

    Raised by constructors, which do not know the config path; the entry point
    re-raises it as :class:`SimInputError` with the path filled in.
    """

    def __init__(self, name: str, value: object, problem: str) -> None:
        self.name = name
        self.value = value
        self.problem = problem
        super().__init__(f"{name}={value!r}: {problem}")


def check_range(name: str, value: float, lo: float | None = None, hi: float | None = None) -> float:
    """Return ``value`` as float if ``lo <= value <= hi``; raise ParameterError otherwise."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(name, value, "must be a number") from None
    if v != v or (lo is not None and v < lo) or (hi is not None and v > hi):
        lo_s = "-inf" if lo is None else f"{lo:g}"
        hi_s = "inf" if hi is None else f"{hi:g}"
        raise ParameterError(name, value, f"must be in [{lo_s}, {hi_s}]")
    return v


def check_lag(name: str, value: object) -> tuple[int, int]:
    """Return a ``(lo, hi)`` day range of non-negative integers with ``lo <= hi``."""
    try:
        lo, hi = (int(x) for x in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ParameterError(name, value, "must be a pair [min_days, max_days]") from None
    if lo < 0 or hi < lo or list(value) != [lo, hi]:  # type: ignore[arg-type]
        raise ParameterError(name, value, "must be whole days with 0 <= min <= max")
    return lo, hi
