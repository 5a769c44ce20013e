"""``python -m sim.narrate``: tell a run as a dated story (the code is in :mod:`sim.teaching.narrate`)."""

from sim.teaching.narrate import main

if __name__ == "__main__":
    raise SystemExit(main())
