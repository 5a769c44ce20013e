"""The thaw by weight: a gesture reopens the channels its weight can carry, each in its own time."""

from __future__ import annotations

import math

import numpy as np

from sim.core.errors import check_lag, check_range
from sim.core.rules.base import EPS, Context, draw_lag
from sim.core.rules.thaw import ThawRule, resume_intent
from sim.core.signals import Intent, Perception


class WeightedThaw(ThawRule):
    """A cooperative gesture reopens the channels its weight can carry, each after its own delay.

    Any cooperative act of the rival aimed at me is a gesture: a leaders' summit, a
    cabinet or envoy visit, a ministerial meeting, working-level talks, an apology, an
    easing of restrictions, the rival reopening a channel it cut. Its weight is its
    severity as I read it, ``w = -hostility * intensity``, so a summit weighs more in
    person than by phone and more for what it announces (:mod:`sim.core.weights`).
    A channel ``c`` I suspended needs::

        need(c) = cost_scale * reopen_cost(c) * (1 - announced_discount, if the gesture announces c)
                  * (1 + grievance_gain * max(0, hostility[area(c)] - baseline))
                  * engagement_cost

    (``reopen_cost`` and ``area`` per channel and government in ``sim/data/channel_costs.csv``
    and ``channels.csv``; ``engagement_cost`` is what domestic pressure makes engaging cost,
    ``Context.engagement_cost``). A gesture with ``w >= need(c)`` promises the reopening of
    ``c`` after ``lag`` plus an exponential wait of mean ``stage_days * reopen_cost(c)``:
    cheap channels reopen soon, costly ones later and one by one, in an order that follows
    from the costs only in expectation. Nothing here knows which channels are civilian or
    military. When a reopening falls due the promise is kept only if it still carries
    that day's need: a grievance grown since then (a grave act of the rival) voids it and
    the channel waits for a new gesture. A larger gesture strengthens a standing promise; it
    brings the reopening forward if its own wait ends sooner, and never puts it off.

    References: Osgood, C. E. (1962), *An Alternative to War or Surrender*, Illinois
    (graduated reciprocation in tension reduction); Larson, D. W. (1997), "Trust and missed
    opportunities in international relations", *Political Psychology* 18(3): 701-734 (costly
    gestures and the trust they must overcome); Reynolds, D. (2007), *Summits: Six Meetings
    That Shaped the Twentieth Century*, Allen Lane; Kydd, A. & Walter, B. F. (2002),
    "Sabotaging the peace: the politics of extremist violence", *International Organization*
    56(2): 263-296 (an act that outgrows the trust an agreement rests on undoes it).

    Args:
        lag: ``[min, max]`` days from a gesture to the soonest reopening.
        stage_days: Mean extra wait per unit of a channel's reopening cost.
        cost_scale: Global factor on every channel's reopening cost.
        grievance_gain: How much grievance in a channel's area above baseline raises its need.
        announced_discount: Share of the need that a gesture announcing the channel's
            reopening (a summit's ``reopens``) takes off: how far this government honours
            what its leaders announce (1: an announcement alone suffices; 0: it counts for nothing).
    """

    name = "weighted"
    stochastic = True

    def __init__(
        self,
        retry_days: float = 14,
        lag: tuple[int, int] | list[int] = (1, 7),
        stage_days: float = 60.0,
        cost_scale: float = 1.0,
        grievance_gain: float = 1.0,
        announced_discount: float = 0.5,
    ) -> None:
        super().__init__(retry_days)
        self.lag = check_lag("lag", lag)
        self.stage_days = check_range("stage_days", stage_days, 0.0, 3650.0)
        self.cost_scale = check_range("cost_scale", cost_scale, 0.0, 10.0)
        self.grievance_gain = check_range("grievance_gain", grievance_gain, 0.0, 20.0)
        self.announced_discount = check_range("announced_discount", announced_discount, 0.0, 1.0)
        self._promised: dict[str, tuple[float, bool, int]] = {}  # channel -> (weight, announced, due day)

    def reset(self) -> None:
        self._promised = {}

    def need(self, channel: str, ctx: Context, announced: bool) -> float:
        """The weight a gesture must carry today to reopen ``channel``."""
        cost = self.cost_scale * ctx.reopen_cost(channel)
        if announced:
            cost *= 1.0 - self.announced_discount
        grievance = max(0.0, ctx.hostility_in(ctx.area_of(channel)) - ctx.baseline_hostility)
        return cost * (1.0 + self.grievance_gain * grievance) * ctx.engagement_cost

    def on_perception(self, p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
        if p.responsible != ctx.rival or p.subject is not None or p.severity >= 0:
            return []
        weight = -p.severity
        announced = p.signal.facts.reopens
        out: list[Intent] = []
        for c in ctx.reopening_order():
            says = c in announced
            if weight + EPS < self.need(c, ctx, says):
                continue
            held = self._promised.get(c)
            if held is not None and held[0] >= weight:
                continue  # an earlier, larger promise stands
            wait = draw_lag(self.lag, rng)
            if self.stage_days > 0:
                wait += math.ceil(rng.exponential(self.stage_days * ctx.reopen_cost(c)))
            if held is not None and held[2] <= ctx.day + wait:
                # A larger gesture strengthens the standing promise but does not put it off.
                self._promised[c] = (weight, says or held[1], held[2])
                continue
            self._promised[c] = (weight, says, ctx.day + wait)
            out.append(resume_intent(ctx, c, wait, p.signal.id))
        return out

    def on_suspension(
        self, channel: str, ctx: Context, rng: np.random.Generator, cause: int | None = None
    ) -> list[Intent]:
        self._promised.pop(channel, None)  # a fresh cut needs a fresh gesture
        return []

    def ready(self, channel: str, ctx: Context) -> bool:
        held = self._promised.get(channel)
        if held is None:
            return False
        weight, says, _ = held
        if weight + EPS < self.need(channel, ctx, says):
            del self._promised[channel]  # outgrown by a grievance since: void
            return False
        del self._promised[channel]
        return True

    def pending(self, channel: str) -> bool:
        return channel in self._promised
