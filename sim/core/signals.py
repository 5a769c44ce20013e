"""Typed signals: what agents send, what they intend to send, and how they read them."""

from __future__ import annotations

from dataclasses import dataclass

from sim.core.event_facts import NO_FACTS, EventFacts


@dataclass(frozen=True, slots=True)
class Signal:
    """One signal in the event log.

    Attributes:
        id: Sequential id within the run.
        day: Days since the scenario's start date.
        sender, receiver: ISO3 actor codes.
        kind: A kind from ``sim/data/signal_kinds.csv``.
        channel: The dialogue channel it concerns, or "" for none.
        intensity: The signal's weight: its size relative to a typical act of its kind (1.0).
            A scripted event's weight comes from its facts through the declared weight scale
            (:mod:`sim.core.weights`) unless the scenario overrides it (``override``).
        cause: Id of the signal this one answers, or None.
        scripted: True when the scenario injected it.
        note: Free text (venue, official, reason for a refusal).
        host: ISO3 code of the state hosting the venue, if any.
        magnitude, unit: The size of the underlying act in its own unit (an
            arms sale's value, ``usd_bn``), where the scenario gives one.
        post, sanctioned_by: For ``personnel_change``: the post filled and the
            governments sanctioning its new holder.
        official: For ``personnel_change``: the new holder of the post ("" if vacant).
        facts: What the scenario states about the act (:class:`~sim.core.event_facts.EventFacts`).
        override: Whether the scenario set ``intensity`` by hand instead of weighing the facts.
        planned: Whether this is a planned engagement that both sides chose to go ahead with.
    """

    id: int
    day: int
    sender: str
    receiver: str
    kind: str
    channel: str
    intensity: float
    cause: int | None
    scripted: bool
    note: str = ""
    host: str = ""
    magnitude: float | None = None
    unit: str = ""
    post: str = ""
    official: str = ""
    sanctioned_by: tuple[str, ...] = ()
    facts: EventFacts = NO_FACTS
    override: bool = False
    planned: bool = False


@dataclass(frozen=True, slots=True)
class Intent:
    """A signal a rule has decided to send ``delay`` days from now."""

    kind: str
    receiver: str
    channel: str = ""
    delay: int = 0
    intensity: float = 1.0
    cause: int | None = None
    note: str = ""
    host: str = ""


@dataclass(frozen=True, slots=True)
class Perception:
    """How one government reads one signal.

    Attributes:
        signal: The signal read.
        hostility: Perceived hostility per unit intensity (-1 .. +1; negative
            is cooperative).
        responsible: The actor the reader holds responsible.
        subject: A watched third actor the signal is about (Taiwan for an arms
            sale to Taiwan), or None when the signal was aimed at the reader.
        area: The issue area the reader holds it in (``sim.core.vocabulary.AREAS``), or
            ``all`` for an act bearing on every area (a summit; the default, which
            every rung answers and which moves every area).
    """

    signal: Signal
    hostility: float
    responsible: str
    subject: str | None
    area: str = "all"

    @property
    def severity(self) -> float:
        """Signed size of the signal as read: hostility times intensity."""
        return self.hostility * self.signal.intensity
