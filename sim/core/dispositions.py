"""A government's dispositions: the parameters that make one government unlike another.

Held apart from the agent (:mod:`sim.core.government`) so that the entry point can
check and build them before any model exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sim.core.errors import ParameterError, check_range
from sim.core.rules.base import Rung
from sim.core.vocabulary import load_vocabulary


@dataclass(frozen=True, slots=True)
class Initiative:
    """A signal a government sends of its own accord, as a Poisson process.

    The daily rate is ``per_year / 365`` scaled by ``2 * hostility`` for hostile
    kinds and ``2 * (1 - hostility)`` for cooperative ones.

    Acts of one kind differ in size: each act's weight is ``intensity`` times a
    lognormal draw of median 1 and log-spread ``weight_sigma`` (0: every act weighs
    ``intensity``). The sizes of international events are heavy-tailed (Richardson, L. F.
    (1960), *Statistics of Deadly Quarrels*, Boxwood; Clauset, A. (2018), "Trends and
    fluctuations in the severity of interstate wars", *Science Advances* 4(2): eaao3580),
    so most spontaneous acts are routine and a few are large enough to start a spiral.
    """

    kind: str
    receiver: str
    channel: str = ""
    per_year: float = 1.0
    intensity: float = 1.0
    weight_sigma: float = 0.0


@dataclass(frozen=True)
class GovernmentParams:
    """A government's dispositions.

    Attributes:
        baseline_hostility: Hostility towards others when nothing happens (0..1).
        hostility_days: Time constant of hostility's return to baseline.
        sensitivity: Hostility gained per unit of perceived severity.
        trust_baseline, trust_days: Trust in the rival and its time constant.
        pressure_days: Time constant of domestic pressure.
        pressure_gain: Pressure gained per unit of the rival's hostile severity.
        engagement_pressure: Pressure gained per unit of engagement with the rival (a visit,
            meeting or summit it holds with me): critics at home attack engagement itself
            ("zombie engagement", seed 004).
        pressure_weight: How much pressure raises the cost of engaging: meetings and
            reopenings are judged at ``1 + pressure_weight * pressure`` times their cost
            (Putnam, R. D. (1988), "Diplomacy and domestic politics: the logic of two-level
            games", *International Organization* 42(3): 427-460).
        reply_weight: How a hostile act that answers one of mine is weighed, relative to an act
            begun unprompted: a counter-measure is read as the rival's reply, less than a fresh
            affront. Below 1, answers die out instead of echoing for ever (the stability
            condition of reciprocal response: Richardson, L. F. (1960), *Arms and Insecurity*,
            Boxwood; Goldstein, J. S. & Freeman, J. R. (1990), *Three-Way Street: Strategic
            Reciprocity in World Politics*, Chicago).
        cooldown_days: Minimum days between two signals of one kind to one receiver.
        memory_size: How many perceptions of the rival are remembered.
        watch: Actors whose dealings with my rival I read as aimed at me, with weights.
        repertoire: Escalation ladder, lowest rung first.
        initiatives: Signals sent of my own accord (in scenarios that allow them).
    """

    baseline_hostility: float = 0.3
    hostility_days: float = 90.0
    sensitivity: float = 0.3
    trust_baseline: float = 0.5
    trust_days: float = 180.0
    pressure_days: float = 60.0
    pressure_gain: float = 0.2
    engagement_pressure: float = 0.0
    pressure_weight: float = 0.0
    reply_weight: float = 0.5
    cooldown_days: int = 7
    memory_size: int = 20
    watch: Mapping[str, float] = field(default_factory=dict)
    repertoire: tuple[Rung, ...] = ()
    initiatives: tuple[Initiative, ...] = ()

    def __post_init__(self) -> None:
        check_range("baseline_hostility", self.baseline_hostility, 0, 1)
        check_range("hostility_days", self.hostility_days, 1, 10_000)
        check_range("sensitivity", self.sensitivity, 0, 10)
        check_range("trust_baseline", self.trust_baseline, 0, 1)
        check_range("trust_days", self.trust_days, 1, 10_000)
        check_range("pressure_days", self.pressure_days, 1, 10_000)
        check_range("pressure_gain", self.pressure_gain, 0, 10)
        check_range("engagement_pressure", self.engagement_pressure, 0, 10)
        check_range("pressure_weight", self.pressure_weight, 0, 10)
        check_range("reply_weight", self.reply_weight, 0, 1)
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
        for i, ini in enumerate(self.initiatives):
            if ini.kind not in vocab.kinds:
                raise ParameterError(f"initiatives[{i}].kind", ini.kind, "unknown signal kind")
            if ini.receiver not in vocab.actors:
                raise ParameterError(f"initiatives[{i}].receiver", ini.receiver, "unknown actor")
            if ini.channel and ini.channel not in vocab.channels:
                raise ParameterError(f"initiatives[{i}].channel", ini.channel, "unknown channel")
            check_range(f"initiatives[{i}].per_year", ini.per_year, 0, 365)
            check_range(f"initiatives[{i}].weight_sigma", ini.weight_sigma, 0, 3)
