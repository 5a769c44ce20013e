"""Shared fixtures: a default historical run kept in memory, and scenario files on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim import run
from sim.api import RunResult

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def historical() -> RunResult:
    """The default run (historical scenario, default rules, seed 0), in memory."""
    return run()


@pytest.fixture
def write_scenario(tmp_path: Path):
    """Write a scenario mapping (or raw text) to a YAML file and return its path."""

    def _write(doc: dict | str, name: str = "case.yaml") -> Path:
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return path

    return _write


def minimal_scenario(**overrides) -> dict:
    """A small valid scenario: one Taiwan visit, 60 days, nothing spontaneous."""
    doc = {
        "name": "case",
        "start": "2022-08-01",
        "end": "2022-09-29",
        "spontaneous": False,
        "events": [
            {"date": "2022-08-02", "sender": "USA", "receiver": "TWN", "kind": "high_level_visit",
             "channel": "high_level_diplomacy", "intensity": 3.0},
        ],
    }  # fmt: skip
    doc.update(overrides)
    return doc
