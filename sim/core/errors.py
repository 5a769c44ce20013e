"""Errors a user can cause, each rendered as one line naming file, field and value.

A value is quoted as ``repr`` shows it, cut to :data:`MAX_SHOWN` characters with ``...`` and its size when
longer (:func:`shown`), so a long string, a huge list or an alias-expanded YAML tree stays one short line.
"""

from __future__ import annotations

import reprlib


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
        super().__init__(f"{source}: {field}={shown(value)}: {problem}")


MAX_SHOWN = 80
"""The most characters of a value an error message quotes; a longer one is cut, with ``...`` and its size."""
_SMALL = 200  # elements and characters a value may hold and still be repr'd whole (cheaply) before cutting

_BOUNDED = reprlib.Repr()  # for big values: a repr that never walks more than a few elements of each level
_BOUNDED.maxlevel, _BOUNDED.maxstring, _BOUNDED.maxother = 3, MAX_SHOWN, MAX_SHOWN
_BOUNDED.maxlist = _BOUNDED.maxtuple = _BOUNDED.maxdict = _BOUNDED.maxset = _BOUNDED.maxfrozenset = 8


def shown(value: object) -> str:
    """``repr(value)``, or its first :data:`MAX_SHOWN` characters, ``...`` and the value's size if longer."""
    if isinstance(value, int) and value.bit_length() > 14_000:  # Python refuses to print ints past 4300 digits
        return f"<an integer of about {int(value.bit_length() * 0.30103) + 1:,} digits>"
    whole = _small(value)
    text = repr(value) if whole else _BOUNDED.repr(value)
    if whole and len(text) <= MAX_SHOWN:
        return text
    if isinstance(value, (str, bytes)):
        size = f"{len(value):,} characters"
    elif isinstance(value, (list, tuple, dict, set, frozenset)):
        size = f"{len(value):,} items"
    elif isinstance(value, int):
        size = f"{len(text):,} digits"
    else:
        size = f"{len(text):,} characters"
    return f"{text[:MAX_SHOWN]}... ({size})"


def _small(value: object) -> bool:
    """Whether ``value`` holds at most :data:`_SMALL` elements and characters in all (stops counting past it)."""
    budget, todo = _SMALL, [value]
    while todo:
        v = todo.pop()
        if isinstance(v, (str, bytes)):
            budget -= len(v)
        elif isinstance(v, dict):
            budget -= len(v)
            todo += [*v.keys(), *v.values()] if len(v) <= _SMALL else []
        elif isinstance(v, (list, tuple, set, frozenset)):
            budget -= len(v)
            todo += list(v) if len(v) <= _SMALL else []
        budget -= 1
        if budget < 0:
            return False
    return True


class ParameterError(ValueError):
    """A rule or agent parameter out of its allowed range.

    Raised by constructors, which do not know the config path; the entry point
    re-raises it as :class:`SimInputError` with the path filled in.
    """

    def __init__(self, name: str, value: object, problem: str) -> None:
        self.name = name
        self.value = value
        self.problem = problem
        super().__init__(f"{name}={shown(value)}: {problem}")


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
