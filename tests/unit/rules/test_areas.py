"""Grievances by issue area in the rules: a rung answers only its areas, and the ladder's
effective severity reads the hostility of the area the signal is held in."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scripted_rival import make_context, seen

from sim.core.errors import ParameterError
from sim.core.rules.base import Rung
from sim.core.rules.retaliation import GraduatedLadder
from sim.core.vocabulary import AREAS


def test_a_rung_answers_its_areas_and_every_rung_answers_an_act_on_all_areas():
    rung = Rung.build("military_drill", 1.0, [2, 3], "subject", ["security"])
    assert rung.areas == ("security",)
    assert rung.answers("security") and not rung.answers("economy") and rung.answers("all")
    assert Rung.build("sanction", 0.6, [1, 2]).areas == AREAS


@pytest.mark.parametrize("areas", [[], ["trade"], ["security", "security"], "security"])
def test_a_rung_refuses_unknown_empty_or_repeated_areas(areas):
    with pytest.raises(ParameterError) as info:
        Rung.build("sanction", 0.6, [1, 2], "rival", areas)
    assert info.value.name == "areas"


def test_china_reads_each_kind_in_its_area_and_dealings_with_taiwan_as_security():
    assert seen("export_control").area == "economy"
    assert seen("meeting_rejection").area == "diplomacy"
    assert seen("military_drill").area == "security"
    assert seen("high_level_visit", receiver="TWN").area == "security", "a visit to Taiwan"
    assert seen("leader_summit").area == "all"


def test_the_ladder_reads_the_hostility_of_the_signals_area():
    """Hostility raised in trade amplifies an answer to a trade measure, not to a protest."""
    rule = GraduatedLadder(hostility_gain=2.0, pressure_gain=0.0)
    ctx = make_context()
    economy = AREAS.index("economy")
    hot = dataclasses.replace(ctx, hostility_areas=tuple(0.9 if i == economy else h for i, h in enumerate(ctx.hostility_areas)))
    trade, protest = seen("export_control"), seen("rhetoric_condemnation")
    assert rule.effective(trade, hot) > rule.effective(trade, ctx)
    assert rule.effective(protest, hot) == pytest.approx(rule.effective(protest, ctx))


def test_an_economic_grievance_climbs_only_the_economic_rungs_of_chinas_ladder():
    rule = GraduatedLadder(trigger=0.1)
    intents = rule.respond(seen("export_control", intensity=5.0), make_context(), np.random.default_rng(0))
    kinds = {i.kind for i in intents}
    assert "export_control" in kinds and "sanction" in kinds
    assert not kinds & {"channel_suspension", "military_drill"}


def test_a_config_naming_an_unknown_area_is_refused_in_one_line():
    from sim.config.build import build_spec
    from sim.config.compose import compose_config
    from sim.core.errors import SimInputError

    cfg, choices = compose_config(["governments.CHN.repertoire.1.areas=[trade]"])
    with pytest.raises(SimInputError) as info:
        build_spec(cfg, choices)
    message = str(info.value)
    assert "governments.CHN.repertoire[1].areas=['trade']" in message and "\n" not in message
