"""``python -m sim.dashboard``: serve the teaching dashboard on this machine (the code is in :mod:`sim.teaching.dashboard.serve`)."""

from sim.teaching.dashboard.serve import main

if __name__ == "__main__":
    raise SystemExit(main())
