"""A naive, idiomatic Mesa version of the signaling model, for benchmarking only.

:class:`NaiveSignalingModel` runs exactly the dynamics of
:class:`sim.core.model.SignalingModel` (same agents, rules, signal queue and random
draws) but the way a Mesa model is usually written: every simulated day its
``step()`` processes the day's queued signals, steps every agent (each agent
recomputes every one of its relaxing variables for the day and stores it) and
has a :class:`mesa.DataCollector` record the daily state through one model
reporter per column. The daily table is then
``datacollector.get_model_vars_dataframe()``.

It exists so that ``bench/bench_run.py`` can compare the event-driven run with
what a per-day model would cost. The benchmark checks that both produce the
same events and the same daily table before it times anything.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import mesa
import pandas as pd

from sim.core.government import Government
from sim.core.model import GovernmentSpec, RegionalSpec, SignalingModel
from sim.core.regional import RegionalState
from sim.core.scenario import Scenario
from sim.core.vocabulary import AREAS
from sim.core.weights import WeightScale
from sim.outputs import columns

Reporter = Callable[[mesa.Model], Any]


def recompute_today(agent: Government | RegionalState) -> dict[Hashable, float]:
    """Every relaxing variable of ``agent`` at the end of the model's current day, by its state key."""
    day, state = agent.model.day, agent.state
    return {key: state.get(key, day) for key in state.names}


# step() is written out in each subclass rather than in a shared mixin: with a
# mixin listed first among the bases, CPython 3.12 refuses the in-place
# re-classing in NaiveSignalingModel.__init__ ("object layout differs").
class NaiveGovernment(Government):
    """A :class:`sim.core.government.Government` that is stepped every day.

    Attributes:
        current: State key -> value at the end of the current day.
    """

    current: dict[Hashable, float]

    def step(self) -> None:
        """Recompute every relaxing variable for the model's current day."""
        self.current = recompute_today(self)


class NaiveRegionalState(RegionalState):
    """A :class:`sim.core.regional.RegionalState` that is stepped every day.

    Attributes:
        current: State key -> value at the end of the current day.
    """

    current: dict[Hashable, float]

    def step(self) -> None:
        """Recompute every relaxing variable for the model's current day."""
        self.current = recompute_today(self)


NaiveAgent = NaiveGovernment | NaiveRegionalState


class NaiveSignalingModel(SignalingModel):
    """The signaling model stepped day by day, with a Mesa DataCollector.

    Args:
        scenario: The validated scenario.
        governments: The two government specs.
        regional: Regional state specs.
        seed: Seed of the model's random generator.
    """

    def __init__(
        self,
        scenario: Scenario,
        governments: Sequence[GovernmentSpec],
        regional: Sequence[RegionalSpec],
        seed: int = 0,
        scale: WeightScale | None = None,
    ) -> None:
        super().__init__(scenario, governments, regional, seed, scale=scale)
        # The parent constructor builds the project's agent classes (and queues
        # initiatives that refer to those very objects), so the agents are
        # re-classed in place rather than rebuilt: same state, same identity,
        # plus a per-day step().
        for gov in self.governments.values():
            gov.__class__ = NaiveGovernment
            gov.current = {}
        for reg in self.regional.values():
            reg.__class__ = NaiveRegionalState
            reg.current = {}
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())

    def step(self) -> None:
        """Advance one calendar day: signals, then every agent, then data collection."""
        if self.day >= self.n_days:
            self.running = False
            return
        self._process_day(self.day)
        self.agents.shuffle_do("step")
        self.datacollector.collect(self)
        self.day += 1
        self.running = self.day < self.n_days

    def _reporters(self) -> dict[str, Reporter]:
        """One model reporter per column of ``sim.outputs.tables.steps_frame`` (except ``step``)."""
        a, b = self.poles
        ga, gb = self.governments[a], self.governments[b]
        reporters: dict[str, Reporter] = {
            "date": lambda m: m.date_of(m.day),
            columns.tension(a, b): _tension(ga, gb, _area_keys(ga, b), _area_keys(gb, a)),
        }
        for agent in (*self.governments.values(), *self.regional.values()):
            for key in agent.state.names:
                if len(key) == 3 and key[0] == "hostility" and key[2] == AREAS[0]:  # the aggregate first
                    reporters[columns.hostility(agent.code, key[1])] = _aggregate(agent, _area_keys(agent, key[1]))
                reporters[columns.state_column(agent.code, key)] = _variable(agent, key)
        for channel in self.board.channels:
            reporters[columns.channel(a, b, channel)] = _channel(channel)
        return reporters


def _variable(agent: NaiveAgent, key: Hashable) -> Reporter:
    return lambda m: agent.current[key]


def _area_keys(agent: NaiveAgent, towards: str) -> list[Hashable]:
    """The agent's hostility keys towards one actor, one per issue area."""
    return [("hostility", towards, area) for area in AREAS]


def _aggregate(agent: NaiveAgent, keys: list[Hashable]) -> Reporter:
    return lambda m: max(agent.current[k] for k in keys)


def _tension(ga: NaiveAgent, gb: NaiveAgent, keys_a: list[Hashable], keys_b: list[Hashable]) -> Reporter:
    return lambda m: (max(ga.current[k] for k in keys_a) + max(gb.current[k] for k in keys_b)) / 2


def _channel(channel: str) -> Reporter:
    return lambda m: m.board.status(channel).value


def run_naive(
    scenario: Scenario,
    governments: Sequence[GovernmentSpec],
    regional: Sequence[RegionalSpec],
    seed: int,
    scale: WeightScale | None = None,
) -> tuple[NaiveSignalingModel, pd.DataFrame]:
    """Build a naive model, step it through every day, and return it with its daily table.

    Returns:
        The finished model and the DataCollector's model-variables frame
        (index: day number; columns as in ``steps_frame`` without ``step``).
    """
    model = NaiveSignalingModel(scenario, governments, regional, seed, scale=scale)
    for _ in range(model.n_days):
        model.step()
    return model, model.datacollector.get_model_vars_dataframe()
