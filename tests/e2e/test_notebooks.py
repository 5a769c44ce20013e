"""The analyst notebook runs end to end, and the history-comparison figures draw."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from sim import run
from sim.history.compare import Documented, compare_runs
from sim.history.figures import channel_comparison_figure, fit_figure, lag_figure
from sim.history.targets import lag_measures
from sim.history.timeline import load_timeline
from sim.outputs import columns
from tests.e2e.notebook_exec import execute, saved_clean

from ..conftest import REPO

NOTEBOOK = REPO / "notebooks" / "compare_history.ipynb"


@pytest.fixture(scope="module")
def doc() -> Documented:
    return Documented()


@pytest.fixture(scope="module")
def per_run(historical, doc):
    return compare_runs([historical], doc)


def _panels(fig: Figure) -> list:
    """The figure's axes other than colour bars."""
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def _png_size(fig: Figure, path) -> int:
    fig.savefig(path, dpi=80)
    return path.stat().st_size


# -- the figures -------------------------------------------------------------------
def test_channel_comparison_one_run(historical, doc, tmp_path):
    fig = channel_comparison_figure([historical.steps], doc.spells, title="one run")
    assert isinstance(fig, Figure)
    n_channels = len(columns.of(historical.steps.columns, columns.CHANNEL))
    assert len(fig.axes) == n_channels  # one panel per channel, no colour bar
    for ax in fig.axes:
        assert [t.get_text() for t in ax.get_yticklabels()] == ["documented", "simulated"]
    assert fig.axes[0].get_ylabel() == "senior military talks"
    assert _png_size(fig, tmp_path / "channels.png") > 5_000


def test_channel_comparison_several_runs_shows_the_share_suspended(historical, doc, tmp_path):
    steps = [historical.steps, run(["seed=1"]).steps]
    fig = channel_comparison_figure(steps, doc.spells)
    panels = _panels(fig)
    assert len(panels) == len(columns.of(historical.steps.columns, columns.CHANNEL))
    assert len(fig.axes) == len(panels) + 1  # a colour bar for the share of runs
    assert "2 runs" in panels[0].get_yticklabels()[1].get_text()
    assert _png_size(fig, tmp_path / "channels.png") > 5_000


def test_lag_figure_has_one_row_per_measure(per_run, tmp_path):
    fig = lag_figure(per_run)
    assert isinstance(fig, Figure)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [m.name for m in lag_measures(load_timeline())]
    assert all("documented" in ax.get_title(loc="right") for ax in fig.axes)
    assert _png_size(fig, tmp_path / "lags.png") > 5_000


def test_fit_figure_has_one_box_per_group(per_run, tmp_path):
    fits = per_run["fit"].tolist()
    fig = fit_figure({"default": fits * 6, "null": [0.2, 0.25, None, 0.3], "one": fits})
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert [lab.split("\n")[0] for lab in labels] == ["default", "null", "one"]
    assert "1 n/a" in labels[1]  # a missing score is counted, not drawn
    assert _png_size(fig, tmp_path / "fit.png") > 5_000


# -- the notebook ------------------------------------------------------------------
def test_notebook_is_saved_clean():
    code = saved_clean(NOTEBOOK)
    assert any("N_SEEDS = 20" in c.source and "SIM_NOTEBOOK_SEEDS" in c.source for c in code)


@pytest.mark.slow
def test_notebook_runs(monkeypatch):
    monkeypatch.setenv("SIM_NOTEBOOK_SEEDS", "3")  # the kernel inherits the environment
    nb, outputs = execute(NOTEBOOK, timeout=300)
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4  # lags, channels (model and null), fit
    texts = [o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs]
    assert any("3 seeds per model" in t for t in texts)
    assert any("Fit score of the" in t and "null" in t for t in texts)
    assert any("Fit score of the" in t and "null" not in t for t in texts)
