"""The government agent: reads signals, keeps hostility, trust and pressure, decides through its rules.

Agents act only when a signal reaches them (the model is event-driven, see
``sim/core/model.py``). They read a signal through :meth:`perceive`, update their
own state, and return the signals they intend to send; the model schedules
those. Agents never read model globals: what they need about the shared world
(the channel board with their rival, which channels a sanctioned or vacant
post blocks) is handed to them with the signal.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import mesa

from sim.core.channels import ChannelBoard
from sim.core.errors import ParameterError, check_range
from sim.core.rules.base import Context, Rung
from sim.core.rules.retaliation import RetaliationRule
from sim.core.rules.thaw import ThawRule
from sim.core.signals import Intent, Perception, Signal
from sim.core.state import RelaxingState
from sim.core.vocabulary import load_vocabulary

# Kinds whose repetition a government spaces out by its cooldown; channel
# moves and answers to requests are idempotent or one-off and are exempt.
_EXEMPT_FROM_COOLDOWN = frozenset(
    {"channel_suspension", "channel_resumption", "meeting_rejection", "ministerial_meeting"}
)


@dataclass(frozen=True, slots=True)
class Initiative:
    """A signal a government sends of its own accord, as a Poisson process.

    The daily rate is ``per_year / 365`` scaled by ``2 * hostility`` for hostile
    kinds and ``2 * (1 - hostility)`` for cooperative ones.
    """

    kind: str
    receiver: str
    channel: str = ""
    per_year: float = 1.0
    intensity: float = 1.0


@dataclass(frozen=True)
class GovernmentParams:
    """A government's dispositions.

    Attributes:
        baseline_hostility: Hostility towards others when nothing happens (0..1).
        hostility_days: Time constant of hostility's return to baseline.
        sensitivity: Hostility gained per unit of perceived severity.
        trust_baseline, trust_days: Trust in the rival and its time constant.
        pressure_days: Time constant of domestic pressure.
        pressure_gain: Pressure gained per unit of hostile severity.
        cooldown_days: Minimum days between two signals of one kind to one receiver.
        memory_size: How many perceptions of the rival are remembered.
        watch: Actors whose dealings with my rival I read as aimed at me, with weights.
        repertoire: Escalation ladder, lowest rung first.
        suspension_order: Order in which channels are cut.
        initiatives: Signals sent of my own accord (in scenarios that allow them).
    """

    baseline_hostility: float = 0.3
    hostility_days: float = 90.0
    sensitivity: float = 0.3
    trust_baseline: float = 0.5
    trust_days: float = 180.0
    pressure_days: float = 60.0
    pressure_gain: float = 0.2
    cooldown_days: int = 7
    memory_size: int = 20
    watch: Mapping[str, float] = field(default_factory=dict)
    repertoire: tuple[Rung, ...] = ()
    suspension_order: tuple[str, ...] = ()
    initiatives: tuple[Initiative, ...] = ()

    def __post_init__(self) -> None:
        check_range("baseline_hostility", self.baseline_hostility, 0, 1)
        check_range("hostility_days", self.hostility_days, 1, 10_000)
        check_range("sensitivity", self.sensitivity, 0, 10)
        check_range("trust_baseline", self.trust_baseline, 0, 1)
        check_range("trust_days", self.trust_days, 1, 10_000)
        check_range("pressure_days", self.pressure_days, 1, 10_000)
        check_range("pressure_gain", self.pressure_gain, 0, 10)
        check_range("cooldown_days", self.cooldown_days, 0, 365)
        check_range("memory_size", self.memory_size, 1, 10_000)
        vocab = load_vocabulary()
        for actor, w in self.watch.items():
            if actor not in vocab.actors:
                raise ParameterError(f"watch.{actor}", actor, "unknown actor")
            check_range(f"watch.{actor}", w, 0, 10)
        for i, r in enumerate(self.repertoire):
            if r.kind not in vocab.kinds:
                raise ParameterError(f"repertoire[{i}].kind", r.kind, "unknown signal kind")
        for i, c in enumerate(self.suspension_order):
            if c not in vocab.channels:
                raise ParameterError(f"suspension_order[{i}]", c, "unknown channel")
        for i, ini in enumerate(self.initiatives):
            if ini.kind not in vocab.kinds:
                raise ParameterError(f"initiatives[{i}].kind", ini.kind, "unknown signal kind")
            if ini.receiver not in vocab.actors:
                raise ParameterError(f"initiatives[{i}].receiver", ini.receiver, "unknown actor")
            if ini.channel and ini.channel not in vocab.channels:
                raise ParameterError(f"initiatives[{i}].channel", ini.channel, "unknown channel")
            check_range(f"initiatives[{i}].per_year", ini.per_year, 0, 365)


def read_signal(s: Signal, me: str, rival: str, watch: Mapping[str, float], hostility: float) -> Perception | None:
    """How government ``me`` reads signal ``s`` (of a kind with the given hostility).

    A signal aimed at me is read at the kind's hostility. Dealings between my
    rival and an actor I watch (weight ``w``) are read as aimed at me, with
    my rival responsible: its support for that actor (an arms sale to Taiwan)
    at ``-hostility * w``, its coercion of that actor at ``hostility * w``.
    Anything else does not concern me (None).
    """
    if s.sender == me:
        return None
    if s.receiver == me:
        return Perception(s, hostility, s.sender, None)
    if s.sender == rival and s.receiver in watch:
        other = s.receiver
    elif s.receiver == rival and s.sender in watch:
        other = s.sender
    else:
        return None
    w = watch[other]
    if hostility < 0:  # my rival drawing closer to an actor I watch
        return Perception(s, -hostility * w, rival, other)
    if s.sender == rival:  # my rival coercing an actor I watch
        return Perception(s, hostility * w, rival, other)
    return None


class Government(mesa.Agent):
    """A government that reads signals, retaliates and thaws through its rules.

    Args:
        model: The model.
        code: ISO3 code.
        rival: ISO3 code of the counterpart government.
        others: Every other actor (one hostility variable each).
        params: Dispositions.
        retaliation: The retaliation rule (owned by this government alone).
        thaw: The thaw rule (owned by this government alone).
    """

    def __init__(
        self,
        model: mesa.Model,
        code: str,
        rival: str,
        others: Sequence[str],
        params: GovernmentParams,
        retaliation: RetaliationRule,
        thaw: ThawRule,
    ) -> None:
        super().__init__(model)
        self.code = code
        self.rival = rival
        self.params = params
        self.retaliation = retaliation
        self.thaw = thaw
        retaliation.reset()
        thaw.reset()
        p = params
        # State keys are (quantity, other actor); sim.outputs.columns names the table columns.
        names = [("hostility", a) for a in others]
        self._h = {a: n for a, n in zip(others, names)}
        self._trust = ("trust", rival)
        self._pressure = ("pressure", None)
        n = len(names)
        self.state = RelaxingState(
            names + [self._trust, self._pressure],
            initial=[p.baseline_hostility] * n + [p.trust_baseline, 0.0],
            baselines=[p.baseline_hostility] * n + [p.trust_baseline, 0.0],
            taus=[p.hostility_days] * n + [p.trust_days, p.pressure_days],
            lo=0.0,
            hi=1.0,
        )
        self.memory: deque[Perception] = deque(maxlen=p.memory_size)
        self._last_sent: dict[tuple[str, str, str], int] = {}
        vocab = load_vocabulary()
        self._kinds = vocab.kinds
        self._military = frozenset(c for c, s in vocab.channels.items() if s.military)

    # -- reading -----------------------------------------------------------
    def perceive(self, s: Signal) -> Perception | None:
        """How this government reads ``s``, or None if it does not concern it."""
        return read_signal(s, self.code, self.rival, self.params.watch, self._kinds[s.kind].hostility)

    def hostility(self, towards: str, day: int) -> float:
        return self.state.get(self._h[towards], day)

    def context(self, day: int, board: ChannelBoard) -> Context:
        p = self.params
        suspended = board.suspended_channels()
        return Context(
            day=day,
            me=self.code,
            rival=self.rival,
            hostility=self.state.get(self._h[self.rival], day),
            baseline_hostility=p.baseline_hostility,
            trust=self.state.get(self._trust, day),
            pressure=self.state.get(self._pressure, day),
            open_channels=board.open_channels(),
            suspended_channels=suspended,
            suspended_by_me=tuple(c for c in suspended if board.suspended_by(c) == self.code),
            military=self._military,
            suspension_order=p.suspension_order,
            repertoire=p.repertoire,
            memory=tuple(self.memory),
        )

    # -- acting ------------------------------------------------------------
    def receive(self, s: Signal, board: ChannelBoard, blocked: frozenset[str]) -> list[Intent]:
        """Read signal ``s`` and return what to send in answer.

        Args:
            s: The signal just sent (by anyone).
            board: The channel board between this government and its rival.
            blocked: Channels a vacant or sanctioned post currently blocks.
        """
        rng = self.model.rng
        if s.sender == self.code:
            if s.kind == "channel_suspension" and s.receiver == self.rival:
                return self.thaw.on_suspension(s.channel, self.context(s.day, board), rng, cause=s.id)
            return []
        p = self.perceive(s)
        if p is None:
            return []
        self._update_state(p)
        if p.responsible == self.rival:
            self.memory.append(p)
        ctx = self.context(s.day, board)
        if s.kind == "meeting_request" and s.receiver == self.code:
            return [self._answer(p, ctx, blocked)]
        if p.hostility > 0:
            if p.responsible == self.rival:
                self.thaw.on_grievance(p)
            intents = self.retaliation.respond(p, ctx, rng)
        else:
            intents = self.thaw.on_perception(p, ctx, rng)
        return self._space_out(intents, s.day)

    def resumption_blocker(self, channel: str, ctx: Context, blocked: frozenset[str]) -> str:
        """Why a due resumption of ``channel`` cannot go ahead now ("" if it can)."""
        if self.thaw.holds(channel, blocked):
            return "a post the channel runs through is vacant or held by a sanctioned official"
        if not self.retaliation.permits_reopening(channel, ctx):
            return "a recent grievance"
        if not self.thaw.ready(channel, ctx):
            return "the thaw rule's condition is not met"
        return ""

    def initiative_rate(self, ini: Initiative, day: int) -> float:
        """Today's daily rate of initiative ``ini`` (at most ``2 * per_year / 365``)."""
        h = self.state.get(self._h[ini.receiver], day) if ini.receiver in self._h else 0.5
        scale = 2 * h if self._kinds[ini.kind].hostility > 0 else 2 * (1 - h)
        return ini.per_year / 365.0 * scale

    def _answer(self, request: Perception, ctx: Context, blocked: frozenset[str]) -> Intent:
        s = request.signal
        if s.channel and s.channel in ctx.suspended_channels:
            reason = "the channel is suspended"
        elif self.thaw.holds(s.channel, blocked):
            reason = "a post the channel runs through is vacant or held by a sanctioned official"
        elif not self.retaliation.accepts(request, ctx, self.model.rng):
            reason = "the retaliation rule refused"
        else:
            return Intent("ministerial_meeting", s.sender, s.channel, 0, 1.0, s.id, "accepted", s.host)
        return Intent("meeting_rejection", s.sender, s.channel, 0, 1.0, s.id, reason, s.host)

    def _update_state(self, p: Perception) -> None:
        day, sev, st, prm = p.signal.day, p.severity, self.state, self.params
        for actor in (p.responsible, p.subject):
            if actor is None or actor not in self._h:
                continue
            name = self._h[actor]
            h = st.get(name, day)
            st.shock(name, day, prm.sensitivity * sev * ((1 - h) if sev > 0 else h))
        if p.responsible == self.rival:
            t = st.get(self._trust, day)
            st.shock(self._trust, day, -prm.sensitivity * sev * (t if sev > 0 else (1 - t)))
        if sev > 0:
            st.shock(self._pressure, day, prm.pressure_gain * sev)

    def _space_out(self, intents: list[Intent], day: int) -> list[Intent]:
        """Drop repeats of one kind to one receiver within the cooldown."""
        gap = self.params.cooldown_days
        if gap == 0:
            return intents
        out = []
        for it in intents:
            if it.kind in _EXEMPT_FROM_COOLDOWN:
                out.append(it)
                continue
            key = (it.kind, it.receiver, it.channel)
            due = day + it.delay
            last = self._last_sent.get(key)
            if last is not None and abs(due - last) < gap:
                continue
            self._last_sent[key] = due
            out.append(it)
        return out
