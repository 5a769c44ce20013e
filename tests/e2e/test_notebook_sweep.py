"""The sweep-analysis notebook runs end to end on a small sweep and shows its figures."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.e2e.notebook_exec import execute, saved_clean

from ..conftest import REPO

NOTEBOOK = REPO / "notebooks" / "sweep_analysis.ipynb"
SWEPT = ("governments.CHN.retaliation.trigger", "governments.CHN.retaliation.channel_step")


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory):
    """The notebook's sweep (trigger_by_step) with 2 replicates: 12 jobs, 24 runs, about 10 s."""
    folder = tmp_path_factory.mktemp("sweep") / "trigger_by_step"
    command = [sys.executable, "-m", "sim", "+sweep=trigger_by_step", "replicates=2", f"hydra.sweep.dir={folder}"]
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (folder / "runs.parquet").is_file(), proc.stdout
    return folder


def test_notebook_is_saved_clean():
    code = saved_clean(NOTEBOOK)
    assert any("SIM_SWEEP_DIR" in c.source and "SIM_NOTEBOOK_REPLICATES" in c.source for c in code)
    assert any("REPLICATES = 10" in c.source for c in code)


@pytest.mark.slow
def test_notebook_runs_on_a_sweep(small_sweep, monkeypatch):
    monkeypatch.setenv("SIM_SWEEP_DIR", str(small_sweep))  # the kernel inherits the environment
    monkeypatch.setenv("SIM_NOTEBOOK_REPLICATES", "2")  # in case the folder were ignored: keep a sweep small
    nb, outputs = execute(NOTEBOOK, timeout=600)
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3  # one figure per swept parameter, two heat maps
    texts = [o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs]
    assert any(str(small_sweep) in t for t in texts)  # it read the test's sweep, not one of its own
    assert any(name in t for t in texts for name in SWEPT)
    assert any("24 runs succeeded, 0 failed" in t for t in texts)
    # The conclusion is written from the numbers: it names the swept parameters.
    conclusion = [o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]
    assert conclusion and "In short" in conclusion[-1]
    assert "`trigger`" in conclusion[-1] and "`channel_step`" in conclusion[-1]
