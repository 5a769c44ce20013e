"""``python -m sim.counterfactual``: run counterfactual scenarios beside their base on the same seeds (the code is in :mod:`sim.teaching.counterfactual`)."""

from sim.teaching.counterfactual import main

if __name__ == "__main__":
    raise SystemExit(main())
