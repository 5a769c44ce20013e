"""US-China signaling: an agent-based model of retaliation and thaw.

``from sim import run`` runs one simulation (keywords and Hydra overrides) and returns
its event log, daily state table and summary (see :func:`sim.api.run`).

The package is laid out by role; each subpackage's docstring says what it
holds and what it may import:

* :mod:`sim.core`: the model itself (agents, rules, signals, channels, state,
  scenarios, vocabulary); imports no Hydra, pandas or matplotlib;
* :mod:`sim.config`: Hydra configs composed, checked and turned into objects;
* :mod:`sim.outputs`: tables, column names, outcome metrics, figures, files;
* :mod:`sim.experiments`: the run loop, sweeps, their launcher, aggregation,
  sensitivity analysis;
* :mod:`sim.history`: the documented timeline, targets, comparison, calibration;
* :mod:`sim.teaching`: narration, counterfactuals, the dashboard.

The modules directly in ``sim/`` are the commands (``python -m sim``,
``python -m sim.compare``, ...) and the Python API (:mod:`sim.api`).
Importing ``sim`` imports nothing else until ``run`` or ``RunResult`` is used,
so ``import sim.core`` loads no Hydra (Mesa itself imports pandas; the core's
own code does not use it).
"""

from typing import Any

__all__ = ["RunResult", "run", "run_many"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sim import api

        return getattr(api, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
