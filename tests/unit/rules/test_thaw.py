"""Tests for sim/core/rules/thaw.py.

Axelrod-style: ``ThawContract`` holds what every thaw rule must do; each
``Test<Rule>`` class inherits it and adds the rule's own behaviour. Rules are
played against scripted rivals from ``scripted_rival`` after China has cut
some channels.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
import pytest
from scripted_rival import (
    CHANNELS,
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
    seen,
    versus_test,
)

from sim.core.rules import (
    THAW_RULES,
    ConditionalReciprocity,
    NoThaw,
    SanctionedPostHold,
    ThawRule,
    TimeDecay,
    WeightedThaw,
)
from sim.core.vocabulary import load_vocabulary

# China cuts four channels of different costs to reopen on day 1, then the rival plays.
CUT = ("senior_military", "climate", "working_groups", "economic")
# Expected play as data (Axelrod's versus_test): China cuts senior military talks and climate talks
# on day 1, then the rival's moves; each move paired with the resumptions China proposes in answer (seed 0).
PROBE_CUT = ("senior_military", "climate")
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
        assert rule.holds("defense_ministers", frozenset({"defense_ministers", "senior_military"})) is holds
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
        assert NoThaw().on_suspension("senior_military", EVERYTHING_CUT, rng) == []
        assert NoThaw().on_perception(seen("leader_summit"), EVERYTHING_CUT, rng) == []


class TestTimeDecay(ThawContract):
    rule_class = TimeDecay
    expected_name = "time_decay"
    # Each cut schedules its own lapse; signals change nothing.
    versus_probe = [("channel_suspension", ("channel_resumption:senior_military",)),
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
        rule, ctx = TimeDecay(mean_days=mean_days), make_context(suspended_by_me=("senior_military",))
        delays = [rule.on_suspension("senior_military", ctx, np.random.default_rng(s))[0].delay for s in range(2000)]
        assert min(delays) >= 1
        assert abs(np.mean(delays) - mean_days) < max(1.0, 0.05 * mean_days)

    @pytest.mark.parametrize(("hostility", "ready"), [(0.0, True), (0.49, True), (0.5, False), (0.9, False)])
    def test_ready_iff_hostility_below_reopen_below(self, hostility: float, ready: bool) -> None:
        """A due resumption goes ahead exactly when hostility < reopen_below (0.5)."""
        ctx = make_context(hostility=hostility, suspended_by_me=("senior_military",))
        assert TimeDecay().ready("senior_military", ctx) is ready

    def test_signals_prompt_nothing(self) -> None:
        """Summits and gestures do not speed up the decay."""
        rng = np.random.default_rng(0)
        for kind in ("leader_summit", "ministerial_meeting", "channel_resumption"):
            assert TimeDecay().on_perception(seen(kind), EVERYTHING_CUT, rng) == []


class CountingReady:
    """Wraps a thaw rule; counts how often the model asks whether a due reopening may go ahead."""

    def __init__(self, rule: ThawRule) -> None:
        self.rule = rule
        self.asked: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        if name == "rule":  # not set yet (a copy being made)
            raise AttributeError(name)
        return getattr(self.rule, name)

    def ready(self, channel: str, ctx: Any) -> bool:
        self.asked[channel] = self.asked.get(channel, 0) + 1
        return self.rule.ready(channel, ctx)


def reopened(steps: Any, after: int = 0) -> dict[str, int]:
    """Channel -> day China reopened it (after day ``after``), from a match's event log."""
    return {e.channel: e.day for e in steps.events
            if e.kind == "channel_resumption" and e.sender == "CHN" and e.day > after}  # fmt: skip


def summit(day: int = 10, **facts: Any) -> Move:
    """A leaders' summit weighed by the weight scale from its facts (``form``, ``reopens``)."""
    return Move(day, "leader_summit", intensity=None, facts=facts)


class TestWeightedThaw(ThawContract):
    rule_class = WeightedThaw
    expected_name = "weighted"
    # A gesture reopens the channels its weight carries: the sideline summit (0.6) carries climate
    # (0.4 for China) but not senior military talks (0.8); the ministerial meeting (0.3) and the
    # working group (0.2) carry neither.
    versus_probe = [("channel_suspension", NOTHING), ("channel_suspension", NOTHING), ("ministerial_meeting", NOTHING),
                    ("leader_summit", ("channel_resumption:climate",)), ("working_group", NOTHING)]  # fmt: skip
    bad_params = {"lag": [[5, 2], [-1, 3], [3], "soon"], "stage_days": [-1, 3651], "cost_scale": [-0.1, 11],
                  "grievance_gain": [-1, 21], "announced_discount": [-0.1, 1.5]}  # fmt: skip

    @staticmethod
    def answer(p: Any, ctx: Any = EVERYTHING_CUT, seed: int = 0, rule: WeightedThaw | None = None) -> list:
        return (rule or WeightedThaw()).on_perception(p, ctx, np.random.default_rng(seed))

    # -- decisions, on one context ----------------------------------------------
    def test_a_gesture_promises_the_channels_its_weight_carries_cheapest_first(self) -> None:
        """A summit of weight 0.6 promises every channel of cost <= 0.6 (not the costlier ones), in
        reopening order, each caused by the summit and aimed at the rival."""
        intents = self.answer(seen("leader_summit", id=30))
        chans = [i.channel for i in intents]
        assert chans == [c for c in EVERYTHING_CUT.reopening_order() if c in chans]
        assert "economic" in chans and "climate" in chans
        assert not {"senior_military", "maritime_safety"} & set(chans)
        assert all(i.cause == 30 and i.receiver == RIVAL and i.delay >= 1 for i in intents)

    def test_a_larger_gesture_carries_more_channels(self) -> None:
        """The same summit at twice the weight carries a strict superset of channels."""
        small = {i.channel for i in self.answer(seen("leader_summit"))}
        large = {i.channel for i in self.answer(seen("leader_summit", intensity=2.0))}
        assert small < large and large == set(CHANNELS)

    def test_domestic_cost_of_engaging_raises_every_need(self) -> None:
        """At a higher engagement_cost the same summit carries fewer channels."""
        calm = {i.channel for i in self.answer(seen("leader_summit", intensity=1.5))}
        pressed = {i.channel for i in self.answer(seen("leader_summit", intensity=1.5),
                                                  make_context(suspended_by_me=SUSPENSION_ORDER, engagement_cost=2.0))}  # fmt: skip
        assert pressed < calm and pressed

    def test_grievance_in_a_channels_area_raises_its_need_only(self) -> None:
        """Security hostility above baseline keeps the summit from carrying security channels it
        carries at baseline, but not the others."""
        sec = ("security", "economy", "diplomacy").index("security")
        base = EVERYTHING_CUT
        hot = make_context(suspended_by_me=SUSPENSION_ORDER,
                           hostility_areas=tuple(0.9 if i == sec else h for i, h in enumerate(base.hostility_areas)))  # fmt: skip
        p = seen("leader_summit", intensity=1.5)
        calm, angry = {i.channel for i in self.answer(p)}, {i.channel for i in self.answer(p, hot)}
        assert {c for c in calm - angry} and all(base.area_of(c) == "security" for c in calm - angry)
        assert {c for c in calm if base.area_of(c) != "security"} <= angry

    @pytest.mark.parametrize("kind", ["ministerial_meeting", "high_level_visit", "channel_resumption", "apology",
                                      "ease_restrictions", "working_group"])  # fmt: skip
    def test_any_cooperative_act_is_a_gesture(self, kind: str) -> None:
        """Not only summits: every cooperative act of the rival carries what its weight allows."""
        assert self.answer(seen(kind, intensity=3.0))

    @pytest.mark.parametrize("kw", [{"receiver": "TWN"}, {"sender": "JPN"}])
    def test_ignores_gestures_with_a_subject_or_from_someone_else(self, kw: dict) -> None:
        """A US summit with Taiwan, or a Japanese summit with China, reopens nothing with the USA."""
        assert self.answer(seen("leader_summit", intensity=3.0, **kw)) == []

    def test_hostile_acts_promise_nothing(self) -> None:
        assert self.answer(seen("sanction", intensity=3.0)) == []

    def test_a_smaller_later_gesture_leaves_a_larger_promise_standing(self) -> None:
        """After a summit, a lesser gesture proposes nothing new for the channels already promised;
        a larger one strengthens the promise (it may promise more channels) and proposes again only
        where its own wait ends sooner: it never puts a promised reopening off."""
        rule, rng = WeightedThaw(), np.random.default_rng(0)
        first = rule.on_perception(seen("leader_summit", 100, 1), EVERYTHING_CUT, rng)
        assert first
        assert rule.on_perception(seen("high_level_visit", 101, 2), EVERYTHING_CUT, rng) == []
        due = {i.channel: i.delay for i in first}
        renewed = rule.on_perception(seen("leader_summit", 102, 3, intensity=2.0), EVERYTHING_CUT, rng)
        assert all(i.delay < due[i.channel] for i in renewed if i.channel in due)
        assert any(i.channel not in due for i in renewed) or len(renewed) < len(first)
        assert all(rule.pending(c) for c in due)

    def test_ready_keeps_a_promise_once_and_voids_one_outgrown(self) -> None:
        """A promised channel is ready once (then no longer pending); unpromised channels are not
        ready; a promise whose need has grown past its weight is void (not ready, not pending)."""
        rule, rng = WeightedThaw(), np.random.default_rng(0)
        rule.on_perception(seen("leader_summit"), EVERYTHING_CUT, rng)
        assert rule.pending("economic") and not rule.pending("maritime_safety")
        assert not rule.ready("maritime_safety", EVERYTHING_CUT)
        assert rule.ready("economic", EVERYTHING_CUT) and not rule.pending("economic")
        hot = dataclasses.replace(EVERYTHING_CUT, hostility_areas=(1.0, 1.0, 1.0), hostility=1.0)
        assert rule.pending("climate")
        assert not rule.ready("climate", hot) and not rule.pending("climate")

    def test_a_fresh_cut_needs_a_fresh_gesture(self) -> None:
        rule, rng = WeightedThaw(), np.random.default_rng(0)
        rule.on_perception(seen("leader_summit"), EVERYTHING_CUT, rng)
        assert rule.on_suspension("climate", EVERYTHING_CUT, rng) == []
        assert not rule.pending("climate") and rule.pending("economic")

    def test_nothing_cut_nothing_proposed(self) -> None:
        assert self.answer(seen("leader_summit", intensity=3.0), make_context()) == []

    # -- played through the model -------------------------------------------------
    def test_summit_reopens_in_stages_costlier_channels_later(self) -> None:
        """After an in-person bilateral summit, over 8 seeds: the channels reopen on several distinct
        days; the mean reopening day rises with China's cost of reopening the channel; the channels
        the summit's weight cannot carry (China's costliest) stay shut."""
        ctx = EVERYTHING_CUT
        days: dict[float, list[int]] = {}
        for seed in range(8):
            got = reopened(play(WeightedThaw(), [summit(form="bilateral")], seed, cut=CHANNELS, days_after=400))
            assert len(set(got.values())) > 1, (seed, got)
            assert "maritime_safety" not in got and "theater_commanders" not in got, got
            for c, d in got.items():
                days.setdefault(ctx.reopen_cost(c), []).append(d)
        means = [np.mean(days[c]) for c in sorted(days)]
        assert len(means) >= 3 and means == sorted(means) and means[0] < means[-1], dict(zip(sorted(days), means))

    def test_a_call_reopens_fewer_channels_than_a_summit_in_person(self) -> None:
        for seed in range(3):
            call = reopened(play(WeightedThaw(), [summit(form="call")], seed, cut=CHANNELS, days_after=400))
            person = reopened(play(WeightedThaw(), [summit(form="bilateral")], seed, cut=CHANNELS, days_after=400))
            assert call and set(call) < set(person), (call, person)

    def test_a_cabinet_visit_reopens_the_cheap_channels_not_the_costly_ones(self) -> None:
        """A US cabinet member's visit to China carries China's cheap channels, never its military ones."""
        visit = Move(10, "high_level_visit", intensity=None, facts={"rank": "cabinet", "place": "receiver_territory"})
        got = reopened(play(WeightedThaw(), [visit], 0, cut=CHANNELS, days_after=400))
        assert {"high_level_diplomacy", "economic"} <= set(got)
        assert not set(got) & MILITARY
        costs = EVERYTHING_CUT
        assert max(costs.reopen_cost(c) for c in got) < min(costs.reopen_cost(c) for c in set(CHANNELS) - set(got))

    def test_an_announced_channel_reopens_where_an_unannounced_one_does_not(self) -> None:
        """A sideline summit announcing senior military talks reopens them, but not the defence policy
        talks of the same cost it does not announce; without the announcement it reopens neither."""
        cut = ("senior_military", "defense_policy")
        said = reopened(play(WeightedThaw(), [summit(form="sideline", reopens=["senior_military"])], 0, cut=cut))
        silent = reopened(play(WeightedThaw(), [summit(form="sideline")], 0, cut=cut))
        assert set(said) == {"senior_military"}
        assert silent == {}
        none = reopened(play(WeightedThaw(announced_discount=0.0),
                             [summit(form="sideline", reopens=["senior_military"])], 0, cut=cut))  # fmt: skip
        assert none == {}, "with announced_discount 0 an announcement counts for nothing"

    def test_a_grievance_before_the_due_day_voids_the_promise_until_a_new_gesture(self) -> None:
        """Senior military talks promised by a summit on day 10 (due day 30) reopen on day 30; US drills
        on day 15 void the promise: the channel stays shut, the model asks once and drops it (no
        retries), and a new summit on day 250 reopens it."""
        cut, fixed = ("senior_military",), {"lag": (20, 20), "stage_days": 0}
        kept = play(WeightedThaw(**fixed), [summit(form="bilateral")], 0, cut=cut)
        assert reopened(kept) == {"senior_military": 30}
        drills = Move(15, "military_drill", intensity=3.0)
        rule = CountingReady(WeightedThaw(**fixed))
        void = play(rule, [summit(form="bilateral"), drills], 0, cut=cut, days_after=400)
        assert reopened(void) == {}
        assert rule.asked == {"senior_military": 1}, "a void promise must be dropped, not retried"
        again = play(WeightedThaw(**fixed), [summit(form="bilateral"), drills, summit(250, form="bilateral")], 0, cut=cut)
        assert reopened(again) == {"senior_military": 270}

    def test_same_seed_same_event_log(self) -> None:
        script = [summit(form="bilateral"), Move(40, "military_drill", intensity=2.0), summit(120, form="call")]
        runs = [play(WeightedThaw(), script, s, cut=CHANNELS).events for s in (4, 4, 5)]
        assert runs[0] == runs[1]
        assert runs[0] != runs[2]


class TestConditionalReciprocity(ThawContract):
    rule_class = ConditionalReciprocity
    expected_name = "reciprocity"
    # One channel per gesture of at least min_gesture (0.2), cheapest for China first; the working group
    # (0.2) comes when nothing is left to reopen.
    versus_probe = [("channel_suspension", NOTHING), ("channel_suspension", NOTHING), ("ministerial_meeting", ("channel_resumption:climate",)),
                    ("leader_summit", ("channel_resumption:senior_military",)), ("working_group", NOTHING)]  # fmt: skip
    bad_params = {"min_gesture": [-0.1, 11], "lag": [[5, 2], [1.5, 3], [3]], "min_trust": [2, -0.5]}

    @staticmethod
    def answer(p: Any, ctx: Any = EVERYTHING_CUT, seed: int = 0, rule: ConditionalReciprocity | None = None) -> list:
        return (rule or ConditionalReciprocity()).on_perception(p, ctx, np.random.default_rng(seed))

    @pytest.mark.parametrize(
        ("cut", "first"),
        [
            (SUSPENSION_ORDER, "economic"),
            (("senior_military", "climate", "working_groups"), "working_groups"),
            (("senior_military", "defense_ministers"), "defense_ministers"),
        ],
    )
    def test_one_gesture_reopens_the_first_channel_in_reopening_order(self, cut: tuple, first: str) -> None:
        """A ministerial meeting (0.3 >= min_gesture 0.2) earns exactly one resumption: the first
        channel of reopening_order() (the cheapest for China to reopen), caused by the gesture."""
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
    # No post is held here: exactly the inner weighted rule's play.
    versus_probe = TestWeightedThaw.versus_probe
    bad_params = {"inner": [NoThaw, "weighted", SanctionedPostHold(inner=NoThaw())]}

    def make_rule(self, **kw: Any) -> ThawRule:
        kw.setdefault("inner", WeightedThaw())
        return SanctionedPostHold(**kw)

    @pytest.mark.parametrize("inner", [WeightedThaw, TimeDecay, ConditionalReciprocity, NoThaw])
    def test_proposes_exactly_what_the_inner_rule_proposes(self, inner: type[ThawRule]) -> None:
        """Against every scripted rival, the wrapped rule's transcript equals the inner rule's."""
        for name, script in RIVALS.items():
            wrapped = play_thaw(SanctionedPostHold(inner=inner()), script(), 3)
            bare = play_thaw(inner(), script(), 3)
            assert wrapped == bare, name

    def test_stochastic_follows_the_inner_rule(self) -> None:
        assert SanctionedPostHold(inner=NoThaw()).stochastic is False
        assert SanctionedPostHold(inner=TimeDecay()).stochastic is True

    def test_defaults_to_weighted(self) -> None:
        assert isinstance(SanctionedPostHold().inner, WeightedThaw)

    def test_promises_and_their_voiding_go_through_to_the_inner_rule(self) -> None:
        """The wrapper's pending and ready are the inner weighted rule's: a summit's promise is pending
        through the wrapper, and a grievance that outgrows it voids it through the wrapper."""
        rule = SanctionedPostHold(inner=WeightedThaw())
        assert rule.on_perception(seen("leader_summit"), EVERYTHING_CUT, np.random.default_rng(0))
        assert rule.pending("climate") and rule.inner.pending("climate")
        hot = dataclasses.replace(EVERYTHING_CUT, hostility_areas=(1.0, 1.0, 1.0), hostility=1.0)
        assert not rule.ready("climate", hot)
        assert not rule.pending("climate") and not rule.inner.pending("climate")
