"""``python -m sim.sensitivity``: global sensitivity analysis of the outcome metrics (SALib) (the code is in :mod:`sim.experiments.sensitivity`)."""

from sim.experiments.sensitivity import main

if __name__ == "__main__":
    raise SystemExit(main())
