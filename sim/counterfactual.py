"""``python -m sim.counterfactual``: run counterfactual scenarios beside their base on the same seeds.

The code is in :mod:`sim.teaching.counterfactual`; this module keeps the command's name.
"""

from typing import Any

from sim.moved import forward
from sim.teaching.counterfactual import main


def __getattr__(name: str) -> Any:  # the module's other names, from before it moved to sim.teaching.counterfactual
    return forward(__name__, "sim.teaching.counterfactual", name)


if __name__ == "__main__":
    raise SystemExit(main())
