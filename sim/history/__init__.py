"""The documented 2022-2024 record and how runs are held to it.

``timeline`` loads the sourced timeline (``sim/data/timeline_2022_2024.csv``);
``targets`` derives what a run should reproduce from it; ``compare`` scores
runs against those targets; ``calibrate`` fits parameters to them;
``figures`` draws simulated against documented.

May import: ``sim.core``, ``sim.config``, ``sim.outputs``,
``sim.experiments``, Hydra, pandas, matplotlib. Not ``sim.teaching``.
"""
