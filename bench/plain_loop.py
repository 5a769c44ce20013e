"""The plain-loop comparison: the sweep's runs in one loop (no Hydra per job, nothing written), in fresh interpreters.

The loop itself is :func:`sim.experiments.runner.run_seeds` with the sweep's
measure, exactly as a sweep job runs its replicates; it runs in a subprocess
(``bench_sweep.py --plain-loop``) so its start-up and imports are timed too.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil
from proc_tree import busy_cpu_s, foreign_load, last_json, run_timed, self_cpu_s
from sweep_setup import REPO, SWEEP, sweep_shape


def plain_loop_worker(jobs: Sequence[int], replicates: int | None, rows_out: Path | None) -> dict[str, Any]:
    """The runs of the sweep's ``jobs`` (job numbers) in one loop, in a fresh interpreter: timings, memory, rows."""
    t0 = time.perf_counter()
    import gc

    import pandas as pd

    from sim.config.build import build_spec
    from sim.config.compose import compose_config
    from sim.core.model import SignalingModel
    from sim.experiments.runner import failed_record, quiet_mesa, run_seeds, summary_record
    from sim.experiments.sweep import parameters, replicate_seeds, write_fragment

    t1 = time.perf_counter()
    quiet_mesa()  # as sim.api.execute does; the sweep's config turns Hydra's job logging off
    overrides = [f"+sweep={SWEEP}"] + ([f"replicates={replicates}"] if replicates else [])
    cfg, choices = compose_config(overrides)
    t2 = time.perf_counter()
    spec = build_spec(cfg, choices)
    t3 = time.perf_counter()
    me = psutil.Process()
    # the job's Hydra overrides as sim.experiments.sweep.run_job sees them (seed and replicates left out): p.sweep
    base_seeds = {job: sweep_shape()[0][job] for job in jobs}  # job i runs seed=<i-th value of the sweep>
    params = {job: parameters([f"seed={base_seeds[job]}", *overrides]) for job in jobs}
    rows: list[dict[str, Any]] = []
    per_job, rss = [], []
    for job in jobs:
        tj = time.perf_counter()
        base_seed = base_seeds[job]
        seeds = replicate_seeds(base_seed, spec.replicates)
        # the run loop of sim.experiments.sweep.run_job: the same measure, a failing run recorded
        for r, (seed, record) in enumerate(zip(seeds, run_seeds(spec, seeds, summary_record, on_error=failed_record))):
            rows.append({"job": job, **params[job], "replicate": r, "seed": seed, "base_seed": base_seed, **record})
        per_job.append(time.perf_counter() - tj)
        rss.append(me.memory_info().rss)
    t4 = time.perf_counter()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    # Extras, not part of a plain-loop program (their time is taken off its wall time):
    # what the sweep's per-job I/O costs (sim.experiments.sweep.write_fragment, every job), the rows for the
    # comparison with the sweep, a count of the models still alive.
    frag = []
    with tempfile.TemporaryDirectory(dir=rows_out.parent if rows_out else None) as tmp:
        for job in jobs:
            job_rows = [row for row in rows if row["job"] == job]
            tf = time.perf_counter()
            write_fragment(Path(tmp) / str(job), job_rows, [f"seed={base_seeds[job]}", *overrides])
            frag.append(time.perf_counter() - tf)
    if rows_out:
        pd.DataFrame(rows).to_parquet(rows_out, index=False)
    live = sum(isinstance(o, SignalingModel) for o in gc.get_objects())
    t5 = time.perf_counter()
    return {
        "import_s": t1 - t0,
        "compose_s": t2 - t1,
        "build_spec_s": t3 - t2,
        "loop_s": t4 - t3,
        "loop_job_s": per_job,
        "rss_after_job_mb": [round(x / 1e6, 1) for x in rss],
        "loop_peak_rss_mb": maxrss / 1e6,
        "fragment_write_s": sum(frag),
        "fragment_write_job_s": frag,
        "rows": len(rows),
        "n_ok": sum(row["status"] == "ok" for row in rows),
        "models_alive_after_loop": live,
        "extras_s": t5 - t4,
        "end_epoch": time.time(),  # the parent takes the interpreter's exit time from here
    }


def plain_command(jobs: range, replicates: int | None, rows_out: Path | None) -> list[str]:
    cmd = [sys.executable, str(Path(__file__).with_name("bench_sweep.py").resolve()), "--plain-loop", f"--jobs={jobs.start}:{jobs.stop}"]
    if replicates:
        cmd.append(f"--replicates={replicates}")
    if rows_out:
        cmd.append(f"--rows-out={rows_out}")
    return cmd

def run_plain(root: Path, seeds: Sequence[int], replicates: int | None, n_runs: int) -> dict[str, Any]:
    rows_out = root / f"plain-{time.time_ns()}.parquet"
    r = run_timed(plain_command(range(len(seeds)), replicates, rows_out))
    w = last_json(r["stdout"])
    if w["rows"] != n_runs or w["n_ok"] != n_runs:
        raise AssertionError(f"plain loop: {w['rows']} rows, {w['n_ok']} ok, expected {n_runs}")
    wall = r["wall_s"] - w["extras_s"]  # a plain-loop program: start, imports, compose, loop, exit
    return {"wall_s": wall, "runs_per_s": n_runs / wall, "process_wall_s": r["wall_s"], "maxrss_mb": r["maxrss_mb"],
            "foreign_load": r["foreign_load"],
            "exit_s": r["wall0"] + r["wall_s"] - w["end_epoch"], "rows_file": str(rows_out), **w}  # fmt: skip


def run_plain_2proc(seeds: Sequence[int], replicates: int | None, n_runs: int) -> dict[str, Any]:
    """Two plain loops at once, half the jobs each; wall time from first spawn to last exit."""
    half = len(seeds) // 2
    parts = [range(0, half), range(half, len(seeds))]
    outs = [tempfile.TemporaryFile() for _ in parts]
    busy0, self0 = busy_cpu_s(), self_cpu_s()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        t0 = time.perf_counter()
        procs = [subprocess.Popen(plain_command(p, replicates, None), cwd=REPO, stdin=subprocess.DEVNULL,
                                  stdout=o, stderr=subprocess.DEVNULL) for p, o in zip(parts, outs)]  # fmt: skip
        walls = []
        for p in procs:
            p.wait()
            walls.append(time.perf_counter() - t0)
        if any(p.returncode for p in procs):
            raise RuntimeError("plain loop (2 processes) failed")
        ws = []
        for o in outs:
            o.seek(0)
            ws.append(last_json(o.read().decode()))
    finally:
        for o in outs:
            o.close()
    if sum(w["n_ok"] for w in ws) != n_runs:
        raise AssertionError("plain loop (2 processes): not every run ok")
    wall = max(t - w["extras_s"] for t, w in zip(walls, ws))  # extras taken off, as in run_plain
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = (children.ru_utime - children0.ru_utime) + (children.ru_stime - children0.ru_stime)
    return {"wall_s": wall, "runs_per_s": n_runs / wall, "process_wall_s": walls,
            "foreign_load": foreign_load(busy0, self0, own, max(walls)),
            "loop_s": [w["loop_s"] for w in ws], "extras_s": [w["extras_s"] for w in ws]}  # fmt: skip


def compare_rows(sweep_parquet: Path, plain_parquet: Path) -> dict[str, Any]:
    """The sweep and the plain loop made the same runs with the same results; raise AssertionError if not."""
    import numpy as np
    import pandas as pd

    a = pd.read_parquet(sweep_parquet).sort_values(["job", "replicate"]).reset_index(drop=True)
    b = pd.read_parquet(plain_parquet).sort_values(["job", "replicate"]).reset_index(drop=True)
    common = [c for c in a.columns if c in b.columns]
    missing = sorted(set(a.columns) ^ set(b.columns))
    worst = 0.0
    for c in common:
        x, y = a[c], b[c]
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            xv, yv = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
            both_nan = np.isnan(xv) & np.isnan(yv)
            diff = np.where(both_nan, 0.0, np.abs(xv - yv))
            worst = max(worst, float(np.nanmax(diff)) if len(diff) else 0.0)
            if not (np.isfinite(diff).all() and worst <= 1e-9):
                raise AssertionError(f"sweep and plain loop differ in {c} (max diff {worst})")
        elif x.astype(str).tolist() != y.astype(str).tolist():
            raise AssertionError(f"sweep and plain loop differ in {c}")
    if missing:
        raise AssertionError(f"columns in only one of sweep and plain loop: {missing}")
    return {"same_runs_and_results": True, "columns_compared": len(common), "max_float_diff": worst}
