"""``python -m sim.compare``: compare run folders with the documented 2022-2024 timeline.

The code is in :mod:`sim.history.compare`; this module keeps the command's name.
"""

from typing import Any

from sim.history.compare import main
from sim.moved import forward


def __getattr__(name: str) -> Any:  # the module's other names, from before it moved to sim.history.compare
    return forward(__name__, "sim.history.compare", name)


if __name__ == "__main__":
    raise SystemExit(main())
