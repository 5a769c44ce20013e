"""How a government reads a signal, and which of its grievances bear on meetings.

May import: sim.core.signals, sim.core.vocabulary, sim.core.rules.base.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sim.core.rules.base import Rung
from sim.core.signals import Perception, Signal
from sim.core.vocabulary import AREAS, KindSpec

# Dealings of my rival with an actor I watch (Taiwan, an ally) are a matter of sovereignty and
# security whatever their kind: a visit to Taiwan is held in the security area, not the diplomatic one.
_WATCHED_AREA = "security"


_MEETING_RUNGS = frozenset({"meeting_rejection", "channel_suspension"})


def meeting_areas(repertoire: Sequence[Rung]) -> tuple[str, ...]:
    """The issue areas in which my grievances refuse meetings: those my dialogue-cutting rungs answer.

    A government that cuts dialogue over sovereignty but not over trade keeps talking
    trade during a trade dispute (Axelrod & Keohane 1985 on issue linkage as a choice).
    With no such rung, a grievance in any area counts.
    """
    areas = {a for r in repertoire if r.kind in _MEETING_RUNGS for a in r.areas}
    return tuple(a for a in AREAS if a in areas) or AREAS


def read_signal(s: Signal, me: str, rival: str, watch: Mapping[str, float], spec: KindSpec) -> Perception | None:
    """How government ``me`` reads signal ``s`` (of kind ``spec``).

    A signal aimed at me is read at the kind's hostility, in the kind's issue
    area; a joint act of mine and my rival's (a summit) is read as my rival's.
    Dealings between my rival and an actor I watch (weight ``w``) are read as
    aimed at me, with my rival responsible, in the security area: its support
    for that actor (an arms sale to Taiwan) at ``-hostility * w``, its
    coercion of that actor at ``hostility * w``. Anything else does not
    concern me (None).
    """
    hostility = spec.hostility
    if s.sender == me:
        if spec.joint and s.receiver == rival:
            return Perception(s, hostility, rival, None, spec.area)
        return None
    if s.receiver == me:
        return Perception(s, hostility, s.sender, None, spec.area)
    if s.sender == rival and s.receiver in watch:
        other = s.receiver
    elif s.receiver == rival and s.sender in watch:
        other = s.sender
    else:
        return None
    w = watch[other]
    if hostility < 0:  # my rival drawing closer to an actor I watch
        return Perception(s, -hostility * w, rival, other, _WATCHED_AREA)
    if s.sender == rival:  # my rival coercing an actor I watch
        return Perception(s, hostility * w, rival, other, _WATCHED_AREA)
    return None
