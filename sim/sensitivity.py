"""``python -m sim.sensitivity``: global sensitivity analysis of the outcome metrics and the fit scores (SALib).

The design, runs and report are in :mod:`sim.experiments.sensitivity`; the command, which passes it the
validation's fit scores, is :mod:`sim.history.fit_sensitivity`. This module keeps the command's name.
"""

from typing import Any

from sim.history.fit_sensitivity import cli, main  # noqa: F401  (main: the Hydra entry, as before)
from sim.moved import forward


def __getattr__(name: str) -> Any:  # the module's other names, from before it moved to sim.experiments.sensitivity
    return forward(__name__, "sim.experiments.sensitivity", name)


if __name__ == "__main__":
    cli()
