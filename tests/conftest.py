"""Shared fixtures: a default historical run kept in memory, and scenario files on disk.

Tests write only under their ``tmp_path``. Under CI (``CI`` set, a fresh clone)
the session fails if the suite left any new untracked file in the repository
(``git status``; virtual environments, caches and egg-info aside).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from sim import run
from sim.api import RunResult

REPO = Path(__file__).resolve().parents[1]
_LEFT_ALONE = (".venv", "__pycache__", ".egg-info", ".pytest_cache", ".ipynb_checkpoints")


def _untracked_files() -> set[str]:
    """Untracked and ignored paths in the repository, but for environments and caches."""
    proc = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
                          cwd=REPO, capture_output=True, text=True)  # fmt: skip
    if proc.returncode != 0:
        return set()
    paths = {line[3:] for line in proc.stdout.splitlines() if line[:2] in ("??", "!!")}
    return {p for p in paths if not any(part in p for part in _LEFT_ALONE)}


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("CI") and not hasattr(session.config, "workerinput"):  # once, in xdist's controller
        session.config.stash[_BEFORE] = _untracked_files()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_BEFORE, None)
    if before is None:
        return
    written = sorted(_untracked_files() - before)
    if written:
        print(f"\nerror: the tests wrote into the repository (write under tmp_path instead): {written}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_BEFORE = pytest.StashKey[set]()


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
