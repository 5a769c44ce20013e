"""The notebook API: `from sim import run`."""

from __future__ import annotations

import json

import pandas as pd

import sim
from sim import run
from sim.outputs.metrics import OUTCOMES


def test_run_returns_tables_and_summary(historical):
    assert isinstance(historical.events, pd.DataFrame) and isinstance(historical.steps, pd.DataFrame)
    assert historical.output_dir is None
    for o in OUTCOMES:
        assert o.name in historical.summary, o.name
    assert historical.summary["rules"]["CHN"] == {"retaliation": "graduated", "thaw": "sanctioned_post_hold(weighted)"}
    assert historical.summary["rules"]["USA"] == {"retaliation": "graduated", "thaw": "weighted"}
    assert sim.run is run


def test_run_with_overrides_and_output_dir(tmp_path):
    result = run(["scenario=baseline", "seed=5", "figures=false"], output_dir=tmp_path / "r")
    assert result.output_dir == tmp_path / "r"
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["scenario"] == "baseline"
    assert not (tmp_path / "r" / "figures").exists()
    assert (tmp_path / "r" / "config.yaml").is_file()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "r" / "events.parquet"), result.events)


def test_summary_is_json_serialisable(historical):
    assert json.loads(json.dumps(historical.summary)) == historical.summary
