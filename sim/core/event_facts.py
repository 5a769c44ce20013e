"""What a scripted event states about the act itself, in the act's own terms.

A scenario says what happened (who travelled where, what was sold, how wide a
measure reaches); :mod:`sim.core.weights` turns these facts into a signal's
weight with a declared, global scale. This module holds the vocabulary of
facts: each field, the values it may take (ordered from least to most where
the order carries meaning) and the kinds that may state it.
"""

from __future__ import annotations

from dataclasses import dataclass

PACKAGES = ("sustainment", "upgrade", "new_platform")
"""Arms-sale package types, smallest first: spare parts and support, upgrades of held systems, new systems."""
RANKS = ("legislators", "sub_cabinet", "cabinet", "legislature_leader", "head")
"""Who travels or meets, lowest first, in the order of official precedence (a legislature's leader,
third in the US line of succession, ranks above cabinet; ``head``: head of state or government)."""
PLACES = ("receiver_territory", "transit", "third_country")
"""Where a visit or meeting takes place: on the receiver's own territory (the rival's, or Taiwan's
for a visit to Taiwan), during a transit stop, or in a third country."""
FORMS = ("call", "sideline", "bilateral", "state_visit")
"""A leaders' summit's form, least first: a call, a meeting on the sidelines of a multilateral
gathering, a stand-alone in-person bilateral, a state visit."""
SCOPES = ("named", "sector", "economy_wide")
"""How far a sanction, export control or visa measure reaches: named people or firms, a sector, the economy."""
INCIDENTS = ("intrusion", "interception", "collision", "shoot_down", "loss_of_life")
"""Incident types, least grave first."""

CHOICES: dict[str, tuple[str, ...]] = {
    "package": PACKAGES,
    "rank": RANKS,
    "place": PLACES,
    "form": FORMS,
    "scope": SCOPES,
    "incident": INCIDENTS,
}
"""The categorical facts and their values."""

VISIT_KINDS = ("high_level_visit", "meeting_request", "ministerial_meeting", "visit_postponed")
FIELD_KINDS: dict[str, tuple[str, ...]] = {
    "package": ("arms_sale",),
    "rank": VISIT_KINDS,
    "place": VISIT_KINDS,
    "form": ("leader_summit",),
    "reopens": ("leader_summit",),
    "launches": ("leader_summit", "ministerial_meeting", "high_level_visit"),
    "scope": ("sanction", "export_control", "visa_restriction"),
    "tariff_rate_pct": ("tariff",),
    "coverage_usd_bn": ("tariff",),
    "incident": ("surveillance_incident", "interception"),
    "planned": ("high_level_visit", "ministerial_meeting"),
}
"""Which kinds may state each fact (a fact on any other kind is an input error)."""


@dataclass(frozen=True, slots=True)
class EventFacts:
    """The facts one event states ("" or None: not stated).

    Attributes:
        value_usd_bn: The act's value in billions of US dollars (an arms sale's notified value:
            the event's ``magnitude`` when its ``unit`` is ``usd_bn``).
        package: Arms-sale package type (:data:`PACKAGES`).
        rank, place: Who travels or meets (:data:`RANKS`) and where (:data:`PLACES`).
        form: A summit's form (:data:`FORMS`).
        reopens: Channels a summit announces will reopen.
        launches: Channels the engagement founds (absent until then, see a scenario's
            ``channels_at_start``).
        scope: How far a measure reaches (:data:`SCOPES`).
        tariff_rate_pct, coverage_usd_bn: A tariff's added rate (percent ad valorem) and the
            imports it covers (billions of US dollars a year).
        incident: Incident type (:data:`INCIDENTS`).
    """

    value_usd_bn: float | None = None
    package: str = ""
    rank: str = ""
    place: str = ""
    form: str = ""
    reopens: tuple[str, ...] = ()
    launches: tuple[str, ...] = ()
    scope: str = ""
    tariff_rate_pct: float | None = None
    coverage_usd_bn: float | None = None
    incident: str = ""

    def stated(self) -> dict[str, object]:
        """The facts stated, by field (for the event log)."""
        out: dict[str, object] = {}
        for name in self.__slots__:  # type: ignore[attr-defined]
            v = getattr(self, name)
            if v not in ("", None, ()):
                out[name] = v
        return out

    def text(self) -> str:
        """The stated facts as ``field=value`` pairs joined by ``; `` (lists joined by ``,``)."""
        parts = []
        for k, v in self.stated().items():
            parts.append(f"{k}={','.join(v) if isinstance(v, tuple) else f'{v:g}' if isinstance(v, float) else v}")
        return "; ".join(parts)


NO_FACTS = EventFacts()
