"""``python -m sim.aggregate``: gather a sweep folder's jobs into runs.parquet, tables and figures (the code is in :mod:`sim.experiments.aggregate`)."""

from sim.experiments.aggregate import main

if __name__ == "__main__":
    raise SystemExit(main())
