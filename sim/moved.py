"""Old import paths keep working, with a one-line notice of where the name lives now.

Before the package was laid out by role, every module sat directly in ``sim/``
(``sim.compare``, ``sim.narrate``, ...). The command modules that kept those
names, ``sim.history`` and ``sim.api`` forward the names that moved, so a
notebook written before the move still runs, and says once per name what to
import instead (a ``FutureWarning``, which Python shows by default).
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any


def forward(old: str, new: str, name: str) -> Any:
    """``new.name``, with a notice that ``old.name`` moved there; AttributeError if it never existed."""
    if name.startswith("__"):
        raise AttributeError(f"module {old!r} has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(new), name)
    except AttributeError:
        raise AttributeError(f"module {old!r} has no attribute {name!r}") from None
    warnings.warn(f"{old}.{name} moved to {new}.{name}: import it from there", FutureWarning, stacklevel=3)
    return value
