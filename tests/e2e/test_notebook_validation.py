"""The validation notebook (reading `python -m sim.validate`'s report) runs end to end, draws its
figures, shows its tables, writes its reports only where it is told, and every claim it makes
about a result still holds (its own asserts)."""

from __future__ import annotations

import nbformat
import pytest

from tests.e2e.notebook_exec import execute, saved_clean

from ..conftest import REPO

NOTEBOOK = REPO / "notebooks" / "validation.ipynb"
SECTIONS = (
    "## 1. Running a validation",
    "## 2. Facts and patterns",
    "## 3. Proper scores and skill",
    "## 4. The scores, in sample",
    "## 5. The figures",
    "## 6. Where the calibrated model does worst",
    "## 7. Interval coverage",
    "## 8. Out of sample: a temporal split",
    "## 9. The files, and where to go next",
)
REPORTS = ("notebook", "notebook_temporal")


def _texts(outputs) -> list[str]:
    return [o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs]


def _files(folder) -> dict[str, int]:
    """Every file under ``folder`` with its modification time (nothing if it does not exist)."""
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else {}


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook executed once (about 30 s) with its reports in a temporary folder, that folder,
    the files that appeared next to the notebook, and whether results/validation/ changed."""
    out = tmp_path_factory.mktemp("validation")
    before = set(NOTEBOOK.parent.iterdir())
    shipped = _files(REPO / "results" / "validation")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIM_VALIDATION_DIR", str(out))  # the kernel inherits the environment
        nb, outputs = execute(NOTEBOOK, timeout=300)
    new = set(NOTEBOOK.parent.iterdir()) - before
    return nb, outputs, out, new, _files(REPO / "results" / "validation") != shipped


def test_notebook_is_saved_clean():
    code = saved_clean(NOTEBOOK)
    assert any("SIM_VALIDATION_DIR" in c.source and "SEEDS = 5" in c.source for c in code)


def test_notebook_is_a_lesson_that_checks_its_claims():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in SECTIONS:
        assert heading in markdown, heading
    for term in ("Brier score", "Log score", "CRPS", "Pairwise order", "proper", "Skill", "Jeffreys"):
        assert term in markdown, term
    for pattern in ("`response`", "`lag`", "`meeting`", "`status`", "`thaw`", "`order`"):
        assert pattern in markdown, pattern
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert sum("assert " in c for c in code) >= 15  # results are checked, not just told
    joined = "\n".join(code)
    assert "run_validation(compose_settings(" in joined and "split=temporal" in joined
    assert "status_figure(" in joined and "intervals_figure(" in joined
    # The models are read from configs/validate.yaml, not typed in: the null model keeps whatever name it has there.
    assert "read_settings(compose_settings([]))" in joined and '"null"' not in joined


@pytest.mark.slow
def test_notebook_runs_without_errors(executed):
    _, outputs, _, _, _ = executed
    assert not [o for o in outputs if o.output_type == "error"]


@pytest.mark.slow
def test_notebook_draws_its_figures(executed):
    _, outputs, _, _, _ = executed
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3  # skill, status, intervals


@pytest.mark.slow
def test_notebook_shows_its_tables(executed):
    _, outputs, _, _, _ = executed
    texts = _texts(outputs)
    assert any("in-sample validation: 5 seeds" in t for t in texts)
    assert any("pairwise Brier" in t and "CRPS (days)" in t and "climatology" in t for t in texts)  # the score table
    assert any("mean skill vs climatology" in t for t in texts)
    assert any("documented (1 held)" in t and "meeting.2023-05-10.high_level_diplomacy" in t for t in texts)
    assert any("accepted" in t and "CHN hostility to USA" in t for t in texts)  # the reasons for holding the meetings
    assert any("intervals" in t and "coverage" in t for t in texts)
    assert any("split=temporal" in t for t in texts) and any("temporal split:" in t for t in texts)
    assert any("cutoff 2024-01-01" in t for t in texts)


@pytest.mark.slow
def test_notebook_writes_its_reports_only_where_it_is_told(executed):
    _, _, out, new_files, results_changed = executed
    for name in REPORTS:
        assert (out / name / "report.md").is_file() and (out / name / "figures" / "status.png").is_file()
    assert not new_files
    assert not results_changed
