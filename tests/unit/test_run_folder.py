"""A run folder holds one run: a complete one is refused as a target, and a reused one is marked at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim import run
from sim.core.errors import SimInputError
from sim.outputs.io import is_complete
from sim.outputs.run_folder import mark_reused, refuse_complete

from ..conftest import REPO


@pytest.fixture
def complete_run(tmp_path: Path) -> Path:
    out = tmp_path / "run"
    run(seed=1, output_dir=out, overrides=["figures=false"])
    assert is_complete(out)
    return out


def test_a_complete_run_folder_is_refused_as_a_single_runs_target(complete_run, tmp_path):
    with pytest.raises(SimInputError, match=r"hydra.run.dir='.*run': holds a complete run already"):
        refuse_complete(["seed=3", f"hydra.run.dir={complete_run}"], multirun=False)
    refuse_complete(["seed=3", f"hydra.run.dir={tmp_path / 'new'}"], multirun=False)  # a new folder
    refuse_complete([f"hydra.run.dir={complete_run}"], multirun=True)  # a sweep has its own folder rule
    refuse_complete(["hydra.run.dir=results/${now:%H}"], multirun=False)  # a timestamp: a new folder
    (complete_run / "summary.json").unlink()  # an incomplete folder (a killed run) may be written again
    refuse_complete([f"hydra.run.dir={complete_run}"], multirun=False)


def test_a_run_found_complete_from_before_is_marked_incomplete_at_once(complete_run):
    old = (complete_run / "summary.json").stat().st_mtime - 3600
    os.utime(complete_run / "summary.json", (old, old))  # written before this process started
    assert mark_reused(complete_run) and not is_complete(complete_run)
    assert not mark_reused(complete_run)  # nothing complete any more
    assert not mark_reused(complete_run / "nowhere")


@pytest.mark.slow
def test_a_second_run_into_a_complete_folder_is_refused_and_the_folder_kept(complete_run):
    before = {p.relative_to(complete_run): p.read_bytes() for p in complete_run.rglob("*") if p.is_file()}
    proc = subprocess.run([sys.executable, "-m", "sim", "seed=3", f"hydra.run.dir={complete_run}"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"error: command line: hydra.run.dir='{complete_run}': holds a complete run already; "
                                   "choose another folder (or remove that one) so that two runs never mix in one folder")
    assert {p.relative_to(complete_run): p.read_bytes() for p in complete_run.rglob("*") if p.is_file()} == before
