"""What produced a result: the ``provenance`` record every written summary carries.

A result file must say what made it: the package version, the git commit (and
whether the working tree had uncommitted changes) when the package runs from a
checkout, the versions of Python and of the libraries that decide the numbers
(Mesa, numpy, pandas), the command line, and when the work started and ended.
The record is metadata beside the results, never part of them: two runs of the
same config and seed give the same tables and outcome metrics, and differ only here.
"""

from __future__ import annotations

import datetime as dt
import platform
import shlex
import subprocess
import sys
from functools import lru_cache
from importlib import metadata
from typing import Any

from sim.core.extras import DISTRIBUTION
from sim.core.shipped import CHECKOUT


def now() -> str:
    """The current time, as provenance records it (UTC, ISO 8601, seconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def _git() -> tuple[str | None, bool | None]:
    """The checkout's commit and whether its tree differs from it (None, None: not a checkout, or no git)."""
    if CHECKOUT is None:
        return None, None
    try:
        commit = subprocess.run(["git", "-C", str(CHECKOUT), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()  # fmt: skip
        status = subprocess.run(["git", "-C", str(CHECKOUT), "status", "--porcelain"],
                                capture_output=True, text=True, timeout=10, check=True).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None, None
    return commit or None, bool(status.strip())


@lru_cache(maxsize=1)
def _versions() -> dict[str, Any]:
    return {
        "package": DISTRIBUTION,
        "version": _version(DISTRIBUTION),
        "python": platform.python_version(),
        "mesa": _version("mesa"),
        "numpy": _version("numpy"),
        "pandas": _version("pandas"),
    }


def provenance(started: str, finished: str | None = None, *, refresh: bool = True) -> dict[str, Any]:
    """The record for a result whose work began at ``started`` (:func:`now`) and ends now (or at ``finished``).

    Git's state is read again unless ``refresh`` is False (two ``git`` calls, ~10 ms): a file edited during a
    notebook session makes later results dirty. A sweep's jobs pass False: one command, one state, and a job
    of one short run would otherwise spend a third of its time asking git.
    """
    if refresh:
        _git.cache_clear()
    commit, dirty = _git()
    argv = getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv]  # as typed: python -m sim seed=3
    return {
        **_versions(),
        "git_commit": commit,
        "git_dirty": dirty,
        "command": shlex.join(argv) if argv else None,
        "started": started,
        "finished": finished or now(),
    }
