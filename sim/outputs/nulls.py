"""One missing-value convention for every table the project writes: a value that is not there is null.

In a written table (``events.parquet``, ``runs.parquet``, a counterfactual's
``differences.parquet``) an optional field without a value is a real null: never
``""``, and never a NaN standing in for missing text. In memory it is ``pd.NA`` in
pandas' nullable dtypes (``string``, ``Int64``, ``Float64``), which read back from
parquet as they were written, so ``table[column].isna()`` is the one test of "no
value" whether a table comes from a run in memory or from a folder. A filter such
as ``events[events["channel"] == "climate"]`` skips the rows without a channel
(pandas reads a comparison with null as no match when it selects rows).

The model itself (``sim.core``) keeps plain Python values (``""`` for a signal
without a channel, ``None`` for one that answers nothing); the tables turn them
into nulls here, and :func:`with_nulls` turns tables written before this
convention (``""`` for text, NaN for numbers) into the same form when they are read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

EVENT_NULLABLE: Mapping[str, str] = {
    "channel": "string", "cause": "Int64", "note": "string", "host": "string",
    "magnitude": "Float64", "unit": "string", "facts": "string",
}  # fmt: skip
"""The optional fields of the events table and their nullable dtypes (README, ``events.parquet``)."""

RUN_NULLABLE: Mapping[str, str] = {"error": "string"}
"""The optional text fields of a sweep's runs table: a successful run's ``error`` is null."""


def missing(value: Any) -> bool:
    """Whether one value is "no value": None, ``pd.NA``, NaN or an empty string."""
    if value is None or value is pd.NA or value == "":
        return True
    return isinstance(value, float) and math.isnan(value)


TEXT = pd.StringDtype()
"""The dtype of optional text: pandas' nullable strings, as ``pd.read_parquet`` gives them back (pandas 3:
pyarrow-backed), so a table in memory and the same table read from its folder are equal, dtypes included.
A comparison with such a column is null where the value is null: it selects no row on its own
(``events[events["channel"] == "climate"]``), but combined with ``&`` or ``|`` and another column's
comparison it must say what null means first: ``events["channel"].eq("climate").fillna(False)``."""


def text(values: Iterable[Any]) -> pd.arrays.StringArray:
    """Strings as a nullable string array (:data:`TEXT`), each missing value (:func:`missing`) as null."""
    return pd.array([None if missing(v) else str(v) for v in values], dtype=TEXT)


def with_nulls(table: pd.DataFrame, dtypes: Mapping[str, str] = EVENT_NULLABLE) -> pd.DataFrame:
    """``table`` with each column named in ``dtypes`` in that nullable dtype, ``""`` and NaN as null.

    Columns ``table`` lacks are left out; the other columns are untouched. A table
    already in the convention comes back equal to itself.
    """
    out = table.copy()
    for column, dtype in dtypes.items():
        if column not in out.columns:
            continue
        values = out[column]
        if dtype == "string":
            out[column] = text(values)
        else:
            out[column] = pd.array([None if missing(v) else v for v in values], dtype=dtype)
    return out
