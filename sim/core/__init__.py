"""The model: agents, rules, signals, channels, state, scenarios and vocabulary.

Everything a run needs once its inputs are objects: ``model`` (wiring and
event-driven time), ``government`` and ``regional`` (the agents), ``rules/``
(retaliation and thaw rules), ``signals``, ``channels``, ``state``,
``scenario`` (scenario files read and checked), ``vocabulary`` (signal kinds,
channels, actors from ``sim/data/``) and ``errors``.

May import: the standard library, numpy, mesa and yaml, and modules of
``sim.core``. Never Hydra, omegaconf, pandas or matplotlib, nor any other
part of ``sim``: the core must run, and be tested, on its own.
"""
