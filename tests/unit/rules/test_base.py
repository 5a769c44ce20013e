"""Tests for sim/core/rules/base.py: the decision Context and the helpers rules share."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scripted_rival import CHANNELS, CIVILIAN, MILITARY, RIVAL, SUSPENSION_ORDER, china, make_context, raw, seen

from sim.core.errors import ParameterError
from sim.core.rules.base import Rung, rung_intent, suspension_intents


class TestReopeningOrder:
    """The order follows from the per-channel costs of sim/data/channel_costs.csv alone."""

    def test_everything_cut_reopens_cheapest_first_the_cutting_order_reversed(self) -> None:
        """China cuts its costliest contacts first and reopens its cheapest first: with everything
        cut, the reopening order is the suspension order reversed, its costs never falling."""
        ctx = make_context(suspended_by_me=SUSPENSION_ORDER)
        order = ctx.reopening_order()
        assert order == tuple(reversed(SUSPENSION_ORDER))
        costs = [ctx.reopen_cost(c) for c in order]
        assert costs == sorted(costs) and costs[0] < costs[-1]
        # China's data: leader-level diplomacy and the economy first, the operational military contacts last.
        assert set(order[:2]) == {"high_level_diplomacy", "economic"}
        assert set(order[-2:]) == {"maritime_safety", "theater_commanders"}

    def test_no_civilian_first_rule_a_cheap_military_channel_reopens_first(self) -> None:
        """Nothing knows civilian from military: with costs swapped, the military channel goes first."""
        ctx = make_context(suspended_by_me=("climate", "senior_military"),
                           reopen_costs={"climate": 0.9, "senior_military": 0.1})  # fmt: skip
        assert ctx.reopening_order() == ("senior_military", "climate")
        swapped = make_context(suspended_by_me=("climate", "senior_military"),
                               reopen_costs={"climate": 0.1, "senior_military": 0.9})  # fmt: skip
        assert swapped.reopening_order() == ("climate", "senior_military")

    def test_each_government_derives_its_own_orders(self) -> None:
        """The USA, for which the military contacts are cheap to reopen and civilian dialogue costly
        at home, cuts civilian channels first and reopens military ones first: the reverse of China."""
        model = china().model
        usa = model.governments[RIVAL].context(0, model.board)
        chn = china().context(0, model.board)
        assert set(usa.suspension_order[:5]) == set(CIVILIAN)
        assert set(chn.suspension_order[:5]) == set(MILITARY)
        assert set(usa.suspension_order) == set(chn.suspension_order) == set(CHANNELS)
        cut_all = dataclasses.replace(usa, suspended_by_me=CHANNELS)
        assert set(cut_all.reopening_order()[:5]) == set(MILITARY)

    def test_ties_reopen_last_cut_first(self) -> None:
        """Channels of equal cost (climate, working groups, exchanges: 0.4 for China) reopen in the
        reverse of the order they are cut in."""
        tied = tuple(c for c in SUSPENSION_ORDER if c in ("climate", "working_groups", "people_to_people"))
        assert len({make_context().reopen_cost(c) for c in tied}) == 1
        assert make_context(suspended_by_me=tied).reopening_order() == tuple(reversed(tied))

    def test_only_channels_i_cut(self) -> None:
        """Channels suspended by the rival are not in my reopening order."""
        ctx = make_context(suspended_channels=("climate", "economic"), suspended_by_me=("climate",))
        assert ctx.reopening_order() == ("climate",)

    def test_nothing_cut(self) -> None:
        assert make_context().reopening_order() == ()


class TestLastHostile:
    def test_most_recent_signal_at_threshold_within_window(self) -> None:
        """Skips smaller and cooperative signals back to the latest one at threshold."""
        memory = (seen("sanction", 80, 1), seen("export_control", 90, 2), seen("working_group", 95, 3))
        assert make_context(memory=memory).last_hostile(0.3, 30).signal.id == 2

    def test_none_when_older_than_window(self) -> None:
        """A grievance 31 days old is outside a 30-day window; 30 days old is inside."""
        assert make_context(memory=(seen("sanction", 69, 1),)).last_hostile(0.3, 30) is None
        assert make_context(memory=(seen("sanction", 70, 1),)).last_hostile(0.3, 30) is not None

    def test_none_below_threshold(self) -> None:
        assert make_context(memory=(seen("rhetoric_condemnation", 99, 1),)).last_hostile(0.3, 30) is None

    def test_area_keeps_grievances_of_that_area_and_acts_on_every_area(self) -> None:
        """With an area, only grievances held in it (or bearing on every area) count."""
        ctx = make_context(memory=(seen("military_drill", 90, 1), seen("sanction", 95, 2)))
        assert ctx.last_hostile(0.3, 30).signal.id == 2
        assert ctx.last_hostile(0.3, 30, "security").signal.id == 1
        assert ctx.last_hostile(0.3, 30, "economy").signal.id == 2
        assert ctx.last_hostile(0.3, 30, "diplomacy") is None
        everywhere = make_context(memory=(raw(0.5, 95, 3),))  # area "all"
        assert everywhere.last_hostile(0.3, 30, "diplomacy").signal.id == 3


class TestRung:
    @pytest.mark.parametrize(
        ("args", "name"),
        [
            (("sanction", 0.6, [1, 10], "ally"), "target"),
            (("sanction", -1, [1, 10]), "min_severity"),
            (("sanction", 0.6, [10, 1]), "lag"),
            (("sanction", 0.6, [1]), "lag"),
        ],
    )
    def test_build_validates(self, args: tuple, name: str) -> None:
        """Rung.build rejects a bad target, severity or lag, naming the field."""
        with pytest.raises(ParameterError) as err:
            Rung.build(*args)
        assert err.value.name == name

    def test_subject_rung_skipped_without_subject(self) -> None:
        """A subject-aimed rung sends nothing for a signal aimed at me, and aims at the subject otherwise."""
        rung, rng = Rung("military_drill", 1.0, (2, 2), "subject"), np.random.default_rng(0)
        assert rung_intent(rung, raw(2.0), 1.0, rng) is None
        it = rung_intent(rung, raw(2.0, id=4, subject="TWN"), 1.0, rng)
        assert (it.receiver, it.delay, it.cause) == ("TWN", 2, 4)


class TestSuspensionIntents:
    def test_cuts_open_channels_in_order_up_to_n(self) -> None:
        """Up to n open channels, in suspension order, all on one day, skipping excluded ones."""
        ctx = make_context(suspended_by_me=("senior_military",))
        cuts = suspension_intents(ctx, 2, 3, 9, exclude=("maritime_safety",))
        assert [(c.channel, c.receiver, c.delay, c.cause) for c in cuts] == [
            ("theater_commanders", RIVAL, 3, 9),
            ("defense_policy", RIVAL, 3, 9),
        ]

    def test_no_cut_for_zero_and_at_most_every_open_channel(self) -> None:
        assert suspension_intents(make_context(), 0, 1, 1) == []
        assert len(suspension_intents(make_context(), 100, 1, 1)) == len(CHANNELS)
