"""``python -m sim.compare``: compare run folders with the documented 2022-2024 timeline (the code is in :mod:`sim.history.compare`)."""

from sim.history.compare import main

if __name__ == "__main__":
    raise SystemExit(main())
