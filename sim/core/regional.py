"""The regional-state agent: leans between the two powers, hosts venues, may deepen defence ties.

Like a government it acts only when a signal reaches it (see
``sim/core/model.py``) and returns the signals it intends to send.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import mesa

from sim.core.errors import ParameterError, check_lag, check_range
from sim.core.rules.base import draw_lag
from sim.core.signals import Intent, Signal
from sim.core.state import RelaxingState
from sim.core.vocabulary import load_vocabulary


@dataclass(frozen=True)
class RegionalParams:
    """A regional state's dispositions.

    Alignment runs from -1 (with the second pole, China) to +1 (with the first,
    the United States).

    Attributes:
        baseline_alignment: Alignment when nothing happens.
        alignment_days: Time constant of alignment's return to baseline.
        threat_sensitivity: Alignment shift per unit of threat, away from the threatener.
        attraction: Alignment shift per unit of cooperation, towards the cooperator.
        exposure: Other actors whose coercion threatens me, with weights
            (coercion aimed at me always counts fully).
        ties_threshold: Threat at which I consider deepening defence ties with the other pole.
        ties_probability: Probability that I do so.
        ties_lag: ``[min, max]`` days until the new ties are announced.
    """

    baseline_alignment: float = 0.0
    alignment_days: float = 365.0
    threat_sensitivity: float = 0.1
    attraction: float = 0.05
    exposure: Mapping[str, float] = field(default_factory=dict)
    ties_threshold: float = 0.5
    ties_probability: float = 0.2
    ties_lag: tuple[int, int] = (14, 90)

    def __post_init__(self) -> None:
        check_range("baseline_alignment", self.baseline_alignment, -1, 1)
        check_range("alignment_days", self.alignment_days, 1, 10_000)
        check_range("threat_sensitivity", self.threat_sensitivity, 0, 10)
        check_range("attraction", self.attraction, 0, 10)
        check_range("ties_threshold", self.ties_threshold, 0, 10)
        check_range("ties_probability", self.ties_probability, 0, 1)
        check_lag("ties_lag", self.ties_lag)
        actors = load_vocabulary().actors
        for actor, w in self.exposure.items():
            if actor not in actors:
                raise ParameterError(f"exposure.{actor}", actor, "unknown actor")
            check_range(f"exposure.{actor}", w, 0, 10)


class RegionalState(mesa.Agent):
    """A regional state that leans between two powers and hosts venues.

    Coercion aimed at it, or at an actor it is exposed to, pushes its
    alignment away from the coercer and may lead it to deepen defence ties
    with the other power (a signal that power's rival answers); cooperation
    aimed at it pulls it towards the cooperator; a meeting refused at a venue
    it hosts costs the refuser standing. Balancing against threat follows
    Walt, S. (1987), *The Origins of Alliances*, Cornell.

    Args:
        model: The model.
        code: ISO3 code.
        poles: The two powers ``(first, second)``; alignment +1 is with the first.
        params: Dispositions.
    """

    def __init__(self, model: mesa.Model, code: str, poles: tuple[str, str], params: RegionalParams) -> None:
        super().__init__(model)
        self.code = code
        self.poles = poles
        self.params = params
        self._name = ("alignment", None)  # a state key; sim.outputs.columns names the column
        self.state = RelaxingState(
            [self._name],
            [params.baseline_alignment],
            [params.baseline_alignment],
            [params.alignment_days],
            lo=-1.0,
            hi=1.0,
        )
        self._kinds = load_vocabulary().kinds

    def alignment(self, day: int) -> float:
        return self.state.get(self._name, day)

    def receive(self, s: Signal) -> list[Intent]:
        """Read signal ``s``; return any defence-ties signal it prompts."""
        if s.sender not in self.poles:
            return []
        prm = self.params
        h = self._kinds[s.kind].hostility
        towards_sender = 1.0 if s.sender == self.poles[0] else -1.0
        out: list[Intent] = []
        if s.kind == "meeting_rejection" and s.host == self.code:
            shift = -towards_sender * prm.attraction * h
        elif h > 0:
            w = 1.0 if s.receiver == self.code else prm.exposure.get(s.receiver, 0.0)
            threat = h * w * s.intensity
            if threat <= 0:
                return []
            shift = -towards_sender * prm.threat_sensitivity * threat
            if threat >= prm.ties_threshold and self.model.rng.random() < prm.ties_probability:
                other = self.poles[1] if s.sender == self.poles[0] else self.poles[0]
                delay = draw_lag(prm.ties_lag, self.model.rng)
                out.append(Intent("defense_cooperation", other, "", delay, 1.0, s.id))
        elif h < 0 and s.receiver == self.code:
            shift = towards_sender * prm.attraction * -h * s.intensity
        else:
            return []
        a = self.alignment(s.day)
        self.state.shock(self._name, s.day, shift * ((1 - a) if shift > 0 else (1 + a)))
        return out
