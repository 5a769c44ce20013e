"""``python -m sim.aggregate``: gather a sweep folder's jobs into runs.parquet, tables and figures.

The code is in :mod:`sim.experiments.aggregate`; this module keeps the command's name.
"""

from typing import Any

from sim.experiments.aggregate import main
from sim.moved import forward


def __getattr__(name: str) -> Any:  # the module's other names, from before it moved to sim.experiments.aggregate
    return forward(__name__, "sim.experiments.aggregate", name)


if __name__ == "__main__":
    raise SystemExit(main())
