"""Every command keeps its name after the layout by role: it answers --help, and bad input gets one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

COMMANDS = ["sim", "sim.compare", "sim.calibrate", "sim.sensitivity", "sim.aggregate", "sim.counterfactual",
            "sim.narrate", "sim.dashboard", "sim.validate"]  # fmt: skip
BAD = {  # one bad input per command, refused before anything runs
    "sim": ["seed=-1"],
    "sim.compare": ["/nonexistent/folder"],
    "sim.calibrate": ["population=abc"],
    "sim.sensitivity": ["method=fast"],
    "sim.aggregate": ["/nonexistent/folder"],
    "sim.counterfactual": ["counterfactual_no_pelosi", "--seeds", "0"],
    "sim.narrate": ["--actor", "MARS"],
    "sim.dashboard": ["--port", "0"],
    "sim.validate": ["split=bogus"],
}


def _run(module: str, *args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.slow
@pytest.mark.parametrize("module", COMMANDS)
def test_each_command_answers_help(module, tmp_path):
    proc = _run(module, "--help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() and not any(tmp_path.iterdir())  # nothing written
    assert "powered by Hydra" not in proc.stdout  # the command's own help, not Hydra's
    if module in ("sim.calibrate", "sim.sensitivity", "sim.validate"):  # their own options, with defaults
        assert "seeds:" in proc.stdout and "study:" in proc.stdout or "split:" in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("module", COMMANDS)
def test_each_command_refuses_bad_input_in_one_line(module, tmp_path):
    extra = [f"hydra.run.dir={tmp_path / 'out'}"] if module in ("sim", "sim.calibrate", "sim.sensitivity") else []
    proc = _run(module, *BAD[module], *extra, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    if module == "sim":  # the run folder Hydra made is removed again: nothing half-written stays
        assert not (tmp_path / "out").exists()
    assert not (tmp_path / "results").exists()
