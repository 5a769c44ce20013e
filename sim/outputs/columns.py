"""Every column name of the ``steps`` table, built and parsed here and nowhere else.

The daily table (``sim.outputs.tables.steps_frame``) has, besides ``step`` and
``date``, one column per state variable, named by what it measures and whom:

==========================  =============================================
``tension_A_B``             tension of the pair A-B (the two poles)
``hostility_A_B``           government A's hostility towards actor B
``trust_A_B``               government A's trust in its rival B
``pressure_A``              domestic pressure on government A
``channel_A_B_<channel>``   status of a dialogue channel of the pair A-B
``alignment_X``             regional state X's alignment
==========================  =============================================

Actors are ISO3 codes; channel names may hold underscores (``mil_mil``), so
parsing goes through :func:`parse`, never ``str.split``. Agents in
``sim.core`` key their state by ``(quantity, other actor)`` (see
:func:`state_column`); only this module turns such keys into names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
    """A parsed column name: the quantity, the actors it concerns, and the channel (channels only)."""

    quantity: str
    actors: tuple[str, ...]
    channel: str = ""


def tension(a: str, b: str) -> str:
    return f"{TENSION}_{a}_{b}"


def hostility(holder: str, towards: str) -> str:
    return f"{HOSTILITY}_{holder}_{towards}"


def trust(holder: str, rival: str) -> str:
    return f"{TRUST}_{holder}_{rival}"


def pressure(government: str) -> str:
    return f"{PRESSURE}_{government}"


def channel(a: str, b: str, name: str) -> str:
    return f"{CHANNEL}_{a}_{b}_{name}"


def alignment(state: str) -> str:
    return f"{ALIGNMENT}_{state}"


def state_column(owner: str, key: tuple[str, str | None]) -> str:
    """The column of an agent's state variable ``key`` = ``(quantity, other actor or None)``."""
    quantity, other = key
    return "_".join((quantity, owner) if other is None else (quantity, owner, other))


def parse(name: str) -> Column | None:
    """The quantity, actors and channel of a column name; None for ``step``, ``date`` and unknown names."""
    quantity, _, rest = name.partition("_")
    n = _ACTORS.get(quantity)
    if n is None or not rest:
        return None
    parts = rest.split("_")
    if len(parts) < n or (quantity == CHANNEL) != (len(parts) > n):
        return None
    return Column(quantity, tuple(parts[:n]), "_".join(parts[n:]))


def of(names: Iterable[str], quantity: str) -> list[str]:
    """The names among ``names`` that measure ``quantity``, in their order."""
    return [c for c in names if (p := parse(c)) is not None and p.quantity == quantity]


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
