"""Scenarios: a date range, who holds which post, the situation at the start, and the scripted
events with the facts they state, checked field by field.

A scenario document (YAML data, see ``scenarios/README.md``) is checked
against the vocabulary here, one field at a time (the checkers are in
:mod:`sim.core.scenario_fields`), and becomes a frozen :class:`Scenario`.
Reading files, caching them and deriving counterfactuals from a base
scenario is :mod:`sim.core.scenario_files`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sim.core.errors import SimInputError
from sim.core.event_facts import NO_FACTS, EventFacts
from sim.core.scenario_fields import (
    FACT_KEYS,
    ChannelAtStart,
    HostilityAtStart,
    channels_at_start,
    check_launches,
    date_field,
    event_date_field,
    event_facts,
    hostility_at_start,
    list_field,
    no_unknown_fields,
    text_field,
)
from sim.core.scenario_fields import actor_field as _actor
from sim.core.scenario_fields import number_field as _number
from sim.core.vocabulary import load_vocabulary

_TOP_KEYS = {"name", "description", "start", "end", "spontaneous", "posts", "events", "channels_at_start",
             "hostility_at_start"}  # fmt: skip
_POST_KEYS = {"actor", "post", "official", "sanctioned_by", "source"}
_EVENT_KEYS = {
    "date", "sender", "receiver", "kind", "channel", "intensity", "magnitude", "unit",
    "venue", "host", "note", "post", "official", "sanctioned_by", "source", *FACT_KEYS,
}  # fmt: skip
PAIR_KINDS = ("channel_suspension", "channel_resumption", "meeting_request")
_ISO3 = re.compile(r"^[A-Z]{3}$")
DEFAULT_INTENSITY = 1.0
"""The weight of a typical act of its kind: what :func:`with_default_intensities` gives every event."""
MAX_EVENTS = 5_000
"""The most events a scenario may script (a derived one: its base's kept events and its added ones): about one
a week over the longest span a scenario may have (100 years); the shipped 2022-2024 record has 37."""


@dataclass(frozen=True, slots=True)
class PostHolder:
    """Who holds a post at the start (``official`` None: vacant)."""

    actor: str
    post: str
    official: str | None
    sanctioned_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScriptedEvent:
    """One event the scenario injects on its date (``index``: its place in the file).

    Attributes:
        date: The event's day; for an event the record dates only to a month (``precision ==
            "month"``, written ``YYYY-MM``) or to a span (``"span"``, ``YYYY-MM-DD..YYYY-MM-DD``)
            the first possible day: the model draws the day up to ``latest``.
        latest: The last day the event may fall on (``date`` for a day).
        origin: Where the event is written, for messages: ``events[3]``, ``add[0]``, or, for an event
            a derived scenario takes from its base, the base file and its place there.
        intensity: The weight the scenario sets by hand (an override), or None: weighed from
            ``facts`` by the weight scale (:mod:`sim.core.weights`).
        facts: What the event states about the act (:class:`~sim.core.event_facts.EventFacts`).
        planned: A scheduled engagement between the two governments: the model decides on the
            day whether it takes place (either side may call it off).
    """

    index: int
    date: dt.date
    sender: str
    receiver: str
    kind: str
    channel: str
    intensity: float | None
    magnitude: float | None
    unit: str
    note: str
    host: str
    post: str
    official: str | None
    sanctioned_by: tuple[str, ...]
    source: str
    facts: EventFacts = NO_FACTS
    precision: str = "day"
    planned: bool = False
    latest: dt.date | None = None
    origin: str = ""

    def __post_init__(self) -> None:
        if self.latest is None:  # a day-precision event built by hand
            object.__setattr__(self, "latest", self.date)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario.

    Attributes:
        channels_at_start: The channels not open on the first day (every other one is open).
        hostility_at_start: The grievances governments hold on the first day, by area (every other
            starts at the government's baseline hostility).
    """

    name: str
    description: str
    path: str
    start: dt.date
    end: dt.date
    spontaneous: bool
    posts: tuple[PostHolder, ...]
    events: tuple[ScriptedEvent, ...]
    channels_at_start: tuple[ChannelAtStart, ...] = ()
    hostility_at_start: tuple[HostilityAtStart, ...] = ()

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def overrides(self) -> tuple[ScriptedEvent, ...]:
        """The events whose intensity the scenario sets by hand instead of the weight scale."""
        return tuple(e for e in self.events if e.intensity is not None)

    def day_of(self, date: dt.date) -> int:
        return (date - self.start).days


def parse_scenario(doc: Any, src: str, default_name: str = "scenario") -> Scenario:
    """Validate a scenario already parsed from YAML (``src`` names it in errors)."""
    if not isinstance(doc, dict):
        raise SimInputError(src, "(top level)", type(doc).__name__, "must be a mapping of scenario fields")
    no_unknown_fields(doc, _TOP_KEYS, src, "")
    start = date_field(doc.get("start"), src, "start")
    end = date_field(doc.get("end"), src, "end")
    if end < start:
        raise SimInputError(src, "end", str(end), f"is before start {start}")
    if (end - start).days > 36_500:
        raise SimInputError(src, "end", str(end), "the scenario may span at most 100 years")
    spontaneous = doc.get("spontaneous", True)
    if not isinstance(spontaneous, bool):
        raise SimInputError(src, "spontaneous", spontaneous, "must be true or false")
    posts = tuple(_post(p, src, i) for i, p in enumerate(list_field(doc.get("posts"), src, "posts")))
    channels = channels_at_start(doc.get("channels_at_start"), src)
    hostility = hostility_at_start(doc.get("hostility_at_start"), src)
    written = list_field(doc.get("events"), src, "events")
    check_event_count(len(written), src, "events")
    events = tuple(event_field(e, src, i, start, end) for i, e in enumerate(written))
    check_launches(((f"events[{e.index}]", e.facts.launches) for e in events), channels, src)
    events = tuple(sorted(events, key=lambda e: e.date))  # stable: same-day order kept
    return Scenario(
        name=text_field(doc.get("name", default_name), src, "name"),
        description=text_field(doc.get("description", ""), src, "description"),
        path=src,
        start=start,
        end=end,
        spontaneous=spontaneous,
        posts=posts,
        events=events,
        channels_at_start=channels,
        hostility_at_start=hostility,
    )


def check_event_count(n: int, src: str, field: str) -> None:
    """Refuse a scenario of more than :data:`MAX_EVENTS` events (before any is checked)."""
    if n > MAX_EVENTS:
        raise SimInputError(src, field, f"{n:,} events", f"a scenario may script at most {MAX_EVENTS:,} events")


def _sanctioned_by(v: Any, src: str, field: str) -> tuple[str, ...]:
    return tuple(_actor(a, src, f"{field}[{j}]") for j, a in enumerate(list_field(v, src, field)))


def _post(p: Any, src: str, i: int) -> PostHolder:
    f = f"posts[{i}]"
    if not isinstance(p, dict):
        raise SimInputError(src, f, p, "must be a mapping")
    no_unknown_fields(p, _POST_KEYS, src, f + ".")
    official = p.get("official")
    if official is not None and not isinstance(official, str):
        raise SimInputError(src, f + ".official", official, "must be a name or null (vacant)")
    return PostHolder(
        actor=_actor(p.get("actor"), src, f + ".actor"),
        post=_post_name(p.get("post"), src, f + ".post"),
        official=official,
        sanctioned_by=_sanctioned_by(p.get("sanctioned_by"), src, f + ".sanctioned_by"),
    )


def _post_name(v: Any, src: str, field: str) -> str:
    posts = {c.post for c in load_vocabulary().channels.values() if c.post}
    if not isinstance(v, str) or v not in posts:
        raise SimInputError(src, field, v, f"unknown post (known: {', '.join(sorted(posts))})")
    return v


def event_field(e: Any, src: str, i: int, start: dt.date, end: dt.date, field: str = "events") -> ScriptedEvent:
    f = f"{field}[{i}]"
    if not isinstance(e, dict):
        raise SimInputError(src, f, e, "must be a mapping")
    no_unknown_fields(e, _EVENT_KEYS, src, f + ".")
    vocab = load_vocabulary()
    date, precision, latest = event_date_field(e.get("date"), src, f + ".date")
    if not start <= date <= end:
        month = f" (its first possible day, {date})" if precision != "day" else ""
        raise SimInputError(src, f + ".date", e["date"] if month else str(date),
                            f"is outside the scenario's dates {start}..{end}{month}")  # fmt: skip
    kind = e.get("kind")
    if not isinstance(kind, str) or kind not in vocab.kinds:
        raise SimInputError(src, f + ".kind", kind, f"unknown signal kind (known: {', '.join(vocab.kinds)})")
    channel = e.get("channel") or ""
    if channel and (not isinstance(channel, str) or channel not in vocab.channels):
        raise SimInputError(src, f + ".channel", channel, f"unknown channel (known: {', '.join(vocab.channels)})")
    if kind in ("channel_suspension", "channel_resumption", "meeting_request") and not channel:
        raise SimInputError(src, f + ".channel", e.get("channel"), f"is required for kind {kind}")
    sender = _actor(e.get("sender"), src, f + ".sender")
    receiver = _actor(e.get("receiver"), src, f + ".receiver")
    if kind == "personnel_change" and sender != receiver:
        raise SimInputError(src, f + ".receiver", receiver, f"a personnel change is internal: receiver must be the sender {sender}")
    if kind != "personnel_change" and sender == receiver:
        raise SimInputError(src, f + ".receiver", receiver, f"a {kind} needs two different actors")
    host = e.get("host") or ""
    if host and not (isinstance(host, str) and _ISO3.match(host)):
        raise SimInputError(src, f + ".host", host, "must be an ISO3 country code")
    post, official = "", None
    if kind == "personnel_change":
        post = _post_name(e.get("post"), src, f + ".post")
        official = e.get("official")
        if official is not None and not isinstance(official, str):
            raise SimInputError(src, f + ".official", official, "must be a name or null (vacant)")
    elif "post" in e or "official" in e:
        raise SimInputError(src, f + ".post", e.get("post"), "only personnel_change events name a post")
    magnitude = None if e.get("magnitude") is None else _number(e["magnitude"], src, f + ".magnitude", 0, 1e12)
    unit = text_field(e.get("unit"), src, f + ".unit")
    facts, planned = event_facts(e, kind, (sender, receiver), (magnitude, unit), src, f)
    note = text_field(e.get("note"), src, f + ".note")
    venue = text_field(e.get("venue"), src, f + ".venue")
    return ScriptedEvent(
        index=i,
        date=date,
        sender=sender,
        receiver=receiver,
        kind=kind,
        channel=channel,
        intensity=_number(e["intensity"], src, f + ".intensity", 0.01, 10.0) if "intensity" in e else None,
        magnitude=magnitude,
        unit=unit,
        note=f"{venue}: {note}" if venue and note else (venue or note),
        host=host,
        post=post,
        official=official,
        sanctioned_by=_sanctioned_by(e.get("sanctioned_by"), src, f + ".sanctioned_by"),
        source=text_field(e.get("source"), src, f + ".source"),
        facts=facts,
        precision=precision,
        planned=planned,
        latest=latest,
        origin=f,
    )


def with_default_intensities(scenario: Scenario) -> Scenario:
    """The scenario with every scripted event weighed as a typical act of its kind: its
    intensity set to :data:`DEFAULT_INTENSITY` (an override of the weight scale).

    Validation scores it beside the scenario as written, to show how much of the fit the
    events' weights carry.
    """
    events = tuple(dataclasses.replace(e, intensity=DEFAULT_INTENSITY) for e in scenario.events)
    return dataclasses.replace(scenario, events=events)
