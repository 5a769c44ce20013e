"""Test kit for the rule tests: a context factory and scripted rivals.

In the style of the Axelrod library's test suite, a rule is exercised by
feeding it a fixed script of signals from the rival (always hostile, always
cooperative, alternating, one shock then calm, a leaders' summit, a gesture)
and recording every decision it takes. The reading of each signal mirrors
``sim.core.government.Government.perceive`` for China (the deciding government, "CHN")
watching the United States ("USA") and the actors in ``WATCH``.

This module is imported by the test modules next to it (pytest's default
``prepend`` import mode puts this folder on ``sys.path``).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pytest

from sim.core.errors import ParameterError
from sim.core.government import read_signal
from sim.core.rules.base import Context, Rung
from sim.core.signals import Intent, Perception, Signal
from sim.core.vocabulary import load_vocabulary

ME = "CHN"
RIVAL = "USA"
# configs/government/china.yaml (copied: configs/ is edited concurrently).
WATCH = {"TWN": 1.5, "PHL": 0.5, "JPN": 0.5, "AUS": 0.4, "ASN": 0.2}
BASELINE = 0.35

CHANNELS: tuple[str, ...] = (
    "mil_mil",
    "defense_ministers",
    "high_level_diplomacy",
    "climate",
    "working_groups",
    "economic",
    "people_to_people",
)
MILITARY = frozenset({"mil_mil", "defense_ministers"})
CIVILIAN = tuple(c for c in CHANNELS if c not in MILITARY)
SUSPENSION_ORDER: tuple[str, ...] = (
    "mil_mil",
    "climate",
    "working_groups",
    "defense_ministers",
    "people_to_people",
    "economic",
    "high_level_diplomacy",
)

# China's ladder (configs/government/china.yaml): random lags.
CHINA_REPERTOIRE: tuple[Rung, ...] = (
    Rung.build("rhetoric_condemnation", 0.3, [0, 1], "rival"),
    Rung.build("sanction", 0.6, [1, 10], "rival"),
    Rung.build("military_drill", 1.0, [2, 3], "subject"),
    Rung.build("channel_suspension", 1.5, [2, 4], "rival"),
    Rung.build("export_control", 2.5, [1, 14], "rival"),
)
# The same ladder with every lag fixed: decisions then need no random draws.
FIXED_LAG_REPERTOIRE: tuple[Rung, ...] = tuple(
    Rung(r.kind, r.min_severity, (r.lag[1], r.lag[1]), r.target) for r in CHINA_REPERTOIRE
)


def make_context(**overrides: Any) -> Context:
    """A Context for China facing the USA; every field can be overridden.

    Defaults: day 100, hostility and trust at China's baselines, no pressure,
    every channel open, China's repertoire and suspension order, no memory.
    Passing ``suspended_by_me`` alone also closes those channels.
    """
    fields: dict[str, Any] = dict(
        day=100,
        me=ME,
        rival=RIVAL,
        hostility=BASELINE,
        baseline_hostility=BASELINE,
        trust=0.4,
        pressure=0.0,
        open_channels=CHANNELS,
        suspended_channels=(),
        suspended_by_me=(),
        military=MILITARY,
        suspension_order=SUSPENSION_ORDER,
        repertoire=CHINA_REPERTOIRE,
        memory=(),
    )
    if "suspended_by_me" in overrides:
        mine = tuple(overrides["suspended_by_me"])
        fields["open_channels"] = tuple(c for c in CHANNELS if c not in mine)
        fields["suspended_channels"] = mine
    fields.update(overrides)
    return Context(**fields)


# -- signals and how China reads them ---------------------------------------


def sig(
    kind: str,
    day: int = 100,
    id: int = 1,
    *,
    sender: str = RIVAL,
    receiver: str = ME,
    intensity: float = 1.0,
    channel: str = "",
) -> Signal:
    """One signal, by default from the USA to China."""
    return Signal(id, day, sender, receiver, kind, channel, intensity, None, False)


def perceive(s: Signal, me: str = ME, rival: str = RIVAL, watch: dict[str, float] = WATCH) -> Perception | None:
    """How ``me`` reads ``s``: the model's own reading (``sim.core.government.read_signal``)."""
    return read_signal(s, me, rival, watch, load_vocabulary().kinds[s.kind].hostility)


def seen(kind: str, day: int = 100, id: int = 1, **kw: Any) -> Perception:
    """China's perception of one signal (which must concern China)."""
    p = perceive(sig(kind, day, id, **kw))
    assert p is not None, f"China does not read {kind} {kw}"
    return p


def raw(severity: float, day: int = 100, id: int = 1, kind: str = "sanction", subject: str | None = None) -> Perception:
    """A perception of exactly ``severity`` (hostility 1 per unit, intensity = severity)."""
    s = sig(kind, day, id, intensity=severity, receiver=subject or ME)
    return Perception(s, 1.0, RIVAL, subject)


# -- scripted rivals: lists of signals, ids 1.., days spaced out ------------


def _script(entries: list[tuple[str, dict[str, Any]]], start: int = 10, every: int = 5) -> list[Signal]:
    return [sig(kind, start + i * every, i + 1, **kw) for i, (kind, kw) in enumerate(entries)]


def always_hostile(n: int = 6, kind: str = "sanction", intensity: float = 2.0) -> list[Signal]:
    """The rival sends the same hostile signal over and over, each followed by a meeting request."""
    return _script([e for _ in range(n) for e in ((kind, {"intensity": intensity}), ("meeting_request", {}))])


def always_cooperative(n: int = 6, kind: str = "working_group") -> list[Signal]:
    """The rival only sends cooperative signals and meeting requests."""
    return _script([e for _ in range(n) for e in ((kind, {}), ("meeting_request", {}))])


def alternating(n: int = 6, hostile: str = "export_control", cooperative: str = "ministerial_meeting") -> list[Signal]:
    """Hostile, cooperative, hostile, ... with a meeting request after each."""
    kinds = [hostile if i % 2 == 0 else cooperative for i in range(n)]
    return _script([e for k in kinds for e in ((k, {"intensity": 1.5}), ("meeting_request", {}))])


def shock_then_calm(n_calm: int = 6, every: int = 5) -> list[Signal]:
    """One big shock (drills at intensity 4, severity 2.8), then cooperative signals and meeting requests."""
    calm = [e for _ in range(n_calm) for e in (("working_group", {}), ("meeting_request", {}))]
    return _script([("military_drill", {"intensity": 4.0})] + calm, every=every)


def taiwan_support(n: int = 4) -> list[Signal]:
    """US arms sales and visits to Taiwan: hostile to China, with Taiwan as subject."""
    entries: list[tuple[str, dict[str, Any]]] = []
    for i in range(n):
        kind = "arms_sale" if i % 2 == 0 else "high_level_visit"
        entries += [(kind, {"receiver": "TWN", "intensity": 2.0}), ("meeting_request", {})]
    return _script(entries)


def leader_summit(day: int = 100, id: int = 1) -> list[Signal]:
    """A leaders' summit, the US leader meeting China's."""
    return [sig("leader_summit", day, id)]


def gesture(kind: str = "ministerial_meeting", day: int = 100, id: int = 1, intensity: float = 1.0) -> list[Signal]:
    """One cooperative gesture from the USA."""
    return [sig(kind, day, id, intensity=intensity)]


RIVALS = {
    "always_hostile": always_hostile,
    "always_cooperative": always_cooperative,
    "alternating": alternating,
    "shock_then_calm": shock_then_calm,
    "taiwan_support": taiwan_support,
    "leader_summit": leader_summit,
    "gesture": gesture,
}


# -- playing a script against a rule ------------------------------------------


@dataclass
class Step:
    """One decision: the perception, the context, and what the rule did."""

    perception: Perception | None
    ctx: Context
    intents: tuple[Intent, ...] = ()
    accepted: bool | None = None
    reopen: tuple[bool, ...] = ()
    ready: tuple[bool, ...] = ()


@dataclass
class Board:
    """Channel status as seen by China, updated as its suspensions take effect."""

    mine: list[str] = field(default_factory=list)

    def context(self, day: int, memory: list[Perception], **overrides: Any) -> Context:
        overrides.setdefault("suspended_by_me", tuple(self.mine))
        return make_context(day=day, memory=tuple(memory[-20:]), **overrides)

    def apply(self, intents: tuple[Intent, ...]) -> None:
        for it in intents:
            if it.kind == "channel_suspension" and it.channel not in self.mine:
                self.mine.append(it.channel)
            if it.kind == "channel_resumption" and it.channel in self.mine:
                self.mine.remove(it.channel)


def play(rule: Any, signals: list[Signal], seed: int = 0, **overrides: Any) -> list[Step]:
    """Feed ``signals`` to a retaliation rule the way a Government does.

    A meeting request to China is answered with ``accepts``; any other signal
    read as hostile goes to ``respond`` (China's suspensions take effect at
    once). After each signal ``permits_reopening`` is asked for every channel.
    """
    rng = np.random.default_rng(seed)
    board, memory, steps = Board(), [], []
    for s in signals:
        p = perceive(s)
        if p is None:
            continue
        if p.responsible == RIVAL:
            memory.append(p)
        ctx = board.context(s.day, memory, **overrides)
        step = Step(p, ctx)
        if s.kind == "meeting_request" and s.receiver == ME:
            step.accepted = rule.accepts(p, ctx, rng)
        elif p.hostility > 0:
            step.intents = tuple(rule.respond(p, ctx, rng))
            board.apply(step.intents)
        step.reopen = tuple(rule.permits_reopening(c, ctx) for c in CHANNELS)
        steps.append(step)
    return steps


def play_thaw(
    rule: Any, signals: list[Signal], seed: int = 0, cut: tuple[str, ...] = SUSPENSION_ORDER[:4], **overrides: Any
) -> list[Step]:
    """Feed a thaw rule China's own suspensions of ``cut``, then ``signals``.

    Each suspension goes to ``on_suspension``; each later signal read as
    non-hostile goes to ``on_perception`` (as in ``Government.receive``).
    After every step ``ready`` is asked for every suspended channel.
    """
    rng = np.random.default_rng(seed)
    board, memory, steps = Board(), [], []
    for c in cut:
        board.mine.append(c)
        ctx = board.context(1, memory, **overrides)
        steps.append(Step(None, ctx, tuple(rule.on_suspension(c, ctx, rng))))
    for s in signals:
        p = perceive(s)
        if p is None:
            continue
        if p.responsible == RIVAL:
            memory.append(p)
        ctx = board.context(s.day, memory, **overrides)
        step = Step(p, ctx)
        if p.hostility <= 0:
            step.intents = tuple(rule.on_perception(p, ctx, rng))
        step.ready = tuple(rule.ready(c, ctx) for c in ctx.suspended_by_me)
        steps.append(step)
    return steps


def intents_of(steps: list[Step]) -> list[Intent]:
    return [it for st in steps for it in st.intents]


class ParameterContract:
    """Parameter tests every rule contract shares. Subclasses set ``rule_class``,
    ``common_bad`` (the base class's out-of-range values) and ``bad_params`` (the rule's own)."""

    rule_class: ClassVar[type]
    common_bad: ClassVar[dict[str, list[Any]]] = {}
    bad_params: ClassVar[dict[str, list[Any]]] = {}

    def make_rule(self, **kw: Any) -> Any:
        return self.rule_class(**kw)

    def test_out_of_range_parameters_raise_parameter_error_naming_them(self) -> None:
        """Every out-of-range parameter raises ParameterError carrying the parameter's name."""
        for name, values in {**self.common_bad, **self.bad_params}.items():
            for value in values:
                with pytest.raises(ParameterError) as err:
                    self.make_rule(**{name: value})
                assert err.value.name == name
                assert str(err.value).startswith(f"{name}=")

    def test_params_and_repr(self) -> None:
        """params() lists exactly the constructor's arguments, rebuilds an equal rule, and repr() shows them."""
        rule = self.make_rule()
        params = rule.params()
        assert set(params) == set(inspect.signature(self.rule_class).parameters)
        assert type(rule)(**params).params() == params
        text = repr(rule)
        assert text.startswith(f"{self.rule_class.__name__}(") and text.endswith(")")
        for k, v in params.items():
            assert f"{k}={v!r}" in text
