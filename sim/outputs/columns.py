"""Every column name of the ``steps`` table, built and parsed here and nowhere else.

The daily table (``sim.outputs.tables.steps_frame``) has, besides ``step`` and
``date``, one column per state variable, named by what it measures and whom:

==============================  =============================================
``tension_A_B``                 tension of the pair A-B (the two poles)
``hostility_A_B``               government A's hostility towards actor B: the
                                aggregate, the maximum over the issue areas
``hostility_A_B_<area>``        government A's hostility towards B in one
                                issue area (``sim.core.vocabulary.AREAS``)
``trust_A_B``                   government A's trust in its rival B
``pressure_A``                  domestic pressure on government A
``channel_A_B_<channel>``       status of a dialogue channel of the pair A-B
``alignment_X``                 regional state X's alignment
==============================  =============================================

A government holds its grievances per issue area; its hostility towards an
actor is its most aggrieved area (the maximum), and the pair's tension is the
mean of the two directed aggregate hostilities.

Actors are ISO3 codes; channel names may hold underscores (``maritime_safety``), so
parsing goes through :func:`parse`, never ``str.split``. Agents in
``sim.core`` key their state by ``(quantity, other actor)``, and hostility by
``(quantity, other actor, area)`` (see :func:`state_column`); only this module
turns such keys into names.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from sim.core.vocabulary import AREAS

TENSION = "tension"
HOSTILITY = "hostility"
TRUST = "trust"
PRESSURE = "pressure"
CHANNEL = "channel"
ALIGNMENT = "alignment"
# How many actor codes follow each quantity's prefix.
_ACTORS = {TENSION: 2, HOSTILITY: 2, TRUST: 2, PRESSURE: 1, CHANNEL: 2, ALIGNMENT: 1}


@dataclass(frozen=True)
class Column:
    """A parsed column name: the quantity, the actors it concerns, the channel (channels only)
    and the issue area (per-area hostility only; "" for the aggregate)."""

    quantity: str
    actors: tuple[str, ...]
    channel: str = ""
    area: str = ""


def tension(a: str, b: str) -> str:
    return f"{TENSION}_{a}_{b}"


def hostility(holder: str, towards: str, area: str = "") -> str:
    """``hostility_A_B`` (the aggregate, max over areas), or ``hostility_A_B_<area>`` for one area.

    Raises:
        KeyError: ``area`` is not one of ``AREAS``.
    """
    if not area:
        return f"{HOSTILITY}_{holder}_{towards}"
    if area not in AREAS:
        raise KeyError(f"{area!r} is not an issue area (known: {', '.join(AREAS)})")
    return f"{HOSTILITY}_{holder}_{towards}_{area}"


def trust(holder: str, rival: str) -> str:
    return f"{TRUST}_{holder}_{rival}"


def pressure(government: str) -> str:
    return f"{PRESSURE}_{government}"


def channel(a: str, b: str, name: str) -> str:
    return f"{CHANNEL}_{a}_{b}_{name}"


def alignment(state: str) -> str:
    return f"{ALIGNMENT}_{state}"


def state_column(owner: str, key: tuple[Hashable, ...]) -> str:
    """The column of an agent's state variable ``key``.

    ``key`` is ``(quantity, other actor or None)``, or for a per-area hostility
    ``("hostility", other actor, area)``.
    """
    if len(key) == 3:
        quantity, other, area = key
        if quantity != HOSTILITY:
            raise KeyError(f"state key {key!r}: only hostility is held per area")
        return hostility(owner, str(other), str(area))
    quantity, other = key
    return "_".join((str(quantity), owner) if other is None else (str(quantity), owner, str(other)))


def parse(name: str) -> Column | None:
    """The quantity, actors, channel and area of a column name; None for ``step``, ``date`` and unknown names."""
    quantity, _, rest = name.partition("_")
    n = _ACTORS.get(quantity)
    if n is None or not rest:
        return None
    parts = rest.split("_")
    if quantity == HOSTILITY and len(parts) == n + 1 and parts[n] in AREAS:
        return Column(quantity, tuple(parts[:n]), area=parts[n])
    if len(parts) < n or (quantity == CHANNEL) != (len(parts) > n):
        return None
    return Column(quantity, tuple(parts[:n]), "_".join(parts[n:]))


def of(names: Iterable[str], quantity: str) -> list[str]:
    """The names among ``names`` that measure ``quantity``, in their order.

    For hostility these are the aggregates and the per-area columns; see
    :func:`aggregates` and :func:`areas_of` to tell them apart.
    """
    return [c for c in names if (p := parse(c)) is not None and p.quantity == quantity]


def aggregates(names: Iterable[str], quantity: str = HOSTILITY) -> list[str]:
    """The names among ``names`` that measure ``quantity`` and are no single area's (``hostility_A_B``)."""
    return [c for c in names if (p := parse(c)) is not None and p.quantity == quantity and not p.area]


def areas_of(names: Iterable[str], holder: str, towards: str) -> dict[str, str]:
    """The per-area hostility columns of ``holder`` towards ``towards`` among ``names``, by area, in ``AREAS`` order."""
    present = set(names)
    return {a: c for a in AREAS if (c := hostility(holder, towards, a)) in present}


def area_of(column: str) -> str:
    """The issue area of a ``hostility_A_B_<area>`` column ("" for the aggregate ``hostility_A_B``)."""
    p = parse(column)
    if p is None or p.quantity != HOSTILITY:
        raise KeyError(f"{column!r} is not a hostility column")
    return p.area


def channel_name(column: str) -> str:
    """The channel of a ``channel_A_B_<channel>`` column."""
    p = parse(column)
    if p is None or p.quantity != CHANNEL:
        raise KeyError(f"{column!r} is not a channel column")
    return p.channel


def actor_of(column: str) -> str:
    """The (first) actor of a column: the holder of a hostility, the state of an alignment."""
    p = parse(column)
    if p is None:
        raise KeyError(f"{column!r} is not a state column")
    return p.actors[0]


def tension_column(names: Iterable[str]) -> str:
    """The one tension column among ``names``."""
    found = of(names, TENSION)
    if not found:
        raise KeyError("steps table has no tension_ column")
    return found[0]
