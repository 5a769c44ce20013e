"""Hydra plugins of this project: a fork-pool launcher and a sweeper that composes less.

Hydra finds plugins in the ``hydra_plugins`` namespace package; they are
selected in ``configs/config.yaml`` (``hydra/launcher: sim_pool``,
``hydra/sweeper: sim``).
"""
