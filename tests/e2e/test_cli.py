"""`python -m sim` end to end: the default run's folder, and bad input refused cleanly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ..conftest import REPO


def sim(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_default_run_writes_a_complete_run_folder(tmp_path):
    out = tmp_path / "run"
    proc = sim(f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr
    assert "Run complete: scenario historical_2022_2024" in proc.stdout
    assert str(out) in proc.stdout
    events = pd.read_parquet(out / "events.parquet")
    steps = pd.read_parquet(out / "steps.parquet")
    summary = json.loads((out / "summary.json").read_text())
    assert len(events) > 30 and len(steps) == 884
    assert summary["scenario"] == "historical_2022_2024" and summary["seed"] == 0
    for fig in ("tension.png", "channels.png", "alignment.png"):
        assert (out / "figures" / fig).stat().st_size > 10_000
    assert (out / ".hydra" / "config.yaml").is_file() and (out / ".hydra" / "overrides.yaml").is_file()
    assert not list(out.glob(".*staging-*")) and not list(out.parent.glob(f".{out.name}.staging-*"))  # no stage left
    # The CLI and the Python API compose the same config and give the same run.
    from sim import run

    api = run()
    pd.testing.assert_frame_equal(api.events, events)
    assert summary.pop("provenance")["finished"]  # the written summary says what made it; the run is the same
    assert api.summary == summary


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["rules/retaliation@governments.CHN.retaliation=massive_retaliation"], "'massive_retaliation': no such option"),
        (["governments.CHN.retaliation.trigger=99"], "governments.CHN.retaliation.trigger=99: must be in [0, 10]"),
        (["scenario=no_such_episode"], "no_such_episode.yaml: scenario='no_such_episode'"),
        (["governments.CHN.bravado=1"], "governments.CHN.bravado='1': unknown config key"),
    ],
)
def test_bad_input_one_line_error_nonzero_exit_no_folder(tmp_path, args, needle):
    out = tmp_path / "run"
    proc = sim(*args, f"hydra.run.dir={out}")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert needle in lines[0]
    assert not out.exists()


@pytest.mark.slow
def test_malformed_scenario_file_is_refused(tmp_path, write_scenario):
    bad = write_scenario({"start": "2022-08-01", "end": "2022-09-01",
                          "events": [{"date": "2022-08-02", "sender": "USA", "receiver": "MARS", "kind": "arms_sale"}]})  # fmt: skip
    out = tmp_path / "run"
    proc = sim(f"scenario={bad}", f"hydra.run.dir={out}")
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {bad}: events[0].receiver='MARS': unknown actor (known: USA, CHN, TWN, JPN, PHL, AUS, ASN)"
    assert not out.exists()


@pytest.mark.slow
def test_bad_input_leaves_an_existing_complete_run_untouched(tmp_path):
    out = tmp_path / "run"
    assert sim(f"hydra.run.dir={out}", "seed=1", "figures=false").returncode == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    proc = sim(f"hydra.run.dir={out}", "seed=abc")
    assert proc.returncode == 2 and "seed='abc'" in proc.stderr
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.slow
def test_a_sweep_with_one_bad_value_fails_before_any_run(tmp_path):
    out = tmp_path / "sweep"
    proc = sim("-m", "seed=0,1", "governments.CHN.retaliation.trigger=0.2,30", f"hydra.sweep.dir={out}")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].endswith("governments.CHN.retaliation.trigger=30: must be in [0, 10]")
    assert not out.exists()
