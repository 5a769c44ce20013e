"""Run folders are written atomically: a failure leaves no half-written results."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.outputs.io import is_complete, write_run


def test_failure_while_writing_leaves_nothing_behind(tmp_path, historical):
    def broken_figures(folder):
        folder.mkdir()
        (folder / "half.png").write_bytes(b"x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_run(tmp_path, historical.events, historical.steps, historical.summary, broken_figures)
    assert list(tmp_path.iterdir()) == []
    assert not is_complete(tmp_path)


def test_rewrite_replaces_a_complete_run(tmp_path, historical):
    write_run(tmp_path, historical.events, historical.steps, {"n": 1})
    write_run(tmp_path, historical.events.head(3), historical.steps, {"n": 2})
    assert is_complete(tmp_path)
    assert len(pd.read_parquet(tmp_path / "events.parquet")) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.parquet", "steps.parquet", "summary.json"]


def test_rerun_without_figures_removes_old_figures(tmp_path, historical):
    def draw(folder):
        folder.mkdir()
        (folder / "tension.png").write_bytes(b"png")

    write_run(tmp_path, historical.events, historical.steps, {"n": 1}, draw)
    assert (tmp_path / "figures" / "tension.png").exists()
    write_run(tmp_path, historical.events, historical.steps, {"n": 2}, None, {"config.yaml": "seed: 1\n"})
    assert not (tmp_path / "figures").exists()
    assert (tmp_path / "config.yaml").read_text() == "seed: 1\n"
