"""A run folder holds one run: a new run never goes into a folder that holds a complete one.

Hydra writes its own record (``.hydra/``: the config and the overrides) into the
run folder before the model runs. Into a folder that already holds a complete run
that would leave, until the new run is written, a folder that looks complete but
mixes two runs (the old tables and ``summary.json``, the new ``.hydra/``), and a
kill in that window would keep it so. Hence:

* :func:`refuse_complete` (before Hydra starts): ``hydra.run.dir`` naming a folder
  that holds a complete run is refused in one line; choose another folder or
  remove that one;
* :func:`mark_reused` (first thing in the run, for the default timestamped folder,
  which two runs started in the same second share): a complete run found there
  from before this process is marked incomplete at once (its ``summary.json``,
  the marker, removed), so the folder never looks complete while it is mixed.
  The new run's files then replace the old ones as a whole (:func:`sim.outputs.io.write_run`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from sim.core.errors import SimInputError
from sim.outputs.io import RUN_FILES, is_complete

_STARTED = time.time()
_KEY = "hydra.run.dir"


def _run_dir(args: Sequence[str]) -> str | None:
    """The ``hydra.run.dir`` a command line gives (the last one wins, as in Hydra), or None."""
    given = None
    for arg in args:
        key, sep, value = arg.partition("=")
        if sep and key.lstrip("+") == _KEY:
            given = value.strip().strip("'\"")
    return given


def refuse_complete(args: Sequence[str], multirun: bool) -> None:
    """Raise :class:`SimInputError` if a single run's ``hydra.run.dir`` holds a complete run already."""
    if multirun:
        return
    given = _run_dir(args)
    if not given or "${" in given:  # an interpolation (a timestamp) names a new folder
        return
    folder = Path(given).expanduser()
    if folder.is_dir() and is_complete(folder):
        raise SimInputError("command line", _KEY, given, "holds a complete run already; choose another folder "
                            "(or remove that one) so that two runs never mix in one folder")  # fmt: skip


def mark_reused(out: Path) -> bool:
    """If ``out`` held a complete run before this process started, mark it incomplete now; say whether it did."""
    marker = Path(out) / RUN_FILES[-1]
    try:
        held = is_complete(Path(out)) and marker.stat().st_mtime < _STARTED
    except OSError:
        return False
    if held:
        os.unlink(marker)
    return held
