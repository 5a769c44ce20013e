"""``python -m sim.validate``: score the model and reference models on the documented facts, in and out of sample.

The code is in :mod:`sim.history.validate`; this module is the command's name.
"""

from sim.history.validate import main

if __name__ == "__main__":
    raise SystemExit(main())
