"""Tests for sim/core/rules/thaw.py.

Axelrod-style: ``ThawContract`` holds what every thaw rule must do; each
``Test<Rule>`` class inherits it and adds the rule's own behaviour. Rules are
played against scripted rivals from ``scripted_rival`` after China has cut
some channels.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest
from scripted_rival import (
    CHANNELS,
    CIVILIAN,
    MILITARY,
    RIVAL,
    RIVALS,
    SEEDS,
    SUSPENSION_ORDER,
    Move,
    ParameterContract,
    all_subclasses,
    intents_of,
    make_context,
    play,
    raw,
    seen,
    versus_test,
)

from sim.core.rules.thaw import (
    THAW_RULES,
    ConditionalReciprocity,
    NoThaw,
    SanctionedPostHold,
    SummitReset,
    ThawRule,
    TimeDecay,
)
from sim.core.vocabulary import load_vocabulary

# China cuts the first four channels of its suspension order on day 1, then the rival plays.
CUT = SUSPENSION_ORDER[:4]
# Expected play as data (Axelrod's versus_test): China cuts mil_mil and climate on day 1, then the
# rival's moves; each move paired with the resumptions China proposes in answer (seed 0).
PROBE_CUT = ("mil_mil", "climate")
PROBE = [Move(30, "ministerial_meeting"), Move(40, "leader_summit"), Move(50, "working_group")]
NOTHING = ()
EVERYTHING_CUT = make_context(suspended_by_me=SUSPENSION_ORDER)


def play_thaw(rule: ThawRule, moves: list, seed: int = 0):  # noqa: ANN201
    """``moves`` played against China thawing by ``rule`` after it cut ``CUT``."""
    return play(rule, moves, seed, cut=CUT)


def test_every_thaw_rule_is_registered_under_a_unique_name() -> None:
    """Each ThawRule subclass has its own name, and the registry maps that name to it."""
    classes = all_subclasses(ThawRule)
    names = [c.name for c in classes]
    assert len(set(names)) == len(names), names
    assert THAW_RULES == {c.name: c for c in classes}


class ThawContract(ParameterContract):
    """What every thaw rule must satisfy. Subclasses set the class attributes."""

    common_bad: ClassVar[dict[str, list[Any]]] = {"retry_days": [0, 3651, "soon", 14.5]}

    rule_class: ClassVar[type[ThawRule]]
    expected_name: ClassVar[str]
    expected_stochastic: ClassVar[bool] = True
    expected_memory_depth: ClassVar[float] = 0  # thaw rules read no memory
    bad_params: ClassVar[dict[str, list[Any]]] = {}

    versus_probe: ClassVar[list[tuple[str, tuple[str, ...]]]]

    def make_rule(self, **kw: Any) -> ThawRule:
        return self.rule_class(**kw)

    def test_versus_scripted_rival(self) -> None:
        """Played through China's government, the fixed script draws exactly the expected proposals."""
        versus_test(self.make_rule(), PROBE, self.versus_probe, cut=PROBE_CUT)

    def transcripts(self, seed: int) -> dict[str, list]:
        """Every scripted rival played against a fresh rule with ``seed``."""
        return {name: play_thaw(self.make_rule(), script(), seed) for name, script in RIVALS.items()}

    # -- decisions --------------------------------------------------------
    def test_every_intent_is_well_formed(self) -> None:
        """Each proposal is a channel_resumption to the rival of a channel I suspended, with a
        whole non-negative delay, caused by the prompting signal (my own suspension, or the rival's move)."""
        assert "channel_resumption" in load_vocabulary().kinds
        n = 0
        for seed in SEEDS:
            for name, steps in self.transcripts(seed).items():
                for st in steps:
                    for it in st.intents:
                        n += 1
                        where = f"{name}, seed {seed}: {it}"
                        assert it.kind == "channel_resumption", where
                        assert type(it.delay) is int and it.delay >= 0, where
                        assert it.receiver == RIVAL, where
                        assert it.channel in st.ctx.suspended_by_me, where
                        assert it.cause == st.signal.id, where
        if self.rule_class is not NoThaw:
            assert n > 0, "the scripted rivals never drew a proposal: the check above checked nothing"

    def test_decisions_ignore_memory(self) -> None:
        """memory_depth 0: a context full of grievances or of gestures changes no decision."""
        histories = [(), tuple(seen("sanction", 90 + i, i, intensity=3.0) for i in range(5))]
        histories.append(tuple(seen("ministerial_meeting", 90 + i, i) for i in range(5)))
        summit, gift = seen("leader_summit", id=20), seen("ministerial_meeting", id=21)
        answers = []
        for memory in histories:
            rule, rng = self.make_rule(), np.random.default_rng(0)
            ctx = make_context(suspended_by_me=SUSPENSION_ORDER[:5], memory=memory)
            answers.append(
                (
                    rule.on_suspension("climate", ctx, rng),
                    rule.on_perception(summit, ctx, rng),
                    rule.on_perception(gift, ctx, rng),
                    [rule.ready(c, ctx) for c in ctx.suspended_by_me],
                )
            )
        assert answers[1] == answers[0] and answers[2] == answers[0]

    def test_reset_forgets_earlier_runs(self) -> None:
        """After reset() a rule replays a script exactly like a fresh rule."""
        used = self.make_rule()
        play_thaw(used, RIVALS["leader_summit"](), 5)
        used.reset()
        for name in ("gesture", "always_cooperative", "leader_summit"):
            assert play_thaw(used, RIVALS[name](), 5) == play_thaw(self.make_rule(), RIVALS[name](), 5), name
            used.reset()

    # -- parameters -------------------------------------------------------


    def test_retries_in_two_weeks_and_holds_only_if_it_is_the_post_rule(self) -> None:
        """A 14-day retry by default; only the sanctioned-post rule holds a blocked channel."""
        rule = self.make_rule()
        assert rule.retry_days == 14
        holds = isinstance(rule, SanctionedPostHold)
        assert rule.holds("defense_ministers", frozenset({"defense_ministers", "mil_mil"})) is holds
        assert rule.holds("climate", frozenset({"defense_ministers"})) is False


# ---------------------------------------------------------------------------


class TestNoThaw(ThawContract):
    rule_class = NoThaw
    expected_name = "none"
    versus_probe = [("channel_suspension", NOTHING), ("channel_suspension", NOTHING), ("ministerial_meeting", NOTHING),
                    ("leader_summit", NOTHING), ("working_group", NOTHING)]  # fmt: skip
    expected_stochastic = False

    def test_never_proposes_anything(self) -> None:
        """No suspension, summit, gesture or script ever draws a proposal."""
        for seed in SEEDS:
            for name, steps in self.transcripts(seed).items():
                assert intents_of(steps) == [], name
        rng = np.random.default_rng(0)
        assert NoThaw().on_suspension("mil_mil", EVERYTHING_CUT, rng) == []
        assert NoThaw().on_perception(seen("leader_summit"), EVERYTHING_CUT, rng) == []


class TestTimeDecay(ThawContract):
    rule_class = TimeDecay
    expected_name = "time_decay"
    # Each cut schedules its own lapse; signals change nothing.
    versus_probe = [("channel_suspension", ("channel_resumption:mil_mil",)),
                    ("channel_suspension", ("channel_resumption:climate",)),
                    ("ministerial_meeting", NOTHING), ("leader_summit", NOTHING),
                    ("working_group", NOTHING)]  # fmt: skip
    bad_params = {"mean_days": [0, -5, 3651], "reopen_below": [-0.1, 2]}

    def test_suspension_proposes_one_resumption_of_that_channel(self) -> None:
        """Cutting a channel schedules exactly one resumption of it, at least a day later."""
        ctx = make_context(suspended_by_me=("climate",))
        (it,) = TimeDecay().on_suspension("climate", ctx, np.random.default_rng(0))
        assert (it.kind, it.receiver, it.channel, it.cause) == ("channel_resumption", RIVAL, "climate", None)
        assert it.delay >= 1

    @pytest.mark.parametrize("mean_days", [1, 10, 120])
    def test_spell_length_averages_mean_days(self, mean_days: float) -> None:
        """Over 2000 seeds every delay is >= 1 and the mean delay is within 5% (or 1 day) of mean_days."""
        rule, ctx = TimeDecay(mean_days=mean_days), make_context(suspended_by_me=("mil_mil",))
        delays = [rule.on_suspension("mil_mil", ctx, np.random.default_rng(s))[0].delay for s in range(2000)]
        assert min(delays) >= 1
        assert abs(np.mean(delays) - mean_days) < max(1.0, 0.05 * mean_days)

    @pytest.mark.parametrize(("hostility", "ready"), [(0.0, True), (0.49, True), (0.5, False), (0.9, False)])
    def test_ready_iff_hostility_below_reopen_below(self, hostility: float, ready: bool) -> None:
        """A due resumption goes ahead exactly when hostility < reopen_below (0.5)."""
        ctx = make_context(hostility=hostility, suspended_by_me=("mil_mil",))
        assert TimeDecay().ready("mil_mil", ctx) is ready

    def test_signals_prompt_nothing(self) -> None:
        """Summits and gestures do not speed up the decay."""
        rng = np.random.default_rng(0)
        for kind in ("leader_summit", "ministerial_meeting", "channel_resumption"):
            assert TimeDecay().on_perception(seen(kind), EVERYTHING_CUT, rng) == []


class TestSummitReset(ThawContract):
    rule_class = SummitReset
    expected_name = "summit_reset"
    # Only the summit reopens, civilian channels first.
    versus_probe = [("channel_suspension", NOTHING), ("channel_suspension", NOTHING), ("ministerial_meeting", NOTHING),
                    ("leader_summit", ("channel_resumption:climate", "channel_resumption:mil_mil")),
                    ("working_group", NOTHING)]  # fmt: skip
    bad_params = {"civil_lag": [[5, 2], [-1, 3], [3], "soon"], "military_gap_days": [0, 3651],
                  "lapse_severity": [-0.1, 10.5, "grave"]}  # fmt: skip

    @staticmethod
    def after_summit(ctx: Any = EVERYTHING_CUT, seed: int = 0, rule: SummitReset | None = None, **kw: Any) -> list:
        return (rule or SummitReset()).on_perception(seen("leader_summit", id=30, **kw), ctx, np.random.default_rng(seed))

    def test_summit_restarts_every_channel_i_cut(self) -> None:
        """After a summit every channel I suspended gets one resumption, in reopening order,
        each caused by the summit."""
        intents = self.after_summit()
        assert [i.channel for i in intents] == list(EVERYTHING_CUT.reopening_order())
        assert sorted(i.channel for i in intents) == sorted(CHANNELS)
        assert all(i.cause == 30 and i.receiver == RIVAL for i in intents)

    def test_civilian_within_civil_lag_then_military_one_by_one(self) -> None:
        """Over 300 seeds: civilian channels reopen within civil_lag (1-7 days); military ones
        strictly after every civilian one, and strictly one after the other."""
        for seed in range(300):
            delays = {i.channel: i.delay for i in self.after_summit(seed=seed)}
            civil = [delays[c] for c in CIVILIAN]
            military = [delays[c] for c in EVERYTHING_CUT.reopening_order() if c in MILITARY]
            assert all(1 <= d <= 7 for d in civil), (seed, delays)
            assert military[0] > max(civil), (seed, delays)
            assert all(a < b for a, b in zip(military, military[1:])), (seed, delays)

    def test_military_gaps_average_military_gap_days(self) -> None:
        """The gap from the last civilian to the first military reopening averages
        military_gap_days (60) within 5% over 2000 seeds."""
        gaps = []
        for seed in range(2000):
            d = {i.channel: i.delay for i in self.after_summit(seed=seed)}
            gaps.append(d["defense_ministers"] - max(d[c] for c in CIVILIAN))
        assert abs(np.mean(gaps) - 60) < 3

    def test_fixed_civil_lag(self) -> None:
        """With civil_lag [3, 3] every civilian channel reopens on day 3 after the summit."""
        intents = self.after_summit(rule=SummitReset(civil_lag=[3, 3]))
        assert {i.delay for i in intents if i.channel in CIVILIAN} == {3}

    def test_only_military_cut(self) -> None:
        """With only military channels cut they still reopen one by one, the first at least a day later."""
        ctx = make_context(suspended_by_me=("mil_mil", "defense_ministers"))
        intents = self.after_summit(ctx)
        assert [i.channel for i in intents] == ["defense_ministers", "mil_mil"]
        assert 1 <= intents[0].delay < intents[1].delay

    def test_channels_the_rival_cut_are_not_mine_to_reopen(self) -> None:
        """Only ctx.suspended_by_me is proposed, not channels the rival suspended."""
        ctx = make_context(
            open_channels=("high_level_diplomacy", "working_groups", "people_to_people", "defense_ministers"),
            suspended_channels=("mil_mil", "climate", "economic"),
            suspended_by_me=("climate", "mil_mil"),
        )
        assert [i.channel for i in self.after_summit(ctx)] == ["climate", "mil_mil"]

    def test_ignores_a_summit_with_a_subject(self) -> None:
        """A US summit with Taiwan (perceived with subject TWN) restarts nothing."""
        p = seen("leader_summit", receiver="TWN")
        assert p.subject == "TWN"
        assert SummitReset().on_perception(p, EVERYTHING_CUT, np.random.default_rng(0)) == []

    def test_ignores_a_summit_with_someone_else(self) -> None:
        """A summit with Japan's leader restarts nothing with the USA."""
        p = seen("leader_summit", sender="JPN")
        assert p.responsible == "JPN"
        assert SummitReset().on_perception(p, EVERYTHING_CUT, np.random.default_rng(0)) == []

    @pytest.mark.parametrize("kind", ["ministerial_meeting", "high_level_visit", "channel_resumption", "working_group"])
    def test_ignores_other_gestures(self, kind: str) -> None:
        """Only a leader_summit restarts channels; lesser cooperative signals do not."""
        assert SummitReset().on_perception(seen(kind), EVERYTHING_CUT, np.random.default_rng(0)) == []

    def test_a_grave_act_voids_the_summits_pending_promises_until_the_next_summit(self) -> None:
        """With lapse_severity 1.0: a rival's act of severity >= 1.0 after a summit makes every
        pending reopening wait (ready is False); a lesser act does not; the next summit renews."""
        rule = SummitReset(lapse_severity=1.0)
        assert self.after_summit(rule=rule) and rule.ready("mil_mil", EVERYTHING_CUT)
        rule.on_grievance(raw(0.9, day=110))
        assert rule.ready("mil_mil", EVERYTHING_CUT) and rule.ready("climate", EVERYTHING_CUT)
        rule.on_grievance(raw(1.0, day=120))
        assert not rule.ready("mil_mil", EVERYTHING_CUT) and not rule.ready("climate", EVERYTHING_CUT)
        assert self.after_summit(rule=rule, day=200)
        assert rule.ready("mil_mil", EVERYTHING_CUT)
        rule.reset()
        assert rule.ready("mil_mil", EVERYTHING_CUT)

    def test_without_lapse_severity_promises_never_lapse(self) -> None:
        rule = SummitReset()
        self.after_summit(rule=rule)
        rule.on_grievance(raw(9.0))
        assert rule.lapse_severity is None and rule.ready("mil_mil", EVERYTHING_CUT)

    def test_nothing_cut_nothing_proposed(self) -> None:
        """A summit when every channel is open proposes nothing, and suspending proposes nothing."""
        rng = np.random.default_rng(0)
        assert self.after_summit(make_context()) == []
        assert SummitReset().on_suspension("mil_mil", EVERYTHING_CUT, rng) == []


class TestConditionalReciprocity(ThawContract):
    rule_class = ConditionalReciprocity
    expected_name = "reciprocity"
    # One channel per gesture of at least min_gesture (0.2), civilian first; the working group
    # (0.2) comes when nothing is left to reopen.
    versus_probe = [("channel_suspension", NOTHING), ("channel_suspension", NOTHING), ("ministerial_meeting", ("channel_resumption:climate",)),
                    ("leader_summit", ("channel_resumption:mil_mil",)), ("working_group", NOTHING)]  # fmt: skip
    bad_params = {"min_gesture": [-0.1, 11], "lag": [[5, 2], [1.5, 3], [3]], "min_trust": [2, -0.5]}

    @staticmethod
    def answer(p: Any, ctx: Any = EVERYTHING_CUT, seed: int = 0, rule: ConditionalReciprocity | None = None) -> list:
        return (rule or ConditionalReciprocity()).on_perception(p, ctx, np.random.default_rng(seed))

    @pytest.mark.parametrize(
        ("cut", "first"),
        [
            (SUSPENSION_ORDER, "high_level_diplomacy"),
            (("mil_mil", "climate", "working_groups"), "working_groups"),
            (("mil_mil", "defense_ministers"), "defense_ministers"),
        ],
    )
    def test_one_gesture_reopens_the_first_channel_in_reopening_order(self, cut: tuple, first: str) -> None:
        """A ministerial meeting (0.3 >= min_gesture 0.2) earns exactly one resumption: the first
        channel of reopening_order(), civilian before military, caused by the gesture."""
        ctx = make_context(suspended_by_me=cut)
        assert ctx.reopening_order()[0] == first
        (it,) = self.answer(seen("ministerial_meeting", id=12), ctx)
        assert (it.kind, it.receiver, it.channel, it.cause) == ("channel_resumption", RIVAL, first, 12)

    def test_delay_within_lag(self) -> None:
        """The resumption falls due within lag (3-14 days), covering the range over 200 seeds."""
        delays = {self.answer(seen("working_group"), seed=s)[0].delay for s in range(200)}
        assert delays == set(range(3, 15))
        fixed = ConditionalReciprocity(lag=[5, 5])
        assert self.answer(seen("working_group"), rule=fixed)[0].delay == 5

    @pytest.mark.parametrize(
        ("kind", "intensity", "earns"),
        [
            ("working_group", 1.0, True),  # 0.2: exactly min_gesture counts
            ("channel_resumption", 1.0, True),
            ("ministerial_meeting", 0.5, False),  # 0.15
            ("meeting_request", 1.0, False),  # 0.1
            ("sanction", 1.0, False),
            ("rhetoric_condemnation", 3.0, False),
        ],
    )
    def test_only_gestures_of_at_least_min_gesture_count(self, kind: str, intensity: float, earns: bool) -> None:
        """Hostile signals and cooperative ones smaller than min_gesture reopen nothing."""
        assert len(self.answer(seen(kind, intensity=intensity))) == (1 if earns else 0)

    def test_min_gesture_is_a_parameter(self) -> None:
        """With min_gesture 0.5 a ministerial meeting (0.3) no longer counts; a summit (0.6) does."""
        rule = ConditionalReciprocity(min_gesture=0.5)
        assert self.answer(seen("ministerial_meeting"), rule=rule) == []
        assert len(self.answer(seen("leader_summit"), rule=rule)) == 1

    def test_gesture_from_someone_else_does_not_count(self) -> None:
        """A Japanese ministerial meeting with China earns nothing with the USA."""
        assert self.answer(seen("ministerial_meeting", sender="JPN")) == []

    def test_nothing_cut_nothing_proposed(self) -> None:
        """A gesture when every channel is open proposes nothing."""
        assert self.answer(seen("ministerial_meeting"), make_context()) == []

    @pytest.mark.parametrize(("trust", "ready"), [(0.0, False), (0.29, False), (0.3, True), (0.9, True)])
    def test_ready_iff_trust_at_least_min_trust(self, trust: float, ready: bool) -> None:
        """A due resumption goes ahead exactly when trust >= min_trust (0.3)."""
        ctx = make_context(trust=trust, suspended_by_me=("climate",))
        assert ConditionalReciprocity().ready("climate", ctx) is ready

    def test_suspending_proposes_nothing(self) -> None:
        """Reciprocity waits for gestures: cutting a channel schedules no resumption."""
        assert ConditionalReciprocity().on_suspension("climate", EVERYTHING_CUT, np.random.default_rng(0)) == []

    def test_two_quick_gestures_earn_two_channels(self) -> None:
        """Two gestures a day apart, while both channels are still shut, reopen two different channels."""
        ctx = make_context(suspended_by_me=("climate", "working_groups"))
        rule, rng = ConditionalReciprocity(), np.random.default_rng(0)
        (first,) = rule.on_perception(seen("ministerial_meeting", 100, 1), ctx, rng)
        (second,) = rule.on_perception(seen("ministerial_meeting", 101, 2), make_context(day=101, suspended_by_me=ctx.suspended_by_me), rng)
        assert first.delay > 1  # the first resumption is still pending on day 101
        assert {first.channel, second.channel} == {"climate", "working_groups"}


class TestSanctionedPostHold(ThawContract):
    """The wrapper thaws exactly as its inner rule does, and holds channels whose posts are blocked."""

    rule_class = SanctionedPostHold
    expected_name = "sanctioned_post_hold"
    # No post is held here: exactly the inner summit rule's play.
    versus_probe = TestSummitReset.versus_probe
    bad_params = {"inner": [NoThaw, "summit_reset", SanctionedPostHold()]}

    def make_rule(self, **kw: Any) -> ThawRule:
        kw.setdefault("inner", SummitReset())
        return SanctionedPostHold(**kw)

    @pytest.mark.parametrize("inner", [SummitReset, TimeDecay, ConditionalReciprocity, NoThaw])
    def test_proposes_exactly_what_the_inner_rule_proposes(self, inner: type[ThawRule]) -> None:
        """Against every scripted rival, the wrapped rule's transcript equals the inner rule's."""
        for name, script in RIVALS.items():
            wrapped = play_thaw(SanctionedPostHold(inner=inner()), script(), 3)
            bare = play_thaw(inner(), script(), 3)
            assert wrapped == bare, name

    def test_stochastic_follows_the_inner_rule(self) -> None:
        assert SanctionedPostHold(inner=NoThaw()).stochastic is False
        assert SanctionedPostHold(inner=TimeDecay()).stochastic is True

    def test_defaults_to_summit_reset(self) -> None:
        assert isinstance(SanctionedPostHold().inner, SummitReset)

    def test_passes_grievances_to_the_inner_rule(self) -> None:
        """A grave act lapses the wrapped summit rule's promises through the wrapper."""
        rule = SanctionedPostHold(inner=SummitReset(lapse_severity=1.0))
        rule.on_grievance(raw(2.0))
        assert not rule.ready("climate", EVERYTHING_CUT)
