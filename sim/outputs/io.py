"""Atomic writing of a run folder; and the project's one reader of run folders
(:func:`read_run`, :func:`read_events`, :func:`find_runs`, at the end).

Every folder of results is written through :func:`staged_folder`: first
into a hidden staging folder beside it, then moved into place with
``os.replace``, its completion marker (a run's ``summary.json``) last, so a
folder holding its marker is complete, and an interrupted write leaves at
most a staging folder, never a half-written table.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core.errors import SimInputError
from sim.outputs.nulls import with_nulls

RUN_FILES = ("events.parquet", "steps.parquet", "summary.json")


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it, so it is set back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Have ``write`` fill a temporary file beside ``path``, then move it into place.

    Readers see the old file or the complete new one, never a partial write.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the file normal permissions
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write text to ``path`` atomically."""
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    """Write JSON to ``path`` atomically."""
    write_text(path, json.dumps(data, indent=2, sort_keys=False, allow_nan=False) + "\n")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def staged_folder(dest: Path, marker: str | None = None, stale: Iterable[str] = ()) -> Iterator[Path]:
    """Yield a staging folder to write into; on success move what it holds into ``dest``.

    The stage is a hidden folder beside ``dest``. When the ``with`` block
    ends normally: a missing or empty ``dest`` becomes the stage, renamed in
    one step; otherwise each file or folder of the stage replaces its
    namesake in ``dest`` (a folder as a whole), and what else ``dest``
    holds stays. On an exception nothing is moved, ``dest`` is as it was and
    the stage is removed.

    Args:
        dest: The folder to fill (its parent is created if missing).
        marker: The name of the file that says ``dest`` is complete: removed
            from ``dest`` before anything moves and moved in last.
        stale: Names removed from ``dest`` when the stage does not hold them
            (e.g. ``figures`` when none were drawn), so no old file stands beside new ones.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}.staging-", dir=dest.parent))
    try:
        yield stage
        if not dest.is_dir() or not any(dest.iterdir()):
            if dest.is_dir():
                dest.rmdir()
            os.chmod(stage, 0o777 & ~_umask())  # mkdtemp makes it private; a results folder is not
            os.replace(stage, dest)
            return
        names = sorted(p.name for p in stage.iterdir())
        if marker is not None:
            (dest / marker).unlink(missing_ok=True)  # dest is incomplete from here until the marker is back
        for name in stale:
            if name not in names:
                _remove(dest / name)
        for name in names:
            if name != marker:
                if (dest / name).is_dir():  # os.replace moves a file over a file, not a folder over a folder
                    _remove(dest / name)
                os.replace(stage / name, dest / name)
        if marker in names:
            os.replace(stage / marker, dest / marker)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_run(
    out_dir: Path,
    events: pd.DataFrame,
    steps: pd.DataFrame,
    summary: Mapping[str, Any],
    draw_figures: Callable[[Path], None] | None = None,
    texts: Mapping[str, str] | None = None,
) -> None:
    """Write a run's tables, figures, extra text files and summary into ``out_dir`` atomically.

    Args:
        out_dir: The run folder (created if missing).
        events, steps: The run's tables.
        summary: Written last, as ``summary.json``.
        draw_figures: Called with a folder to draw the figures into, or None for no figures
            (old figures in ``out_dir`` are then removed, not left beside new tables).
        texts: Extra text files by name (e.g. ``config.yaml``).
    """
    with staged_folder(out_dir, marker="summary.json", stale=("figures",)) as stage:
        events.to_parquet(stage / "events.parquet", index=False)
        steps.to_parquet(stage / "steps.parquet", index=False)
        for name, text in (texts or {}).items():
            (stage / name).write_text(text, encoding="utf-8")
        if draw_figures is not None:
            draw_figures(stage / "figures")
        write_json(stage / "summary.json", dict(summary))


def is_complete(run_dir: Path) -> bool:
    """A run folder is complete when all its tables and ``summary.json`` exist."""
    return all((run_dir / f).is_file() for f in RUN_FILES)


# -- reading run folders: the project's one reader ------------------------------------------
EVENTS_NEEDED = frozenset({"id", "date", "step", "sender", "receiver", "kind", "channel", "cause", "scripted"})
"""Columns a saved events table must have to be read back."""
STEPS_NEEDED = frozenset({"date", "step"})
"""Columns a saved steps table must have to be read back."""


@dataclass(frozen=True)
class Run:
    """The two tables of one run, and where they came from (a folder, a seed, ...)."""

    events: pd.DataFrame
    steps: pd.DataFrame
    label: str


def _existing(folder: Path, *names: str) -> Path:
    """``folder / names[0]``, after checking the folder and every named file exist."""
    if not folder.exists():
        raise SimInputError(str(folder), "folder", str(folder), "does not exist")
    for name in names:
        if not (folder / name).is_file():
            raise SimInputError(str(folder), name, "missing", "not a complete run folder")
    return folder / names[0]


def read_table(folder: Path, name: str, needed: Iterable[str] = ()) -> pd.DataFrame:
    """One parquet table of a run folder; SimInputError (one line) naming the folder or file if it
    is missing, unreadable or lacks one of the ``needed`` columns."""
    path = _existing(Path(folder), name)
    try:
        table = pd.read_parquet(path)
    except Exception as e:  # noqa: BLE001 - pyarrow raises many types for a damaged file
        first = (str(e).splitlines() or [""])[0]
        raise SimInputError(str(path), "parquet", type(e).__name__, f"unreadable run table: {first}") from None
    missing = sorted(set(needed) - set(table.columns))
    if missing:
        raise SimInputError(str(path), "columns", missing, "missing from the run table")
    return table


def read_events(folder: Path) -> pd.DataFrame:
    """A run folder's event log (see :func:`read_table`), its optional fields null where they have no value
    (:mod:`sim.outputs.nulls`; a folder written before that convention, with ``""`` and NaN, reads the same)."""
    return with_nulls(read_table(folder, "events.parquet", EVENTS_NEEDED))


def read_run(folder: Path) -> Run:
    """A run folder's two tables, labelled with the folder (see :func:`read_table`)."""
    _existing(Path(folder), "events.parquet", "steps.parquet")  # both present before either is read
    return Run(read_events(folder), read_table(folder, "steps.parquet", STEPS_NEEDED), str(folder))


def find_runs(paths: Iterable[str | Path]) -> list[Path]:
    """Run folders among ``paths``: each path is a run folder or holds run folders (e.g. ``results/runs/``).

    A sweep folder holds none: a sweep keeps one row of outcome metrics per run
    (``runs.parquet``), not the runs' event logs, and is refused with a message saying so.
    """
    found: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise SimInputError(str(p), "folder", str(p), "does not exist")
        if (p / "events.parquet").is_file():
            found.append(p)
            continue
        inside = sorted({f.parent for f in p.rglob("events.parquet")})
        if not inside and ((p / "runs.parquet").is_file() or any(p.glob("*/runs.part.parquet"))):
            raise SimInputError(str(p), "folder", str(p), "is a sweep folder: a sweep keeps one row of metrics per run (runs.parquet), "
                                "not the runs' event logs; python -m sim.compare re-runs a sweep's runs, other commands take run "
                                "folders (python -m sim ... hydra.run.dir=DIR)")  # fmt: skip
        if not inside:
            raise SimInputError(str(p), "folder", str(p), "holds no run folder (no events.parquet below it)")
        found += inside
    return found
