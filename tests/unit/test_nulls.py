"""One missing-value convention, null, in every table the project writes (sim.outputs.nulls)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.experiments.aggregate import order_runs
from sim.outputs.io import read_events
from sim.outputs.nulls import EVENT_NULLABLE, with_nulls
from sim.teaching.narrate import narrate

TEXT = [c for c, dtype in EVENT_NULLABLE.items() if dtype == "string"]


def test_the_events_tables_optional_fields_are_null_where_they_have_no_value(historical, tmp_path):
    ev = historical.events
    for column in EVENT_NULLABLE:
        assert ev[column].isna().any(), column  # some events have no channel, host, cause, note, ...
    for column in TEXT:
        assert ev[column].dropna().map(len).gt(0).all(), column  # never an empty string
    assert str(ev["cause"].dtype) == "Int64" and str(ev["magnitude"].dtype) == "Float64"
    no_channel = ev["kind"].isin(["rhetoric_condemnation", "military_drill", "sanction"])
    assert ev.loc[no_channel, "channel"].isna().all() and ev["channel"].notna().any()
    # Written as real nulls, read back as they were.
    folder = tmp_path / "run"
    folder.mkdir()
    ev.to_parquet(folder / "events.parquet", index=False)
    table = pq.read_table(folder / "events.parquet")
    for column in EVENT_NULLABLE:
        assert table.column(column).null_count == int(ev[column].isna().sum()), column
    pd.testing.assert_frame_equal(read_events(folder), ev)


def test_a_folder_written_with_empty_strings_and_nans_reads_like_a_new_one(historical, tmp_path):
    ev = historical.events
    old = ev.astype({c: object for c in TEXT}).copy()
    for column in TEXT:
        old[column] = [v if isinstance(v, str) else "" for v in ev[column]]
    old["cause"] = ev["cause"].astype(float)  # NaN for no cause
    old["magnitude"] = ev["magnitude"].astype(float)
    folder = tmp_path / "old"
    folder.mkdir()
    old.to_parquet(folder / "events.parquet", index=False)
    pd.testing.assert_frame_equal(read_events(folder), ev)
    assert narrate(old) == narrate(ev)  # the story reads the same from either


def test_the_runs_table_writes_no_empty_error_and_counts_a_kind_never_sent_as_zero():
    rows = pd.DataFrame([
        {"job": 0, "replicate": 0, "seed": 0, "status": "ok", "error": "", "signal_counts.sanction": 2.0,
         "first_crisis_date": None, "alignment_shift.JPN": 0.01},
        {"job": 0, "replicate": 1, "seed": 1, "status": "ok", "error": "", "signal_counts.sanction": np.nan,
         "first_crisis_date": "2022-08-04", "alignment_shift.JPN": np.nan},
        {"job": 1, "replicate": 0, "seed": 2, "status": "failed", "error": "ValueError: boom",
         "signal_counts.sanction": np.nan, "first_crisis_date": None, "alignment_shift.JPN": np.nan},
    ])  # fmt: skip
    runs = order_runs(rows)
    assert runs["error"].isna().tolist() == [True, True, False]
    assert runs["signal_counts.sanction"].tolist()[:2] == [2, 0] and runs["signal_counts.sanction"].isna().tolist()[2]
    assert runs["alignment_shift.JPN"].isna().tolist() == [False, True, True]  # a state's shift is not a count
    assert runs["first_crisis_date"].isna().tolist() == [True, False, True]
    assert runs.equals(order_runs(runs))


def test_with_nulls_leaves_a_table_in_the_convention_as_it_is(historical):
    pd.testing.assert_frame_equal(with_nulls(historical.events), historical.events)
