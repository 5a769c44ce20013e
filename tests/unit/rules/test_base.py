"""Tests for sim/core/rules/base.py: the decision Context and the helpers rules share."""

from __future__ import annotations

import numpy as np
import pytest
from scripted_rival import CHANNELS, RIVAL, SUSPENSION_ORDER, make_context, raw, seen

from sim.core.errors import ParameterError
from sim.core.rules.base import Rung, rung_intent, suspension_intents


class TestReopeningOrder:
    def test_civilian_first_then_military_each_in_reverse_cutting_order(self) -> None:
        """Everything cut: civilian channels last-cut-first, then the military ones last-cut-first."""
        ctx = make_context(suspended_by_me=SUSPENSION_ORDER)
        assert ctx.reopening_order() == (
            "high_level_diplomacy",
            "economic",
            "people_to_people",
            "working_groups",
            "climate",
            "defense_ministers",
            "mil_mil",
        )

    def test_military_last_even_when_cut_last(self) -> None:
        """A military channel cut after civilian ones still reopens after them."""
        ctx = make_context(suspended_by_me=("climate", "mil_mil"), suspension_order=("climate", "mil_mil"))
        assert ctx.reopening_order() == ("climate", "mil_mil")

    def test_only_channels_i_cut(self) -> None:
        """Channels suspended by the rival are not in my reopening order."""
        ctx = make_context(suspended_channels=("climate", "economic"), suspended_by_me=("climate",))
        assert ctx.reopening_order() == ("climate",)

    def test_channel_outside_suspension_order_counts_as_cut_last(self) -> None:
        """A channel missing from the suspension order (cut by a scripted event, say) is treated as
        cut after all listed ones, so it reopens first within its group."""
        ctx = make_context(suspended_by_me=("climate", "economic", "mil_mil"), suspension_order=("climate", "mil_mil"))
        assert ctx.reopening_order() == ("economic", "climate", "mil_mil")

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
        ctx = make_context(suspended_by_me=("mil_mil",))
        cuts = suspension_intents(ctx, 2, 3, 9, exclude=("climate",))
        assert [(c.channel, c.receiver, c.delay, c.cause) for c in cuts] == [
            ("working_groups", RIVAL, 3, 9),
            ("defense_ministers", RIVAL, 3, 9),
        ]

    def test_no_cut_for_zero_and_at_most_every_open_channel(self) -> None:
        assert suspension_intents(make_context(), 0, 1, 1) == []
        assert len(suspension_intents(make_context(), 100, 1, 1)) == len(CHANNELS)
