"""The regional-state agent: hedges between the two powers, hosts venues, and signals by its own acts.

Like a government it acts only when a signal reaches it (see ``sim/core/model.py``) and returns
the signals it intends to send, which the model sends and the governments read and answer.

Alignment runs from -1 (with the second pole, China) to +1 (with the first, the United States)
and moves both ways. Coercion by a power, aimed at the state or at an actor it is exposed to,
pushes it towards the other power: balancing against threat (Walt, S. (1987), *The Origins of
Alliances*, Cornell). A power's inducements aimed at it pull it towards that power, the more so
the more it depends on that power's trade and investment, and that dependence restrains its
balancing against the same power: hedging, which keeps return-maximising options open with the
stronger economic partner while building risk-contingency options with the other (Kuik, C.-C.
(2008), "The essence of hedging: Malaysia and Singapore's response to a rising China",
*Contemporary Southeast Asia* 30(2): 159-185; Goh, E. (2005), *Meeting the China Challenge: The
US in Southeast Asian Regional Security Strategies*, East-West Center). Dependence comes from
``sim/data/regional_economy.csv`` (:mod:`sim.core.regional_economy`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import mesa

from sim.core.errors import ParameterError, check_lag, check_range
from sim.core.regional_economy import dependence
from sim.core.rules.base import draw_lag
from sim.core.signals import Intent, Signal
from sim.core.state import RelaxingState
from sim.core.vocabulary import load_vocabulary

_LAGS = ("ties_lag", "patrol_lag", "protest_lag", "deal_lag")


@dataclass(frozen=True)
class RegionalParams:
    """A regional state's dispositions.

    Attributes:
        baseline_alignment: Alignment when nothing happens (-1 China .. +1 US).
        alignment_days: Time constant of alignment's return to baseline.
        threat_sensitivity: Alignment shift per unit of threat, away from the threatener
            (balancing against threat, Walt 1987).
        attraction: Alignment shift per unit of a power's cooperation aimed at me, towards it.
        exposure: Other actors whose coercion threatens me, with weights
            (coercion aimed at me always counts fully).
        ties_threshold: Threat at which I consider deepening defence ties with the other pole.
        ties_probability: Probability that I do so (``defense_cooperation`` to the other pole).
        ties_lag: ``[min, max]`` days until the new ties are announced.
        dependence_gain: How much economic dependence on a power multiplies the pull of its
            inducements: ``attraction * weight * (1 + dependence_gain * dependence)`` (the
            return-maximising side of hedging, Kuik 2008).
        restraint: How much dependence on the coercer damps balancing against it: threat is
            scaled by ``max(0, 1 - restraint * dependence)`` (Kuik 2008; Goh 2005).
        trade_weight: Weight of the trade share against the investment share in dependence.
        dependence: Dependence on a pole, overriding the data file (for counterfactuals; empty:
            ``sim/data/regional_economy.csv``).
        patrol_probability: Probability that a military act of a power aimed at me (coercion at
            sea: drills, interceptions, surveillance) leads me to patrol jointly with the other
            power, when I did not already decide to deepen ties over it (a risk-contingency
            option, Kuik 2008; the Philippine-US joint sails of 2023-2024).
        patrol_lag: ``[min, max]`` days until the joint patrol.
        protest_threshold: Threat aimed at me from which I protest to the coercer.
        protest_probability: Probability that I protest (``rhetoric_condemnation``).
        protest_lag: ``[min, max]`` days until the protest.
        deal_base: Base probability of accepting a power's economic deal offered to me
            (answering its ``economic_cooperation`` with my own).
        deal_dependence: Rise of that probability per unit of dependence on the offerer.
        deal_alignment: Rise of that probability per unit of alignment towards the offerer
            (negative alignment towards it lowers it).
        deal_commitment: Alignment shift towards the offerer when I accept (the deal binds me).
        deal_lag: ``[min, max]`` days until the deal is concluded.
    """

    baseline_alignment: float = 0.0
    alignment_days: float = 365.0
    threat_sensitivity: float = 0.1
    attraction: float = 0.05
    exposure: Mapping[str, float] = field(default_factory=dict)
    ties_threshold: float = 0.5
    ties_probability: float = 0.2
    ties_lag: tuple[int, int] = (14, 90)
    dependence_gain: float = 2.0
    restraint: float = 1.5
    trade_weight: float = 0.5
    dependence: Mapping[str, float] = field(default_factory=dict)
    patrol_probability: float = 0.2
    patrol_lag: tuple[int, int] = (7, 45)
    protest_threshold: float = 0.5
    protest_probability: float = 0.5
    protest_lag: tuple[int, int] = (0, 2)
    deal_base: float = 0.3
    deal_dependence: float = 1.0
    deal_alignment: float = 0.3
    deal_commitment: float = 0.02
    deal_lag: tuple[int, int] = (7, 60)

    def __post_init__(self) -> None:
        check_range("baseline_alignment", self.baseline_alignment, -1, 1)
        check_range("alignment_days", self.alignment_days, 1, 10_000)
        check_range("threat_sensitivity", self.threat_sensitivity, 0, 10)
        check_range("attraction", self.attraction, 0, 10)
        check_range("ties_threshold", self.ties_threshold, 0, 10)
        check_range("ties_probability", self.ties_probability, 0, 1)
        check_range("dependence_gain", self.dependence_gain, 0, 10)
        check_range("restraint", self.restraint, 0, 10)
        check_range("trade_weight", self.trade_weight, 0, 1)
        check_range("patrol_probability", self.patrol_probability, 0, 1)
        check_range("protest_threshold", self.protest_threshold, 0, 10)
        check_range("protest_probability", self.protest_probability, 0, 1)
        check_range("deal_base", self.deal_base, 0, 1)
        check_range("deal_dependence", self.deal_dependence, 0, 10)
        check_range("deal_alignment", self.deal_alignment, 0, 10)
        check_range("deal_commitment", self.deal_commitment, 0, 1)
        for name in _LAGS:  # a config hands lists: keep tuples, so params stay hashable and comparable
            object.__setattr__(self, name, check_lag(name, getattr(self, name)))
        actors = load_vocabulary().actors
        for actor, w in self.exposure.items():
            if actor not in actors:
                raise ParameterError(f"exposure.{actor}", actor, "unknown actor")
            check_range(f"exposure.{actor}", w, 0, 10)
        for pole, d in self.dependence.items():
            if pole not in actors or actors[pole].role != "government":
                raise ParameterError(f"dependence.{pole}", pole, "must be a government")
            check_range(f"dependence.{pole}", d, 0, 1)


class RegionalState(mesa.Agent):
    """A regional state that hedges between two powers, hosts venues and signals by its own acts.

    On a signal sent by a pole (and only then: it never answers its own acts or other regional
    states', so no regional loop can run on) it:

    * moves its alignment: away from a coercer by ``threat_sensitivity * threat``, with the
      threat damped by dependence on the coercer; towards a power whose cooperation is aimed at
      it by ``attraction * weight * (1 + dependence_gain * dependence)``; a meeting refused at a
      venue it hosts costs the refuser; every shift shrinks near the bound it moves towards;
    * may deepen defence ties with the other pole (threat at or above ``ties_threshold``), or
      else patrol jointly with it after a military act aimed at it;
    * may protest coercion aimed at it to the coercer;
    * may accept a power's economic deal, the likelier the more it depends on and leans
      towards that power.

    It does not answer a pole's signal that itself answers one of its own acts (a rebuke of its
    protest), so a state and a power cannot trade protests without end. Every draw comes from
    ``model.rng``.

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
        self.dependence: dict[str, float] = {
            p: float(params.dependence.get(p, dependence(code, p, params.trade_weight))) for p in poles
        }
        self._mine: set[int] = set()  # ids of signals I sent

    def alignment(self, day: int) -> float:
        return self.state.get(self._name, day)

    def _chance(self, p: float) -> bool:
        """A draw from the model's generator; none when ``p`` is 0, so a disabled act draws nothing."""
        return p > 0 and self.model.rng.random() < p

    def _shift(self, day: int, shift: float) -> None:
        a = self.alignment(day)
        self.state.shock(self._name, day, shift * ((1 - a) if shift > 0 else (1 + a)))

    def receive(self, s: Signal) -> list[Intent]:
        """Read signal ``s``; return the signals it prompts me to send."""
        if s.sender == self.code:
            self._mine.add(s.id)
            return []
        if s.sender not in self.poles:
            return []
        prm = self.params
        spec = self._kinds[s.kind]
        h = spec.hostility
        sign = 1.0 if s.sender == self.poles[0] else -1.0  # +1: the sender is the first pole
        other = self.poles[1] if s.sender == self.poles[0] else self.poles[0]
        answer = s.cause not in self._mine  # never answer an answer to my own act
        out: list[Intent] = []
        if s.kind == "meeting_rejection" and s.host == self.code:
            self._shift(s.day, -sign * prm.attraction * h)
        elif h > 0:
            at_me = s.receiver == self.code
            w = 1.0 if at_me else prm.exposure.get(s.receiver, 0.0)
            threat = h * w * s.intensity * max(0.0, 1.0 - prm.restraint * self.dependence[s.sender])
            if threat <= 0:
                return []
            self._shift(s.day, -sign * prm.threat_sensitivity * threat)
            if not answer:
                return []
            rng = self.model.rng
            if threat >= prm.ties_threshold and self._chance(prm.ties_probability):
                out.append(Intent("defense_cooperation", other, "", draw_lag(prm.ties_lag, rng), 1.0, s.id))
            elif at_me and spec.military and self._chance(prm.patrol_probability):
                out.append(Intent("defense_cooperation", other, "", draw_lag(prm.patrol_lag, rng), 1.0, s.id,
                                  "joint patrol"))  # fmt: skip
            if at_me and threat >= prm.protest_threshold and self._chance(prm.protest_probability):
                out.append(Intent("rhetoric_condemnation", s.sender, "", draw_lag(prm.protest_lag, rng), 1.0, s.id,
                                  f"protest over {s.kind.replace('_', ' ')}"))  # fmt: skip
        elif h < 0 and s.receiver == self.code:
            dep = self.dependence[s.sender]
            self._shift(s.day, sign * prm.attraction * -h * s.intensity * (1 + prm.dependence_gain * dep))
            if s.kind == "economic_cooperation" and answer:
                towards = sign * self.alignment(s.day)
                p = min(1.0, max(0.0, prm.deal_base + prm.deal_dependence * dep + prm.deal_alignment * towards))
                if self._chance(p):
                    self._shift(s.day, sign * prm.deal_commitment)
                    lag = draw_lag(prm.deal_lag, self.model.rng)
                    out.append(Intent("economic_cooperation", s.sender, "", lag, 1.0, s.id, "accepts the deal"))
        return out
