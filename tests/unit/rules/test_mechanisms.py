"""Behaviours of the model core played through the real model against scripted opponents:
meeting answers by issue area, the one-directional sanctions hold, domestic pressure, the reply
weight, a planned visit called off by its own side, and determinism per rule.

Expected play is written as data (kinds, presence or absence, orderings), not recomputed.
"""

from __future__ import annotations

from typing import Any

import pytest
from scripted_rival import (
    CHINA_REPERTOIRE,
    CONFIG,
    ME,
    RIVAL,
    Move,
    log,
    match,
    play,
)

from sim.config.build import build_spec
from sim.config.compose import compose_config
from sim.core.rules import RETALIATION_RULES, THAW_RULES, NoRetaliation, SanctionedPostHold, WeightedThaw
from sim.core.rules.base import Rung
from sim.core.rules.retaliation import GraduatedLadder
from sim.core.vocabulary import AREAS, load_vocabulary

MET, REFUSED = ("ministerial_meeting",), ("meeting_rejection",)
POST_NOTE = "a post the channel runs through"


def answers_to_requests(steps: Any) -> list[tuple[str, ...]]:
    return [a for k, a in steps.answers() if k == "meeting_request"]


class TestMeetingAnswersByArea:
    """A grievance refuses meetings in its own issue area, and only in areas linked to dialogue."""

    def test_a_security_grievance_refuses_defence_talks_not_economic_ones(self) -> None:
        for channel, expected in (("defense_ministers", REFUSED), ("economic", MET)):
            steps = play(GraduatedLadder(), [Move(10, "military_drill"), Move(15, "meeting_request", channel=channel)])
            assert answers_to_requests(steps) == [expected], channel

    def test_economic_talks_go_on_during_an_economic_grievance_unless_dialogue_answers_the_economy(self) -> None:
        """China's dialogue-cutting rungs answer security and diplomacy, not the economy: economic
        talks go on after US export controls. Give the channel-cutting rung the economy too and the
        same request is refused."""
        script = [Move(10, "export_control", intensity=2.0), Move(15, "meeting_request", channel="economic")]
        assert answers_to_requests(play(GraduatedLadder(), script)) == [MET]
        linked = tuple(Rung(r.kind, r.min_severity, r.lag, r.target, AREAS if r.kind == "channel_suspension" else r.areas)
                       for r in CHINA_REPERTOIRE)  # fmt: skip
        assert answers_to_requests(play(GraduatedLadder(), script, repertoire=linked)) == [REFUSED]


def _post_match(posts: list[dict]) -> Any:
    """Both governments hold posts (SanctionedPostHold around WeightedThaw) and otherwise never refuse;
    the USA asks China for defence and leader-level talks, then China asks the USA for defence talks."""
    moves = [Move(10, "meeting_request", channel="defense_ministers"),
             Move(12, "meeting_request", channel="high_level_diplomacy"),
             Move(14, "meeting_request", receiver=RIVAL, sender=ME, channel="defense_ministers")]  # fmt: skip
    rules = {g: (NoRetaliation(), SanctionedPostHold(inner=WeightedThaw())) for g in (ME, RIVAL)}
    return match(moves, 0, rules=rules, posts=posts)


def _answers(model: Any) -> list[tuple[str, str, str, bool]]:
    return [(e.sender, e.kind, e.channel, POST_NOTE in e.note) for e in model.events
            if e.kind in ("ministerial_meeting", "meeting_rejection")]  # fmt: skip


class TestOneDirectionalSanctionsHold:
    def test_chinas_minister_sanctioned_by_the_us_holds_chinas_defence_talks_only(self) -> None:
        """China refuses defence talks citing the post, takes leader-level talks; the USA, which
        imposed the sanctions, takes China's request for defence talks."""
        m = _post_match([{"actor": ME, "post": "defense_minister", "official": "Li Shangfu", "sanctioned_by": [RIVAL]}])
        assert _answers(m) == [(ME, "meeting_rejection", "defense_ministers", True),
                               (ME, "ministerial_meeting", "high_level_diplomacy", False),
                               (RIVAL, "ministerial_meeting", "defense_ministers", False)]  # fmt: skip
        assert "defense_ministers" in m.blocked_for(ME) and not m.blocked_for(RIVAL)

    def test_a_us_official_sanctioned_by_china_does_not_make_china_hold(self) -> None:
        """The reverse case: China, the sanctioning side, takes defence talks; only the US side holds."""
        m = _post_match([{"actor": RIVAL, "post": "defense_minister", "official": "X", "sanctioned_by": [ME]}])
        assert _answers(m)[:2] == [(ME, "ministerial_meeting", "defense_ministers", False),
                                   (ME, "ministerial_meeting", "high_level_diplomacy", False)]  # fmt: skip
        assert not m.blocked_for(ME)

    def test_a_us_official_sanctioned_by_china_does_not_hold_a_us_without_the_post_rule(self) -> None:
        """The USA's configured thaw rule (weighted) holds no channel for a reason of posts."""
        posts = [{"actor": RIVAL, "post": "defense_minister", "official": "X", "sanctioned_by": [ME]}]
        m = match([Move(14, "meeting_request", receiver=RIVAL, sender=ME, channel="defense_ministers")], 0,
                  rules={RIVAL: CONFIG}, posts=posts)  # fmt: skip
        assert [(e.sender, e.kind) for e in m.events if e.kind in MET + REFUSED] == [(RIVAL, "ministerial_meeting")]

    def test_a_vacant_post_blocks_both_sides(self) -> None:
        m = _post_match([{"actor": ME, "post": "defense_minister", "official": None}])
        assert _answers(m) == [(ME, "meeting_rejection", "defense_ministers", True),
                               (ME, "ministerial_meeting", "high_level_diplomacy", False),
                               (RIVAL, "meeting_rejection", "defense_ministers", True)]  # fmt: skip
        assert "defense_ministers" in m.blocked_for(ME) and "defense_ministers" in m.blocked_for(RIVAL)


def _visit(day: int, channel: str, sender: str = RIVAL, receiver: str = ME, planned: bool = False) -> Move:
    facts: dict[str, Any] = {"rank": "cabinet", "place": "receiver_territory"}
    if planned:
        facts["planned"] = True
    return Move(day, "high_level_visit", receiver=receiver, sender=sender, channel=channel, intensity=None, facts=facts)


def _pressure(model: Any, day: int) -> float:
    return model.governments[RIVAL].state.get(("pressure", None), day)


class TestDomesticPressure:
    """Engaging China is attacked at home: engagements raise US pressure, which makes engaging costlier."""

    # Eight Chinese cabinet visits to the USA, two small incidents (below the US trigger), then a
    # planned US visit on the defence channel.
    SCRIPT = ([_visit(d, "", sender=ME, receiver=RIVAL) for d in range(10, 46, 5)]
              + [Move(48, "surveillance_incident", receiver=RIVAL, sender=ME, intensity=1.1),
                 Move(52, "surveillance_incident", receiver=RIVAL, sender=ME, intensity=1.1),
                 _visit(55, "defense_ministers", planned=True)])  # fmt: skip

    def outcome(self, **params: Any) -> tuple[list[tuple[str, str]], float]:
        m = match(self.SCRIPT, 0, rules={RIVAL: CONFIG}, params={RIVAL: params})
        planned = [(e.sender, e.kind) for e in m.events if e.day == 55]
        return planned, _pressure(m, 55)

    def test_engagements_raise_pressure_and_the_us_calls_off_what_it_holds_without_it(self) -> None:
        (called_off, high), (held, low) = self.outcome(), self.outcome(engagement_pressure=0.0)
        assert high > low
        assert called_off == [(RIVAL, "visit_postponed")]
        assert held == [(RIVAL, "high_level_visit")]

    def test_pressure_without_weight_changes_no_decision(self) -> None:
        planned, pressure = self.outcome(pressure_weight=0.0)
        assert pressure > self.outcome(engagement_pressure=0.0)[1]
        assert planned == [(RIVAL, "high_level_visit")]

    def test_us_pressure_gain_changes_the_historical_replay(self) -> None:
        """On the historical scenario (seed 0, uncalibrated) the event log differs between a US
        pressure_gain of 0 and of 5."""
        logs = []
        for gain in (0, 5):
            cfg, choices = compose_config(("~calibration", "seed=0", f"governments.USA.pressure_gain={gain}"))
            model = build_spec(cfg, choices).model()
            model.run()
            logs.append(log(model))
        assert logs[0] != logs[1]


class TestReplyWeight:
    def echo(self, reply_weight: float) -> list[Any]:
        """China sanctions the USA once; both governments answer by their configured rules."""
        m = match([Move(10, "sanction", receiver=RIVAL, sender=ME, intensity=2.0)], 0,
                  rules={RIVAL: CONFIG, ME: CONFIG},
                  params={g: {"reply_weight": reply_weight} for g in (ME, RIVAL)}, days_after=400)  # fmt: skip
        kinds = load_vocabulary().kinds
        return [e for e in m.events if kinds[e.kind].hostility > 0 and {e.sender, e.receiver} == {ME, RIVAL}]

    def test_a_counter_measure_read_at_full_weight_echoes_longer(self) -> None:
        """Read at full weight (1) the sanction's echo goes on for longer, with more hostile acts, than
        when replies count for nothing (0), where it dies out after the first round."""
        full, none = self.echo(1.0), self.echo(0.0)
        assert max(e.day for e in full) > max(e.day for e in none)
        assert len(full) > len(none)
        # with reply_weight 0 China never answers the USA's answers
        assert [e for e in none if e.sender == ME and e.day > 10] == []


# A planned visit called off by the visitor under domestic pressure after a hostile act:
# tests/unit/test_model_facts.py::test_the_visitor_postpones_a_planned_visit_when_a_hostile_act_raises_pressure_at_home


# A script with something for every rule: cuts, hostile acts, gestures, requests, a summit.
MIXED = [Move(10, "military_drill", intensity=3.0), Move(20, "meeting_request", channel="defense_ministers"),
         Move(30, "export_control", intensity=2.0), Move(60, "leader_summit", intensity=None, facts={"form": "bilateral"}),
         Move(90, "ministerial_meeting"), Move(100, "meeting_request")]  # fmt: skip
CUT = ("senior_military", "climate", "economic")


class TestDeterminismPerRule:
    @pytest.mark.parametrize("name", sorted(RETALIATION_RULES))
    def test_retaliation_rule_same_seed_same_log(self, name: str) -> None:
        runs = [log(match(MIXED, 3, rules={ME: (RETALIATION_RULES[name](), WeightedThaw()), RIVAL: CONFIG}))
                for _ in range(2)]  # fmt: skip
        assert runs[0] == runs[1] and len(runs[0]) > len(MIXED)

    @pytest.mark.parametrize("name", sorted(THAW_RULES))
    def test_thaw_rule_same_seed_same_log(self, name: str) -> None:
        moves = [Move(1, "channel_suspension", RIVAL, channel=c, sender=ME) for c in CUT] + MIXED
        runs = [log(match(moves, 3, rules={ME: (GraduatedLadder(), THAW_RULES[name]()), RIVAL: CONFIG}))
                for _ in range(2)]  # fmt: skip
        assert runs[0] == runs[1] and len(runs[0]) > len(moves)
