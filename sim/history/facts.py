"""The documented facts validation scores, each derived from the timeline by an explicit rule.

Every fact is one observation a model forecasts (:mod:`sim.history.validation`
scores the forecasts). :func:`derive_facts` turns a documented timeline
(:class:`sim.history.documented.Documented`) and the scenario that replays it
into six patterns, after pattern-oriented modelling (Grimm et al. 2005,
Science 310:987): several independent patterns, each able to reject a submodel.

* ``response`` (binary): for each documented trigger the scenario scripts, each
  government other than its sender (and a sender the record shows answering too,
  among the senders of the episode's rows tagged ``response``; a government's own
  internal act is not answered) and each hostile kind of the vocabulary
  (hostility > 0): did that government send that kind within
  :data:`RESPONSE_WINDOW_DAYS` of the trigger, as a row of the episode (the
  record's attribution: an act the timeline does not hold, or holds untagged,
  counts as not sent)? In a run: a response caused, directly or through others,
  by the trigger (a refusal: any refusal in the window).
* ``lag`` (days): the lags of :func:`sim.history.targets.lag_measures` (first
  response, each channel cut, each refusal); a run that does not respond within
  the measure's window counts as the window's end (censored).
* ``meeting`` (binary): for each meeting the scenario requests, and each planned engagement, was
  it held (1) or refused or called off (0)? The outcome is the documented row nearest its day (or
  month, or span), within :data:`MEETING_MATCH_DAYS`, on the same channel between the same two
  parties: a refusal by the asked party (by either, or a called-off visit, for a planned
  engagement), or a meeting or resumption (:data:`HELD_KINDS`). One with no such row, or with a
  refusal and a meeting equally near, is not scored.
* ``status`` (binary per channel and day): suspended or open, per
  :func:`sim.history.targets.documented_spells` (:class:`StatusTarget`).
* ``thaw`` (days): the length of each documented suspension that ended.
* ``order``: after each thaw summit, the order in which the channels shut on its day reopened.

Rows of low confidence are never used. A fact's ``date`` is the day its
documented value became known (a response's day, the end of a spell), which is
what a temporal split divides; its ``episode`` is the timeline's tag, which a
leave-one-episode-out split holds out. Nothing here names an episode or a date.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.core.scenario import Scenario
from sim.core.vocabulary import load_vocabulary
from sim.history.documented import Documented
from sim.history.targets import (
    GOVERNMENTS,
    REOPENING_KINDS,
    LagMeasure,
    Trigger,
    documented_status,
    short_name,
    sure,
)

RESPONSE_WINDOW_DAYS = 30
"""A documented or simulated act answers a trigger if it comes this many days after it or fewer."""
MEETING_MATCH_DAYS = 7
"""A documented meeting or refusal is a requested meeting's outcome if it lies this near the request."""
HELD_KINDS = REOPENING_KINDS
"""Kinds of documented row showing that a requested meeting took place: those showing a channel in use."""
CALLED_OFF_KINDS = ("visit_postponed",)
"""Kinds of documented row showing that a planned engagement was called off (besides a refusal)."""
PATTERNS = ("response", "lag", "meeting", "status", "thaw", "order")
"""The patterns, in report order."""
BINARY = ("response", "meeting", "status")
QUANTITY = ("lag", "thaw")


@dataclass(frozen=True)
class Fact:
    """One documented fact a model forecasts.

    Attributes:
        id: Unique name, e.g. ``response.pelosi.CHN.military_drill``, ``meeting.2023-02-18.high_level_diplomacy``.
        pattern: One of :data:`PATTERNS` except ``status`` (see :class:`StatusTarget`).
        episode: The timeline's episode tag ("" for an untagged fact).
        date: When the documented value became known (temporal splits divide by it).
        observed: 1/0 for binary facts, days for lags and thaws (NaN for orders).
        text: What the fact says, for reports.
        trigger: The documented trigger (response and lag facts).
        responder: The answering government (response facts); the asked one (meeting facts on a
            request; "" for a planned engagement, which either side may call off).
        kind: The response kind (response facts); the planned engagement's kind (meeting facts).
        channel: The channel (lag, meeting and thaw facts).
        start: The request's day (meeting facts), the spell's start (thaw facts), the summit's day (order facts).
        window: Days after the trigger a response counts; a lag's censoring value; a meeting's days after ``start``.
        measure: The lag measure (lag facts).
        times: Documented days from the summit to each channel's reopening (order facts).
    """

    id: str
    pattern: str
    episode: str
    date: pd.Timestamp
    observed: float
    text: str
    trigger: Trigger | None = None
    responder: str = ""
    kind: str = ""
    channel: str = ""
    start: pd.Timestamp | None = None
    window: int = RESPONSE_WINDOW_DAYS
    measure: LagMeasure | None = None
    times: tuple[tuple[str, float], ...] = ()

    @property
    def since(self) -> pd.Timestamp:
        """The first day the fact concerns (its trigger, request, spell start or summit): with ``date``, the
        interval a leave-one-episode-out split keeps out of training around a held-out fact."""
        if self.start is not None:
            return self.start
        return self.trigger.date if self.trigger is not None else self.date


@dataclass(frozen=True)
class StatusTarget:
    """A channel's documented status on every scored day.

    Attributes:
        channel: The channel.
        dates: The scored days (the documented period within the scenario).
        observed: True where the channel is documented suspended.
    """

    channel: str
    dates: pd.DatetimeIndex
    observed: np.ndarray


@dataclass(frozen=True)
class Facts:
    """Every fact of one timeline and scenario.

    Attributes:
        facts: The response, lag, meeting, thaw and order facts, in pattern order.
        status: One :class:`StatusTarget` per channel of the vocabulary.
        spans: Each episode's first and last tagged (not low-confidence) day, for splits.
        doc: The documented side they come from.
    """

    facts: tuple[Fact, ...]
    status: tuple[StatusTarget, ...]
    spans: Mapping[str, tuple[pd.Timestamp, pd.Timestamp]]
    doc: Documented

    def of(self, pattern: str) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.pattern == pattern)

    @property
    def episodes(self) -> tuple[str, ...]:
        """The episodes at least one fact belongs to, in date order of their triggers."""
        tagged = {f.episode for f in self.facts if f.episode}
        return tuple(sorted(tagged, key=lambda e: self.spans[e][0]))


def _scripted(scenario: Scenario, trig: Trigger) -> bool:
    return any(
        e.date == trig.date.date() and e.kind == trig.kind and e.sender == trig.sender for e in scenario.events
    )


def response_facts(doc: Documented, scenario: Scenario) -> list[Fact]:
    """The ``response`` pattern: one binary fact per scripted trigger, answering government and hostile kind."""
    vocab = load_vocabulary()
    hostile = [k for k, spec in vocab.kinds.items() if spec.hostility > 0]
    t = sure(doc.timeline)
    out = []
    for trig in sorted(doc.triggers.values(), key=lambda x: x.date):
        if not _scripted(scenario, trig):
            continue
        rows = t[(t["episode"] == trig.episode) & (t["role"] != "trigger")]
        tagged = set(rows.loc[rows["role"] == "response", "sender"]) & set(GOVERNMENTS)
        # Each government but the trigger's sender may answer it (so a model that answers where the record
        # shows no answer is scored too); a sender the record shows answering too (after the rival's
        # counter-move) is asked as well, unless the act was internal to it.
        responders = sorted(({g for g in GOVERNMENTS if g != trig.sender} | tagged)
                            - ({trig.sender} if trig.sender == trig.receiver else set()))  # fmt: skip
        end = trig.date + pd.Timedelta(days=RESPONSE_WINDOW_DAYS)
        within = rows[(rows["date"] >= trig.date) & (rows["date"] <= end)]
        for r in responders:
            for kind in hostile:
                sent = within[(within["sender"] == r) & (within["kind"] == kind)]
                happened = not sent.empty
                out.append(Fact(
                    f"response.{short_name(trig.episode)}.{r}.{kind}", "response", trig.episode,
                    pd.Timestamp(sent["date"].min()) if happened else end, float(happened),
                    f"{r} {'sends' if happened else 'does not send'} {kind} within {RESPONSE_WINDOW_DAYS} days of "
                    f"the {trig.episode} trigger ({trig.kind}, {trig.date.date()})",
                    trigger=trig, responder=r, kind=kind,
                ))  # fmt: skip
    return out


def lag_facts(doc: Documented, scenario: Scenario) -> list[Fact]:
    """The ``lag`` pattern: each documented lag measure whose trigger the scenario scripts."""
    out = []
    for m in doc.measures:
        trig, lag = doc.triggers[m.episode], doc.lags[m.name]
        if lag is None or not _scripted(scenario, trig):
            continue
        out.append(Fact(
            f"lag.{m.name}", "lag", m.episode, trig.date + pd.Timedelta(days=lag), lag,
            f"days from the {m.episode} trigger ({trig.date.date()}) to "
            + ("the first response" if m.what == "first_response" else f"the first {m.what} on {m.channel}"),
            trigger=trig, channel=m.channel, window=m.window_days, measure=m,
        ))  # fmt: skip
    return out


def meeting_facts(doc: Documented, scenario: Scenario) -> list[Fact]:
    """The ``meeting`` pattern: each meeting the scenario requests, and each planned engagement, whose
    outcome the record shows. A request can be refused by the asked side only; a planned engagement
    by either side (the visitor postponing it, the host refusing it)."""
    t = sure(doc.timeline)
    t = t[t["kind"].isin(("meeting_rejection", *CALLED_OFF_KINDS, *HELD_KINDS)) & (t["channel"] != "")]
    out = []
    for e in scenario.events:
        if not (e.kind == "meeting_request" or e.planned) or not e.channel:
            continue
        day, last = pd.Timestamp(e.date), pd.Timestamp(e.latest)  # the days it may fall on (a month, a span)
        pair = {e.sender, e.receiver}
        rows = t[(t["channel"] == e.channel) & t["sender"].isin(pair) & t["receiver"].isin(pair)]
        distance = (day - rows["date"]).clip(lower=pd.Timedelta(0)) + (rows["date"] - last).clip(lower=pd.Timedelta(0))
        rows = rows[(rows["sender"] != rows["receiver"]) & (distance <= pd.Timedelta(days=MEETING_MATCH_DAYS))]
        if not e.planned:  # a request is refused by the asked side only (and is not a planned engagement to call off)
            rows = rows[rows["kind"].isin(HELD_KINDS) | ((rows["kind"] == "meeting_rejection") & (rows["sender"] == e.receiver))]
        refused = rows["kind"].isin(("meeting_rejection", *CALLED_OFF_KINDS))
        if rows.empty:
            continue
        distance = distance[rows.index]
        nearest = distance == distance.min()
        held = set(~refused[nearest])
        if len(held) > 1:
            continue  # a refusal and a meeting equally near: the record does not say which
        row = rows[nearest].iloc[0]
        was_held = bool(held.pop())
        what = f"the planned {e.kind} of {e.sender} with" if e.planned else f"the {e.channel} meeting {e.sender} asks of"
        out.append(Fact(
            f"meeting.{day.date()}.{e.channel}", "meeting", str(row["episode"]), max(day, pd.Timestamp(row["date"])),
            float(was_held), f"{what} {e.receiver} on {day.date()}" + (f" ({e.host})" if e.host else "")
            + f" is {'held' if was_held else 'refused or called off'}",
            responder="" if e.planned else e.receiver, kind=e.kind if e.planned else "", channel=e.channel, start=day,
            window=(last - day).days,
        ))  # fmt: skip
    return out


def _spell_episode(doc: Documented, channel: str, start: pd.Timestamp) -> str:
    t = sure(doc.timeline)
    rows = t[(t["channel"] == channel) & (t["date"] == start) & t["kind"].isin(("channel_suspension", "meeting_rejection"))]
    tags = [x for x in rows["episode"] if x]
    return tags[0] if tags else ""


def thaw_facts(doc: Documented, scenario: Scenario) -> list[Fact]:
    """The ``thaw`` pattern: the length of each documented suspension that ended within the scenario."""
    first, last = pd.Timestamp(scenario.start), pd.Timestamp(scenario.end)
    out = []
    for s in doc.spells:
        if s.end is None or s.start < first or s.end > last:
            continue
        days = float((s.end - s.start).days)
        out.append(Fact(
            f"thaw.{s.channel}.{s.start.date()}", "thaw", _spell_episode(doc, s.channel, s.start), s.end, days,
            f"days the {s.channel} channel stays shut from {s.start.date()} (documented: reopened {s.end.date()})",
            channel=s.channel, start=s.start,
        ))  # fmt: skip
    return out


def order_facts(doc: Documented, scenario: Scenario) -> list[Fact]:
    """The ``order`` pattern: per thaw summit, the documented reopening times of the channels shut on its day."""
    first, last = pd.Timestamp(scenario.start), pd.Timestamp(scenario.end)
    out = []
    for summit in doc.summits:
        if not first <= summit.date <= last:
            continue
        times: dict[str, float] = {}
        for s in doc.spells:
            if s.start <= summit.date and (s.end is None or s.end > summit.date):
                times[s.channel] = math.inf if s.end is None else float((s.end - summit.date).days)
        finite = [v for v in times.values() if math.isfinite(v)]
        if len(set(times.values())) < 2 or not finite:
            continue
        out.append(Fact(
            f"order.{summit.name}", "order", summit.episode, summit.date + pd.Timedelta(days=max(finite)), math.nan,
            f"after the thaw summit of {summit.date.date()}, the channels then shut reopen in the documented order "
            f"({', '.join(sorted(times, key=times.__getitem__))})",
            start=summit.date, times=tuple(sorted(times.items())),
        ))  # fmt: skip
    return out


def status_targets(doc: Documented, scenario: Scenario) -> tuple[StatusTarget, ...]:
    """The ``status`` pattern: each channel's documented status on each day of the documented period."""
    start = max(pd.Timestamp(scenario.start), doc.period[0])
    end = min(pd.Timestamp(scenario.end), doc.period[1])
    dates = pd.date_range(start, end, freq="D")
    return tuple(StatusTarget(c, dates, documented_status(doc.spells, c, dates)) for c in load_vocabulary().channels)


def episode_spans(doc: Documented) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """Each episode's first and last tagged day (rows of low confidence and background rows left out)."""
    t = sure(doc.timeline)
    t = t[(t["episode"] != "") & (t["role"] != "background")]
    return {str(e): (rows["date"].min(), rows["date"].max()) for e, rows in t.groupby("episode", sort=False)}


def derive_facts(doc: Documented, scenario: Scenario) -> Facts:
    """Every fact of the timeline that the scenario can show, by the rules of this module."""
    facts = [
        *response_facts(doc, scenario), *lag_facts(doc, scenario), *meeting_facts(doc, scenario),
        *thaw_facts(doc, scenario), *order_facts(doc, scenario),
    ]  # fmt: skip
    return Facts(tuple(facts), status_targets(doc, scenario), episode_spans(doc), doc)
