"""Agent-based simulation of US-China signaling, retaliation and thaw.

``from sim import run`` runs one simulation with Hydra overrides and returns
its event log, daily state table and summary (see :func:`sim.api.run`).
"""

from sim.api import RunResult, run

__all__ = ["RunResult", "run"]
