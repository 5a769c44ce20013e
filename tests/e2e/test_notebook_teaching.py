"""The teaching notebook (escalation spirals and thaws) runs end to end, draws its figures,
prints its tables, and every claim it makes about a result still holds (its own asserts)."""

from __future__ import annotations

import nbformat
import pytest

from tests.e2e.notebook_exec import execute, saved_clean

from ..conftest import REPO

NOTEBOOK = REPO / "notebooks" / "escalation_dynamics.ipynb"
SECTIONS = (
    "## 1. The model",
    "## 2. One escalation spiral",
    "## 3. Tit-for-tat and its echo",
    "## 4. With and without summits",
    "## 5. Spirals without a script",
    "## 6. Exercises",
)


def _texts(outputs) -> list[str]:
    return [o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs]


@pytest.fixture(scope="module")
def executed():
    """The notebook executed once (about 30 s), and the files that appeared next to it."""
    before = set(NOTEBOOK.parent.iterdir())
    nb, outputs = execute(NOTEBOOK, timeout=300)
    return nb, outputs, set(NOTEBOOK.parent.iterdir()) - before


def test_notebook_is_saved_clean():
    saved_clean(NOTEBOOK)


def test_notebook_is_a_lesson_that_checks_its_claims():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in SECTIONS:
        assert heading in markdown, heading
    for source in ("Axelrod (1984)", "Nowak & Sigmund (1992)", "Osgood (1962)", "Goldstein (1992)"):
        assert source in markdown, source
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert sum("assert " in c for c in code) >= 8  # results are checked, not just told
    assert "leader_summit" in "".join(code) and "yaml.safe_load" in "".join(code)  # the summit-free variant is built in the notebook
    assert not any("output_dir" in c for c in code)  # runs stay in memory: nothing written under results/


@pytest.mark.slow
def test_notebook_runs_without_errors(executed):
    _, outputs, _ = executed
    assert not [o for o in outputs if o.output_type == "error"]


@pytest.mark.slow
def test_notebook_draws_its_figures(executed):
    _, outputs, _ = executed
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    # tension and channels of the replay, TFT vs GTFT tension and echo generations,
    # channels with/without summits, spontaneous tension, crisis share by threshold, the 30-year runs
    assert len(images) >= 8


@pytest.mark.slow
def test_notebook_prints_its_tables(executed):
    _, outputs, _ = executed
    texts = _texts(outputs)
    assert any("Run complete: scenario historical_2022_2024, seed 0" in t for t in texts)
    rules = next(t for t in texts if "longest echo (rounds)" in t)  # section 3: one column per rule of China
    for column in ("tit-for-tat", "generous tit-for-tat", "graduated (default)"):
        assert column in rules
    assert "meetings refused" in rules and "channel-days suspended" in rules
    thaw = next(t for t in texts if "cuts never undone" in t)  # section 4: thaw rule x summits
    assert "weighted" in thaw and "time_decay" in thaw and "without summits" in thaw and "never" in thaw
    assert any("% of days in crisis" in t and "runs with a crisis" in t for t in texts)  # section 5
    assert any("Without the cooldown the longest echo runs" in t for t in texts)
    long_run = next(t for t in texts if "spirals per decade" in t)  # section 5: the unscripted 30-year runs
    assert "thaws per decade" in long_run and "longest shut (days)" in long_run
    assert any("20 unscripted runs of 30 years" in t for t in texts)


@pytest.mark.slow
def test_notebook_writes_no_files(executed):
    _, _, new_files = executed
    assert not new_files
