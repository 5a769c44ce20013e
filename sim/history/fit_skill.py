"""The calibration's and the fit sensitivity's summary of a parameter set: skill per pattern on training facts.

The validation (:mod:`sim.history.validation`) scores a model's runs against the
documented facts; here, per pattern, the model's skill against the null model on
a fold's training facts only (test facts never enter it). The ABC study's summary
statistics (:mod:`sim.history.abc_study`) and the fit sensitivity's outputs are these skills.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.history.facts import Facts
from sim.history.observe import Observation
from sim.history.splits import Part
from sim.history.validation import common_facts, pattern_scores, score_model, skill_table


class TrainingSkill:
    """Skill per pattern of a model's runs against fixed null-model runs, on one part's facts.

    The null model's scores are computed once: a study scores thousands of parameter sets against the same null runs.
    """

    def __init__(self, facts: Facts, train: Part, null: Sequence[Observation]) -> None:
        self.facts, self.train = facts, train
        self._null = score_model(facts, null, train).assign(model="null", part="train")

    def __call__(self, model: Sequence[Observation]) -> dict[str, float]:
        """Per pattern, the model's skill against the null model on the training facts both can show."""
        mine = score_model(self.facts, model, self.train).assign(model="model", part="train")
        table = pd.concat([mine, self._null], ignore_index=True)
        skills = skill_table(pattern_scores(table, common_facts(table)), ["null"])
        out = skills[(skills["model"] == "model") & (skills["pattern"] != "mean")]
        return dict(zip(out["pattern"], out["skill"].astype(float)))


def training_skill(facts: Facts, train: Part, model: Sequence[Observation], null: Sequence[Observation]) -> dict[str, float]:
    """Per pattern, the model's skill against the null model on the training facts both can show."""
    return TrainingSkill(facts, train, null)(model)
