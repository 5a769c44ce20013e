"""Determinism through the command line: two ``python -m sim`` runs of a stochastic rule with one seed.

The config (every other source of randomness off) and scenario are those of
``tests/unit/test_determinism.py``, which checks every rule through ``sim.run``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import run
from sim.core.rules import RETALIATION_RULES

from ..conftest import REPO
from ..unit.test_determinism import rule_overrides, write_scenario_file


@pytest.fixture
def scenario_file(tmp_path: Path) -> str:
    return write_scenario_file(tmp_path)


@pytest.mark.slow
def test_command_line_same_seed_same_tables_as_the_api(tmp_path: Path, scenario_file: str) -> None:
    """Two command-line runs of a stochastic rule with one seed write identical tables, equal to sim.run's."""
    overrides = [*rule_overrides("retaliation", "tit_for_tat", scenario_file), "seed=5", "figures=false"]
    assert RETALIATION_RULES["tit_for_tat"].stochastic
    tables = []
    for name in ("a", "b"):
        out = tmp_path / name
        subprocess.run([sys.executable, "-m", "sim", *overrides, f"hydra.run.dir={out}"], cwd=REPO, check=True,
                       capture_output=True, text=True)  # fmt: skip
        tables.append((pd.read_parquet(out / "events.parquet"), pd.read_parquet(out / "steps.parquet")))
    api = run(overrides)
    for events, steps in tables:
        pd.testing.assert_frame_equal(events, tables[0][0])
        pd.testing.assert_frame_equal(steps, tables[0][1])
    pd.testing.assert_frame_equal(tables[0][0], api.events, check_dtype=False)
    pd.testing.assert_frame_equal(tables[0][1], api.steps, check_dtype=False)
