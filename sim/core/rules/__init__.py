"""Retaliation and thaw rules, one class per rule, selectable from configs/rules/."""

from sim.core.rules.base import Context, Rule, Rung
from sim.core.rules.retaliation import (
    RETALIATION_RULES,
    GenerousTitForTat,
    GraduatedLadder,
    GrimTrigger,
    NoRetaliation,
    RetaliationRule,
    TitForTat,
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
    "SummitReset",
    "ThawRule",
    "TimeDecay",
    "TitForTat",
]
