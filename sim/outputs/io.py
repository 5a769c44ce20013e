"""Atomic writing of a run folder.

Everything is first written into a hidden staging folder inside the run
folder, then moved into place with ``os.replace``; ``summary.json`` goes last,
so a folder holding ``summary.json`` is complete, and an interrupted run
leaves at most a staging folder, never a half-written table.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

RUN_FILES = ("events.parquet", "steps.parquet", "summary.json")


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Have ``write`` fill a temporary file beside ``path``, then move it into place.

    Readers see the old file or the complete new one, never a partial write.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file normal permissions
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
    out_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        events.to_parquet(stage / "events.parquet", index=False)
        steps.to_parquet(stage / "steps.parquet", index=False)
        for name, text in (texts or {}).items():
            (stage / name).write_text(text, encoding="utf-8")
        if draw_figures is not None:
            draw_figures(stage / "figures")
        (out_dir / "summary.json").unlink(missing_ok=True)  # the folder is incomplete from here on
        for name in ("events.parquet", "steps.parquet", *(texts or {})):
            os.replace(stage / name, out_dir / name)
        shutil.rmtree(out_dir / "figures", ignore_errors=True)
        if (stage / "figures").exists():
            os.replace(stage / "figures", out_dir / "figures")
        write_json(out_dir / "summary.json", dict(summary))
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def is_complete(run_dir: Path) -> bool:
    """A run folder is complete when all its tables and ``summary.json`` exist."""
    return all((run_dir / f).is_file() for f in RUN_FILES)
