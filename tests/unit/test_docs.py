"""The README documents every outcome metric, output column and rule the code has."""

from __future__ import annotations

import re

from sim.core.rules import RETALIATION_RULES, THAW_RULES
from sim.outputs.metrics import OUTCOMES
from sim.outputs.tables import EVENT_COLUMNS

from ..conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_outcome_metric_is_documented():
    for o in OUTCOMES:
        assert f"| `{o.name}` |" in README, o.name


def test_every_event_column_is_documented():
    for col in EVENT_COLUMNS:
        assert re.search(rf"\| `[^|]*\b{col}\b[^|]*` \|", README), col


def test_every_steps_column_family_is_documented(historical):
    for col in historical.steps.columns:
        family = re.sub(r"_(USA|CHN|TWN|JPN|PHL|AUS|ASN)", "_X", col)
        documented = {"step", "date", "tension_X_X", "hostility_X_X", "trust_X_X", "pressure_X",
                      "alignment_X"}  # fmt: skip
        assert family in documented or col.startswith("channel_USA_CHN_"), col
    for name in ("tension_USA_CHN", "hostility_A_B", "trust_A_B", "pressure_A", "channel_USA_CHN_<channel>", "alignment_X"):
        assert f"`{name}`" in README, name


def test_every_rule_is_documented():
    for name in [*RETALIATION_RULES, *THAW_RULES]:
        assert f"| `{name}` |" in README, name


def test_quickstart_has_the_two_commands_and_ci_runs_the_test_one():
    assert "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/python -m sim" in README
    assert "bash scripts/test.sh" in README
    assert "exec bash scripts/test.sh" in (REPO / ".ci" / "run").read_text()
