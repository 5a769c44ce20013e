"""The government agent: reads signals, keeps hostility, trust and pressure, decides through its rules.

Agents act only when a signal reaches them (the model is event-driven, see
``sim/core/model.py``). They read a signal through :meth:`perceive`, update their
own state, and return the signals they intend to send; the model schedules
those. Agents never read model globals: what they need about the shared world
(the channel board with their rival, which channels a sanctioned or vacant
post blocks) is handed to them with the signal.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Mapping, Sequence

import mesa

from sim.core.channels import ChannelBoard
from sim.core.dispositions import GovernmentParams, Initiative
from sim.core.errors import ParameterError
from sim.core.perception import meeting_areas, read_signal
from sim.core.rules.base import Context
from sim.core.rules.retaliation import RetaliationRule
from sim.core.rules.thaw import ThawRule
from sim.core.signals import Intent, Perception, Signal
from sim.core.state import RelaxingState
from sim.core.vocabulary import ALL_AREAS, AREAS, load_vocabulary

# Kinds whose repetition a government spaces out by its cooldown; channel
# moves and answers to requests are idempotent or one-off and are exempt.
# Kinds that only ever pass between me and my rival: never an answer to a third actor.
_DYAD_KINDS = frozenset({"channel_suspension", "channel_resumption", "meeting_rejection", "visit_postponed"})
_EXEMPT_FROM_COOLDOWN = frozenset(
    {"channel_suspension", "channel_resumption", "meeting_rejection", "ministerial_meeting", "visit_postponed"}
)
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
        initial_hostility: Starting hostility by ``(other actor, area)`` where the scenario
            states one (else the baseline).
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
        initial_hostility: Mapping[tuple[str, str], float] | None = None,
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
        # State keys are (quantity, other actor[, area]); sim.outputs.columns names the table
        # columns. Hostility is held per issue area, each relaxing on its own.
        names = [("hostility", a, area) for a in others for area in AREAS]
        self._h = {a: tuple(("hostility", a, area) for area in AREAS) for a in others}
        self._trust = ("trust", rival)
        self._pressure = ("pressure", None)
        n = len(names)
        start = dict(initial_hostility or {})
        for (actor, area) in start:
            if actor not in self._h or area not in AREAS:
                raise ParameterError("initial_hostility", (actor, area), "unknown actor or area")
        self.state = RelaxingState(
            names + [self._trust, self._pressure],
            initial=[start.get((a, area), p.baseline_hostility) for _, a, area in names] + [p.trust_baseline, 0.0],
            baselines=[p.baseline_hostility] * n + [p.trust_baseline, 0.0],
            taus=[p.hostility_days] * n + [p.trust_days, p.pressure_days],
            lo=0.0,
            hi=1.0,
        )
        self.memory: deque[Perception] = deque(maxlen=p.memory_size)
        self._mine: deque[int] = deque(maxlen=64)  # ids of my latest signals, to tell replies
        self._last_sent: dict[tuple[str, str, str], int] = {}
        vocab = load_vocabulary()
        self._kinds = vocab.kinds
        self._military = frozenset(c for c, s in vocab.channels.items() if s.military)
        # Channel facts from data, for this government: what each costs me to reopen, and hence
        # the order I cut them in (costliest to reopen first: the contacts I value least).
        self._reopen_costs = {c: spec.cost_for(code) for c, spec in vocab.channels.items()}
        self._channel_areas = {c: spec.area for c, spec in vocab.channels.items()}
        names_in_order = list(vocab.channels)
        self._cut_order = tuple(sorted(names_in_order, key=lambda c: (-self._reopen_costs[c], names_in_order.index(c))))
        self._meeting_areas = meeting_areas(p.repertoire)

    # -- reading -----------------------------------------------------------
    def perceive(self, s: Signal) -> Perception | None:
        """How this government reads ``s``, or None if it does not concern it."""
        return read_signal(s, self.code, self.rival, self.params.watch, self._kinds[s.kind])

    def hostility(self, towards: str, day: int) -> float:
        """My hostility towards an actor: the highest of my areas (the most aggrieved issue)."""
        return max(self.state.get(n, day) for n in self._h[towards])

    def hostility_in(self, towards: str, area: str, day: int) -> float:
        """My hostility towards an actor in one issue area (``all``: the aggregate)."""
        if area == ALL_AREAS:
            return self.hostility(towards, day)
        return self.state.get(self._h[towards][AREAS.index(area)], day)

    def context(self, day: int, board: ChannelBoard, towards: str | None = None) -> Context:
        """What I know when I decide; ``towards``: the actor whose act I answer (default my rival),
        whose hostility the context carries (the channels are always those with my rival)."""
        p = self.params
        suspended = board.suspended_channels()
        areas = tuple(self.state.get(n, day) for n in self._h[towards or self.rival])
        return Context(
            day=day,
            me=self.code,
            rival=self.rival,
            hostility=max(areas),
            hostility_areas=areas,
            baseline_hostility=p.baseline_hostility,
            trust=self.state.get(self._trust, day),
            pressure=(pressure := self.state.get(self._pressure, day)),
            engagement_cost=1.0 + p.pressure_weight * pressure,
            open_channels=board.open_channels(),
            suspended_channels=suspended,
            suspended_by_me=tuple(c for c in suspended if board.suspended_by(c) == self.code),
            military=self._military,
            suspension_order=self._cut_order,
            repertoire=p.repertoire,
            memory=tuple(self.memory),
            reopen_costs=self._reopen_costs,
            channel_areas=self._channel_areas,
            meeting_areas=self._meeting_areas,
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
            self._mine.append(s.id)
        if s.sender == self.code and s.kind == "channel_suspension":
            if s.receiver == self.rival:
                return self.thaw.on_suspension(s.channel, self.context(s.day, board), rng, cause=s.id)
            return []
        p = self.perceive(s)
        if p is None:
            return []
        if p.hostility > 0 and s.sender == self.rival and s.cause is not None and s.cause in self._mine:
            p = dataclasses.replace(p, hostility=p.hostility * self.params.reply_weight)
        self._update_state(p)
        if p.responsible == self.rival:
            self.memory.append(p)
        ctx = self.context(s.day, board)
        if s.kind == "meeting_request" and s.receiver == self.code:
            return [self._answer(p, ctx, blocked)]
        if p.hostility > 0 and p.responsible == self.rival:
            intents = self.retaliation.respond(p, ctx, rng)
        elif p.hostility > 0:
            intents = self._answer_third(p, board, rng)
        else:
            intents = self.thaw.on_perception(p, ctx, rng)
        return self._space_out(intents, s.day)

    def _answer_third(self, p: Perception, board: ChannelBoard, rng) -> list[Intent]:
        """Answer a hostile act of an actor other than my rival (a regional state's protest).

        The same ladder, judged by my hostility towards that actor, but only its acts aimed at
        that actor: channels and meetings are matters between me and my rival alone.
        """
        ctx = self.context(p.signal.day, board, towards=p.responsible)
        return [it for it in self.retaliation.respond(p, ctx, rng)
                if it.receiver == p.responsible and it.kind not in _DYAD_KINDS]  # fmt: skip

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
        h = self.hostility(ini.receiver, day) if ini.receiver in self._h else 0.5
        scale = 2 * h if self._kinds[ini.kind].hostility > 0 else 2 * (1 - h)
        return ini.per_year / 365.0 * scale

    def _answer(self, request: Perception, ctx: Context, blocked: frozenset[str]) -> Intent:
        s = request.signal
        reason = self._refusal(request, ctx, blocked)
        if not reason:
            return Intent("ministerial_meeting", s.sender, s.channel, 0, 1.0, s.id, "accepted", s.host)
        return Intent("meeting_rejection", s.sender, s.channel, 0, 1.0, s.id, reason, s.host)

    def _refusal(self, request: Perception, ctx: Context, blocked: frozenset[str], asked: bool = True) -> str:
        """Why I will not meet on ``request``'s channel now ("" if I will).

        ``asked``: I am the side asked (the host); a visitor leaves a channel the host cut to the host.
        """
        channel = request.signal.channel
        if channel and channel in (ctx.suspended_channels if asked else ctx.suspended_by_me):
            return "the channel is suspended"
        founding = channel in request.signal.facts.launches  # an engagement that founds its own channel
        if channel and channel not in ctx.open_channels and channel not in ctx.suspended_channels and not founding:
            return "the channel does not exist yet"
        if self.thaw.holds(channel, blocked):
            return "a post the channel runs through is vacant or held by a sanctioned official"
        if not self.retaliation.accepts(request, ctx, self.model.rng):
            return "the retaliation rule refused"
        return ""

    def consents(self, engagement: Signal, board: ChannelBoard, blocked: frozenset[str]) -> tuple[str, int | None]:
        """Whether I take part in a planned engagement with my rival today.

        A planned visit or meeting is an opportunity either side may call off: each side
        asks itself what it would answer to a request for a meeting on that channel today.

        Returns:
            ("", None) if I take part; else why not, and the signal my calling it off answers:
            my latest grievance against the rival (None if I hold none).
        """
        spec = self._kinds[engagement.kind]
        # Travelling to the rival's own territory is the most visible concession: a visitor weighs a
        # fresh grievance of any issue area against it, for the audience at home that would punish a
        # visit to the offender straight after the offence (Fearon, J. D. (1994), "Domestic political
        # audiences and the escalation of international disputes", APSR 88(3): 577-592).
        visiting = engagement.sender == self.code and engagement.facts.place == "receiver_territory"
        p = Perception(engagement, spec.hostility, self.rival, None, ALL_AREAS if visiting else spec.area)
        reason = self._refusal(p, self.context(engagement.day, board), blocked, asked=engagement.receiver == self.code)
        if not reason:
            return "", None
        grievance = next((q.signal.id for q in reversed(self.memory) if q.hostility > 0), None)
        return reason, grievance

    def _update_state(self, p: Perception) -> None:
        day, sev, st, prm = p.signal.day, p.severity, self.state, self.params
        for actor in (p.responsible, p.subject):
            if actor is None or actor not in self._h:
                continue
            names = self._h[actor] if p.area == ALL_AREAS else (self._h[actor][AREAS.index(p.area)],)
            for name in names:
                h = st.get(name, day)
                st.shock(name, day, prm.sensitivity * sev * ((1 - h) if sev > 0 else h))
        if p.responsible == self.rival:
            t = st.get(self._trust, day)
            st.shock(self._trust, day, -prm.sensitivity * sev * (t if sev > 0 else (1 - t)))
        if p.responsible != self.rival:
            return  # pressure at home answers the rival's acts, hostile or engaging
        if sev > 0:
            st.shock(self._pressure, day, prm.pressure_gain * sev * (1 - st.get(self._pressure, day)))
        elif p.subject is None and prm.engagement_pressure > 0:
            # Engaging the rival is itself attacked at home ("zombie engagement", seed 004).
            st.shock(self._pressure, day, prm.engagement_pressure * -sev * (1 - st.get(self._pressure, day)))

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
