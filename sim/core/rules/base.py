"""What every retaliation and thaw rule shares: traits, the decision context, the repertoire.

Rules follow the Axelrod library's shape: one class per rule, a ``name``,
declared traits (``stochastic``, ``memory_depth``) and a small set of decision
methods. Rules never see the model or the config; they read a
:class:`Context` built for each decision and draw only from the ``rng`` they
are handed (the model's generator).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from sim.core.errors import ParameterError, check_lag, check_range
from sim.core.signals import Intent, Perception
from sim.core.vocabulary import ALL_AREAS, AREAS

# Severities are sums and products of floats: a threshold counts as reached within this much of it
# (so that 0.6 * 3 reaches 1.8). Every rule compares severities with this one tolerance.
EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Rung:
    """One rung of a government's escalation repertoire.

    Attributes:
        kind: Signal kind sent on this rung.
        min_severity: Effective severity at which the rung is reached.
        lag: ``(min_days, max_days)`` from trigger to signal, drawn uniformly.
        target: ``"rival"`` (the government held responsible) or ``"subject"``
            (the watched actor the trigger concerned, e.g. drills around Taiwan
            after an arms sale to Taiwan; a ``subject`` rung is skipped when
            the trigger concerned no third actor).
        areas: The issue areas whose grievances this rung answers (default: every area).
            Retaliation is mostly kept within the issue area of the act it answers, and
            linked across areas by choice (Axelrod & Keohane 1985; see
            ``sim.core.vocabulary.AREAS``): a government may cut dialogue over sovereignty
            without answering a trade measure that way.
    """

    kind: str
    min_severity: float
    lag: tuple[int, int]
    target: str = "rival"
    areas: tuple[str, ...] = AREAS

    @classmethod
    def build(
        cls, kind: str, min_severity: float, lag: Sequence[int], target: str = "rival", areas: Sequence[str] | None = None
    ) -> Rung:
        if target not in ("rival", "subject"):
            raise ParameterError("target", target, "must be 'rival' or 'subject'")
        if areas is None:
            areas = AREAS
        if isinstance(areas, str) or not areas or any(a not in AREAS for a in areas) or len(set(areas)) != len(areas):
            raise ParameterError("areas", list(areas) if not isinstance(areas, str) else areas,
                                 f"must be a non-empty list of distinct areas from {', '.join(AREAS)}")  # fmt: skip
        return cls(kind, check_range("min_severity", min_severity, 0.0, 100.0), check_lag("lag", lag), target,
                   tuple(areas))  # fmt: skip

    def answers(self, area: str) -> bool:
        """Whether this rung answers a grievance held in ``area`` (``all``: any rung does)."""
        return area == ALL_AREAS or area in self.areas


@dataclass(frozen=True, slots=True)
class Context:
    """What a government knows when it decides; built fresh for each decision.

    Attributes:
        day: Today (days since the scenario start).
        me, rival: ISO3 codes of the deciding government and its counterpart.
        hostility: My hostility towards the rival today (0..1): the highest of my areas.
        hostility_areas: My hostility towards the rival in each area of ``AREAS``, in that order.
        baseline_hostility: The level my hostility relaxes to.
        trust: My trust in the rival today (0..1).
        pressure: Domestic pressure on me today (0..1).
        engagement_cost: What domestic pressure makes engaging cost me today, as a factor
            (``1 + pressure_weight * pressure``, :class:`~sim.core.dispositions.GovernmentParams`).
        open_channels, suspended_channels: Channel status with the rival.
        suspended_by_me: Channels I suspended (only I can reopen those).
        military: Names of the military channels.
        suspension_order: The order in which I cut channels: costliest for me to reopen first
            (the contacts I value least are the cheapest leverage), from
            ``sim/data/channel_costs.csv``.
        reopen_costs: The thaw weight each channel needs before I reopen it (same file).
        channel_areas: The issue area of each channel (``sim/data/channels.csv``).
        meeting_areas: The areas in which a grievance of mine refuses meetings: those my
            meeting-refusing and channel-cutting rungs answer (every area if I have no such
            rung). Talks on an issue I do not link to dialogue go on (Axelrod & Keohane 1985).
        repertoire: My escalation ladder, lowest rung first.
        memory: My recent perceptions of the rival, oldest first.
    """

    day: int
    me: str
    rival: str
    hostility: float
    hostility_areas: tuple[float, ...]
    baseline_hostility: float
    trust: float
    pressure: float
    open_channels: tuple[str, ...]
    suspended_channels: tuple[str, ...]
    suspended_by_me: tuple[str, ...]
    military: frozenset[str]
    suspension_order: tuple[str, ...]
    repertoire: tuple[Rung, ...]
    memory: tuple[Perception, ...]
    engagement_cost: float = 1.0
    reopen_costs: Mapping[str, float] = field(default_factory=dict)
    channel_areas: Mapping[str, str] = field(default_factory=dict)
    meeting_areas: tuple[str, ...] = AREAS

    def hostility_in(self, area: str) -> float:
        """My hostility towards the rival in ``area`` (``all``: the aggregate)."""
        if area == ALL_AREAS:
            return self.hostility
        return self.hostility_areas[AREAS.index(area)]

    def area_of(self, channel: str) -> str:
        """The issue area of ``channel`` (diplomacy for a request on no channel)."""
        return self.channel_areas.get(channel, "diplomacy")

    def reopen_cost(self, channel: str) -> float:
        return self.reopen_costs.get(channel, 1.0)

    def reopening_order(self) -> tuple[str, ...]:
        """Channels I suspended, cheapest for me to reopen first (ties: the last cut first).

        No order is fixed here: it follows from the per-channel costs in data.
        """
        rank = {c: i for i, c in enumerate(self.suspension_order)}
        return tuple(sorted(self.suspended_by_me, key=lambda c: (self.reopen_cost(c), -rank.get(c, 0))))

    def rung(self, kind: str) -> Rung | None:
        for r in self.repertoire:
            if r.kind == kind:
                return r
        return None

    def last_hostile(self, threshold: float, within_days: float, area: str | None = None) -> Perception | None:
        """Most recent perception of severity >= threshold within ``within_days``.

        ``area``: only grievances held in that area (or bearing on every area) count.
        """
        for p in reversed(self.memory):
            if self.day - p.signal.day > within_days:
                return None
            if p.severity >= threshold - EPS and (area is None or p.area in (area, ALL_AREAS)):
                return p
        return None


class Rule:
    """Traits shared by every rule.

    Attributes:
        name: Short name, as in the config group file.
        stochastic: Whether decisions draw from the random generator.
        memory_depth: How many past signals a decision may look at (``math.inf``
            for unbounded).
    """

    name: ClassVar[str]
    stochastic: ClassVar[bool] = False
    memory_depth: ClassVar[float] = 0

    @property
    def label(self) -> str:
        """The name, with any wrapped rule's: ``sanctioned_post_hold(weighted)``."""
        inner = getattr(self, "inner", None)
        return f"{self.name}({inner.label})" if isinstance(inner, Rule) else self.name

    def params(self) -> dict[str, object]:
        """The rule's parameters, for records and the dashboard."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({args})"


def draw_lag(lag: tuple[int, int], rng: np.random.Generator) -> int:
    lo, hi = lag
    return lo if lo == hi else int(rng.integers(lo, hi + 1))


def rung_intent(rung: Rung, p: Perception, intensity: float, rng: np.random.Generator) -> Intent | None:
    """The signal a rung sends in answer to perception ``p`` (None if the rung does not apply)."""
    if rung.target == "subject" and p.subject is None:
        return None
    receiver = p.subject if rung.target == "subject" else p.responsible
    return Intent(
        kind=rung.kind,
        receiver=receiver,
        delay=draw_lag(rung.lag, rng),
        intensity=intensity,
        cause=p.signal.id,
    )


def suspension_intents(
    ctx: Context, n: float, delay: int, cause: int, exclude: Sequence[str] = ()
) -> list[Intent]:
    """Cut up to ``n`` open channels, in my suspension order, all on one day."""
    if n <= 0:
        return []
    out: list[Intent] = []
    for c in ctx.suspension_order:
        if len(out) >= n:
            break
        if c in ctx.open_channels and c not in exclude:
            out.append(Intent("channel_suspension", ctx.rival, c, delay, 1.0, cause))
    return out


def positive_int(name: str, value: object, hi: float = math.inf) -> int:
    """``value`` as an int in ``[1, hi]``; a fractional value is an error, not truncated."""
    v = check_range(name, value, 1, hi)  # type: ignore[arg-type]
    if v != int(v):
        raise ParameterError(name, value, "must be a whole number")
    return int(v)
