"""``python -m sim.calibrate``: fit the rules' parameters to the documented episodes.

The code is in :mod:`sim.history.calibrate`; this module keeps the command's name.
"""

from typing import Any

from sim.history.calibrate import cli, main  # noqa: F401  (main: the Hydra entry, as before)
from sim.moved import forward


def __getattr__(name: str) -> Any:  # the module's other names, from before it moved to sim.history.calibrate
    return forward(__name__, "sim.history.calibrate", name)


if __name__ == "__main__":
    cli()
