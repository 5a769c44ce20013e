"""From Hydra configs to model objects.

``compose`` composes ``configs/config.yaml`` with overrides (cached);
``build`` checks a composed config and turns it into a
:class:`~sim.config.build.ModelSpec` (nothing past it sees the config);
``overrides`` gives the config of an override list composing only what needs
Hydra (plain values set on the copy: the Python API's fast path);
``checks`` checks command-line overrides before Hydra runs anything;
``search_space`` reads the parameter ranges calibration and sensitivity
analysis search; ``cli`` is the argument parser every command shares.

May import: ``sim.core``, Hydra and omegaconf. Not pandas, matplotlib, or
``sim.outputs``, ``sim.experiments``, ``sim.history``, ``sim.teaching``.
"""
