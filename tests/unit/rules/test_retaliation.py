"""Tests for sim/core/rules/retaliation.py.

Axelrod-style: ``RetaliationContract`` holds what every retaliation rule must
do; each ``Test<Rule>`` class inherits it and adds the rule's own behaviour.
Rules are played against scripted rivals from ``scripted_rival``.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import pytest
from scripted_rival import (
    CHANNELS,
    CIVILIAN,
    FIXED_LAG_REPERTOIRE,
    MILITARY,
    RIVAL,
    RIVALS,
    SEEDS,
    SUSPENSION_ORDER,
    Move,
    ParameterContract,
    all_subclasses,
    alternating,
    always_cooperative,
    always_hostile,
    intents_of,
    make_context,
    play,
    raw,
    seen,
    shock_then_calm,
    taiwan_support,
    versus_test,
)

from sim.core.rules.retaliation import (
    RETALIATION_RULES,
    GenerousTitForTat,
    GraduatedLadder,
    GrimTrigger,
    NoRetaliation,
    RetaliationRule,
    TitForTat,
)
from sim.core.vocabulary import load_vocabulary

# Expected play as data (Axelrod's versus_test): two fixed rival scripts, each move paired with
# what China's government, playing the rule with its configured ladder (lags fixed), sends back.
PROBE = [
    Move(10, "sanction"),  # severity 0.6
    Move(15, "meeting_request"),  # 5 days after the sanction
    Move(50, "meeting_request"),  # 40 days after: past grievance_days (30)
    Move(60, "rhetoric_condemnation"),  # 0.25: below every trigger
    Move(70, "export_control", intensity=2.0),  # 1.2
    Move(75, "ministerial_meeting"),  # a gesture
    Move(80, "meeting_request"),  # 10 days after the export controls, right after the gesture
]
TAIWAN = [
    Move(10, "arms_sale", receiver="TWN", intensity=2.0),  # read as 0.4 * 1.5 (Taiwan's weight) * 2 = 1.2
    Move(20, "meeting_request"),  # leader-level diplomacy: a security grievance does not bear on it
    Move(25, "meeting_request", channel="defense_ministers"),  # defence talks: it does
    Move(90, "military_drill", intensity=3.0),  # 2.1
]
MET, REFUSED, NOTHING = ("ministerial_meeting",), ("meeting_rejection",), ()
ALL_CUT = tuple(f"channel_suspension:{c}" for c in SUSPENSION_ORDER)



def test_every_retaliation_rule_is_registered_under_a_unique_name() -> None:
    """Each RetaliationRule subclass has its own name, and the registry maps that name to it."""
    classes = all_subclasses(RetaliationRule)
    names = [c.name for c in classes]
    assert len(set(names)) == len(names), names
    assert RETALIATION_RULES == {c.name: c for c in classes}


def sanction_now(intensity: float = 1.0, day: int = 100, id: int = 50, **kw: Any):  # noqa: ANN201
    return seen("sanction", day, id, intensity=intensity, **kw)


class RetaliationContract(ParameterContract):
    """What every retaliation rule must satisfy. Subclasses set the class attributes."""

    common_bad: ClassVar[dict[str, list[Any]]] = {"trigger": [-1, 10.5, math.nan, "high"], "grievance_days": [-1, 3651]}

    rule_class: ClassVar[type[RetaliationRule]]
    expected_name: ClassVar[str]
    expected_stochastic: ClassVar[bool] = False
    expected_memory_depth: ClassVar[float] = math.inf
    # parameter -> out-of-range values; the base class's parameters are always checked.
    bad_params: ClassVar[dict[str, list[Any]]] = {}

    # China's answers to PROBE and TAIWAN (seed 0), one per move.
    versus_probe: ClassVar[list[tuple[str, tuple[str, ...]]]]
    versus_taiwan: ClassVar[list[tuple[str, tuple[str, ...]]]]

    def make_rule(self, **kw: Any) -> RetaliationRule:
        return self.rule_class(**kw)

    def test_versus_scripted_rivals(self) -> None:
        """Played through China's government, the fixed scripts draw exactly the expected answers."""
        versus_test(self.make_rule(), PROBE, self.versus_probe, repertoire=FIXED_LAG_REPERTOIRE)
        versus_test(self.make_rule(), TAIWAN, self.versus_taiwan, repertoire=FIXED_LAG_REPERTOIRE)

    def transcripts(self, seed: int, **overrides: Any) -> dict[str, list]:
        """Every scripted rival played against a fresh rule with ``seed``."""
        return {name: play(self.make_rule(), script(), seed, **overrides) for name, script in RIVALS.items()}

    # -- decisions --------------------------------------------------------
    def test_every_intent_is_well_formed(self) -> None:
        """Each answer uses a known kind, a whole non-negative delay, the rival or the subject as
        receiver, the trigger's id as cause, and cuts only channels that are open."""
        kinds = load_vocabulary().kinds
        n = 0
        for seed in SEEDS:
            for name, steps in self.transcripts(seed).items():
                for st in steps:
                    for it in st.intents:
                        n += 1
                        where = f"{name}, seed {seed}: {it}"
                        assert it.kind in kinds, where
                        assert type(it.delay) is int and it.delay >= 0, where
                        # the actor held responsible (the rival, or a regional state answering China) or the subject
                        assert it.receiver in (st.perception.responsible, st.perception.subject), where
                        assert it.cause == st.perception.signal.id, where
                        assert it.intensity > 0 and math.isfinite(it.intensity), where
                        if it.kind == "channel_suspension":
                            assert it.channel in st.ctx.open_channels, where
        if self.rule_class is not NoRetaliation:
            assert n > 0, "the scripted rivals never drew an answer: the check above checked nothing"

    def test_fixed_lags_make_a_deterministic_rule_seed_free(self) -> None:
        """With every rung's lag fixed, a non-stochastic rule's decisions never depend on the seed."""
        if self.rule_class.stochastic:
            pytest.skip("stochastic rule")
        runs = [self.transcripts(seed, repertoire=FIXED_LAG_REPERTOIRE) for seed in SEEDS]
        assert all(r == runs[0] for r in runs)

    def test_decisions_look_back_at_most_memory_depth(self) -> None:
        """Histories that agree on their last ``memory_depth`` perceptions give the same
        answers, meeting decisions and reopening permissions."""
        depth = self.rule_class.memory_depth
        if depth == math.inf:
            pytest.skip("unbounded memory")
        depth = int(depth)
        # A sanction, then `depth` cooperative signals; the short history keeps only the latter.
        long = [seen("sanction", 80, 1, intensity=3.0)] + [seen("working_group", 85 + i, 2 + i) for i in range(depth)]
        short = long[len(long) - depth :] if depth else []
        request = seen("meeting_request", 100, 40)
        answers = []
        for history in (long, short):
            rule, rng = self.make_rule(), np.random.default_rng(0)
            ctx = make_context(memory=tuple(history), repertoire=FIXED_LAG_REPERTOIRE)
            p = sanction_now()
            answers.append(
                (
                    rule.respond(p, make_context(memory=(*history, p), repertoire=FIXED_LAG_REPERTOIRE), rng),
                    rule.accepts(request, make_context(memory=(*history, request)), rng),
                    {c: rule.permits_reopening(c, ctx) for c in CHANNELS},
                )
            )
        assert answers[0] == answers[1]

    def test_reset_forgets_earlier_runs(self) -> None:
        """After reset() a rule replays a script exactly like a fresh rule."""
        used = self.make_rule()
        play(used, shock_then_calm(), 3)
        play(used, always_hostile(), 3)
        used.reset()
        for script in (always_cooperative, shock_then_calm, always_hostile):
            assert play(used, script(), 3) == play(self.make_rule(), script(), 3)
            used.reset()

    # -- parameters -------------------------------------------------------



# ---------------------------------------------------------------------------


class TestNoRetaliation(RetaliationContract):
    rule_class = NoRetaliation
    expected_name = "none"
    versus_probe = [("sanction", NOTHING), ("meeting_request", MET), ("meeting_request", MET),
                    ("rhetoric_condemnation", NOTHING), ("export_control", NOTHING), ("ministerial_meeting", NOTHING),
                    ("meeting_request", MET)]  # fmt: skip
    versus_taiwan = [("arms_sale", NOTHING), ("meeting_request", MET), ("meeting_request", MET), ("military_drill", NOTHING)]
    expected_memory_depth = 0

    def test_never_answers_always_accepts_always_permits(self) -> None:
        """Against every scripted rival: no answer, every meeting accepted, every channel may reopen."""
        for name, steps in self.transcripts(0).items():
            assert intents_of(steps) == [], name
            assert all(st.accepted in (None, True) for st in steps), name
            assert all(all(st.reopen) for st in steps), name

    def test_ignores_even_a_fresh_grievance(self) -> None:
        """A huge sanction today neither draws an answer nor blocks meetings or military channels."""
        rule, rng = NoRetaliation(), np.random.default_rng(0)
        p = sanction_now(intensity=10.0)
        ctx = make_context(memory=(p,), hostility=1.0, pressure=1.0)
        assert rule.respond(p, ctx, rng) == []
        assert rule.accepts(seen("meeting_request", 100, 51), ctx, rng) is True
        assert all(rule.permits_reopening(c, ctx) for c in CHANNELS)


class TestTitForTat(RetaliationContract):
    rule_class = TitForTat
    expected_stochastic = True  # answer lags are drawn from the rungs' ranges
    expected_name = "tit_for_tat"
    # In kind, and no meeting while the rival's last act was hostile and recent.
    versus_probe = [("sanction", ("sanction",)), ("meeting_request", REFUSED), ("meeting_request", MET),
                    ("rhetoric_condemnation", NOTHING), ("export_control", ("export_control",)),
                    ("ministerial_meeting", NOTHING), ("meeting_request", MET)]  # fmt: skip
    # Support for Taiwan is answered with the kind China mirrors it with (a sanction).
    # (the second request comes after the first, a cooperative signal: tit-for-tat remembers one move)
    versus_taiwan = [("arms_sale", ("sanction",)), ("meeting_request", REFUSED), ("meeting_request", MET),
                     ("military_drill", ("military_drill",))]  # fmt: skip
    expected_memory_depth = 1



    @pytest.mark.parametrize(("kind", "lag"), [("sanction", (1, 10)), ("export_control", (1, 14))])
    def test_answers_in_kind_at_the_same_intensity(self, kind: str, lag: tuple[int, int]) -> None:
        """A sanction is answered by one sanction, export controls by export controls, at the
        trigger's intensity, aimed at the rival, after the lag of China's rung for that kind."""
        p = seen(kind, intensity=2.5, id=9)
        for seed in range(20):
            (it,) = TitForTat().respond(p, make_context(memory=(p,)), np.random.default_rng(seed))
            assert (it.kind, it.receiver, it.intensity, it.cause, it.channel) == (kind, RIVAL, 2.5, 9, "")
            assert lag[0] <= it.delay <= lag[1]

    def test_ignores_signals_below_trigger(self) -> None:
        """A condemnation (0.25) is below the default trigger; a sanction (0.6) below trigger 0.7."""
        rng = np.random.default_rng(0)
        assert TitForTat().respond(seen("rhetoric_condemnation"), make_context(), rng) == []
        assert TitForTat(trigger=0.7).respond(seen("sanction"), make_context(), rng) == []
        (it,) = TitForTat().respond(seen("rhetoric_condemnation", intensity=2.0), make_context(), rng)
        assert it.kind == "rhetoric_condemnation"

    def test_arms_sale_to_taiwan_is_answered_by_a_sanction_on_the_rival(self) -> None:
        """An arms sale to a watched actor mirrors to a sanction on the USA, not on Taiwan."""
        p = seen("arms_sale", receiver="TWN", intensity=1.5, id=4)
        assert p.subject == "TWN" and p.responsible == RIVAL
        (it,) = TitForTat().respond(p, make_context(), np.random.default_rng(0))
        assert (it.kind, it.receiver, it.intensity, it.cause) == ("sanction", RIVAL, 1.5, 4)

    def test_drills_go_around_the_subject_or_else_at_the_rival(self) -> None:
        """A US visit to Taiwan draws drills around Taiwan (China's drill rung targets the subject);
        US drills aimed at China draw drills aimed at the USA."""
        rng = np.random.default_rng(0)
        (at_twn,) = TitForTat().respond(seen("high_level_visit", receiver="TWN"), make_context(), rng)
        assert (at_twn.kind, at_twn.receiver) == ("military_drill", "TWN")
        (at_usa,) = TitForTat().respond(seen("military_drill"), make_context(), rng)
        assert (at_usa.kind, at_usa.receiver) == ("military_drill", RIVAL)
        assert 2 <= at_usa.delay <= 3

    def test_without_a_rung_for_the_mirror_uses_the_default_lag(self) -> None:
        """With an empty repertoire the mirror is still sent, within the default 0-1 days."""
        delays = {
            TitForTat().respond(seen("sanction"), make_context(repertoire=()), np.random.default_rng(s))[0].delay
            for s in range(30)
        }
        assert delays == {0, 1}

    def test_hostile_signal_without_a_mirror_draws_nothing(self) -> None:
        """A US summit with Taiwan is read as hostile (0.9) but leader_summit has no mirror kind."""
        p = seen("leader_summit", receiver="TWN")
        assert p.severity > 0.3
        assert TitForTat().respond(p, make_context(), np.random.default_rng(0)) == []

    def test_refuses_meeting_right_after_a_hostile_signal(self) -> None:
        """The rival's last signal before the request was a sanction 5 days ago: refused."""
        request = seen("meeting_request", 100, 2)
        ctx = make_context(memory=(seen("sanction", 95, 1), request))
        assert TitForTat().accepts(request, ctx, np.random.default_rng(0)) is False

    def test_accepts_once_the_last_signal_was_cooperative(self) -> None:
        """A working group after the sanction wipes the grievance for meetings."""
        request = seen("meeting_request", 100, 3)
        ctx = make_context(memory=(seen("sanction", 95, 1), seen("working_group", 97, 2), request))
        assert TitForTat().accepts(request, ctx, np.random.default_rng(0)) is True

    @pytest.mark.parametrize(("age", "accepted"), [(29, False), (30, False), (31, True), (200, True)])
    def test_grievance_lapses_after_grievance_days(self, age: int, accepted: bool) -> None:
        """A sanction counts against meetings for grievance_days (30) days, inclusive."""
        request = seen("meeting_request", 100, 2)
        ctx = make_context(memory=(seen("sanction", 100 - age, 1), request))
        assert TitForTat().accepts(request, ctx, np.random.default_rng(0)) is accepted

    def test_small_last_signal_is_no_grievance(self) -> None:
        """A last signal below trigger (a condemnation, 0.25) does not block a meeting."""
        request = seen("meeting_request", 100, 2)
        ctx = make_context(memory=(seen("rhetoric_condemnation", 99, 1), request))
        assert TitForTat().accepts(request, ctx, np.random.default_rng(0)) is True

    def test_cooperative_rival_meets_pure_cooperation(self) -> None:
        """Against an always-cooperative rival: no answer at all, every meeting accepted."""
        steps = play(TitForTat(), always_cooperative())
        assert intents_of(steps) == []
        assert [st.accepted for st in steps if st.accepted is not None] == [True] * 6

    def test_alternating_rival_is_mirrored_signal_by_signal(self) -> None:
        """Against hostile/cooperative alternation: every export control is answered with one
        export control, and exactly the meetings requested after a hostile signal are refused."""
        steps = play(TitForTat(), alternating())
        answered = [st for st in steps if st.intents]
        assert [st.perception.signal.kind for st in answered] == ["export_control"] * 3
        assert all([it.kind for it in st.intents] == ["export_control"] for st in answered)
        assert [st.accepted for st in steps if st.accepted is not None] == [False, True] * 3


class TestGenerousTitForTat(RetaliationContract):
    rule_class = GenerousTitForTat
    expected_name = "generous_tit_for_tat"
    # Generosity 0.3, seed 0: the export controls and the drills are forgiven with a mere protest,
    # and the meetings right after the sanction and the arms sale are accepted.
    versus_probe = [("sanction", ("sanction",)), ("meeting_request", MET), ("meeting_request", MET),
                    ("rhetoric_condemnation", NOTHING), ("export_control", ("rhetoric_condemnation",)),
                    ("ministerial_meeting", NOTHING), ("meeting_request", MET)]  # fmt: skip
    versus_taiwan = [("arms_sale", ("sanction",)), ("meeting_request", MET), ("meeting_request", MET),
                     ("military_drill", ("rhetoric_condemnation",))]  # fmt: skip
    expected_stochastic = True
    expected_memory_depth = 1
    bad_params = {"generosity": [-0.1, 1.5]}


    @staticmethod
    def _shape(steps: list) -> list:
        """A transcript without the random delays."""
        return [
            ([(i.kind, i.receiver, i.channel, i.intensity, i.cause) for i in st.intents], st.accepted, st.reopen)
            for st in steps
        ]

    def test_generosity_zero_decides_like_tit_for_tat(self) -> None:
        """With generosity 0 every answer, meeting decision and reopening permission is
        tit-for-tat's (delays aside, which are drawn from the same rung lags)."""
        for name, script in RIVALS.items():
            for seed in SEEDS:
                gen = play(GenerousTitForTat(generosity=0.0), script(), seed)
                tft = play(TitForTat(), script(), seed)
                assert self._shape(gen) == self._shape(tft), f"{name}, seed {seed}"

    def test_generosity_zero_is_tit_for_tat_draw_for_draw(self) -> None:
        """Same seed, same script: generosity 0 gives exactly tit-for-tat's decisions, delays included."""
        for script in (always_hostile, alternating, taiwan_support):
            assert play(GenerousTitForTat(generosity=0.0), script(), 1) == play(TitForTat(), script(), 1)

    def test_generosity_one_only_protests_and_always_meets(self) -> None:
        """With generosity 1 every hostile signal at or above trigger draws one condemnation of
        the rival (intensity 1) and nothing else, and every meeting is accepted."""
        for name in ("always_hostile", "alternating", "taiwan_support", "shock_then_calm"):
            steps = play(GenerousTitForTat(generosity=1.0), RIVALS[name](), 0)
            answers = [st.intents for st in steps if st.intents]
            assert answers, name
            for intents in answers:
                assert [(i.kind, i.receiver, i.intensity) for i in intents] == [
                    ("rhetoric_condemnation", RIVAL, 1.0)
                ], name
            assert all(st.accepted in (None, True) for st in steps), name

    def test_forgiving_still_ignores_signals_below_trigger(self) -> None:
        """Even a fully generous rule says nothing about a signal below trigger."""
        rule = GenerousTitForTat(generosity=1.0)
        assert rule.respond(seen("rhetoric_condemnation"), make_context(), np.random.default_rng(0)) == []

    def test_forgives_about_generosity_of_the_time(self) -> None:
        """Over 2000 sanctions with generosity 0.3 the share answered by a mere protest is 0.3 +- 0.05,
        and the rest are answered by a sanction."""
        rule, rng, p = GenerousTitForTat(generosity=0.3), np.random.default_rng(2024), sanction_now()
        kinds = [tuple(i.kind for i in rule.respond(p, make_context(memory=(p,)), rng)) for _ in range(2000)]
        assert set(kinds) == {("rhetoric_condemnation",), ("sanction",)}
        assert abs(kinds.count(("rhetoric_condemnation",)) / 2000 - 0.3) < 0.05

    def test_accepts_about_generosity_of_meetings_despite_a_grievance(self) -> None:
        """Right after a sanction, tit-for-tat refuses; generosity 0.3 accepts 0.3 +- 0.05 of 2000 requests."""
        request = seen("meeting_request", 100, 2)
        ctx = make_context(memory=(seen("sanction", 99, 1), request))
        rule, rng = GenerousTitForTat(generosity=0.3), np.random.default_rng(7)
        share = sum(rule.accepts(request, ctx, rng) for _ in range(2000)) / 2000
        assert abs(share - 0.3) < 0.05


class TestGraduatedLadder(RetaliationContract):
    rule_class = GraduatedLadder
    expected_stochastic = True  # answer lags are drawn from the rungs' ranges
    expected_name = "graduated"
    # Rungs climbed in proportion to severity, each only for the areas it answers (economic measures
    # draw no cut: China cuts dialogue over security and diplomacy); meetings refused for
    # grievance_days after an act at trigger in the meeting's own area only.
    versus_probe = [("sanction", ("rhetoric_condemnation", "sanction")), ("meeting_request", MET),
                    ("meeting_request", MET), ("rhetoric_condemnation", NOTHING),
                    ("export_control", ("rhetoric_condemnation", "sanction")),
                    ("ministerial_meeting", NOTHING), ("meeting_request", MET)]  # fmt: skip
    versus_taiwan = [
        ("arms_sale", ("rhetoric_condemnation", "military_drill", ALL_CUT[0], "sanction", "economic_cooperation")),
        ("meeting_request", MET),  # leader-level diplomacy goes on during a security grievance
        ("meeting_request", REFUSED),  # defence ministers' talks do not
        ("military_drill", ("rhetoric_condemnation", *ALL_CUT[1:8], "sanction")),
    ]
    bad_params = {
        "channel_step": [0, -0.3, 11],
        "hostility_gain": [-1],
        "pressure_gain": [-0.5, 10.5],
        "refuse_above": [1.5, -0.1],
    }


    @staticmethod
    def answer(eff: float, subject: str | None = None, seed: int = 0, **ctx: Any) -> list:
        """The default ladder's answer to a perception of severity ``eff`` (at baseline, no pressure)."""
        p = raw(eff, subject=subject, id=77)
        return GraduatedLadder().respond(p, make_context(memory=(p,), **ctx), np.random.default_rng(seed))

    @staticmethod
    def kinds(intents: list) -> list[str]:
        return [i.kind for i in intents if i.kind != "channel_suspension"]

    def test_small_signal_climbs_fewer_rungs_than_a_large_one(self) -> None:
        """Severity 0.4 draws only a condemnation; severity 3 climbs every rival-aimed rung."""
        small, large = self.answer(0.4), self.answer(3.0)
        assert self.kinds(small) == ["rhetoric_condemnation"]
        assert self.kinds(large) == ["rhetoric_condemnation", "sanction", "export_control"]
        assert any(i.kind == "channel_suspension" for i in large)
        assert len(small) < len(large)

    @pytest.mark.parametrize(
        ("eff", "expected"),
        [
            (0.25, []),
            (0.45, ["rhetoric_condemnation"]),
            (0.75, ["rhetoric_condemnation", "sanction", "economic_cooperation"]),
            (1.2, ["rhetoric_condemnation", "sanction", "military_drill", "economic_cooperation"]),
            (2.7, ["rhetoric_condemnation", "sanction", "military_drill", "export_control", "economic_cooperation"]),
        ],
    )
    def test_every_rung_reached_is_sent_once(self, eff: float, expected: list[str]) -> None:
        """Each rung whose min_severity the effective severity reaches is sent, lowest first, at
        intensity 1 (the drill and the courtship deal aimed at the subject); nothing at all below trigger."""
        intents = self.answer(eff, subject="TWN")
        assert self.kinds(intents) == expected
        for it in intents:
            assert it.intensity == 1.0
            assert it.receiver == ("TWN" if it.kind in ("military_drill", "economic_cooperation") else RIVAL)

    @pytest.mark.parametrize("eff", [1.55, 1.65, 1.95, 2.25, 2.55, 2.85, 3.45, 5.0])
    def test_channels_cut_grow_with_severity_in_suspension_order(self, eff: float) -> None:
        """1 + floor((eff - 1.5) / channel_step) channels are cut, the first open ones of the
        suspension order, all on the same day within the rung's lag (2-4 days)."""
        cuts = [i for i in self.answer(eff) if i.kind == "channel_suspension"]
        n = min(len(CHANNELS), 1 + math.floor((eff - 1.5) / 0.3))
        assert [c.channel for c in cuts] == list(SUSPENSION_ORDER[:n])
        assert len({c.delay for c in cuts}) == 1 and 2 <= cuts[0].delay <= 4
        assert all(c.receiver == RIVAL and c.cause == 77 for c in cuts)

    def test_channel_step_sets_how_fast_cuts_grow(self) -> None:
        """With channel_step 1.0, severity 2.7 cuts 2 channels (1 + floor(1.2 / 1.0)), not 5."""
        p = raw(2.7)
        cuts = [
            i
            for i in GraduatedLadder(channel_step=1.0).respond(p, make_context(), np.random.default_rng(0))
            if i.kind == "channel_suspension"
        ]
        assert [c.channel for c in cuts] == list(SUSPENSION_ORDER[:2])

    def test_skips_channels_already_suspended(self) -> None:
        """Severity 2.25 cuts 3 channels: with maritime safety and senior military talks already
        shut, the next three open ones of the order."""
        cuts = [
            i.channel
            for i in self.answer(2.25, suspended_by_me=("maritime_safety", "senior_military"))
            if i.kind == "channel_suspension"
        ]
        assert cuts == ["theater_commanders", "defense_policy", "defense_ministers"]

    def test_nothing_left_to_cut_still_climbs_the_other_rungs(self) -> None:
        """With every channel already shut, a severe signal cuts nothing but still sanctions."""
        intents = self.answer(3.0, suspended_by_me=CHANNELS)
        assert not any(i.kind == "channel_suspension" for i in intents)
        assert self.kinds(intents) == ["rhetoric_condemnation", "sanction", "export_control"]

    def test_subject_rung_needs_a_subject(self) -> None:
        """Drills (a 'subject' rung) follow an arms sale to Taiwan, aimed at Taiwan, but never a
        signal aimed at China itself, however severe."""
        assert "military_drill" not in self.kinds(self.answer(2.0))
        p = seen("arms_sale", receiver="TWN", intensity=2.0, id=5)  # 0.4 * 1.5 * 2.0 = 1.2
        intents = GraduatedLadder().respond(p, make_context(), np.random.default_rng(0))
        drills = [i for i in intents if i.kind == "military_drill"]
        assert [(d.receiver, d.cause) for d in drills] == [("TWN", 5)]
        subject_rungs = ("military_drill", "economic_cooperation")
        assert all(i.receiver == RIVAL for i in intents if i.kind not in subject_rungs)

    def test_effective_severity_formula(self) -> None:
        """effective = severity * max(0, 1 + hostility_gain*(hostility - baseline) + pressure_gain*pressure)."""
        rule = GraduatedLadder(hostility_gain=2.0, pressure_gain=0.5)
        p = raw(1.2)
        assert rule.effective(p, make_context()) == pytest.approx(1.2)
        assert rule.effective(p, make_context(hostility=0.55, pressure=0.4)) == pytest.approx(1.2 * (1 + 0.4 + 0.2))
        assert rule.effective(p, make_context(hostility=0.0, baseline_hostility=0.9)) == 0.0

    def test_higher_hostility_climbs_higher(self) -> None:
        """Severity 1.2 cuts no channel at baseline hostility, but at hostility baseline + 0.5
        (effective 1.8) it does; with hostility_gain 0 hostility changes nothing."""
        assert not any(i.kind == "channel_suspension" for i in self.answer(1.2))
        assert any(i.kind == "channel_suspension" for i in self.answer(1.2, hostility=0.85))
        p = raw(1.2)
        flat = GraduatedLadder(hostility_gain=0.0).respond(p, make_context(hostility=0.85), np.random.default_rng(0))
        assert not any(i.kind == "channel_suspension" for i in flat)

    def test_domestic_pressure_climbs_higher(self) -> None:
        """Severity 0.5 draws only a condemnation, but under full pressure (x1.5) also a sanction."""
        assert self.kinds(self.answer(0.5)) == ["rhetoric_condemnation"]
        assert self.kinds(self.answer(0.5, pressure=1.0)) == ["rhetoric_condemnation", "sanction"]

    def test_calm_reader_can_let_a_signal_pass(self) -> None:
        """Hostility well below baseline shrinks a sanction's effective severity below trigger
        (0.6 * (1 - 0.7) = 0.18 < 0.3)."""
        assert self.answer(0.6, hostility=0.2, baseline_hostility=0.9) == []

    @pytest.mark.parametrize(("hostility", "accepted"), [(0.5, True), (0.79, True), (0.8, False), (1.0, False)])
    def test_refuses_meetings_at_or_above_refuse_above(self, hostility: float, accepted: bool) -> None:
        """With no grievance at all, a meeting is refused exactly when hostility >= refuse_above (0.8)."""
        request = seen("meeting_request", 100, 1)
        ctx = make_context(hostility=hostility, memory=(request,))
        assert GraduatedLadder().accepts(request, ctx, np.random.default_rng(0)) is accepted

    def test_refuses_meetings_during_a_grievance_in_the_meetings_area(self) -> None:
        """At calm hostility, drills (security) within grievance_days block defence ministers' talks;
        older drills do not, and a sanction (economy) does not block them."""
        request = seen("meeting_request", 100, 2, channel="defense_ministers")
        rule, rng = GraduatedLadder(), np.random.default_rng(0)
        assert rule.accepts(request, make_context(memory=(seen("military_drill", 90, 1), request)), rng) is False
        assert rule.accepts(request, make_context(memory=(seen("military_drill", 60, 1), request)), rng) is True
        assert rule.accepts(request, make_context(memory=(seen("sanction", 90, 1), request)), rng) is True

    def test_grievance_blocks_reopening_in_its_area_only(self) -> None:
        """During a security grievance the security channels may not reopen, the others may; an
        economic grievance holds only the economic dialogue; after grievance_days, and for a
        grievance below trigger, all may."""
        rule = GraduatedLadder()
        areas = {c: s.area for c, s in load_vocabulary().channels.items()}
        drills = make_context(memory=(seen("military_drill", 90, 1), seen("working_group", 95, 2)))
        assert {c for c in CHANNELS if not rule.permits_reopening(c, drills)} == {
            c for c in CHANNELS if areas[c] == "security"}  # fmt: skip
        assert {c for c in CHANNELS if areas[c] == "security"} == set(MILITARY)
        sanction = make_context(memory=(seen("sanction", 90, 1),))
        assert [c for c in CHANNELS if not rule.permits_reopening(c, sanction)] == ["economic"]
        old = make_context(memory=(seen("military_drill", 60, 1),))
        small = make_context(memory=(seen("rhetoric_condemnation", 99, 1),))
        assert all(rule.permits_reopening(c, ctx) for c in CHANNELS for ctx in (old, small))

    def test_shock_then_calm(self) -> None:
        """One shock (drills x2, severity 1.4, read at the hostility and pressure it raises) cuts
        channels; meetings are refused for grievance_days, then accepted again as the calm continues."""
        steps = play(GraduatedLadder(), shock_then_calm(intensity=2.0, channel="defense_ministers"))
        assert any(i.kind == "channel_suspension" for i in steps[0].intents)
        decided = [(st.ctx.day - 10, st.accepted) for st in steps if st.accepted is not None]
        assert all(ok is (age > 30) for age, ok in decided), decided
        assert {ok for _, ok in decided} == {True, False}


class TestGrimTrigger(RetaliationContract):
    rule_class = GrimTrigger
    expected_stochastic = True  # answer lags are drawn from the rungs' ranges
    expected_name = "grim_trigger"
    # Cooperates until an act reaches threshold (1.0), then climbs every rung answering the act's area
    # (export controls: no channel cut) and refuses every meeting.
    versus_probe = [("sanction", NOTHING), ("meeting_request", MET), ("meeting_request", MET),
                    ("rhetoric_condemnation", NOTHING),
                    ("export_control", ("rhetoric_condemnation", "sanction", "export_control")),
                    ("ministerial_meeting", NOTHING), ("meeting_request", REFUSED)]  # fmt: skip
    versus_taiwan = [
        ("arms_sale", ("rhetoric_condemnation", "military_drill", *ALL_CUT, "sanction", "economic_cooperation")),
        ("meeting_request", REFUSED),
        ("meeting_request", REFUSED),
        ("military_drill", ("rhetoric_condemnation", "sanction")),
    ]
    bad_params = {"threshold": [-1, 10.5]}


    def test_cooperates_below_threshold(self) -> None:
        """Signals below threshold (1.0), even hostile ones above trigger, draw no answer and
        do not pull the trigger; meetings are accepted when no grievance is recent."""
        rule, rng = GrimTrigger(), np.random.default_rng(0)
        for p in (seen("rhetoric_condemnation", 60, 1), seen("sanction", 61, 2), raw(0.99, 62, 3)):
            assert rule.respond(p, make_context(day=p.signal.day), rng) == []
        assert not rule.triggered
        request = seen("meeting_request", 100, 4)
        calm = make_context(memory=(seen("working_group", 99, 5), request))
        assert rule.accepts(request, calm, rng) is True
        assert all(rule.permits_reopening(c, calm) for c in CHANNELS)

    def test_accepts_meetings_after_a_sub_threshold_signal(self) -> None:
        """An untriggered grim trigger takes a meeting requested two days after a sanction below threshold."""
        rule, rng = GrimTrigger(), np.random.default_rng(0)
        sanction, request = seen("sanction", 98, 1), seen("meeting_request", 100, 2)
        assert rule.respond(sanction, make_context(day=98, memory=(sanction,)), rng) == []
        assert rule.accepts(request, make_context(memory=(sanction, request)), rng) is True

    def test_signal_at_threshold_cuts_every_open_channel_and_climbs_every_rung(self) -> None:
        """The first signal at threshold cuts all open channels (in suspension order) and sends
        every rival-aimed rung regardless of its min_severity."""
        rule = GrimTrigger()
        intents = rule.respond(raw(1.0, id=8), make_context(suspended_by_me=("climate",)), np.random.default_rng(0))
        assert rule.triggered
        cuts = [i.channel for i in intents if i.kind == "channel_suspension"]
        assert cuts == [c for c in SUSPENSION_ORDER if c != "climate"]
        assert [i.kind for i in intents if i.kind != "channel_suspension"] == [
            "rhetoric_condemnation",
            "sanction",
            "export_control",
        ]
        assert all(i.cause == 8 for i in intents)

    def test_defects_forever_after_triggering(self) -> None:
        """After one shock every channel is cut and stays cut, every later meeting is refused and
        no channel may reopen, however cooperative the rival and however long ago the shock."""
        rule = GrimTrigger()
        steps = play(rule, shock_then_calm(n_calm=12, every=20))
        assert {i.channel for i in steps[0].intents if i.kind == "channel_suspension"} == set(CHANNELS)
        requests = [(s.day, answer) for s, (_, answer) in zip(
            [e for e in steps.events if e.scripted], steps.answers()) if s.kind == "meeting_request"]  # fmt: skip
        assert requests[-1][0] - steps[0].signal.day > 200
        assert [answer for _, answer in requests] == [("meeting_rejection",)] * 12
        later = steps[1:]
        assert all(not any(st.reopen) for st in later)
        assert intents_of(later) == []
        # Asked directly, long after the shock: still no meeting, no reopening.
        late = make_context(day=300)
        assert rule.accepts(seen("meeting_request", 300, 99), late, np.random.default_rng(0)) is False
        assert not any(rule.permits_reopening(c, late) for c in CHANNELS)

    def test_after_triggering_answers_hostility_with_every_rung(self) -> None:
        """Once triggered, a mere sanction (0.6) draws every rung answering its area again and cuts what
        is still open; a condemnation below trigger (0.25) is still ignored. A sanction read in the
        economic area draws the ladder's economic rungs only (China's config cuts dialogue over
        security and diplomacy, not over trade)."""
        rule, rng = GrimTrigger(), np.random.default_rng(0)
        rule.respond(raw(2.0, id=1), make_context(), rng)
        ctx = make_context(suspended_by_me=CHANNELS[:5])
        intents = rule.respond(sanction_now(id=2), ctx, rng)
        assert [i.kind for i in intents if i.kind != "channel_suspension"] == [
            "rhetoric_condemnation",
            "sanction",
            "export_control",
        ]
        assert [i for i in intents if i.kind == "channel_suspension"] == []
        visit = rule.respond(seen("high_level_visit", id=4, receiver="TWN"), ctx, rng)
        assert sorted(i.channel for i in visit if i.kind == "channel_suspension") == sorted(CHANNELS[5:])
        assert rule.respond(seen("rhetoric_condemnation", id=3), ctx, rng) == []

    def test_triggered_rule_sends_drills_at_the_subject(self) -> None:
        """Triggered by an arms sale to Taiwan (severity 1.8), it drills around Taiwan too."""
        rule = GrimTrigger()
        p = seen("arms_sale", receiver="TWN", intensity=2.0)
        drills = [i for i in rule.respond(p, make_context(), np.random.default_rng(0)) if i.kind == "military_drill"]
        assert [d.receiver for d in drills] == ["TWN"]

    def test_reset_restores_cooperation(self) -> None:
        """reset() after triggering: meetings accepted, channels may reopen, sub-threshold signals ignored."""
        rule, rng = GrimTrigger(), np.random.default_rng(0)
        rule.respond(raw(3.0), make_context(), rng)
        request = seen("meeting_request", 100, 2)
        ctx = make_context(memory=(request,))
        assert rule.accepts(request, ctx, rng) is False
        rule.reset()
        assert not rule.triggered
        assert rule.accepts(request, ctx, rng) is True
        assert all(rule.permits_reopening(c, ctx) for c in CHANNELS)
        assert rule.respond(sanction_now(), ctx, rng) == []

    def test_civilian_reopening_allowed_before_trigger(self) -> None:
        """Before triggering, civilian channels may reopen even during a grievance."""
        rule = GrimTrigger()
        ctx = make_context(memory=(seen("sanction", 99, 1),))
        assert all(rule.permits_reopening(c, ctx) for c in CIVILIAN)
