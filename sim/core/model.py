"""The signaling model: governments and regional states trading typed signals.

Time is calendar days. The model is event-driven: a priority queue holds the
signals due on each future day (scripted events, answers that rules decided,
spontaneous initiatives), and :meth:`SignalingModel.run` jumps from one busy
day to the next. Agent state between signals follows closed-form relaxation
(``sim/core/state.py``), so the daily step table is rebuilt afterwards in one
vectorised pass. A naive model that steps every agent every day would do the
same work ~900 times over; ``bench/`` measures the difference.

:meth:`SignalingModel.step` advances exactly one day, for interactive use; a
run stepped day by day gives the same events as :meth:`run`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import mesa
import numpy as np

from sim.core.channels import ChannelBoard
from sim.core.government import Government, GovernmentParams, Initiative
from sim.core.regional import RegionalParams, RegionalState
from sim.core.rules.retaliation import RetaliationRule
from sim.core.rules.thaw import ThawRule
from sim.core.scenario import Scenario, ScriptedEvent
from sim.core.scripted import event_days, initial_hostility, scripted_signal
from sim.core.signals import Intent, Signal
from sim.core.vocabulary import load_vocabulary
from sim.core.weights import WeightScale, load_scale

# Order of work within one day: signals decided on earlier days go out first
# (overnight), then the day's scripted events, then spontaneous initiatives;
# answers decided today follow in the order they were decided (a sequence
# number breaks ties).
_DECIDED, _SCRIPTED, _INITIATIVE = 0, 1, 2


@dataclass(frozen=True)
class GovernmentSpec:
    """Everything needed to build one government (built at the entry point)."""

    code: str
    rival: str
    params: GovernmentParams
    retaliation: RetaliationRule
    thaw: ThawRule


@dataclass(frozen=True)
class RegionalSpec:
    code: str
    params: RegionalParams


@dataclass(frozen=True, slots=True)
class Official:
    name: str | None  # None: the post is vacant
    sanctioned_by: tuple[str, ...] = ()


class SignalingModel(mesa.Model):
    """Bilateral signaling between two governments, with regional states.

    Args:
        scenario: The validated scenario (dates, posts, scripted events).
        governments: Exactly two governments, each the other's rival. The first
            is alignment's +1 pole.
        regional: Regional states.
        seed: Seed of the model's random generator; every draw comes from it.
        scale: The weight scale that turns scripted events' facts into weights
            (default: the declared scale of ``sim/data/weight_scale.csv``).
    """

    def __init__(
        self,
        scenario: Scenario,
        governments: Sequence[GovernmentSpec],
        regional: Sequence[RegionalSpec],
        seed: int = 0,
        scale: WeightScale | None = None,
    ) -> None:
        super().__init__(rng=seed)
        self.scale = load_scale() if scale is None else scale
        self.seed_value = seed
        self.scenario_spec = scenario
        self.n_days = scenario.n_days
        self.day = 0
        vocab = load_vocabulary()
        codes = [g.code for g in governments] + [r.code for r in regional]
        if len(governments) != 2 or governments[0].rival != governments[1].code or governments[1].rival != governments[0].code:
            raise ValueError("the model needs exactly two governments, each the other's rival")
        self.poles: tuple[str, str] = (governments[0].code, governments[1].code)
        self.governments: dict[str, Government] = {
            g.code: Government(self, g.code, g.rival, [c for c in codes if c != g.code], g.params, g.retaliation,
                               g.thaw, initial_hostility(scenario, g.code))
            for g in governments
        }  # fmt: skip
        self.regional: dict[str, RegionalState] = {
            r.code: RegionalState(self, r.code, self.poles, r.params) for r in regional
        }
        # Mesa's Agent keeps a class-level id counter per model (Agent._ids), which keeps
        # every model alive for the life of the process: 10,000 runs in a sweep would
        # pile up 10,000 models. All agents exist now, so the counter can go.
        getattr(mesa.Agent, "_ids", {}).pop(self, None)
        absent = tuple(c.channel for c in scenario.channels_at_start if c.status == "absent")
        self.board = ChannelBoard(self.poles, vocab.channel_names, absent)
        self._posts_of = {c: s.post for c, s in vocab.channels.items() if s.post}
        self.posts: dict[tuple[str, str], Official] = {
            (p.actor, p.post): Official(p.official, p.sanctioned_by) for p in scenario.posts
        }
        self._blocked = self._compute_blocked()  # per government; changes only with personnel changes
        self.events: list[Signal] = []
        # Latest resumption proposal per (government, channel): a blocked proposal
        # that is retried gives way to a newer one, so a reopening is credited to
        # the decision that produced it (Woodside, not Bali a year earlier).
        self._latest_proposal: dict[tuple[str, str], int] = {}
        self._queue: list[tuple[int, int, int, object]] = []
        self._seq = itertools.count()
        self._ids = itertools.count()
        for ev, day in zip(scenario.events, event_days(scenario, self.rng)):
            self._push(day, _SCRIPTED, ev)
        for c in scenario.channels_at_start:  # suspended when the scenario starts: the suspender's thaw rule knows
            if c.status == "suspended":
                self.board.suspend(c.channel, 0, c.by, None)
                gov = self.governments[c.by]
                for it in gov.thaw.on_suspension(c.channel, gov.context(0, self.board), self.rng):
                    self._decide(0, c.by, it)
        if scenario.spontaneous:
            for g in self.governments.values():
                for ini in g.params.initiatives:
                    self._schedule_initiative(g, ini, 0)
        self.running = True

    # -- time --------------------------------------------------------------
    def step(self) -> None:
        """Advance one calendar day."""
        if self.day >= self.n_days:
            self.running = False
            return
        self._process_day(self.day)
        self.day += 1
        self.running = self.day < self.n_days

    def run(self) -> None:
        """Run to the scenario's end, visiting only days on which something happens."""
        q = self._queue
        while q and q[0][0] < self.n_days:
            self._process_day(q[0][0])
        self.day = self.n_days
        self.running = False

    def _process_day(self, day: int) -> None:
        q = self._queue
        while q and q[0][0] == day:
            _, kind, _, item = heapq.heappop(q)
            if kind == _SCRIPTED:
                self._scripted(day, item)  # type: ignore[arg-type]
            elif kind == _DECIDED:
                sender, intent, proposal = item  # type: ignore[misc]
                self._fire(day, sender, intent, proposal)
            else:
                gov, ini = item  # type: ignore[misc]
                self._initiative(day, gov, ini)

    def _push(self, day: int, kind: int, item: object) -> int:
        seq = next(self._seq)
        if day < self.n_days:
            heapq.heappush(self._queue, (day, kind, seq, item))
        return seq

    def _decide(self, day: int, sender: str, it: Intent) -> None:
        """Schedule a signal ``sender`` decided to send, ``it.delay`` days after ``day``."""
        if it.kind == "channel_resumption":
            proposal = next(self._seq)
            self._latest_proposal[(sender, it.channel)] = proposal
            self._push(day + it.delay, _DECIDED, (sender, it, proposal))
        else:
            self._push(day + it.delay, _DECIDED, (sender, it, None))

    # -- the shared world ----------------------------------------------------
    def date_of(self, day: int) -> dt.date:
        return self.scenario_spec.start + dt.timedelta(days=day)

    def blocked_for(self, government: str) -> frozenset[str]:
        """Channels ``government`` will not use for a reason of posts.

        A post left vacant on either side blocks its channels for both (there is no one
        to talk to); a post held by an official under the other side's sanctions blocks
        them for the official's own government only, which demands that the sanctions be
        lifted first (the side that imposed them has no such reason).
        """
        return self._blocked[government]

    def _compute_blocked(self) -> dict[str, frozenset[str]]:
        a, b = self.poles
        out: dict[str, set[str]] = {a: set(), b: set()}
        for channel, post in self._posts_of.items():
            for side, other in ((a, b), (b, a)):
                holder = self.posts.get((side, post))
                if holder is None:
                    continue
                if holder.name is None:
                    out[side].add(channel)
                    out[other].add(channel)
                elif other in holder.sanctioned_by:
                    out[side].add(channel)
        return {g: frozenset(c) for g, c in out.items()}

    # -- signals -----------------------------------------------------------
    def _scripted(self, day: int, ev: ScriptedEvent) -> None:
        """A scripted event falls due: send it, or, for a planned engagement, let both sides decide."""
        if not ev.planned:
            self._emit(scripted_signal(next(self._ids), day, ev, self.scale))
            return
        # A planned visit or meeting is an opportunity: the visitor may call it off, then the host
        # may refuse it, each by what it would answer to a request for a meeting on that channel today.
        s = scripted_signal(-1, day, ev, self.scale)
        visitor, host = self.governments[ev.sender], self.governments[ev.receiver]
        reason, cause = visitor.consents(s, self.board, self._blocked[visitor.code])
        if reason:
            kind, sender, receiver = "visit_postponed", ev.sender, ev.receiver
        else:
            reason, cause = host.consents(s, self.board, self._blocked[host.code])
            kind, sender, receiver = "meeting_rejection", ev.receiver, ev.sender
        if not reason:
            self._emit(dataclasses.replace(s, id=next(self._ids)))
            return
        note = f"{reason}; planned engagement: {ev.note or ev.kind.replace('_', ' ')}"
        self._emit(Signal(next(self._ids), day, sender, receiver, kind, ev.channel, 1.0, cause, False, note, ev.host))

    def _fire(self, day: int, sender: str, it: Intent, proposal: int | None = None) -> None:
        """A decided signal falls due: check it still makes sense, then send it."""
        board = self.board
        if it.kind == "channel_suspension" and not board.is_open(it.channel):
            return
        if it.kind == "channel_resumption":
            if not board.is_suspended(it.channel):
                return
            if proposal is not None and self._latest_proposal.get((sender, it.channel)) != proposal:
                return  # superseded by a newer decision to reopen this channel
            gov = self.governments[sender]
            blocker = gov.resumption_blocker(it.channel, gov.context(day, board), self._blocked[sender])
            if blocker:
                if not gov.thaw.pending(it.channel):
                    return  # the promise behind it is void: the channel waits for a new gesture
                self._push(day + gov.thaw.retry_days, _DECIDED, (sender, it, proposal))
                return
        self._emit(
            Signal(next(self._ids), day, sender, it.receiver, it.kind, it.channel, it.intensity,
                   it.cause, False, it.note, it.host)
        )  # fmt: skip

    def _emit(self, s: Signal) -> None:
        """Record a signal, apply its effect on channels and posts, and let every agent read it."""
        self.events.append(s)
        pair = set(self.poles)
        if s.kind == "channel_suspension" and {s.sender, s.receiver} == pair and self.board.is_open(s.channel):
            self.board.suspend(s.channel, s.day, s.sender, s.id)
        elif s.kind == "channel_resumption" and {s.sender, s.receiver} == pair and self.board.is_suspended(s.channel):
            self.board.resume(s.channel, s.day, s.id)
        elif s.kind == "personnel_change" and s.post:
            self.posts[(s.sender, s.post)] = Official(s.official or None, s.sanctioned_by)
            self._blocked = self._compute_blocked()
        if s.facts.launches and {s.sender, s.receiver} == pair:  # an engagement founds new channels
            for c in s.facts.launches:
                if self.board.is_absent(c):
                    self.board.found(c, s.day)
        for code, gov in self.governments.items():
            for it in gov.receive(s, self.board, self._blocked[code]):
                self._decide(s.day, code, it)
        for code, reg in self.regional.items():
            for it in reg.receive(s):
                self._decide(s.day, code, it)

    # -- initiatives (Poisson processes, sampled by thinning) ----------------
    def _schedule_initiative(self, gov: Government, ini: Initiative, day: int) -> None:
        peak = 2 * ini.per_year / 365.0
        if peak > 0:
            self._push(day + exponential_days(1 / peak, self.rng), _INITIATIVE, (gov, ini))

    def _initiative(self, day: int, gov: Government, ini: Initiative) -> None:
        peak = 2 * ini.per_year / 365.0
        if self.rng.random() * peak < gov.initiative_rate(ini, day):
            if ini.kind not in ("channel_suspension", "channel_resumption") or ini.channel:
                weight = ini.intensity
                if ini.weight_sigma > 0:
                    weight *= math.exp(ini.weight_sigma * self.rng.standard_normal())
                self._fire(day, gov.code, Intent(ini.kind, ini.receiver, ini.channel, 0, weight))
        self._schedule_initiative(gov, ini, day)


def exponential_days(mean: float, rng: np.random.Generator) -> int:
    """A waiting time in whole days (at least one) with the given mean."""
    return max(1, math.ceil(rng.exponential(mean)))
