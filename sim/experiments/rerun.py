"""A sweep's runs again, with their tables: each job re-run from its recorded overrides and seeds.

A sweep keeps one row of outcome metrics per run (``runs.parquet``), not the
runs' event logs, which would make a sweep of thousands of runs gigabytes. Runs
are deterministic (a run's tables follow from its config and seed), so the
tables of any run of a sweep are had again by building its job's config from the
overrides in ``job.json`` and running the row's seed. Each re-run is checked
against its recorded row: a run whose metrics differ was made by other code,
configs or scenario files, and the sweep is refused as stale rather than compared
on tables it never had. Used by ``python -m sim.compare SWEEP_FOLDER``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from sim.config.build import ModelSpec, build_spec
from sim.config.calibration import posterior_configs, posterior_draws
from sim.config.overrides import configure
from sim.core.errors import SimInputError
from sim.experiments.aggregate import job_folders
from sim.core.model import SignalingModel
from sim.experiments.runner import flatten, quiet_mesa, run_seeds, summary
from sim.experiments.sweep import FRAGMENT, JOB_RECORD
from sim.outputs.io import Run
from sim.outputs.tables import events_frame, steps_frame

CHECKED = ("n_signals", "peak_tension", "channel_suspensions", "channel_days_suspended", "days_above_crisis")
"""The recorded metrics every re-run must reproduce exactly."""


def is_sweep_folder(path: Path) -> bool:
    """A folder a sweep wrote: it holds job folders with records (and usually ``runs.parquet``)."""
    return path.is_dir() and not (path / "events.parquet").is_file() and (
        (path / "runs.parquet").is_file() or any(path.glob(f"*/{FRAGMENT}")))  # fmt: skip


def sweep_runs(folder: Path) -> Iterator[Run]:
    """Every successful run of the sweep in ``folder``, in job and replicate order, re-run with its tables."""
    quiet_mesa()
    complete, incomplete = job_folders(folder)
    if not complete:
        raise SimInputError(str(folder), "folder", str(folder), "holds no complete sweep job")
    if incomplete:  # comparing the rest would silently compare fewer runs than the sweep has
        raise SimInputError(str(folder), "jobs", [d.name for d in incomplete][:5], f"{len(incomplete)} job(s) are "
                            "incomplete or unreadable: re-run the sweep into this folder to finish them")  # fmt: skip
    for job_dir in complete:
        try:
            overrides = json.loads((job_dir / JOB_RECORD).read_text())["overrides"]
            rows = pd.read_parquet(job_dir / FRAGMENT)
        except (OSError, ValueError, KeyError, TypeError) as e:  # pyarrow's errors are ValueErrors too
            raise SimInputError(str(job_dir), "jobs", job_dir.name, f"unreadable job record ({type(e).__name__}): "
                                "re-run the sweep into this folder to finish it") from None  # fmt: skip
        ok = rows[rows["status"] == "ok"]
        for draw, spec in _job_specs(job_dir, overrides, ok).items():
            part = ok if draw is None else ok[ok["draw"] == draw]
            replays = run_seeds(spec, [int(seed) for seed in part["seed"]], _replay)
            for row, (events, steps, again) in zip(part.to_dict("records"), replays):
                for key in CHECKED:
                    recorded, now = row.get(key), again.get(key)
                    if recorded is not None and not _same(recorded, now):
                        raise SimInputError(str(job_dir / FRAGMENT), key, recorded, f"re-running seed {row['seed']} "
                                            f"gives {now}: the sweep was made by other code, configs or scenario files "
                                            "(stale); run it again")  # fmt: skip
                where = "" if draw is None else f"/draw{draw}"
                yield Run(events, steps, f"{folder.name}/{job_dir.name}{where}/{row['replicate']}")


def _replay(model: SignalingModel, spec: ModelSpec) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """A re-run's tables and the outcome metrics its recorded row is checked against."""
    return events_frame(model), steps_frame(model), flatten(summary(model, spec))


def _job_specs(job_dir: Path, overrides: list[str], ok: pd.DataFrame) -> dict[int | None, ModelSpec]:
    """The job's model spec (key None), or with ``posterior_draws`` one spec per draw its rows name, each
    from the posterior row the job took (the draws follow from the job's seed); a draw that now takes
    another row means the calibration changed since (stale)."""
    cfg, choices = configure(_as_recorded(job_dir, overrides))
    if "draw" not in ok.columns:
        return {None: build_spec(cfg, choices)}
    configs = posterior_configs(cfg, choices, overrides, posterior_draws(cfg), int(cfg.get("seed", 0)))
    took = ok.groupby("draw")["posterior_row"].first()
    specs = {}
    for draw, row in took.items():
        now = configs[int(draw)][0] if int(draw) < len(configs) else None
        if now != int(row):
            raise SimInputError(str(job_dir / FRAGMENT), "posterior_row", int(row), f"draw {draw} now takes "
                                f"{'no row' if now is None else f'row {now}'}: the calibration or its posterior "
                                "changed since the sweep (stale); run it again")  # fmt: skip
        specs[int(draw)] = build_spec(configs[int(draw)][1], choices)
    return specs


def _as_recorded(job_dir: Path, overrides: list[str]) -> list[str]:
    """The job's overrides as they were read where it ran: the user's config folders it searched
    (``--config-dir``, from Hydra's record) and a relative scenario path against the folder it ran in."""
    import yaml

    out = [o for o in overrides if not o.lstrip("+~").startswith("hydra")]
    try:
        runtime = (yaml.safe_load((job_dir / ".hydra" / "hydra.yaml").read_text()) or {})["hydra"]["runtime"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return out  # a job without Hydra's record (written by run_job directly): the overrides are all there is
    dirs = [s["path"] for s in runtime.get("config_sources") or []
            if s.get("provider") == "command-line" and s.get("schema") == "file"]  # fmt: skip
    cwd = Path(str(runtime.get("cwd") or "."))
    for i, o in enumerate(out):
        key, _, value = o.partition("=")
        if key == "scenario" and ("/" in value or value.endswith((".yaml", ".yml"))) and not Path(value).is_absolute():
            out[i] = f"scenario={cwd / value}"
    return [f"hydra.searchpath=[{','.join(f'file://{d}' for d in dirs)}]", *out] if dirs else out


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and (math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-12)
                                                    or (math.isnan(float(a)) and math.isnan(float(b))))  # fmt: skip
    return a == b


def is_counterfactual_folder(path: Path) -> bool:
    """A folder ``python -m sim.counterfactual`` wrote, with the record of its runs."""
    return path.is_dir() and (path / COUNTERFACTUAL_RECORD).is_file()


COUNTERFACTUAL_RECORD = "counterfactual.json"


def counterfactual_runs(folder: Path) -> Iterator[Run]:
    """The base's and each counterfactual's runs of a counterfactual folder, re-run with their tables."""
    quiet_mesa()
    source = str(folder / COUNTERFACTUAL_RECORD)
    record = json.loads((folder / COUNTERFACTUAL_RECORD).read_text())
    cfg, choices = configure(list(record["overrides"]))
    draws = int(record.get("posterior_draws") or 0)
    # As sim.teaching.counterfactual ran them: every seed under each posterior draw in turn, or the config once.
    configs = [c for _, c in posterior_configs(cfg, choices, record["overrides"], draws, int(cfg.get("seed", 0)))] \
        if draws else [cfg]  # fmt: skip
    seeds = [int(s) for s in record["seeds"]][: len(record["seeds"]) // len(configs)]
    for ref in [record["base"], *record["counterfactuals"]]:
        done = 0
        for d, one in enumerate(configs):
            one.scenario = str(ref)
            for seed, (events, steps, again) in zip(seeds, run_seeds(build_spec(one, choices), seeds, _replay)):
                recorded, now = record["n_signals"][ref][done], again["n_signals"]
                if recorded != now:
                    raise SimInputError(source, "n_signals", recorded, f"re-running {ref} with seed {seed} gives {now}: "
                                        "the folder was made by other code, configs or scenario files (stale)")  # fmt: skip
                done += 1
                where = f"draw{d}/" if draws else ""
                yield Run(events, steps, f"{folder.name}/{Path(str(ref)).stem}/{where}{seed}")
