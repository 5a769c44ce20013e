"""``python -m sim.promote STUDY``: make a finished posterior study the default run's calibration.

The code is in :mod:`sim.history.promote`.
"""

import sys

from sim.history.promote import main

if __name__ == "__main__":
    sys.exit(main())
