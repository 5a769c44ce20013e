"""Aggregating a sweep folder leaves nothing stale: tables and figures always match runs.parquet."""

from __future__ import annotations

from pathlib import Path

import yaml

from sim.config.build import build_spec
from sim.config.compose import compose_config
from sim.experiments.aggregate import aggregate
from sim.experiments.runner import run_seeds, summary_record
from sim.experiments.sweep import write_fragment


def _job(folder: Path, job: int, seeds: list[int]) -> None:
    """One complete job record, as a sweep writes it."""
    overrides = [f"seed={seeds[0]}"]
    job_dir = folder / str(job)
    (job_dir / ".hydra").mkdir(parents=True)
    (job_dir / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    spec = build_spec(*compose_config(["scenario=baseline"]))
    rows = [{"job": job, "replicate": r, "seed": s, "base_seed": seeds[0], **rec}
            for r, (s, rec) in enumerate(zip(seeds, run_seeds(spec, seeds, summary_record)))]  # fmt: skip
    write_fragment(job_dir, rows, overrides, "2026-01-01T00:00:00+00:00")


def test_figures_of_an_earlier_aggregation_do_not_outlive_a_new_one_without_figures(tmp_path):
    _job(tmp_path, 0, [0, 1])
    aggregate(tmp_path, figures=True, progress=False)
    assert any((tmp_path / "figures").glob("*.png"))
    summary = aggregate(tmp_path, figures=False, progress=False)
    assert summary.n_runs == 2 and summary.n_ok == 2
    assert (tmp_path / "runs.parquet").is_file() and (tmp_path / "summary.txt").is_file()
    assert not (tmp_path / "figures").exists()


def test_tables_of_an_earlier_aggregation_do_not_outlive_its_runs(tmp_path):
    _job(tmp_path, 0, [0, 1])
    aggregate(tmp_path, figures=False, progress=False)
    assert (tmp_path / "summary.csv").is_file()
    (tmp_path / "0" / "runs.part.parquet").unlink()  # the job is now incomplete: no runs to summarise
    summary = aggregate(tmp_path, figures=False, progress=False)
    assert summary.n_runs == 0 and summary.incomplete_jobs == ("0",)
    assert not (tmp_path / "summary.csv").exists() and not (tmp_path / "summary.txt").exists()
