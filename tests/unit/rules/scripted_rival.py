"""Test kit for the rule tests: China's real government, built from the composed config, against scripted rivals.

In the style of the Axelrod library's tests, where a ``MockPlayer`` plays a
fixed list of moves through the real ``Match``: the rule under test is put in
China's real :class:`~sim.core.government.Government`, inside a real
:class:`~sim.core.model.SignalingModel` built from the composed config
(:func:`sim.config.compose.compose_config` + :func:`sim.config.build.build_spec`,
uncalibrated, so China's watch table, ladder and suspension order are those of
``configs/government/china.yaml``), and the rival's moves are the scripted
events of a small scenario. The rival (the USA) plays its script and nothing
else: its own rules are the null rules. China reads each move as the model
delivers it, through its own state (hostility, trust, pressure, memory) and
the real channel board; its answers are fired by the model.

A :class:`Spy` around the rule records each decision the government asks of
it (the signal being read, the perception, the context, the answer) without
changing any; :func:`play` returns those steps, and :meth:`Play.answers` the
signals China actually sent in answer to each rival move, for expected play
written as data (:func:`versus_test`).

This module is imported by the test modules next to it (pytest's default
``prepend`` import mode puts this folder on ``sys.path``).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import inspect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

import pytest

from sim.config.build import ModelSpec, build_spec
from sim.config.compose import compose_config
from sim.core.errors import ParameterError
from sim.core.government import Government
from sim.core.model import GovernmentSpec, SignalingModel
from sim.core.rules.base import Context, Rung
from sim.core.rules.retaliation import NoRetaliation, RetaliationRule
from sim.core.rules.thaw import NoThaw
from sim.core.scenario import Scenario, parse_scenario
from sim.core.signals import Intent, Perception, Signal
from sim.core.vocabulary import load_vocabulary

ME = "CHN"
RIVAL = "USA"
# The rules' and configs/government/*.yaml's own values, not the calibrated ones.
OVERRIDES = ("~calibration",)
START = dt.date(2022, 1, 1)
# Meeting requests need a channel in a scenario; leader-level diplomacy is cut last.
MEETING_CHANNEL = "high_level_diplomacy"
# Seeds a contract plays every scripted rival with.
SEEDS = range(5)


@lru_cache(maxsize=1)
def model_spec() -> ModelSpec:
    """The composed config, checked and built (once per session)."""
    cfg, choices = compose_config(OVERRIDES)
    return build_spec(cfg, choices)


def government_spec(code: str) -> GovernmentSpec:
    return next(g for g in model_spec().governments if g.code == code)


_PARAMS = government_spec(ME).params
WATCH = dict(_PARAMS.watch)
BASELINE = _PARAMS.baseline_hostility
CHINA_REPERTOIRE: tuple[Rung, ...] = _PARAMS.repertoire
# The same ladder with every lag fixed: decisions then need no random draws.
FIXED_LAG_REPERTOIRE: tuple[Rung, ...] = tuple(
    Rung(r.kind, r.min_severity, (r.lag[1], r.lag[1]), r.target, r.areas) for r in CHINA_REPERTOIRE
)
_VOCAB = load_vocabulary()
CHANNELS: tuple[str, ...] = _VOCAB.channel_names
MILITARY = frozenset(c for c, s in _VOCAB.channels.items() if s.military)
CIVILIAN = tuple(c for c in CHANNELS if c not in MILITARY)


def rung(kind: str) -> Rung:
    """China's configured rung for ``kind``."""
    return next(r for r in CHINA_REPERTOIRE if r.kind == kind)


# -- the match: scenario, model, spy ----------------------------------------


@dataclass(frozen=True)
class Move:
    """One scripted signal: by default the rival's, to China."""

    day: int
    kind: str
    receiver: str = ME
    intensity: float | None = 1.0
    channel: str = ""
    sender: str = RIVAL
    facts: Mapping[str, Any] = field(default_factory=dict)
    """Scenario fields written as they are in a scenario file (``form``, ``reopens``, ``rank``,
    ``place``, ``planned``, ``post``, ``official``, ``sanctioned_by``...). With ``intensity=None``
    the weight scale weighs the event from these facts."""

    def event(self) -> dict[str, Any]:
        channel = self.channel or (MEETING_CHANNEL if self.kind == "meeting_request" else "")
        ev = {"date": START + dt.timedelta(days=self.day), "sender": self.sender, "receiver": self.receiver,
              "kind": self.kind, "channel": channel}  # fmt: skip
        if self.intensity is not None:
            ev["intensity"] = self.intensity
        ev.update(self.facts)
        return ev


def scenario(moves: Sequence[Move], days: int, posts: Sequence[Mapping[str, Any]] = ()) -> Scenario:
    """A scenario of ``days`` days whose only events are ``moves``; nothing spontaneous; ``posts``
    written as in a scenario file (``{actor, post, official, sanctioned_by}``)."""
    doc = {"name": "scripted_rival", "start": START, "end": START + dt.timedelta(days=days - 1),
           "spontaneous": False, "posts": [dict(p) for p in posts], "events": [m.event() for m in moves]}  # fmt: skip
    return parse_scenario(doc, "scripted rival")


@dataclass
class Step:
    """One decision the government asked of the rule.

    ``signal`` is the signal being read, ``perception`` China's reading of it
    (None for China's own suspension), ``ctx`` the context the rule was given,
    ``call`` the method asked. ``reopen`` (retaliation rules) and ``ready``
    (thaw rules) query the rule with the same context, for every channel and
    every channel China suspended; ``sent`` is what China sent in answer to
    ``signal`` (from the event log, after the run).
    """

    signal: Signal
    perception: Perception | None
    ctx: Context
    call: str
    intents: tuple[Intent, ...] = ()
    accepted: bool | None = None
    reopen: tuple[bool, ...] = ()
    ready: tuple[bool, ...] = ()
    sent: tuple[Signal, ...] = ()


class Spy:
    """Wraps a rule; records each decision asked of it (see :class:`Step`), changes none."""

    def __init__(self, rule: Any) -> None:
        self.rule = rule
        self.steps: list[Step] = []
        self.model: SignalingModel | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rule, name)

    def _record(self, call: str, p: Perception | None, ctx: Context, **kw: Any) -> None:
        assert self.model is not None
        step = Step(self.model.events[-1], p, ctx, call, **kw)
        # The queries are put to a copy: a rule may keep state when asked (WeightedThaw.ready
        # spends or voids a promise), and the spy must change nothing.
        probe = copy.deepcopy(self.rule)
        if isinstance(self.rule, RetaliationRule):
            step.reopen = tuple(probe.permits_reopening(c, ctx) for c in CHANNELS)
        else:
            step.ready = tuple(probe.ready(c, ctx) for c in ctx.suspended_by_me)
        self.steps.append(step)

    def respond(self, p: Perception, ctx: Context, rng: Any) -> list[Intent]:
        out = self.rule.respond(p, ctx, rng)
        self._record("respond", p, ctx, intents=tuple(out))
        return out

    def accepts(self, request: Perception, ctx: Context, rng: Any) -> bool:
        ok = self.rule.accepts(request, ctx, rng)
        self._record("accepts", request, ctx, accepted=ok)
        return ok

    def on_perception(self, p: Perception, ctx: Context, rng: Any) -> list[Intent]:
        out = self.rule.on_perception(p, ctx, rng)
        self._record("on_perception", p, ctx, intents=tuple(out))
        return out

    def on_suspension(self, channel: str, ctx: Context, rng: Any, cause: int | None = None) -> list[Intent]:
        out = self.rule.on_suspension(channel, ctx, rng, cause=cause)
        self._record("on_suspension", None, ctx, intents=tuple(out))
        return out


class Play(list):
    """The steps of one match (a list of :class:`Step`), with the match's event log."""

    events: list[Signal]

    def answers(self) -> list[tuple[str, tuple[str, ...]]]:
        """Per scripted move: its kind and what China sent in answer to it, in the order sent (a
        channel move as ``kind:channel``)."""
        return [(s.kind, tuple(_label(e) for e in self.events if e.cause == s.id and e.sender == ME))
                for s in self.events if s.scripted]  # fmt: skip


def _label(s: Signal) -> str:
    return f"{s.kind}:{s.channel}" if s.kind in ("channel_suspension", "channel_resumption") else s.kind


def governments(rule: Any, **params: Any) -> tuple[GovernmentSpec, ...]:
    """The config's two governments: China playing ``rule`` (a spy or a rule; the null rule in its
    other slot) with ``params`` replaced, the rival playing the null rules."""
    if isinstance(getattr(rule, "rule", rule), RetaliationRule):
        retaliation, thaw = rule, NoThaw()
    else:
        retaliation, thaw = NoRetaliation(), rule
    out = []
    for g in model_spec().governments:
        if g.code == ME:
            mine = dataclasses.replace(g.params, **params)
            g = dataclasses.replace(g, params=mine, retaliation=retaliation, thaw=thaw)
        else:
            g = dataclasses.replace(g, retaliation=NoRetaliation(), thaw=NoThaw())
        out.append(g)
    return tuple(out)


def play(rule: Any, moves: Sequence[Move], seed: int = 0, *, cut: Sequence[str] = (),
         posts: Sequence[Mapping[str, Any]] = (), days_after: int = 200, **params: Any) -> Play:  # fmt: skip
    """Play ``moves`` against China playing ``rule``, through the real model, and record its decisions.

    ``cut``: channels China suspends on day 1 (scripted), before the rival's
    moves; ``posts``: who holds which post at the start (as in a scenario file);
    ``params``: China's parameters to replace (``repertoire=...``).
    The match runs ``days_after`` (200) days past the last move, so delayed answers fall due.
    """
    spy = Spy(rule)
    moves = [Move(1, "channel_suspension", RIVAL, channel=c, sender=ME) for c in cut] + list(moves)
    days = max((m.day for m in moves), default=0) + days_after
    model = SignalingModel(scenario(moves, days, posts), governments(spy, **params), model_spec().regional, seed)
    spy.model = model
    model.run()
    for st in spy.steps:
        st.sent = tuple(e for e in model.events if e.cause == st.signal.id and e.sender == ME)
    out = Play(spy.steps)
    out.events = model.events
    return out


CONFIG = "config"


def match(moves: Sequence[Move], seed: int = 0, *, rules: Mapping[str, Any] | None = None,
          params: Mapping[str, Mapping[str, Any]] | None = None, posts: Sequence[Mapping[str, Any]] = (),
          days_after: int = 200) -> SignalingModel:  # fmt: skip
    """Run ``moves`` through the real model with both governments deciding, and return the model.

    ``rules``: per government, ``(retaliation, thaw)`` or :data:`CONFIG` (a fresh copy of the
    config's rules); a government not listed plays the null rules (it does only what is scripted).
    ``params``: per government, parameters to replace. ``posts``: as in a scenario file.
    """
    rules, params = dict(rules or {}), dict(params or {})
    out = []
    for g in model_spec().governments:
        chosen = rules.get(g.code)
        if chosen == CONFIG:
            retaliation, thaw = copy.deepcopy(g.retaliation), copy.deepcopy(g.thaw)
        elif chosen is None:
            retaliation, thaw = NoRetaliation(), NoThaw()
        else:
            retaliation, thaw = chosen
        mine = dataclasses.replace(g.params, **params.get(g.code, {}))
        out.append(dataclasses.replace(g, params=mine, retaliation=retaliation, thaw=thaw))
    days = max((m.day for m in moves), default=0) + days_after
    model = SignalingModel(scenario(moves, days, posts), tuple(out), model_spec().regional, seed)
    model.run()
    return model


def log(model: SignalingModel) -> list[tuple[int, str, str, str, str]]:
    """A model's event log as comparable rows: (day, sender, receiver, kind, channel)."""
    return [(e.day, e.sender, e.receiver, e.kind, e.channel) for e in model.events]


def versus_test(rule: Any, moves: Sequence[Move], expected: Sequence[tuple[str, tuple[str, ...]]],
                seed: int = 0, **kw: Any) -> None:  # fmt: skip
    """Axelrod's ``versus_test``: ``moves`` played against ``rule`` draw exactly the ``expected``
    answers, one ``(move kind, kinds China sent in answer)`` per scripted move."""
    assert play(rule, moves, seed, **kw).answers() == list(expected)


def intents_of(steps: Sequence[Step]) -> list[Intent]:
    return [it for st in steps for it in st.intents]


# -- China's reading and context, outside a match ------------------------------


@lru_cache(maxsize=1)
def _quiet_model() -> SignalingModel:
    return SignalingModel(scenario([], 400), governments(NoRetaliation()), model_spec().regional, 0)


def china() -> Government:
    """China's real government (config parameters, null rules) in a model where nothing happened."""
    return _quiet_model().governments[ME]


# The order China cuts channels in, as its government derives it (from sim/data/channel_costs.csv).
SUSPENSION_ORDER: tuple[str, ...] = china().context(0, _quiet_model().board).suspension_order


def make_context(**overrides: Any) -> Context:
    """China's real context on day 100 of a quiet match (every state at baseline, every channel open,
    the config's repertoire and suspension order, no memory), with fields overridden.

    Passing ``suspended_by_me`` alone also closes those channels; passing ``hostility`` alone sets
    every area to it (the aggregate is the highest area).
    """
    ctx = china().context(overrides.pop("day", 100), _quiet_model().board)
    if "hostility" in overrides:
        overrides.setdefault("hostility_areas", (overrides["hostility"],) * len(ctx.hostility_areas))
    if "suspended_by_me" in overrides:
        mine = tuple(overrides["suspended_by_me"])
        overrides.setdefault("open_channels", tuple(c for c in CHANNELS if c not in mine))
        overrides.setdefault("suspended_channels", mine)
    return dataclasses.replace(ctx, **overrides)


def sig(kind: str, day: int = 100, id: int = 1, *, sender: str = RIVAL, receiver: str = ME,
        intensity: float = 1.0, channel: str = "") -> Signal:  # fmt: skip
    """One signal, by default from the USA to China."""
    return Signal(id, day, sender, receiver, kind, channel, intensity, None, False)


def seen(kind: str, day: int = 100, id: int = 1, **kw: Any) -> Perception:
    """China's real perception of one signal (which must concern China)."""
    p = china().perceive(sig(kind, day, id, **kw))
    assert p is not None, f"China does not read {kind} {kw}"
    return p


def raw(severity: float, day: int = 100, id: int = 1, kind: str = "sanction", subject: str | None = None) -> Perception:
    """A perception of exactly ``severity`` (hostility 1 per unit, intensity = severity)."""
    s = sig(kind, day, id, intensity=severity, receiver=subject or ME)
    return Perception(s, 1.0, RIVAL, subject)


# -- scripted rivals: lists of moves, days spaced out ----------------------------


def _script(entries: list[tuple[str, dict[str, Any]]], start: int = 10, every: int = 5) -> list[Move]:
    return [Move(start + i * every, kind, **kw) for i, (kind, kw) in enumerate(entries)]


def always_hostile(n: int = 6, kind: str = "sanction", intensity: float = 2.0) -> list[Move]:
    """The rival sends the same hostile signal over and over, each followed by a meeting request."""
    return _script([e for _ in range(n) for e in ((kind, {"intensity": intensity}), ("meeting_request", {}))])


def always_cooperative(n: int = 6, kind: str = "working_group") -> list[Move]:
    """The rival only sends cooperative signals and meeting requests."""
    return _script([e for _ in range(n) for e in ((kind, {}), ("meeting_request", {}))])


def alternating(n: int = 6, hostile: str = "export_control", cooperative: str = "ministerial_meeting") -> list[Move]:
    """Hostile, cooperative, hostile, ... with a meeting request after each."""
    kinds = [hostile if i % 2 == 0 else cooperative for i in range(n)]
    return _script([e for k in kinds for e in ((k, {"intensity": 1.5}), ("meeting_request", {}))])


def shock_then_calm(n_calm: int = 6, every: int = 5, intensity: float = 4.0, channel: str = "") -> list[Move]:
    """One big shock (drills, at intensity 4 severity 2.8), then cooperative signals and meeting
    requests (on ``channel``, default leader-level diplomacy)."""
    calm = [e for _ in range(n_calm) for e in (("working_group", {}), ("meeting_request", {"channel": channel}))]
    return _script([("military_drill", {"intensity": intensity})] + calm, every=every)


def taiwan_support(n: int = 4) -> list[Move]:
    """US arms sales and visits to Taiwan: hostile to China, with Taiwan as subject."""
    entries: list[tuple[str, dict[str, Any]]] = []
    for i in range(n):
        kind = "arms_sale" if i % 2 == 0 else "high_level_visit"
        entries += [(kind, {"receiver": "TWN", "intensity": 2.0}), ("meeting_request", {})]
    return _script(entries)


def leader_summit(day: int = 100) -> list[Move]:
    """A leaders' summit, the US leader meeting China's."""
    return [Move(day, "leader_summit")]


def gesture(kind: str = "ministerial_meeting", day: int = 100, intensity: float = 1.0) -> list[Move]:
    """One cooperative gesture from the USA."""
    return [Move(day, kind, intensity=intensity)]


RIVALS = {
    "always_hostile": always_hostile,
    "always_cooperative": always_cooperative,
    "alternating": alternating,
    "shock_then_calm": shock_then_calm,
    "taiwan_support": taiwan_support,
    "leader_summit": leader_summit,
    "gesture": gesture,
}


def all_subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *all_subclasses(sub)]
    return out


class ParameterContract:
    """Identity, trait and parameter tests every rule contract shares. Subclasses set
    ``rule_class``, ``expected_name``, ``expected_stochastic``, ``expected_memory_depth``,
    ``common_bad`` (the base class's out-of-range values) and ``bad_params`` (the rule's own)."""

    rule_class: ClassVar[type]
    expected_name: ClassVar[str]
    expected_stochastic: ClassVar[bool]
    expected_memory_depth: ClassVar[float]
    common_bad: ClassVar[dict[str, list[Any]]] = {}
    bad_params: ClassVar[dict[str, list[Any]]] = {}

    def make_rule(self, **kw: Any) -> Any:
        return self.rule_class(**kw)

    def transcripts(self, seed: int) -> dict[str, list]:
        """Every scripted rival played against a fresh rule with ``seed`` (each family's contract says how)."""
        raise NotImplementedError

    def test_same_seed_gives_identical_decisions(self) -> None:
        """Two fresh rules playing the same rivals with the same seed decide exactly alike."""
        assert self.transcripts(7) == self.transcripts(7)

    def test_stochastic_trait_matches_behaviour(self) -> None:
        """A rule declared deterministic decides alike for every seed; a stochastic one does not."""
        runs = [self.transcripts(seed) for seed in SEEDS]
        if self.rule_class.stochastic:
            assert any(r != runs[0] for r in runs[1:]), "declared stochastic, but the seed never matters"
        else:
            for seed, r in zip(SEEDS, runs):
                for name in r:
                    assert r[name] == runs[0][name], f"{name}: seed {seed} decides differently from seed 0"

    def test_name_is_its_registry_key(self) -> None:
        """The rule has a non-empty name, and its family's registry maps that name back to the class."""
        from sim.core.rules import RETALIATION_RULES, THAW_RULES

        registry = RETALIATION_RULES if issubclass(self.rule_class, RetaliationRule) else THAW_RULES
        name = self.rule_class.name
        assert isinstance(name, str) and name
        assert name == self.expected_name
        assert registry[name] is self.rule_class

    def test_declares_stochastic_and_memory_depth(self) -> None:
        """The traits have the right types and the documented values."""
        rule = self.make_rule()
        assert isinstance(rule.stochastic, bool)
        assert rule.stochastic is self.expected_stochastic
        depth = rule.memory_depth
        assert depth == math.inf or (depth == int(depth) and depth >= 0)
        assert depth == self.expected_memory_depth

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

    def test_config_file_builds_this_rule(self) -> None:
        """China's config slot, with this rule chosen by its Hydra override, builds this rule class."""
        family = "retaliation" if issubclass(self.rule_class, RetaliationRule) else "thaw"
        cfg, choices = compose_config((*OVERRIDES, f"rules/{family}@governments.{ME}.{family}={self.rule_class.name}"))
        built = getattr(next(g for g in build_spec(cfg, choices).governments if g.code == ME), family)
        assert type(built) is self.rule_class
