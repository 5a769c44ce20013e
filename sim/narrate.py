"""``python -m sim.narrate``: tell a run as a dated story.

The code is in :mod:`sim.teaching.narrate`; this module keeps the command's name.
"""

from typing import Any

from sim.moved import forward
from sim.teaching.narrate import main


def __getattr__(name: str) -> Any:  # the module's other names, from before it moved to sim.teaching.narrate
    return forward(__name__, "sim.teaching.narrate", name)


if __name__ == "__main__":
    raise SystemExit(main())
