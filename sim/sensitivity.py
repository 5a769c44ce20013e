"""``python -m sim.sensitivity``: global sensitivity analysis of the outcome metrics (SALib).

The code is in :mod:`sim.experiments.sensitivity`; this module keeps the command's name.
"""

from typing import Any

from sim.experiments.sensitivity import main
from sim.moved import forward


def __getattr__(name: str) -> Any:  # the module's other names, from before it moved to sim.experiments.sensitivity
    return forward(__name__, "sim.experiments.sensitivity", name)


if __name__ == "__main__":
    raise SystemExit(main())
