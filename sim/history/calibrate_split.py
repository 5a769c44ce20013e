"""The calibration's and the fit sensitivity's summary of a parameter set: skill per pattern on training facts.

The validation (:mod:`sim.history.validation`) scores a model's runs against the
documented facts; here, per pattern, the model's skill against the null model on
a fold's training facts only (test facts never enter it). The ABC study's summary
statistics (:mod:`sim.history.abc_study`) and the fit sensitivity's outputs are these skills.
"""

from __future__ import annotations

import pandas as pd

from sim.history.observe import Observation
from sim.history.validation import common_facts, pattern_scores, score_model, skill_table


def training_skill(facts, train, model: list[Observation], null: list[Observation]) -> dict[str, float]:
    """Per pattern, the model's skill against the null model on the training facts both can show."""
    table = pd.concat([score_model(facts, model, train).assign(model="model", part="train"),
                       score_model(facts, null, train).assign(model="null", part="train")], ignore_index=True)  # fmt: skip
    skills = skill_table(pattern_scores(table, common_facts(table)), ["null"])
    mine = skills[(skills["model"] == "model") & (skills["pattern"] != "mean")]
    return dict(zip(mine["pattern"], mine["skill"].astype(float)))
