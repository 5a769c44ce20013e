"""``python -m sim.calibrate``: fit the rules' parameters to the documented episodes (the code is in :mod:`sim.history.calibrate`)."""

from sim.history.calibrate import main

if __name__ == "__main__":
    raise SystemExit(main())
