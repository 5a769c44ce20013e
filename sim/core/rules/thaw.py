"""Thaw rules: when a government reopens the dialogue channels it suspended.

A thaw rule proposes resumptions (``channel_resumption`` intents). When a
proposed resumption falls due, the government checks three gates, in this order
(``Government.resumption_blocker``), and if one is shut the model asks again
``retry_days`` later:

1. the rule's :meth:`ThawRule.holds`: only :class:`~sim.core.rules.post_hold.SanctionedPostHold`
   holds a channel, while a post it runs through is vacant or held by one of my own
   officials the other side sanctions;
2. the government's retaliation rule (``permits_reopening``);
3. the rule's own :meth:`ThawRule.ready` condition, asked last because a rule may
   spend its promise when it answers yes (a rule whose promise is void,
   :meth:`ThawRule.pending` False, is not asked again: the model drops the proposal).
"""

from __future__ import annotations

import math

import numpy as np

from sim.core.errors import check_lag, check_range
from sim.core.rules.base import EPS, Context, Rule, draw_lag, positive_int
from sim.core.signals import Intent, Perception


class ThawRule(Rule):
    """Base class.

    Args:
        retry_days: Days until a blocked resumption is tried again.
    """

    memory_depth = 0

    def __init__(self, retry_days: float = 14) -> None:
        self.retry_days = positive_int("retry_days", retry_days, 3650)

    def holds(self, channel: str, blocked: frozenset[str]) -> bool:
        """Whether ``channel`` must stay shut (and meetings on it be refused) for a reason of posts.

        Args:
            channel: The channel.
            blocked: Channels a post that is vacant, or held by an official the
                other side sanctions, currently blocks.
        """
        return False

    def reset(self) -> None:
        """Forget any state from an earlier run."""

    def on_perception(self, p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
        """Proposals prompted by a signal from the rival (a summit, a gesture)."""
        return []

    def on_suspension(
        self, channel: str, ctx: Context, rng: np.random.Generator, cause: int | None = None
    ) -> list[Intent]:
        """Proposals made when I suspend ``channel`` (``cause``: the suspension signal's id)."""
        return []

    def ready(self, channel: str, ctx: Context) -> bool:
        """The rule's own condition for a due resumption to go ahead."""
        return True

    def pending(self, channel: str) -> bool:
        """Whether a resumption of ``channel`` that is not ready yet is still meant (retried later).

        False when the promise behind it is void: the model then drops it.
        """
        return True


def resume_intent(ctx: Context, channel: str, delay: int, cause: int | None) -> Intent:
    return Intent("channel_resumption", ctx.rival, channel, delay, 1.0, cause)


class NoThaw(ThawRule):
    """Never reopens a channel: the null model's rule."""

    name = "none"


class TimeDecay(ThawRule):
    """Each suspension lapses after a random spell, once hostility has cooled.

    The spell is exponential with mean ``mean_days``; when it ends the channel
    reopens if my hostility is below ``reopen_below``, otherwise the rule
    tries again every ``retry_days``. Grievances fade with time, as in the
    fatigue term of Richardson's arms-race equations.

    References: Richardson, L. F. (1960), *Arms and Insecurity*, Boxwood;
    Goldstein, J. S. & Freeman, J. R. (1990), *Three-Way Street: Strategic
    Reciprocity in World Politics*, Chicago.

    Args:
        mean_days: Mean length of a suspension before the first reopening try.
        reopen_below: Hostility below which a channel may reopen.
    """

    name = "time_decay"
    stochastic = True

    def __init__(
        self,
        retry_days: float = 14,
        mean_days: float = 120,
        reopen_below: float = 0.5,
    ) -> None:
        super().__init__(retry_days)
        self.mean_days = check_range("mean_days", mean_days, 1.0, 3650.0)
        self.reopen_below = check_range("reopen_below", reopen_below, 0.0, 1.0)

    def on_suspension(
        self, channel: str, ctx: Context, rng: np.random.Generator, cause: int | None = None
    ) -> list[Intent]:
        return [resume_intent(ctx, channel, max(1, math.ceil(rng.exponential(self.mean_days))), cause)]

    def ready(self, channel: str, ctx: Context) -> bool:
        return ctx.hostility < self.reopen_below


class ConditionalReciprocity(ThawRule):
    """Reopen one channel for each cooperative gesture, while trust allows.

    Every cooperative signal from the rival at least as large as
    ``min_gesture`` (a visit, a ministerial meeting, a working group) earns
    the reopening of the next channel I suspended, the cheapest for me to reopen
    first (``sim/data/channel_costs.csv``), after ``lag`` days, provided my trust in the rival is at least
    ``min_trust`` when it falls due.

    References: Osgood, C. E. (1962), *An Alternative to War or Surrender*,
    Illinois (GRIT); Keohane, R. O. (1986), "Reciprocity in international
    relations", *International Organization* 40(1).

    Args:
        min_gesture: Smallest cooperative severity that counts as a gesture.
        lag: ``[min, max]`` days from a gesture to the reopening.
        min_trust: Trust needed for a reopening to go ahead.
    """

    name = "reciprocity"
    stochastic = True

    def __init__(
        self,
        retry_days: float = 14,
        min_gesture: float = 0.2,
        lag: tuple[int, int] | list[int] = (3, 14),
        min_trust: float = 0.3,
    ) -> None:
        super().__init__(retry_days)
        self.min_gesture = check_range("min_gesture", min_gesture, 0.0, 10.0)
        self.lag = check_lag("lag", lag)
        self.min_trust = check_range("min_trust", min_trust, 0.0, 1.0)
        self._promised: set[str] = set()

    def reset(self) -> None:
        self._promised = set()

    def on_suspension(
        self, channel: str, ctx: Context, rng: np.random.Generator, cause: int | None = None
    ) -> list[Intent]:
        self._promised.discard(channel)  # a fresh cut needs a fresh gesture
        return []

    def on_perception(self, p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
        if p.responsible != ctx.rival or -p.severity < self.min_gesture - EPS:
            return []
        # One channel per gesture: skip channels an earlier gesture already earned.
        for channel in ctx.reopening_order():
            if channel not in self._promised:
                self._promised.add(channel)
                return [resume_intent(ctx, channel, draw_lag(self.lag, rng), p.signal.id)]
        return []

    def ready(self, channel: str, ctx: Context) -> bool:
        return ctx.trust >= self.min_trust
