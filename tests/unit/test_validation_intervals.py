"""The bootstrap interval of a mean skill, on score tables whose answer is known."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.history.validation import mean_skill_intervals


def _table(scores: dict[str, list[float]], pattern: str = "lag") -> pd.DataFrame:
    rows = [{"model": m, "part": "train", "fold": "all", "fact": f"{pattern}.{i}", "pattern": pattern, "score": v}
            for m, vals in scores.items() for i, v in enumerate(vals)]  # fmt: skip
    return pd.DataFrame(rows)


def test_a_model_has_zero_skill_against_itself_in_every_resample():
    t = _table({"ref": [1.0, 2.0, 5.0], "model": [1.0, 2.0, 5.0]})
    out = mean_skill_intervals(t, set(t["fact"]), ["ref"]).set_index("model")
    assert out.loc["model", "lo"] == 0.0 and out.loc["model", "hi"] == 0.0


def test_a_perfect_model_has_skill_one_and_a_constant_ratio_a_point_interval():
    t = _table({"ref": [2.0, 4.0, 8.0], "perfect": [0.0, 0.0, 0.0], "half": [1.0, 2.0, 4.0]})
    out = mean_skill_intervals(t, set(t["fact"]), ["ref"]).set_index("model")
    assert (out.loc["perfect", "lo"], out.loc["perfect", "hi"]) == (1.0, 1.0)
    assert out.loc["half", "lo"] == pytest.approx(0.5) and out.loc["half", "hi"] == pytest.approx(0.5)


def test_few_discordant_facts_give_a_wide_interval_that_holds_the_point_skill():
    # Better on two facts, much worse on one: the mean skill is uncertain, and floored at -1 per resample.
    t = _table({"ref": [1.0, 1.0, 1.0], "model": [0.0, 0.0, 3.0]})
    out = mean_skill_intervals(t, set(t["fact"]), ["ref"], draws=2000).set_index("model")
    point = 1 - (3.0 / 3) / 1.0  # mean score 1.0 against 1.0: skill 0
    assert out.loc["model", "lo"] == -1.0 and out.loc["model", "hi"] == 1.0
    assert out.loc["model", "lo"] <= point <= out.loc["model", "hi"]


def test_only_the_kept_facts_are_resampled():
    t = _table({"ref": [1.0, 1.0, 9.0], "model": [0.5, 0.5, 0.0]})
    out = mean_skill_intervals(t, {"lag.0", "lag.1"}, ["ref"]).set_index("model")
    assert out.loc["model", "lo"] == pytest.approx(0.5) and out.loc["model", "hi"] == pytest.approx(0.5)
