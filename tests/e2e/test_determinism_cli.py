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


@pytest.mark.slow
def test_run_many_gives_the_rows_of_the_equivalent_sweep(tmp_path: Path) -> None:
    from sim import run_many

    out = tmp_path / "sweep"
    subprocess.run([sys.executable, "-m", "sim", "-m", "seed=3,1,7", "scenario=baseline", "replicates=2", "figures=false",
                    f"hydra.sweep.dir={out}"], cwd=REPO, check=True, capture_output=True, text=True)  # fmt: skip
    swept = pd.read_parquet(out / "runs.parquet")
    batch = run_many(seeds=[3, 1, 7], scenario="baseline", overrides=["replicates=2", "figures=false"], workers=2,
                     progress=False)  # fmt: skip
    assert len(batch) == 6
    pd.testing.assert_frame_equal(batch, swept, check_dtype=False)
    keyword = run(scenario="baseline", seed=7)
    command = tmp_path / "one"
    subprocess.run([sys.executable, "-m", "sim", "scenario=baseline", "seed=7", "figures=false",
                    f"hydra.run.dir={command}"], cwd=REPO, check=True, capture_output=True)  # fmt: skip
    pd.testing.assert_frame_equal(pd.read_parquet(command / "events.parquet"), keyword.events)
    pd.testing.assert_frame_equal(pd.read_parquet(command / "steps.parquet"), keyword.steps)
