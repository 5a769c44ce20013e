"""The sanctioned-official hold: a thaw rule wrapping another, holding channels a post blocks."""

from __future__ import annotations

import numpy as np

from sim.core.errors import ParameterError
from sim.core.rules.base import Context
from sim.core.rules.thaw import ThawRule
from sim.core.rules.thaw_weighted import WeightedThaw
from sim.core.signals import Intent, Perception


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

    The hold is one-directional: it is my own official under the other side's
    sanctions that keeps my channels shut (the demand that the sanctions be lifted),
    not an official of the other side that I sanctioned myself; a vacant post on
    either side blocks the channel for both (``SignalingModel.blocked_for``).

    Args:
        inner: The thaw rule that proposes reopenings (default: WeightedThaw()).
        retry_days: Days until a held resumption is tried again.
    """

    name = "sanctioned_post_hold"

    def __init__(self, inner: ThawRule | None = None, retry_days: float = 14) -> None:
        super().__init__(retry_days)
        if inner is None:
            inner = WeightedThaw()
        if not isinstance(inner, ThawRule) or isinstance(inner, SanctionedPostHold):
            raise ParameterError("inner", inner, "must be another thaw rule")
        self.inner = inner

    @property  # type: ignore[override]
    def stochastic(self) -> bool:  # the wrapper draws nothing itself
        return self.inner.stochastic

    def reset(self) -> None:
        self.inner.reset()

    def pending(self, channel: str) -> bool:
        return self.inner.pending(channel)

    def holds(self, channel: str, blocked: frozenset[str]) -> bool:
        return channel in blocked

    def on_perception(self, p: Perception, ctx: Context, rng: np.random.Generator) -> list[Intent]:
        return self.inner.on_perception(p, ctx, rng)

    def on_suspension(
        self, channel: str, ctx: Context, rng: np.random.Generator, cause: int | None = None
    ) -> list[Intent]:
        return self.inner.on_suspension(channel, ctx, rng, cause=cause)

    def ready(self, channel: str, ctx: Context) -> bool:
        return self.inner.ready(channel, ctx)
