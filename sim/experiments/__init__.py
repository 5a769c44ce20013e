"""Running the model many times: the run loop, sweeps, the launcher, aggregation, sensitivity.

``runner`` is the one loop that runs a built model spec over seeds (every
command that runs many models goes through it); ``sweep`` runs and records
one Hydra job of a sweep; ``pool_launcher`` is the default launcher's logic
(its Hydra plugin is in ``hydra_plugins/sim_sweeps/``); ``aggregate`` gathers
a sweep's jobs; ``sweep_tables``, ``sweep_figures`` and ``sweep_axes``
summarise it; ``sensitivity_design`` (settings, SALib design, runs, indices),
``sensitivity_fit`` (the parameter space, read from the calibration's priors if
asked, and the interface of scores computed from a point's runs),
``sensitivity_figures`` and ``sensitivity`` (report, figures, command) analyse a
model's sensitivity; the fit scores themselves are computed in
``sim.history.fit_sensitivity``.

May import: ``sim.core``, ``sim.config``, ``sim.outputs``, Hydra, pandas,
matplotlib. Not ``sim.history`` or ``sim.teaching``.
"""
