"""Reference models: forecasters every score is compared against, producing runs like the model's.

A reference writes a synthetic run (an event log and a steps table with the
channels' status) for each seed, starting from the scenario's scripted events,
so that it is read by :func:`sim.history.observe.observe` and scored by exactly
the code that scores the model. Each is fitted on the training part of a fold
only (:class:`TrainingRates`); none sees what it is scored on. They answer for every
government a fact asks about (:func:`triggers_of`): the questions are known to every model,
their documented answers only in the training part.

* :func:`climatology`: the base-rate forecaster of weather verification (Murphy
  1988): it answers every trigger on day 1, sending each hostile kind with its
  training frequency; cuts the military channels on day 3; reopens each after the
  median documented thaw of the training part; refuses a meeting exactly when its
  channel is shut, and calls off a planned engagement the same way (the host refuses it).
* :func:`sim.history.var_reference.var_reference` answers only when a vector
  autoregression of weekly Goldstein sums (Goldstein & Freeman 1990) forecasts a
  hostile week, and otherwise acts as the climatology does (a hostile week of the host
  also refuses its meetings and planned engagements).

Both start from the null model's run, in which every planned engagement of the scenario
(:attr:`sim.core.scenario.ScriptedEvent.planned`) takes place; the event log does not say
which scripted rows were planned, so they are found from the scenario (:func:`planned_rows`).

The null model (no retaliation, no thaw) is the model itself with its rules off
(:data:`sim.history.calibrate.NULL_MODEL`), not a reference of this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.core.scenario import Scenario
from sim.core.vocabulary import load_vocabulary
from sim.history.facts import Facts
from sim.history.scores import share
from sim.history.simulated import EventArrays, trigger_row
from sim.history.splits import Part
from sim.history.targets import RESPONDER, Trigger
from sim.outputs import columns
from sim.outputs.io import Run
from sim.outputs.nulls import with_nulls

RESPONSE_DAY = 1
"""The climatology answers a trigger this many days after it."""
CUT_DAY = 3
"""The climatology cuts the military channels this many days after a trigger."""
ANSWERED_ELSEWHERE = ("meeting_rejection", "channel_suspension")
"""Kinds :func:`respond` does not send: refusals answer requests (:meth:`SyntheticRun.answer_meetings`),
cuts are :meth:`SyntheticRun.cut`."""


def _jeffreys(hits: Iterable[float]) -> float:
    """:func:`sim.history.scores.share` of 0/1 values; 0.5 (the prior alone) when there are none."""
    h = [x == 1 for x in hits]
    return share(h) if h else 0.5


NEVER = 1_000_000
"""Days shut of a reference's cut when its training part documents no thaw: past any run's end."""


@dataclass(frozen=True)
class TrainingRates:
    """What a reference learns from the training part of a fold.

    Attributes:
        kinds: Per hostile kind, the share of training response facts in which it was sent (Jeffreys).
        cuts: Per channel, the share of training triggers after which the responder cut it (Jeffreys).
        thaw_days: The median documented thaw (days shut) of the training part; where the
            training part documents no thaw (every channel it saw cut stayed shut), :data:`NEVER`:
            the reference then keeps what it cuts shut to the end.
    """

    kinds: dict[str, float]
    cuts: dict[str, float]
    thaw_days: int

    @classmethod
    def learn(cls, facts: Facts, train: Part) -> TrainingRates:
        seen = [f for f in facts.facts if f.id in train]
        responses = [f for f in seen if f.pattern == "response"]
        kinds = {k: _jeffreys(f.observed for f in responses if f.kind == k) for k in dict.fromkeys(f.kind for f in facts.of("response"))}
        episodes = sorted({f.episode for f in responses})
        cut = {(f.episode, f.channel) for f in seen if f.pattern == "lag" and f.measure and f.measure.what == "suspension"}
        cuts = {c: _jeffreys(float((e, c) in cut) for e in episodes) for c in load_vocabulary().channels}
        thaws = [f.observed for f in seen if f.pattern == "thaw"]
        return cls(kinds, cuts, round(float(np.median(thaws))) if thaws else NEVER)

    def most_frequent(self) -> str:
        """The most frequent kind a reference sends itself (refusals and cuts are not sent by :func:`respond`)."""
        own = [k for k in self.kinds if k not in ANSWERED_ELSEWHERE]
        return max(own, key=self.kinds.__getitem__)


def planned_rows(scripted: pd.DataFrame, scenario: Scenario | None) -> np.ndarray:
    """Which scripted rows are the scenario's planned engagements: same kind, sender, receiver and
    channel, on the event's day (within its month or span where the record gives no day); none without a scenario."""
    out = np.zeros(len(scripted), dtype=bool)
    if scenario is None:
        return out
    dates = pd.DatetimeIndex(scripted["date"])
    rows = EventArrays.of(scripted)  # numpy columns: a null channel is None
    for e in scenario.events:
        if not e.planned:
            continue
        when = (dates >= pd.Timestamp(e.date)) & (dates <= pd.Timestamp(e.latest))
        out |= (np.asarray(when) & (rows.kind == e.kind) & (rows.sender == e.sender) & (rows.receiver == e.receiver)
                & (rows.channel == (e.channel or None)))  # fmt: skip
    return out


class SyntheticRun:
    """A run written by a reference: the scenario's scripted events plus the reference's own acts.

    ``scenario`` (the one ``base`` ran) tells which scripted rows are planned engagements, which
    :meth:`answer_meetings` may call off; without it every one takes place, as in ``base``.
    """

    def __init__(self, base: Run, scenario: Scenario | None = None) -> None:
        self.scripted = base.events[base.events["scripted"]].reset_index(drop=True)
        self.planned = planned_rows(self.scripted, scenario)
        self.dates = pd.DatetimeIndex(base.steps["date"])
        self.channels = [columns.channel_name(c) for c in columns.of(base.steps.columns, columns.CHANNEL)]
        self.pair = columns.parse(columns.of(base.steps.columns, columns.CHANNEL)[0]).actors
        self.shut = {c: np.zeros(len(self.dates), dtype=bool) for c in self.channels}
        self.rows: list[dict] = []
        self._next = int(self.scripted["id"].max()) + 1 if len(self.scripted) else 0

    def add(self, step: int, sender: str, receiver: str, kind: str, channel: str | None = None,
            cause: int | None = None) -> int | None:  # fmt: skip
        """Add one act on day ``step`` (ignored past the run's end); its id."""
        if not 0 <= step < len(self.dates):
            return None
        i, self._next = self._next, self._next + 1
        self.rows.append({"id": i, "date": self.dates[step], "step": step, "sender": sender, "receiver": receiver,
                          "kind": kind, "channel": channel, "cause": cause, "scripted": False})  # fmt: skip
        return i

    def cut(self, step: int, channel: str, days: int, cause: int | None) -> None:
        """Suspend ``channel`` from ``step`` for ``days`` days (a no-op if it is shut then)."""
        if channel not in self.shut or not 0 <= step < len(self.dates) or self.shut[channel][step]:
            return
        rival = next(a for a in self.pair if a != RESPONDER)
        sid = self.add(step, RESPONDER, rival, "channel_suspension", channel, cause)
        self.shut[channel][step : step + days] = True
        self.add(step + days, RESPONDER, rival, "channel_resumption", channel, sid)

    def _refused(self, r, refuse) -> bool:
        return bool((r.channel in self.shut and self.shut[r.channel][int(r.step)]) or refuse(r))

    def answer_meetings(self, refuse=lambda request: False) -> None:
        """Answer every scripted request: refused if its channel is shut that day or ``refuse(request)``.
        Call off each planned engagement on the same terms: its scripted row is dropped and the host
        refuses it that day (no cause, as the model's refusal of a planned engagement)."""
        for r in self.scripted[self.scripted["kind"] == "meeting_request"].itertuples(index=False):
            kind = "meeting_rejection" if self._refused(r, refuse) else "ministerial_meeting"
            self.add(int(r.step), r.receiver, r.sender, kind, r.channel, int(r.id))
        off = np.zeros(len(self.scripted), dtype=bool)
        for i, r in zip(np.flatnonzero(self.planned), self.scripted[self.planned].itertuples(index=False)):
            if self._refused(r, refuse):
                off[i] = True
                self.add(int(r.step), r.receiver, r.sender, "meeting_rejection", r.channel, None)
        if off.any():
            self.scripted, self.planned = self.scripted[~off].reset_index(drop=True), self.planned[~off]

    def trigger(self, trig: Trigger) -> tuple[int, int] | None:
        """The step and id of the scripted event matching a documented trigger, or None."""
        row = trigger_row(self.scripted, trig)
        return None if row is None else (int(row["step"]), int(row["id"]))

    def run(self, label: str) -> Run:
        ev = self.scripted.copy()
        if self.rows:  # concatenating an empty frame would turn every column into objects
            added = with_nulls(pd.DataFrame(self.rows, columns=list(self.scripted.columns)))  # unset fields: null
            added = added.astype(self.scripted.dtypes.to_dict(), errors="ignore")
            ev = pd.concat([ev, added], ignore_index=True)
        ev = ev.sort_values(["step", "id"], kind="stable").reset_index(drop=True)
        steps = pd.DataFrame({"step": np.arange(len(self.dates)), "date": self.dates})
        for c, shut in self.shut.items():
            steps[columns.channel(*self.pair, c)] = np.where(shut, "suspended", "open")
        return Run(ev, steps, label)


def rival_of(government: str, pair: Sequence[str]) -> str:
    return next(a for a in pair if a != government)


def respond(run: SyntheticRun, rates: TrainingRates, trig: Trigger, responders: Sequence[str], day: int,
            rng: np.random.Generator) -> None:
    """The references' answer to one trigger on ``day`` after it: each responder sends each hostile kind with its
    training frequency (at least the most frequent one); refusals and cuts are made by the callers."""
    found = run.trigger(trig)
    if found is None:
        return
    t0, cause = found
    for r in responders:
        sent = [k for k, p in rates.kinds.items() if k not in ANSWERED_ELSEWHERE and rng.random() < p]
        for kind in sent or [rates.most_frequent()]:
            run.add(t0 + day, r, rival_of(r, run.pair), kind, None, cause)


def triggers_of(facts: Facts) -> dict[Trigger, list[str]]:
    """Each documented trigger a fact refers to, with its responders (from the response facts)."""
    out: dict[Trigger, list[str]] = {}
    for f in facts.facts:
        if f.trigger is not None:
            out.setdefault(f.trigger, [])
            if f.pattern == "response" and f.responder not in out[f.trigger]:
                out[f.trigger].append(f.responder)
    return {t: r or [RESPONDER] for t, r in out.items()}


def climatology(facts: Facts, train: Part, base: Run, seeds: Sequence[int], scenario: Scenario | None = None) -> list[Run]:
    """The climatology reference's run for each seed (see the module's docstring); ``scenario``: the one
    ``base`` ran, whose planned engagements it may call off (None: all take place)."""
    rates = TrainingRates.learn(facts, train)
    military = [c for c, s in load_vocabulary().channels.items() if s.military]
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        run = SyntheticRun(base, scenario)
        for trig, responders in triggers_of(facts).items():
            respond(run, rates, trig, responders, RESPONSE_DAY, rng)
            found = run.trigger(trig)
            if found is not None:
                for c in military:
                    run.cut(found[0] + CUT_DAY, c, rates.thaw_days, found[1])
        run.answer_meetings()
        out.append(run.run(f"climatology seed {seed}"))
    return out
