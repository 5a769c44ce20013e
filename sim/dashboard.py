"""``python -m sim.dashboard``: serve the teaching dashboard on this machine.

The code is in :mod:`sim.teaching.dashboard.serve`; this module keeps the command's name.
"""

from sim.teaching.dashboard.serve import main

if __name__ == "__main__":
    raise SystemExit(main())
