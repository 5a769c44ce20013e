"""Scenario fields, one checker each: text, dates (to the day or the month), actors, numbers,
the facts an event states and the situation at the start.

Each checker takes the value, the source (the file) and the field's dotted name, and returns
the value checked or raises :class:`~sim.core.errors.SimInputError` naming all three;
:mod:`sim.core.scenario` puts them together into a :class:`~sim.core.scenario.Scenario`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sim.core.errors import SimInputError
from sim.core.event_facts import CHOICES, FIELD_KINDS, EventFacts
from sim.core.vocabulary import AREAS, load_vocabulary

# Dates outside this range are refused: the event log uses nanosecond timestamps.
_FIRST_DATE, _LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
FACT_KEYS = tuple(FIELD_KINDS)
"""The event fields that state facts (each only on the kinds of :data:`~sim.core.event_facts.FIELD_KINDS`)."""
STATUSES_AT_START = ("suspended", "absent")
"""What ``channels_at_start`` may say of a channel (every channel it does not list is open)."""
_CHANNEL_KEYS = {"channel", "status", "by", "source"}
_HOSTILITY_KEYS = {"holder", "towards", "area", "value", "source"}
_NUMBERS = {"tariff_rate_pct": (0.0, 1000.0), "coverage_usd_bn": (0.0, 1e5)}
_LISTS = ("reopens", "launches")


@dataclass(frozen=True, slots=True)
class ChannelAtStart:
    """A channel that is not open on the first day: ``suspended`` by the government ``by``, or
    ``absent`` (not founded yet: an event that ``launches`` it opens it; ``by`` is "")."""

    channel: str
    status: str
    by: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class HostilityAtStart:
    """A grievance the government ``holder`` holds at the start towards ``towards`` in ``area``."""

    holder: str
    towards: str
    area: str
    value: float
    source: str = ""


def no_unknown_fields(d: dict, allowed: set[str], src: str, prefix: str) -> None:
    for k, v in d.items():
        if k not in allowed:
            raise SimInputError(src, f"{prefix}{k}", v, f"unknown field (allowed: {', '.join(sorted(allowed))})")


def list_field(v: Any, src: str, field: str) -> list:
    if v is None:
        return []
    if not isinstance(v, list):
        raise SimInputError(src, field, v, "must be a list")
    return v


def text_field(v: Any, src: str, field: str) -> str:
    if v is None:
        return ""
    if not isinstance(v, (str, int, float)) or isinstance(v, bool):
        raise SimInputError(src, field, v, "must be text")
    return str(v)


def _in_range(date: dt.date, src: str, field: str) -> dt.date:
    if not _FIRST_DATE <= date <= _LAST_DATE:
        raise SimInputError(src, field, str(date), f"must lie between {_FIRST_DATE} and {_LAST_DATE}")
    return date


def date_field(v: Any, src: str, field: str) -> dt.date:
    """A day, ``YYYY-MM-DD``."""
    date = None
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        date = v
    elif isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        try:
            date = dt.date.fromisoformat(v)
        except ValueError:
            pass
    if date is None:
        raise SimInputError(src, field, v, "must be a date written YYYY-MM-DD")
    return _in_range(date, src, field)


_DATE_FORMS = "must be a date written YYYY-MM-DD, YYYY-MM for a month, or YYYY-MM-DD..YYYY-MM-DD for a span"


def event_date_field(v: Any, src: str, field: str) -> tuple[dt.date, str, dt.date]:
    """An event's date with its precision and its last possible day: a day (``YYYY-MM-DD``), a month
    (``YYYY-MM``: its first and last day) or a span the record bounds the day to
    (``YYYY-MM-DD..YYYY-MM-DD``, at most a year)."""
    if isinstance(v, str) and (m := re.fullmatch(r"(\d{4})-(\d{2})", v)):
        if not 1 <= int(m[2]) <= 12:
            raise SimInputError(src, field, v, _DATE_FORMS)
        first = _in_range(dt.date(int(m[1]), int(m[2]), 1), src, field)
        return first, "month", first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if isinstance(v, str) and ".." in v:
        parts = v.split("..")
        try:
            first, last = (date_field(p.strip(), src, field) for p in parts) if len(parts) == 2 else (None, None)
        except SimInputError:
            first = last = None
        if first is None or last is None:
            raise SimInputError(src, field, v, _DATE_FORMS)
        if not first < last <= first + dt.timedelta(days=366):
            raise SimInputError(src, field, v, "a span must end after it begins and last at most a year")
        return first, "span", last
    try:
        day = date_field(v, src, field)
    except SimInputError as e:
        if e.problem.startswith("must be a date"):
            raise SimInputError(src, field, v, _DATE_FORMS) from None
        raise
    return day, "day", day


def actor_field(v: Any, src: str, field: str) -> str:
    if not isinstance(v, str) or v not in load_vocabulary().actors:
        raise SimInputError(src, field, v, f"unknown actor (known: {', '.join(load_vocabulary().actors)})")
    return v


def governments() -> tuple[str, ...]:
    """The actors whose role is government (``sim/data/actors.csv``)."""
    return tuple(a for a, spec in load_vocabulary().actors.items() if spec.role == "government")


def government_field(v: Any, src: str, field: str) -> str:
    if not isinstance(v, str) or v not in governments():
        raise SimInputError(src, field, v, f"must be one of the governments ({', '.join(governments())})")
    return v


def number_field(v: Any, src: str, field: str, lo: float, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(v) or not (lo <= v <= hi):
        raise SimInputError(src, field, v, f"must be a number in [{lo:g}, {hi:g}]")
    return float(v)


def _channels(v: Any, src: str, field: str) -> tuple[str, ...]:
    """A list of known channel names, each at most once."""
    known = load_vocabulary().channel_names
    if not isinstance(v, list):
        raise SimInputError(src, field, v, f"must be a list of channels (known: {', '.join(known)})")
    if len(v) > len(known):
        raise SimInputError(src, field, v, f"names at most the {len(known)} channels, each once")
    for j, c in enumerate(v):
        if not isinstance(c, str) or c not in known:
            raise SimInputError(src, f"{field}[{j}]", c, f"unknown channel (known: {', '.join(known)})")
        if c in v[:j]:
            raise SimInputError(src, f"{field}[{j}]", c, f"is named twice (also {field}[{v.index(c)}])")
    return tuple(v)


def event_facts(e: dict, kind: str, sides: tuple[str, str], size: tuple[float | None, str], src: str,
                f: str) -> tuple[EventFacts, bool]:  # fmt: skip
    """The facts event ``e`` states, and whether it is planned.

    ``kind``, ``sides`` (sender, receiver) and ``size`` (magnitude, unit) are the event's own
    fields, checked already; ``f`` names the event in errors (``events[3]``).
    """
    for name in FACT_KEYS:
        if name in e and kind not in FIELD_KINDS[name]:
            kinds = ", ".join(FIELD_KINDS[name])
            raise SimInputError(src, f"{f}.{name}", e[name],
                                f"only {kinds} events state a {name} (this event's kind: {kind})")  # fmt: skip
    stated: dict[str, Any] = {}
    for name, values in CHOICES.items():
        if name in e:
            if not isinstance(e[name], str) or e[name] not in values:
                raise SimInputError(src, f"{f}.{name}", e[name], f"must be one of {', '.join(values)}")
            stated[name] = e[name]
    for name in _LISTS:
        if name in e:
            stated[name] = _channels(e[name], src, f"{f}.{name}")
    for c in set(stated.get("reopens", ())) & set(stated.get("launches", ())):
        raise SimInputError(src, f"{f}.launches", list(stated["launches"]),
                            f"channel {c} cannot be both reopened and founded by one event")  # fmt: skip
    if stated.get("launches") and set(sides) != set(governments()):  # channels run between the two governments
        raise SimInputError(src, f"{f}.launches", list(stated["launches"]),
                            f"only an engagement between the governments {' and '.join(governments())} founds a "
                            f"channel ({'->'.join(sides)} does not)")  # fmt: skip
    for name, (lo, hi) in _NUMBERS.items():
        if name in e:
            stated[name] = number_field(e[name], src, f"{f}.{name}", lo, hi)
    magnitude, unit = size
    if magnitude is not None and unit == "usd_bn":
        stated["value_usd_bn"] = magnitude
    if kind == "arms_sale" and magnitude is not None:
        if unit != "usd_bn":
            raise SimInputError(src, f"{f}.unit", e.get("unit"),
                                "an arms_sale's magnitude is its value: unit must be usd_bn (billions of US dollars)")  # fmt: skip
        if magnitude <= 0:
            raise SimInputError(src, f"{f}.magnitude", e.get("magnitude"), "an arms sale's value must be above 0")
    planned = e.get("planned", False)
    if not isinstance(planned, bool):
        raise SimInputError(src, f"{f}.planned", planned, "must be true or false")
    if planned:
        for side, actor in zip(("sender", "receiver"), sides):
            if actor not in governments():
                raise SimInputError(src, f"{f}.planned", planned, f"a planned {kind} must be between the governments "
                                    f"{' and '.join(governments())} ({side} is {actor})")  # fmt: skip
    return EventFacts(**stated), planned


def _mappings(v: Any, src: str, field: str, most: int, what: str, keys: set[str], shape: str) -> list[tuple[str, dict]]:
    """The entries of a top-level list of mappings, with their field names: at most ``most``, each a
    mapping of ``keys`` only (the list's size is bounded: scenario files are data)."""
    items = list_field(v, src, field)
    if len(items) > most:
        raise SimInputError(src, field, f"{len(items)} entries", f"lists at most {what}")
    out = []
    for i, item in enumerate(items):
        f = f"{field}[{i}]"
        if not isinstance(item, dict):
            raise SimInputError(src, f, item, f"must be a mapping {shape}")
        no_unknown_fields(item, keys, src, f + ".")
        out.append((f, item))
    return out


def channels_at_start(v: Any, src: str) -> tuple[ChannelAtStart, ...]:
    """The ``channels_at_start`` list: each channel at most once."""
    out: list[ChannelAtStart] = []
    known = load_vocabulary().channel_names
    items = _mappings(v, src, "channels_at_start", len(known), f"the {len(known)} channels, each once", _CHANNEL_KEYS,
                      "{channel, status, by, source}")  # fmt: skip
    for f, c in items:
        name = c.get("channel")
        if not isinstance(name, str) or name not in known:
            raise SimInputError(src, f + ".channel", name, f"unknown channel (known: {', '.join(known)})")
        if any(o.channel == name for o in out):
            earlier = next(j for j, o in enumerate(out) if o.channel == name)
            raise SimInputError(src, f + ".channel", name, f"is listed twice (also channels_at_start[{earlier}])")
        status = c.get("status")
        if status not in STATUSES_AT_START:
            raise SimInputError(src, f + ".status", status, f"must be one of {', '.join(STATUSES_AT_START)}")
        by = ""
        if status == "suspended":
            by = government_field(c.get("by"), src, f + ".by")
        elif "by" in c:
            raise SimInputError(src, f + ".by", c["by"], "only a suspended channel names who suspended it")
        out.append(ChannelAtStart(name, status, by, text_field(c.get("source"), src, f + ".source")))
    return tuple(out)


def hostility_at_start(v: Any, src: str) -> tuple[HostilityAtStart, ...]:
    """The ``hostility_at_start`` list: each (holder, towards, area) at most once."""
    out: list[HostilityAtStart] = []
    most = len(governments()) * (len(load_vocabulary().actors) - 1) * len(AREAS)
    items = _mappings(v, src, "hostility_at_start", most, f"{most} grievances (one per holder, actor and area)",
                      _HOSTILITY_KEYS, "{holder, towards, area, value, source}")  # fmt: skip
    for f, h in items:
        holder = government_field(h.get("holder"), src, f + ".holder")
        towards = actor_field(h.get("towards"), src, f + ".towards")
        if towards == holder:
            raise SimInputError(src, f + ".towards", towards, "a government holds no grievance towards itself")
        area = h.get("area")
        if area not in AREAS:
            raise SimInputError(src, f + ".area", area, f"must be one of the issue areas {', '.join(AREAS)}")
        key = (holder, towards, area)
        if any((o.holder, o.towards, o.area) == key for o in out):
            earlier = next(j for j, o in enumerate(out) if (o.holder, o.towards, o.area) == key)
            raise SimInputError(src, f, dict(zip(("holder", "towards", "area"), key)),
                                f"is listed twice (also hostility_at_start[{earlier}])")  # fmt: skip
        value = number_field(h.get("value"), src, f + ".value", 0.0, 1.0)
        out.append(HostilityAtStart(holder, towards, area, value, text_field(h.get("source"), src, f + ".source")))
    return tuple(out)


def check_launches(launches: Iterable[tuple[str, tuple[str, ...]]], at_start: tuple[ChannelAtStart, ...],
                   src: str) -> None:  # fmt: skip
    """Every channel an event founds (``(field prefix, launches)`` in file order) is absent at the
    start, and is founded once."""
    absent = {c.channel for c in at_start if c.status == "absent"}
    founded: dict[str, str] = {}
    for f, channels in launches:
        for j, c in enumerate(channels):
            if c not in absent:
                raise SimInputError(src, f"{f}.launches[{j}]", c, "founds a channel that exists at the start "
                                    "(list it in channels_at_start with status absent)")  # fmt: skip
            if c in founded:
                raise SimInputError(src, f"{f}.launches[{j}]", c, f"founds a channel {founded[c]} founds already")
            founded[c] = f
