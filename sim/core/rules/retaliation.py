"""Retaliation rules: how a government answers hostile signals and meeting requests.

Each rule answers three questions for its government:

* :meth:`RetaliationRule.respond`: which signals to send back, and when;
* :meth:`RetaliationRule.accepts`: whether to take a requested meeting;
* :meth:`RetaliationRule.permits_reopening`: whether a channel may reopen now.
"""

from __future__ import annotations

import math

import numpy as np

from sim.core.errors import check_range
from sim.core.rules.base import EPS, Context, Rule, Rung, draw_lag, rung_intent, suspension_intents
from sim.core.signals import Intent, Perception
from sim.core.vocabulary import ALL_AREAS, load_vocabulary

_DEFAULT_LAG = (0, 1)
_PROTEST = Rung("rhetoric_condemnation", 0.0, _DEFAULT_LAG)


class RetaliationRule(Rule):
    """Base class.

    Rules that answer draw each answer's lag from the repertoire's
    ``[min, max]`` range with the model's generator, so they are stochastic.

    Args:
        trigger: Smallest severity (perceived hostility times intensity) the
            rule answers at all.
        grievance_days: How long a hostile signal of at least ``trigger``
            counts against meetings and reopenings in its issue area.
    """

    memory_depth: float = math.inf
    stochastic = True

    def __init__(self, trigger: float = 0.3, grievance_days: float = 30) -> None:
        self.trigger = check_range("trigger", trigger, 0.0, 10.0)
        self.grievance_days = check_range("grievance_days", grievance_days, 0.0, 3650.0)

    def reset(self) -> None:
        """Forget any state from an earlier run."""

    def respond(self, p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
        raise NotImplementedError

    def accepts(self, request: Perception, ctx: Context, rng: np.random.Generator) -> bool:
        """Accept a meeting unless a grievance of at least ``trigger`` in the meeting's area is recent.

        A grievance refuses meetings in its own issue area only, and only in an area I link
        to dialogue (``Context.meeting_areas``): a security grievance refuses defence talks,
        not economic ones, and talks on an issue I do not link go on. A request read in
        every area (``request.area == "all"``: travelling to the rival's own territory, see
        :meth:`~sim.core.government.Government.consents`) weighs a grievance of any area.
        """
        area = meeting_area(request, ctx)
        if area != ALL_AREAS and area not in ctx.meeting_areas:
            return True
        return ctx.last_hostile(self.trigger, self.grievance_days, None if area == ALL_AREAS else area) is None

    def permits_reopening(self, channel: str, ctx: Context) -> bool:
        """A channel stays shut while a grievance of at least ``trigger`` in its area is recent."""
        return ctx.last_hostile(self.trigger, self.grievance_days, ctx.area_of(channel)) is None


def meeting_area(request: Perception, ctx: Context) -> str:
    """The issue area a meeting is judged in: its channel's, or every area for a request read in all."""
    return ALL_AREAS if request.area == ALL_AREAS else ctx.area_of(request.signal.channel)


class NoRetaliation(RetaliationRule):
    """Never retaliates and accepts every meeting: the null model's rule."""

    name = "none"
    memory_depth = 0
    stochastic = False

    def respond(self, p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
        return []

    def accepts(self, request: Perception, ctx: Context, rng: np.random.Generator) -> bool:
        return True

    def permits_reopening(self, channel: str, ctx: Context) -> bool:
        return True


def _mirror_intents(p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
    """The tit-for-tat answer: the trigger's mirror kind, at the trigger's intensity."""
    kind = load_vocabulary().kinds[p.signal.kind].mirror
    if not kind:
        return []
    rung = ctx.rung(kind) or Rung(kind, 0.0, _DEFAULT_LAG)
    if kind == "channel_suspension":
        return suspension_intents(ctx, 1, draw_lag(rung.lag, rng), p.signal.id)
    # A mirror aimed at a subject (drills around Taiwan) falls back to the rival.
    it = rung_intent(rung, p, p.signal.intensity, rng) or rung_intent(
        Rung(kind, rung.min_severity, rung.lag, "rival"), p, p.signal.intensity, rng
    )
    return [it] if it else []


class TitForTat(RetaliationRule):
    """Answer each hostile signal in kind, at equal intensity; cooperate otherwise.

    A sanction is answered by a sanction, export controls by export controls,
    drills by drills; support for a watched actor (an arms sale to Taiwan) by
    the kind listed as its mirror in ``sim/data/signal_kinds.csv``. A meeting is
    refused only if the rival's last signal was hostile.

    Reference: Rapoport's strategy in Axelrod, R. (1984), *The Evolution of
    Cooperation*, Basic Books.
    """

    name = "tit_for_tat"
    memory_depth = 1

    def respond(self, p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
        if p.severity < self.trigger - EPS:
            return []
        return _mirror_intents(p, ctx, rng)

    def _last_was_hostile(self, ctx: Context, skip: int | None = None) -> bool:
        """Whether the rival's last signal (other than ``skip``) was hostile and recent."""
        for q in reversed(ctx.memory):
            if q.signal.id != skip:
                return q.severity >= self.trigger - EPS and ctx.day - q.signal.day <= self.grievance_days
        return False

    def accepts(self, request: Perception, ctx: Context, rng: np.random.Generator) -> bool:
        return not self._last_was_hostile(ctx, skip=request.signal.id)

    def permits_reopening(self, channel: str, ctx: Context) -> bool:
        return channel not in ctx.military or not self._last_was_hostile(ctx)


class GenerousTitForTat(TitForTat):
    """Tit-for-tat that lets a hostile signal pass with probability ``generosity``.

    When it forgives it still protests (a condemnation costs nothing) but does
    not retaliate in kind, and it accepts a meeting despite a fresh grievance
    with the same probability.

    Reference: Nowak, M. & Sigmund, K. (1992), "Tit for tat in heterogeneous
    populations", *Nature* 355: 250-253; Molander, P. (1985), "The optimal
    level of generosity in a selfish, uncertain environment", *Journal of
    Conflict Resolution* 29(4).

    Args:
        generosity: Probability of forgiving one hostile signal (0..1).
    """

    name = "generous_tit_for_tat"
    stochastic = True

    def __init__(self, trigger: float = 0.3, grievance_days: float = 30, generosity: float = 0.3) -> None:
        super().__init__(trigger, grievance_days)
        self.generosity = check_range("generosity", generosity, 0.0, 1.0)

    def _forgives(self, rng: np.random.Generator) -> bool:
        # No draw when generosity is 0, so that the rule is then exactly TitForTat.
        return self.generosity > 0 and rng.random() < self.generosity

    def respond(self, p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
        if p.severity < self.trigger - EPS or not load_vocabulary().kinds[p.signal.kind].mirror:
            return []
        if self._forgives(rng):
            rung = Rung("rhetoric_condemnation", 0.0, (ctx.rung("rhetoric_condemnation") or _PROTEST).lag)
            return [rung_intent(rung, p, 1.0, rng)]  # type: ignore[list-item]
        return _mirror_intents(p, ctx, rng)

    def accepts(self, request: Perception, ctx: Context, rng: np.random.Generator) -> bool:
        return super().accepts(request, ctx, rng) or self._forgives(rng)


class GraduatedLadder(RetaliationRule):
    """Climb the government's escalation ladder as far as the signal's weight warrants.

    The effective severity of a hostile signal grows with the reader's current
    hostility in the signal's issue area and with domestic pressure::

        effective = severity * (1 + hostility_gain * (hostility[area] - baseline)
                                  + pressure_gain * pressure)

    Every rung of the repertoire that answers the signal's area (``Rung.areas``)
    and whose ``min_severity`` is reached is sent,
    each after its own lag; at the ``channel_suspension`` rung one channel is
    cut, plus one more for every further ``channel_step`` of severity. Each
    answer is a typical act of its kind (intensity 1): escalation shows in how
    many rungs are climbed, not in ever larger acts.

    References: Kahn, H. (1965), *On Escalation: Metaphors and Scenarios*,
    Praeger (the escalation ladder); Schelling, T. (1966), *Arms and
    Influence*, Yale (proportionate, graduated response).

    Args:
        hostility_gain: How much current hostility amplifies a response.
        pressure_gain: How much domestic pressure amplifies a response.
        channel_step: Severity per additional channel cut.
        refuse_above: Hostility in a meeting's area (times the domestic cost of engaging,
            ``Context.engagement_cost``) at or above which the meeting is refused.
    """

    name = "graduated"

    def __init__(
        self,
        trigger: float = 0.3,
        grievance_days: float = 30,
        hostility_gain: float = 1.0,
        pressure_gain: float = 0.5,
        channel_step: float = 0.3,
        refuse_above: float = 0.8,
    ) -> None:
        super().__init__(trigger, grievance_days)
        self.hostility_gain = check_range("hostility_gain", hostility_gain, 0.0, 10.0)
        self.pressure_gain = check_range("pressure_gain", pressure_gain, 0.0, 10.0)
        self.channel_step = check_range("channel_step", channel_step, 0.01, 10.0)
        self.refuse_above = check_range("refuse_above", refuse_above, 0.0, 1.0)

    def effective(self, p: Perception, ctx: Context) -> float:
        gain = 1.0 + self.hostility_gain * (ctx.hostility_in(p.area) - ctx.baseline_hostility)
        return p.severity * max(0.0, gain + self.pressure_gain * ctx.pressure)

    def respond(self, p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
        eff = self.effective(p, ctx) + EPS
        if eff < self.trigger:
            return []
        out: list[Intent] = []
        for rung in ctx.repertoire:
            if eff < rung.min_severity or not rung.answers(p.area):
                continue
            if rung.kind == "channel_suspension":
                n = 1 + int((eff - rung.min_severity) / self.channel_step)
                out += suspension_intents(ctx, n, draw_lag(rung.lag, rng), p.signal.id)
            elif (it := rung_intent(rung, p, 1.0, rng)) is not None:
                out.append(it)
        return out

    def accepts(self, request: Perception, ctx: Context, rng: np.random.Generator) -> bool:
        """Refuse while my hostility in the meeting's area, times what engaging costs me at home,
        reaches ``refuse_above``, or while a grievance in that area is recent."""
        area = meeting_area(request, ctx)
        if ctx.hostility_in(area) * ctx.engagement_cost >= self.refuse_above - EPS:
            return False
        return super().accepts(request, ctx, rng)


class GrimTrigger(RetaliationRule):
    """Cooperate until one hostile signal reaches ``threshold``; then defect for good.

    On triggering it cuts every channel and climbs the whole ladder (every rung
    answering the signal's area); from then
    on it answers any hostile signal of at least ``trigger`` with every rung,
    refuses every meeting and never lets a channel reopen. Until then it
    cooperates fully: it answers nothing, accepts every meeting and lets
    every channel reopen.

    Reference: Friedman, J. W. (1971), "A non-cooperative equilibrium for
    supergames", *Review of Economic Studies* 38(1): 1-12.

    Args:
        threshold: Severity that pulls the trigger.
    """

    name = "grim_trigger"

    def __init__(self, trigger: float = 0.3, grievance_days: float = 30, threshold: float = 1.0) -> None:
        super().__init__(trigger, grievance_days)
        self.threshold = check_range("threshold", threshold, 0.0, 10.0)
        self._triggered_on: int | None = None

    def reset(self) -> None:
        self._triggered_on = None

    @property
    def triggered(self) -> bool:
        return self._triggered_on is not None

    def respond(self, p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
        if not self.triggered:
            if p.severity < self.threshold - EPS:
                return []
            self._triggered_on = p.signal.id
        elif p.severity < self.trigger - EPS:
            return []
        out: list[Intent] = []
        for rung in ctx.repertoire:
            if not rung.answers(p.area):
                continue
            if rung.kind == "channel_suspension":
                out += suspension_intents(ctx, len(ctx.open_channels), draw_lag(rung.lag, rng), p.signal.id)
            elif (it := rung_intent(rung, p, 1.0, rng)) is not None:
                out.append(it)
        return out

    def accepts(self, request: Perception, ctx: Context, rng: np.random.Generator) -> bool:
        return not self.triggered

    def permits_reopening(self, channel: str, ctx: Context) -> bool:
        return not self.triggered


RETALIATION_RULES: dict[str, type[RetaliationRule]] = {
    cls.name: cls for cls in (NoRetaliation, TitForTat, GenerousTitForTat, GraduatedLadder, GrimTrigger)
}
