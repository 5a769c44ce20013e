"""The documented 2022-2024 record and how runs are held to it.

``timeline`` loads the sourced timeline (``sim/data/timeline_2022_2024.csv``);
``targets`` derives what a run should reproduce from its tags (lag measures,
documented channel spells, thaw summits, sanctioned tenures); ``documented``
holds those targets for one timeline; ``simulated`` reads the same things off
a run; ``checks`` declares the behaviours a run must show, by general rules;
``assess`` scores one run; ``compare_report`` summarises many runs and writes
the text report; ``compare`` is the command. Validation (``python -m sim.validate``):
``facts`` derives the documented facts by pattern, ``observe`` reads each off a
run, ``splits`` divides them into training and test parts, ``scores`` holds the
proper scoring rules and ``validation`` applies them to a model's runs,
``references`` and ``var_reference`` are the reference models, ``validate``,
``validate_report`` and ``validate_figures`` the command. Calibration
(``python -m sim.calibrate``): ``abc_study`` is the posterior study (ABC-SMC
with pyabc; its summary statistics are ``fit_skill``'s skills on a fold's
training facts), ``abc_sampler`` its seeded sampler, ``posterior_report`` the
posterior's tables, identifiability, figures and report, ``calibrate`` the
command and ``promote`` the explicit step that makes a study the shipped
calibration; ``fit_sensitivity`` gives ``python -m sim.sensitivity`` the
validation's skills as outputs; ``figures`` draws simulated against documented. No module names
an episode: everything episode-specific comes from the timeline's tags.

May import: ``sim.core``, ``sim.config``, ``sim.outputs``,
``sim.experiments``, Hydra, pandas, matplotlib, pyabc. Not ``sim.teaching``.
"""

from typing import Any


def __getattr__(name: str) -> Any:  # sim.history was the timeline module before the package was laid out by role
    from sim.moved import forward

    return forward(__name__, "sim.history.timeline", name)
