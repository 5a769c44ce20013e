"""Thaw rules: when a government reopens the dialogue channels it suspended.

A thaw rule proposes resumptions (``channel_resumption`` intents). When a
proposed resumption falls due, the model checks three gates, and if one is
shut it asks again ``retry_days`` later:

1. the rule's own :meth:`ThawRule.ready` condition;
2. the government's retaliation rule (``permits_reopening``);
3. the rule's :meth:`ThawRule.holds`: only :class:`SanctionedPostHold` holds a
   channel, while a post it runs through is vacant or held by an official the
   other side sanctions.
"""

from __future__ import annotations

import math

import numpy as np

from sim.core.errors import ParameterError, check_lag, check_range
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

    def on_grievance(self, p: Perception) -> None:
        """A hostile act of the rival was read (before the retaliation rule answers it).

        For rules whose promises can lapse; proposes nothing.
        """

    def ready(self, channel: str, ctx: Context) -> bool:
        """The rule's own condition for a due resumption to go ahead."""
        return True


def _resume(ctx: Context, channel: str, delay: int, cause: int | None) -> Intent:
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
        return [_resume(ctx, channel, max(1, math.ceil(rng.exponential(self.mean_days))), cause)]

    def ready(self, channel: str, ctx: Context) -> bool:
        return ctx.hostility < self.reopen_below


class SummitReset(ThawRule):
    """A leaders' summit restarts the channels I cut: civilian first, military one by one.

    After a ``leader_summit`` with the rival every channel I suspended is
    scheduled to reopen: civilian channels after ``civil_lag`` days, military
    channels afterwards in turn, each an exponential gap of mean
    ``military_gap_days`` after the one before. This is the pattern of the
    Bali (2022) and Woodside (2023) thaws, where leaders agreed to restore
    communication and working levels followed.

    A summit's promises lapse when the rival commits a grave act before they
    are kept (severity ``lapse_severity`` or more as I read it: shooting down
    my aircraft, hosting Taiwan's president), as the balloon incident of
    February 2023 froze the Bali thaw: reopenings still pending then wait for
    the next summit. Routine irritants (arms-sale notifications, export
    controls) do not undo a summit; they only delay military reopenings
    through the retaliation rule's grievance.

    References: Reynolds, D. (2007), *Summits: Six Meetings That Shaped the
    Twentieth Century*, Allen Lane; Putnam, R. (1988), "Diplomacy and domestic
    politics: the logic of two-level games", *International Organization* 42(3);
    Kydd, A. & Walter, B. F. (2002), "Sabotaging the peace: the politics of
    extremist violence", *International Organization* 56(2) (one grave act
    undoing the trust an agreement rests on).

    Args:
        civil_lag: ``[min, max]`` days from the summit to civilian reopenings.
        military_gap_days: Mean days between successive military reopenings.
        lapse_severity: Severity of a rival's act that voids the pending
            reopenings of the last summit; ``None``: promises never lapse.
    """

    name = "summit_reset"
    stochastic = True

    def __init__(
        self,
        retry_days: float = 14,
        civil_lag: tuple[int, int] | list[int] = (1, 7),
        military_gap_days: float = 60,
        lapse_severity: float | None = None,
    ) -> None:
        super().__init__(retry_days)
        self.civil_lag = check_lag("civil_lag", civil_lag)
        self.military_gap_days = check_range("military_gap_days", military_gap_days, 1.0, 3650.0)
        self.lapse_severity = None if lapse_severity is None else check_range("lapse_severity", lapse_severity, 0.0, 10.0)
        self._lapsed = False

    def reset(self) -> None:
        self._lapsed = False

    def on_perception(self, p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
        if p.signal.kind != "leader_summit" or p.responsible != ctx.rival or p.subject is not None:
            return []
        self._lapsed = False  # a new summit, new promises (they supersede any pending ones)
        out: list[Intent] = []
        last = 0
        for c in ctx.reopening_order():
            if c in ctx.military:
                last += max(1, math.ceil(rng.exponential(self.military_gap_days)))
            else:
                last = max(last, draw_lag(self.civil_lag, rng))
            out.append(_resume(ctx, c, last, p.signal.id))
        return out

    def on_grievance(self, p: Perception) -> None:
        if self.lapse_severity is not None and p.severity >= self.lapse_severity:
            self._lapsed = True

    def ready(self, channel: str, ctx: Context) -> bool:
        return not self._lapsed


class ConditionalReciprocity(ThawRule):
    """Reopen one channel for each cooperative gesture, while trust allows.

    Every cooperative signal from the rival at least as large as
    ``min_gesture`` (a visit, a ministerial meeting, a working group) earns
    the reopening of the next channel I suspended, civilian before military,
    after ``lag`` days, provided my trust in the rival is at least
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
                return [_resume(ctx, channel, draw_lag(self.lag, rng), p.signal.id)]
        return []

    def ready(self, channel: str, ctx: Context) -> bool:
        return ctx.trust >= self.min_trust


class SanctionedPostHold(ThawRule):
    """A channel stays shut while a sanctioned official holds the post it runs through.

    Wraps another thaw rule (``inner``), which decides when channels reopen;
    this rule keeps any channel shut, and refuses meetings on it, while a post
    the channel runs through (``sim/data/channels.csv``) is vacant or held by
    an official the other side sanctions. China kept the defence channels
    shut while Gen. Li Shangfu, under US sanctions since 2018, was defence
    minister (2023-03-12 to 2023-10-24), citing the sanctions (seed 002), and
    reopened them once a successor was named after Woodside. Targeted
    sanctions on individuals as a barrier to engagement: Drezner, D. W. (2011),
    "Sanctions sometimes smart: targeted sanctions in theory and practice",
    *International Studies Review* 13(1): 96-108.

    Args:
        inner: The thaw rule that proposes reopenings (default: SummitReset()).
        retry_days: Days until a held resumption is tried again.
    """

    name = "sanctioned_post_hold"

    def __init__(self, inner: ThawRule | None = None, retry_days: float = 14) -> None:
        super().__init__(retry_days)
        if inner is None:
            inner = SummitReset()
        if not isinstance(inner, ThawRule) or isinstance(inner, SanctionedPostHold):
            raise ParameterError("inner", inner, "must be another thaw rule")
        self.inner = inner

    @property  # type: ignore[override]
    def stochastic(self) -> bool:  # the wrapper draws nothing itself
        return self.inner.stochastic

    def reset(self) -> None:
        self.inner.reset()

    def holds(self, channel: str, blocked: frozenset[str]) -> bool:
        return channel in blocked

    def on_perception(self, p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
        return self.inner.on_perception(p, ctx, rng)

    def on_suspension(
        self, channel: str, ctx: Context, rng: np.random.Generator, cause: int | None = None
    ) -> list[Intent]:
        return self.inner.on_suspension(channel, ctx, rng, cause=cause)

    def on_grievance(self, p: Perception) -> None:
        self.inner.on_grievance(p)

    def ready(self, channel: str, ctx: Context) -> bool:
        return self.inner.ready(channel, ctx)


THAW_RULES: dict[str, type[ThawRule]] = {
    cls.name: cls for cls in (NoThaw, TimeDecay, SummitReset, ConditionalReciprocity, SanctionedPostHold)
}
