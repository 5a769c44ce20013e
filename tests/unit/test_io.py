"""Run folders and other result folders are written atomically (sim.outputs.io.staged_folder):
a failure leaves no half-written results and no staging folder."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from sim.outputs.io import is_complete, staged_folder, write_run


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


def _tree(folder):
    """Every file below ``folder`` with its text, and every folder, by relative path."""
    return {str(p.relative_to(folder)): p.read_text() if p.is_file() else None for p in sorted(folder.rglob("*"))}


def _existing(tmp_path):
    dest = tmp_path / "out"
    (dest / "figures").mkdir(parents=True)
    (dest / "figures" / "old.png").write_text("old figure")
    (dest / "table.csv").write_text("old table")
    (dest / "done.txt").write_text("old marker")
    (dest / "keep.log").write_text("not ours")
    return dest


def test_staged_folder_moves_everything_into_a_new_folder(tmp_path):
    dest = tmp_path / "new" / "out"
    with staged_folder(dest, marker="done.txt") as stage:
        assert stage.parent == dest.parent and stage.name.startswith(".out.staging-")
        (stage / "figures").mkdir()
        (stage / "figures" / "a.png").write_text("a")
        (stage / "table.csv").write_text("t")
        (stage / "done.txt").write_text("ok")
    assert _tree(dest) == {"done.txt": "ok", "figures": None, "figures/a.png": "a", "table.csv": "t"}
    assert [p.name for p in dest.parent.iterdir()] == ["out"]  # no stage left
    umask = os.umask(0)
    os.umask(umask)
    assert dest.stat().st_mode & 0o777 == 0o777 & ~umask  # a normal folder, not mkdtemp's private one


def test_staged_folder_replaces_its_items_in_an_existing_folder_and_keeps_the_rest(tmp_path):
    dest = _existing(tmp_path)
    with staged_folder(dest, marker="done.txt", stale=("figures",)) as stage:
        (stage / "figures").mkdir()
        (stage / "figures" / "new.png").write_text("new figure")
        (stage / "table.csv").write_text("new table")
        (stage / "done.txt").write_text("new marker")
    assert _tree(dest) == {"done.txt": "new marker", "figures": None, "figures/new.png": "new figure",
                           "keep.log": "not ours", "table.csv": "new table"}  # fmt: skip
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_staged_folder_removes_stale_items_it_did_not_write(tmp_path):
    dest = _existing(tmp_path)
    with staged_folder(dest, marker="done.txt", stale=("figures", "absent")) as stage:
        (stage / "done.txt").write_text("new marker")
    assert _tree(dest) == {"done.txt": "new marker", "keep.log": "not ours", "table.csv": "old table"}


@pytest.mark.parametrize("existing", [True, False])
def test_staged_folder_leaves_the_destination_as_it_was_on_an_exception(tmp_path, existing):
    dest = _existing(tmp_path) if existing else tmp_path / "out"
    before = _tree(dest) if existing else None
    with pytest.raises(RuntimeError, match="disk full"), staged_folder(dest, "done.txt", ("figures",)) as stage:
        (stage / "table.csv").write_text("half")
        (stage / "figures").mkdir()
        raise RuntimeError("disk full")
    if existing:
        assert _tree(dest) == before
        assert [p.name for p in tmp_path.iterdir()] == ["out"]
    else:
        assert list(tmp_path.iterdir()) == []  # neither the folder nor a stage


def test_staged_folder_moves_the_marker_last(tmp_path, monkeypatch):
    dest = _existing(tmp_path)
    moved = []
    replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (moved.append(os.path.basename(b)), replace(a, b)))
    with staged_folder(dest, marker="done.txt") as stage:
        for name in ("done.txt", "a.csv", "z.csv"):
            (stage / name).write_text(name)
    assert moved[-1] == "done.txt" and sorted(moved) == ["a.csv", "done.txt", "z.csv"]
