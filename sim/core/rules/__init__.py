"""Retaliation and thaw rules, one class per rule, selectable from configs/rules/.

May import: sim.core (signals, vocabulary, errors); nothing outside sim.core.
"""

from sim.core.rules.base import Context, Rule, Rung
from sim.core.rules.post_hold import SanctionedPostHold
from sim.core.rules.retaliation import (
    RETALIATION_RULES,
    GenerousTitForTat,
    GraduatedLadder,
    GrimTrigger,
    NoRetaliation,
    RetaliationRule,
    TitForTat,
)
from sim.core.rules.thaw import ConditionalReciprocity, NoThaw, ThawRule, TimeDecay
from sim.core.rules.thaw_weighted import WeightedThaw

THAW_RULES: dict[str, type[ThawRule]] = {
    cls.name: cls for cls in (NoThaw, TimeDecay, WeightedThaw, ConditionalReciprocity, SanctionedPostHold)
}

__all__ = [
    "RETALIATION_RULES",
    "THAW_RULES",
    "ConditionalReciprocity",
    "Context",
    "GenerousTitForTat",
    "GraduatedLadder",
    "GrimTrigger",
    "NoRetaliation",
    "NoThaw",
    "RetaliationRule",
    "Rule",
    "Rung",
    "SanctionedPostHold",
    "ThawRule",
    "TimeDecay",
    "TitForTat",
    "WeightedThaw",
]
