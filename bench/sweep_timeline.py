"""Where a sweep's wall time goes: its checked runs table, and its timeline from file times and Hydra's log."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def check_runs(path: Path, seeds: Sequence[int], replicates: int) -> dict[str, Any]:
    """runs.parquet holds every run of every job exactly once, all ``ok``; raise AssertionError if not."""
    import pandas as pd

    runs = pd.read_parquet(path)
    n = len(seeds) * replicates
    problems = []
    if len(runs) != n:
        problems.append(f"{len(runs)} rows, expected {n}")
    if not (runs["status"] == "ok").all():
        bad = runs.loc[runs["status"] != "ok", "error"].head(3).tolist()
        problems.append(f"{int((runs['status'] != 'ok').sum())} runs not ok (e.g. {bad})")
    if sorted(runs["job"].unique().tolist()) != list(range(len(seeds))):
        problems.append("jobs are not 0..n_jobs-1")
    if runs.duplicated(["job", "replicate"]).any():
        problems.append("duplicate (job, replicate) rows")
    if problems:
        raise AssertionError(f"{path}: " + "; ".join(problems))
    return {"rows": len(runs), "all_ok": True, "columns": len(runs.columns)}


_LOG_TIME = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\]\[HYDRA\] (.*)$")


def _log_times(stdout: str) -> tuple[float | None, dict[int, float]]:
    """Epoch times of Hydra's 'launching N jobs' line and of each '#i : ...' line (local-time stamps)."""
    launch, jobs = None, {}
    for line in stdout.splitlines():
        m = _LOG_TIME.match(line)
        if not m:
            continue
        t = dt.datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        text = m[2]
        if launch is None and re.search(r"[Ll]aunching \d+ jobs", text):
            launch = t
        j = re.match(r"\s*#(\d+) :", text)
        if j:
            jobs[int(j[1])] = t
    return launch, jobs


def timeline(sweep_dir: Path, wall0: float, wall: float, stdout: str) -> dict[str, Any]:
    """When each phase of a sweep happened, in seconds from process start, from file times and Hydra's log.

    A job starts when Hydra has written its ``.hydra/config.yaml`` (after
    composing the job's config, before calling the task) and ends when
    ``sim.experiments.sweep`` has written its ``job.json`` (after its fragment).
    """
    jobs = []
    for d in sweep_dir.iterdir():
        if d.is_dir() and d.name.isdigit():
            jobs.append((int(d.name), (d / ".hydra" / "config.yaml").stat().st_mtime - wall0,
                         (d / "job.json").stat().st_mtime - wall0))  # fmt: skip
    jobs.sort(key=lambda j: j[1])
    launch_abs, logged = _log_times(stdout)
    launch = None if launch_abs is None else launch_abs - wall0
    sweeper_start = (sweep_dir / "multirun.yaml").stat().st_mtime - wall0
    parquet = (sweep_dir / "runs.parquet").stat().st_mtime - wall0
    summary = (sweep_dir / "summary.txt").stat().st_mtime - wall0
    first_start, last_end = jobs[0][1], max(j[2] for j in jobs)
    bodies = [end - start for _, start, end in jobs]
    # Assign jobs to worker lanes: each job to the lane that freed up last before it started.
    lanes: list[list[tuple[int, float, float]]] = []
    for job in jobs:
        free = [lane for lane in lanes if lane[-1][2] <= job[1] + 0.005]
        if free:
            max(free, key=lambda lane: lane[-1][2]).append(job)
        else:
            lanes.append([job])
    between = [b[1] - a[2] for lane in lanes for a, b in zip(lane, lane[1:])]
    out: dict[str, Any] = {
        "sweeper_start_s": sweeper_start,  # multirun.yaml written: imports, validation, Hydra set-up done
        "launch_s": launch,  # 'Launching N jobs': the sweeper has composed every job's config
        "first_job_start_s": first_start,
        "last_job_end_s": last_end,
        "runs_parquet_written_s": parquet,
        "summary_written_s": summary,
        "exit_s": wall,
        "n_jobs": len(jobs),
        "lanes": len(lanes),
        "job_phase_s": last_end - first_start,
        "job_bodies_sum_s": sum(bodies),
        "job_body_median_s": statistics.median(bodies),
        "between_jobs_sum_s": sum(between),  # per lane: end of one job to start of the next
        "parallelism": sum(bodies) / (last_end - first_start),
        "jobs": [{"job": j, "start_s": round(s, 3), "end_s": round(e, 3)} for j, s, e in jobs],
    }
    if logged and launch is not None and all(logged[j] - wall0 > launch + 0.5 for j, _, _ in jobs[1:] if j in logged):
        # basic launcher: '#i' is logged just before it composes job i
        out["job_compose_sum_s"] = sum(s - (logged[j] - wall0) for j, s, _ in jobs if j in logged)
    return out


def breakdown(tl: Mapping[str, Any], comp: Mapping[str, Any], plain: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Where a sweep's wall time goes: consecutive phases (they sum to the wall time), with measured parts."""
    wall = tl["exit_s"]
    rows: list[dict[str, Any]] = []

    def add(phase: str, seconds: float, note: str = "", level: int = 0) -> None:
        rows.append({"phase": phase, "s": seconds, "share": seconds / wall, "level": level, "note": note})

    add("start to sweeper (multirun.yaml written)", tl["sweeper_start_s"])
    if comp.get("import_sim_main_s") is not None:
        add("interpreter start + imports", comp["import_sim_main_s"], "python -c 'import sim.run_command'", 1)
    if comp.get("validate_s") is not None:
        add("pre-run validation", comp["validate_s"], "sim.config.checks.validate_runs, in-process", 1)
    if comp.get("import_sim_main_s") is not None and comp.get("validate_s") is not None:
        add("Hydra set-up (rest)", tl["sweeper_start_s"] - comp["import_sim_main_s"] - comp["validate_s"],
            "by difference (noise can make it negative): primary config, callbacks, sweeper", 1)  # fmt: skip
    if tl["launch_s"] is not None:
        add("sweeper composes every job's config", tl["launch_s"] - tl["sweeper_start_s"],
            "the sweeper's check that jobs compose, serial (sim: one per set of group choices)")  # fmt: skip
        add("launch to first job start", tl["first_job_start_s"] - tl["launch_s"],
            "job 0's composition (+ worker start: a fork with sim_pool, spawn and imports with loky)")  # fmt: skip
    else:
        add("sweeper start to first job start", tl["first_job_start_s"] - tl["sweeper_start_s"])
    add("job phase (first job start to last job end)", tl["job_phase_s"],
        f"{tl['lanes']} lane(s), parallelism {tl['parallelism']:.2f}")  # fmt: skip
    lanes = tl["lanes"]
    add("job bodies / lanes", tl["job_bodies_sum_s"] / lanes, "task function: build_spec, runs, fragment", 1)
    if plain:
        runs = plain["loop_s"] / lanes
        frag = plain["fragment_write_s"] / lanes
        add("model runs + summaries (plain-loop time)", runs, "same runs, same code, no Hydra", 2)
        add("writing fragments (measured separately)", frag, f"sim.experiments.sweep.write_fragment, {tl['n_jobs']} jobs", 2)
        add("rest of the job bodies", tl["job_bodies_sum_s"] / lanes - runs - frag,
            "by difference: build_spec per job, slower runs in a busier process, contention, noise", 2)  # fmt: skip
    add("between jobs / lanes", tl["between_jobs_sum_s"] / lanes, "launcher: compose job, run_job set-up", 1)
    if "job_compose_sum_s" in tl:
        add("of which composing the job's config", tl["job_compose_sum_s"], "'#i' log line to .hydra/config.yaml", 2)
    add("idle lane time / lanes", tl["job_phase_s"] - (tl["job_bodies_sum_s"] + tl["between_jobs_sum_s"]) / lanes,
        "by difference: a lane waiting at the start or after its last job", 1)  # fmt: skip
    add("last job end to exit", wall - tl["last_job_end_s"], "aggregation (callback) and interpreter exit")
    add("to runs.parquet written", tl["runs_parquet_written_s"] - tl["last_job_end_s"],
        "launcher returns, read fragments, write runs.parquet", 1)  # fmt: skip
    add("to summary.txt written", tl["summary_written_s"] - tl["runs_parquet_written_s"], "metric table", 1)
    add("to exit", wall - tl["summary_written_s"], "figures if on; interpreter (and loky workers') shut-down", 1)
    return rows
