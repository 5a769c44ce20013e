"""Every written result says what produced it (sim.outputs.provenance), and only the written record carries it."""

from __future__ import annotations

import json
import platform
import re
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import yaml

from sim import run
from sim.config.compose import compose_config
from sim.experiments.sweep import JOB_RECORD, run_job
from sim.outputs.provenance import provenance

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def _check(record: dict) -> None:
    assert record["package"] == "uschina-signaling" and record["version"]
    assert record["python"] == platform.python_version()
    assert (record["mesa"], record["numpy"], record["pandas"]) == (mesa.__version__, np.__version__, pd.__version__)
    assert ISO.match(record["started"]) and ISO.match(record["finished"]) and record["started"] <= record["finished"]
    assert record["command"]
    # The tests run from the checkout: its commit, and whether the tree has uncommitted changes.
    assert re.fullmatch(r"[0-9a-f]{40}", record["git_commit"]) and isinstance(record["git_dirty"], bool)


def test_a_run_folders_summary_records_its_provenance_and_the_run_stays_deterministic(tmp_path: Path):
    first = run(["scenario=baseline", "seed=4", "figures=false"], output_dir=tmp_path / "a")
    second = run(["scenario=baseline", "seed=4", "figures=false"], output_dir=tmp_path / "b")
    written = json.loads((tmp_path / "a" / "summary.json").read_text())
    _check(written["provenance"])
    assert "provenance" not in first.summary  # the result itself is the same in every run of this config and seed
    assert {k: v for k, v in written.items() if k != "provenance"} == json.loads(json.dumps(first.summary))
    assert first.summary == second.summary


def test_a_sweep_jobs_record_carries_its_provenance(tmp_path: Path):
    overrides = ["scenario=baseline", "seed=2", "replicates=2", "figures=false"]
    cfg, choices = compose_config(overrides)
    run_job(cfg, choices, 0, overrides, tmp_path)
    record = json.loads((tmp_path / JOB_RECORD).read_text())
    assert record["n_ok"] == 2 and record["overrides"] == overrides
    _check(record["provenance"])


def test_the_record_keeps_the_given_start_and_is_plain_json():
    record = provenance("2026-01-02T03:04:05+00:00")
    assert record["started"] == "2026-01-02T03:04:05+00:00" and record["finished"] >= record["started"]
    assert yaml.safe_load(json.dumps(record)) == record
