"""What a run produces: tables, their column names, outcome metrics, figures, files.

``columns`` builds and parses every table column name; ``tables`` turns a
finished model into the ``events`` and ``steps`` tables; ``metrics`` declares
the outcome metrics (``OUTCOMES``) with their labels and units; ``figures``
draws a run's figures; ``io`` writes files and folders atomically and
reads run folders back.

May import: ``sim.core``, numpy, pandas, pyarrow, matplotlib (only inside the
functions that draw). Not Hydra, nor ``sim.config``, ``sim.experiments``,
``sim.history``, ``sim.teaching``.
"""
