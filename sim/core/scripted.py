"""From a scenario's events to signals: their days, their weights, and the starting situation.

What the scenario states becomes what the model sends here, in one place:

* the day of each scripted event: its date, or, for an event the record dates
  only to a month or a span of days, a day drawn uniformly within it (and the
  scenario) from the model's generator, so runs spread over the uncertainty the
  record leaves;
* its weight: the declared weight scale applied to its facts
  (:meth:`sim.core.weights.WeightScale.weight`), unless the scenario overrides it
  with ``intensity``, which the signal records (``Signal.override``);
* the starting hostility each government holds by actor and area.
"""

from __future__ import annotations

import numpy as np

from sim.core.scenario import Scenario, ScriptedEvent
from sim.core.signals import Signal
from sim.core.weights import WeightScale


def event_days(scenario: Scenario, rng: np.random.Generator) -> list[int]:
    """The day of each scripted event, in the scenario's order (one draw per event dated to a month or span)."""
    days = []
    last = scenario.n_days - 1
    for ev in scenario.events:
        first = scenario.day_of(ev.date)
        if ev.precision != "day":
            end = min(last, scenario.day_of(ev.latest))  # type: ignore[arg-type]
            days.append(int(rng.integers(max(0, first), end + 1)))
        else:
            days.append(first)
    return days


def scripted_signal(signal_id: int, day: int, ev: ScriptedEvent, scale: WeightScale) -> Signal:
    """The signal scripted event ``ev`` sends on ``day``, weighed by ``scale`` unless overridden."""
    override = ev.intensity is not None
    weight = ev.intensity if ev.intensity is not None else scale.weight(ev.kind, ev.facts)
    return Signal(
        id=signal_id, day=day, sender=ev.sender, receiver=ev.receiver, kind=ev.kind, channel=ev.channel,
        intensity=weight, cause=None, scripted=True, note=ev.note, host=ev.host, magnitude=ev.magnitude,
        unit=ev.unit, post=ev.post, official=ev.official or "", sanctioned_by=ev.sanctioned_by,
        facts=ev.facts, override=override, planned=ev.planned,
    )  # fmt: skip


def initial_hostility(scenario: Scenario, government: str) -> dict[tuple[str, str], float]:
    """The starting hostility ``government`` holds, by (other actor, area), as the scenario states it."""
    return {(h.towards, h.area): h.value for h in scenario.hostility_at_start if h.holder == government}
