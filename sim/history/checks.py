"""The behaviours a calibrated model must show, declared as general rules over the timeline.

Like the outcome metrics (``sim.outputs.metrics.OUTCOMES``), every check is an
object with a name, a sentence saying what it asks and a function computing
it, True, False, or None where the run cannot show it (it does not script the
trigger, the summit falls outside it, ...). No check names an episode: each
rule of :data:`CHECK_RULES` declares one check per item of the record it
applies to (per trigger, documented suspension, refusal, thaw summit or
sanctioned tenure), named after the timeline's tags
(:func:`sim.history.targets.short_name`). :func:`declare_checks` gives the
checks of one timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from sim.history.documented import Documented
from sim.history.simulated import Observed, trigger_row
from sim.history.targets import REOPENING_KINDS, RESPONDER, RIVAL, documented_status, short_name

ANSWER_DAYS = 3
"""A trigger the record shows China answering within this many days must be answered as fast in the run."""
SUSPENSION_DAYS = 7
"""A channel the record shows suspended within this many days of a trigger must be so in the run."""


@dataclass(frozen=True)
class Check:
    """One declared check: its name (the column ``check.<name>``), what it asks, how it is computed."""

    name: str
    text: str
    compute: Callable[[Observed], bool | None]


@dataclass(frozen=True)
class CheckRule:
    """A general rule declaring one :class:`Check` per item of the record it applies to."""

    name: str
    text: str
    declare: Callable[[Documented], list[Check]]


def _within(name: str, days: int) -> Callable[[Observed], bool | None]:
    def compute(o: Observed) -> bool | None:
        if not o.present[name]:
            return None
        sim = o.lags[name]
        return sim is not None and 0 <= sim <= days

    return compute


def _lag_checks(what: str, days: int, name: Callable[..., str], text: Callable[..., str]):
    """A rule's ``declare``: one check per measure of kind ``what`` documented within ``days`` of its trigger,
    passed when the run's lag is within ``days`` too; ``name(m)`` and ``text(m, documented, trigger)`` word it."""

    def declare(doc: Documented) -> list[Check]:
        return [
            Check(name(m), text(m, doc.lags[m.name], doc.triggers[m.episode]), _within(m.name, days))
            for m in doc.measures
            if m.what == what and doc.lags[m.name] is not None and doc.lags[m.name] <= days
        ]

    return declare


def _refused_on(doc: Documented, name: str, channel: str, day: pd.Timestamp) -> Callable[[Observed], bool | None]:
    def documented_open(c: str) -> bool:
        return not documented_status(doc.spells, c, pd.DatetimeIndex([day]))[0]

    def compute(o: Observed) -> bool | None:
        ev = o.events
        if not o.present[name]:
            return None
        request = ev[(ev["kind"] == "meeting_request") & (ev["channel"] == channel) & (ev["date"] == day)]
        if request.empty:
            return None
        answers = ev[ev["cause"].isin(request["id"]) & (ev["sender"] == RESPONDER)]
        step = int(request["step"].iloc[0])
        others_open = all(not s[step] for c, s in o.status.items() if c != channel and documented_open(c))
        return bool((answers["kind"] == "meeting_rejection").any() and others_open)

    return compute


def _refused(doc: Documented) -> list[Check]:
    out = []
    for m in doc.measures:
        docd = doc.lags[m.name]
        if m.what == "refusal" and docd is not None:
            day = doc.triggers[m.episode].date + pd.Timedelta(days=docd)
            out.append(Check(
                f"{m.name}_on_its_day",
                f"the {m.channel} meeting refused on {day.date()} ({m.episode}) is refused on that day, while every "
                "other channel the record shows open then is open",
                _refused_on(doc, m.name, m.channel, day),
            ))  # fmt: skip
    return out


def _ordered(doc: Documented) -> list[Check]:
    return [
        Check(f"{s.name}_civilian_before_military",
              f"after the thaw summit of {s.date.date()} ({s.episode}), civilian channels reopen before military ones",
              lambda o, key=s.name: o.order.get(key))
        for s in doc.summits
    ]  # fmt: skip


def _shut_in(doc: Documented, tenure) -> Callable[[Observed], bool | None]:
    def compute(o: Observed) -> bool | None:
        ev, dates = o.events, o.dates
        end = tenure.end if tenure.end is not None else dates[-1] + pd.Timedelta(days=1)
        if trigger_row(ev, tenure.appointment) is None or not (dates[0] <= tenure.start and end <= dates[-1]):
            return None
        during = ev[(ev["date"] >= tenure.start) & (ev["date"] < end) & (ev["channel"] == tenure.channel)]
        return bool(not during["kind"].isin(REOPENING_KINDS).any())

    return compute


def _tenures(doc: Documented) -> list[Check]:
    return [
        Check(f"{short_name(t.episode)}_{t.channel}_shut_in_tenure",
              f"no {t.channel} meeting or reopening while the official {RIVAL} sanctions holds the post "
              f"({t.episode}: {t.start.date()} to {t.end.date() if t.end is not None else 'the end'})",
              _shut_in(doc, t))
        for t in doc.tenures
    ]  # fmt: skip


CHECK_RULES: tuple[CheckRule, ...] = (
    CheckRule("answered", f"China answers each trigger it answered within {ANSWER_DAYS} days in the record within "
              f"{ANSWER_DAYS} days",
              _lag_checks("first_response", ANSWER_DAYS,
                          lambda m: f"{short_name(m.episode)}_answered_within_{ANSWER_DAYS}d",
                          lambda m, docd, trig: f"China's first response to the {m.episode} trigger ({trig.kind}, "
                          f"{trig.date.date()}) comes 0-{ANSWER_DAYS} days after it (documented: {docd:g})")),
    CheckRule("suspended", f"each channel the record shows suspended within {SUSPENSION_DAYS} days of a trigger is "
              f"suspended within {SUSPENSION_DAYS} days",
              _lag_checks("suspension", SUSPENSION_DAYS, lambda m: f"{m.name}_within_{SUSPENSION_DAYS}d",
                          lambda m, docd, trig: f"the {m.channel} channel is suspended within {SUSPENSION_DAYS} days "
                          f"of the {m.episode} trigger ({trig.date.date()}; documented: {docd:g})")),
    CheckRule("refused", "each documented refusal happens on its day, while every other channel the record shows "
              "open then is open", _refused),
    CheckRule("ordered", "after each thaw summit, civilian channels reopen before military ones", _ordered),
    CheckRule("shut_in_tenure", f"no meeting or reopening on a channel while a post it runs through is held by an "
              f"official {RIVAL} sanctions", _tenures),
)  # fmt: skip


@lru_cache(maxsize=16)  # per Documented object: many runs are assessed against one record
def declare_checks(doc: Documented) -> tuple[Check, ...]:
    """The checks of one documented timeline: every rule's, in :data:`CHECK_RULES` order."""
    return tuple(c for rule in CHECK_RULES for c in rule.declare(doc))


def run_checks(checks: tuple[Check, ...], observed: Observed) -> dict[str, bool | None]:
    """Each check's result for one run, keyed ``check.<name>``."""
    return {f"check.{c.name}": c.compute(observed) for c in checks}
