"""Time the 10,000-run sweep end to end, on two cores and on one, against the same runs in a plain loop.

Run from the repository root::

    python bench/bench_sweep.py [--runs 10000] [--repeats 1] [--out results/bench]

Every sweep is run as a user runs it, ``python -m sim +sweep=scale_10k ...
hydra.sweep.dir=DIR`` in a subprocess (aggregation included), and timed from
process start to exit; the summed RSS of its process tree (main process and
launcher workers) is sampled every 50 ms with psutil. The same runs are then
made in one plain loop in a fresh interpreter (no Hydra per job, nothing
written), once in one process and once split over two processes. What each
measurement covers, and how the wall time is broken down, is described in
``bench/README.md``.

Results go to ``<out>/sweep_time.json`` and ``<out>/sweep_time.md`` (the
latest run) and to copies tagged with the Python and Mesa versions. The sweep
folders are made in a temporary folder inside ``<out>`` (same disk as
``results/sweeps``) and removed at the end unless ``--keep-sweeps``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

try:
    import psutil
except ImportError:  # pragma: no cover - the message is the point
    sys.exit("bench_sweep.py needs psutil: pip install psutil")

REPO = Path(__file__).resolve().parents[1]
SWEEP = "scale_10k"  # configs/sweep/scale_10k.yaml: jobs (seed=range(0,N)) x replicates; read from the file
DEFAULT_RUNS = 10_000  # what the requirements are about
LIMIT_WALL_S = 60.0  # 10k-run sweep on 2 cores, aggregation included
LIMIT_PEAK_BYTES = 1_000_000_000  # "1 GB": 10^9 bytes, summed RSS of the process tree
LIMIT_OVERHEAD = 0.20  # Hydra and I/O overhead, share of the sweep's wall time
TARGET_SPEEDUP = 1.7  # two cores over one
SAMPLE_S = 0.05  # RSS sampling interval
FOREIGN_LOAD_WARN = 0.05  # warn when other processes used more than this share of the machine
REFRESH_S = 0.25  # how often the process tree is re-listed (and CPU times read)
PSS_S = 1.0  # how often the tree's PSS is read (smaps_rollup: costlier than RSS)
BUSY_RETRY_ABOVE = 0.10  # re-run a measurement once when other processes used more than this share

# The sweeps timed: name -> (launcher overrides, what it is).
SWEEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "sweep_2core": (("hydra.launcher.n_jobs=2",),
                    "python -m sim +sweep=scale_10k hydra.launcher.n_jobs=2 (the default sim_pool launcher: "
                    "jobs in 2 forked workers)"),
    "sweep_1core_basic": (("hydra/launcher=basic",),
                          "python -m sim +sweep=scale_10k hydra/launcher=basic (Hydra's basic launcher: jobs in turn, "
                          "in-process)"),
    "sweep_1core_pool": (("hydra.launcher.n_jobs=1",),
                         "same with the default launcher on one worker (sim_pool runs it in-process)"),
    "sweep_2core_joblib": (("hydra/launcher=joblib", "hydra.launcher.n_jobs=2"),
                           "python -m sim +sweep=scale_10k hydra/launcher=joblib hydra.launcher.n_jobs=2 "
                           "(fresh loky workers; for reference)"),
}  # fmt: skip
PLAINS: dict[str, str] = {
    "plain_loop": "the same runs in one plain loop, one fresh process: compose once, build_spec once, "
    "spec.model(seed).run() + summarize_arrays(run_arrays(...)) per run, rows kept in a list",
    "plain_loop_2proc": "the same plain loop split over two concurrent processes (half the jobs each): "
    "what two cores can give this workload",
}


# -- the sweep's shape -----------------------------------------------------------------
def sweep_shape() -> tuple[list[int], int]:
    """The base seeds (one per job) and replicates per job of configs/sweep/scale_10k.yaml."""
    import yaml

    data = yaml.safe_load((REPO / "configs" / "sweep" / f"{SWEEP}.yaml").read_text())
    spec = str(data["hydra"]["sweeper"]["params"]["seed"])
    m = re.fullmatch(r"\s*range\(\s*(-?\d+)\s*,\s*(-?\d+)\s*(?:,\s*(-?\d+)\s*)?\)\s*", spec)
    seeds = list(range(int(m[1]), int(m[2]), int(m[3] or 1))) if m else [int(s) for s in spec.split(",")]
    return seeds, int(data["replicates"])


# -- process-tree sampling -------------------------------------------------------------------
class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants every ``interval`` seconds.

    The tree is re-listed (and CPU times read) every ``refresh`` seconds and its
    PSS read every ``PSS_S`` seconds; RSS of the known processes is read at
    every sample (/proc/<pid>/statm, cheap). The sampler itself costs about 3%
    of one core.
    """

    def __init__(self, pid: int, t0: float, interval: float = SAMPLE_S, refresh: float = REFRESH_S) -> None:
        super().__init__(daemon=True)
        self.pid, self.t0, self.interval, self.refresh = pid, t0, interval, refresh
        self.samples: list[tuple[float, int, int]] = []  # (seconds since start, summed RSS, processes)
        self.pss_samples: list[tuple[float, int]] = []  # (seconds since start, summed PSS), every PSS_S
        self.peak_rss: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self.role: dict[int, str] = {}
        self._halt = threading.Event()

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def _role(self, p: psutil.Process) -> str:
        if p.pid == self.pid:
            return "main"
        try:
            cmd = " ".join(p.cmdline())
        except psutil.Error:
            return "child"
        if "resource_tracker" in cmd:
            return "resource_tracker"
        # loky's workers name themselves; sim_pool's are forks of the main process (same command line).
        return "worker" if ("loky" in cmd or "joblib" in cmd or "sim" in cmd) else "child"

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        procs: dict[int, psutil.Process] = {self.pid: root}
        self.role[self.pid] = "main"
        next_refresh = next_pss = 0.0
        while not self._halt.is_set():
            now = time.perf_counter()
            refresh = now >= next_refresh
            pss = now >= next_pss
            if pss:
                next_pss = now + PSS_S
            if refresh:
                try:
                    for child in root.children(recursive=True):
                        if child.pid not in procs:
                            procs[child.pid] = child
                            self.role[child.pid] = self._role(child)
                except psutil.Error:
                    pass
                next_refresh = now + self.refresh
            total = total_pss = 0
            for pid, p in list(procs.items()):
                try:
                    rss = p.memory_info().rss
                    if refresh:
                        c = p.cpu_times()
                        self.cpu[pid] = c.user + c.system
                    if pss:
                        total_pss += getattr(p.memory_full_info(), "pss", 0)  # smaps_rollup: shared pages split
                except psutil.Error:  # exited
                    procs.pop(pid)
                    continue
                total += rss
                self.peak_rss[pid] = max(self.peak_rss.get(pid, 0), rss)
            if procs:
                self.samples.append((now - self.t0, total, len(procs)))
                if pss:
                    self.pss_samples.append((now - self.t0, total_pss))
            self._halt.wait(self.interval)

    def report(self) -> dict[str, Any]:
        peak_t, peak, _ = max(self.samples, key=lambda s: s[1]) if self.samples else (0.0, 0, 0)
        by_role: dict[str, dict[str, float]] = {}
        for pid, rss in self.peak_rss.items():
            r = by_role.setdefault(self.role.get(pid, "child"), {"processes": 0, "max_peak_rss_mb": 0.0, "cpu_s": 0.0})
            r["processes"] += 1
            r["max_peak_rss_mb"] = max(r["max_peak_rss_mb"], rss / 1e6)
            r["cpu_s"] += self.cpu.get(pid, 0.0)
        series: dict[int, int] = {}
        for t, total, _ in self.samples:  # 0.5 s bins, max of each
            series[int(t * 2)] = max(series.get(int(t * 2), 0), total)
        return {
            "peak_tree_rss_mb": peak / 1e6,
            "peak_tree_pss_mb": max((s[1] for s in self.pss_samples), default=0) / 1e6,
            "peak_at_s": peak_t,
            "max_processes": max((s[2] for s in self.samples), default=0),
            "n_samples": len(self.samples),
            "by_role": by_role,
            "tree_rss_mb_every_0.5s": [round(series[k] / 1e6, 1) for k in sorted(series)],
        }


def _busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores)."""
    c = psutil.cpu_times()
    idle = c.idle + sum(getattr(c, k, 0.0) for k in ("iowait", "steal", "guest", "guest_nice"))
    return sum(c) - idle


def _self_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def foreign_load(busy0: float, self0: float, own_cpu_s: float, wall: float) -> float:
    """Share of the machine's core-seconds used by processes other than ours during a measurement."""
    other = (_busy_cpu_s() - busy0) - (_self_cpu_s() - self0) - own_cpu_s
    return max(0.0, other) / (wall * (os.cpu_count() or 1))


def run_timed(cmd: Sequence[str], sample: bool = False) -> dict[str, Any]:
    """Run ``cmd`` from the repository root; wall time from spawn to exit, its own max RSS, output.

    Also how busy the rest of the machine was meanwhile (``foreign_load``): the
    machine's busy CPU time minus this process's and the command's (with its
    reaped children).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy0, self0 = _busy_cpu_s(), _self_cpu_s()
        wall0 = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        sampler = TreeSampler(proc.pid, t0) if sample else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.stop()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{stderr[-3000:]}")
    tree = sampler.report() if sampler else None
    own = usage.ru_utime + usage.ru_stime
    if tree:  # workers a process did not reap are not in its rusage
        own = max(own, sum(r["cpu_s"] for r in tree["by_role"].values()))
    return {
        "wall_s": wall,
        "cpu_s": own,
        "foreign_load": foreign_load(busy0, self0, own, wall),
        "wall0": wall0,
        "maxrss_mb": usage.ru_maxrss * 1024 / 1e6,  # Linux: KiB; the largest of the process and its reaped children
        "stdout": stdout,
        "stderr": stderr,
        "tree": tree,
    }


# -- the sweeps ---------------------------------------------------------------------------
def sweep_command(launcher: Sequence[str], sweep_dir: Path, extra: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "sim", f"+sweep={SWEEP}", *launcher, f"hydra.sweep.dir={sweep_dir}", *extra]


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
        add("interpreter start + imports", comp["import_sim_main_s"], "python -c 'import sim.__main__'", 1)
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


def run_sweep(name: str, root: Path, extra: Sequence[str], seeds: Sequence[int], replicates: int) -> dict[str, Any]:
    launcher, _ = SWEEPS[name]
    sweep_dir = root / f"{name}-{time.time_ns()}"
    assert not sweep_dir.exists()  # an existing folder would be resumed, not run
    cmd = sweep_command(launcher, sweep_dir, extra)
    r = run_timed(cmd, sample=True)
    check = check_runs(sweep_dir / "runs.parquet", seeds, replicates)
    tl = timeline(sweep_dir, r["wall0"], r["wall_s"], r["stdout"])
    return {
        "wall_s": r["wall_s"],
        "runs_per_s": len(seeds) * replicates / r["wall_s"],
        "foreign_load": r["foreign_load"],
        "tree": r["tree"],
        "check": check,
        "timeline": tl,
        "command": " ".join(cmd[1:]),
        "dir": str(sweep_dir),
    }


# -- the plain loop -----------------------------------------------------------------------------
def plain_loop_worker(jobs: Sequence[int], replicates: int | None, rows_out: Path | None) -> dict[str, Any]:
    """The runs of the sweep's ``jobs`` (job numbers) in one loop, in a fresh interpreter: timings, memory, rows."""
    t0 = time.perf_counter()
    import gc

    import pandas as pd

    from sim.config.build import build_spec
    from sim.config.compose import compose_config
    from sim.core.model import SignalingModel
    from sim.experiments.runner import quiet_mesa
    from sim.experiments.sweep import flatten, parameters, replicate_seeds, write_fragment
    from sim.outputs.metrics import summarize_arrays
    from sim.outputs.tables import run_arrays

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
        for r, seed in enumerate(replicate_seeds(base_seed, spec.replicates)):
            row = {"job": job, **params[job], "replicate": r, "seed": seed, "base_seed": base_seed}
            try:
                model = spec.model(seed)
                model.run()
                summary = summarize_arrays(run_arrays(model, spec.crisis_threshold))
            except Exception as e:  # as sim.experiments.sweep.run_job
                rows.append({**row, "status": "failed", "error": f"{type(e).__name__}: {e}".splitlines()[0]})
            else:
                rows.append({**row, "status": "ok", "error": "", **flatten(summary)})
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
    del model
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
    cmd = [sys.executable, str(Path(__file__).resolve()), "--plain-loop", f"--jobs={jobs.start}:{jobs.stop}"]
    if replicates:
        cmd.append(f"--replicates={replicates}")
    if rows_out:
        cmd.append(f"--rows-out={rows_out}")
    return cmd


def _worker_json(stdout: str) -> dict[str, Any]:
    return json.loads(stdout.strip().splitlines()[-1])


def run_plain(root: Path, seeds: Sequence[int], replicates: int | None, n_runs: int) -> dict[str, Any]:
    rows_out = root / f"plain-{time.time_ns()}.parquet"
    r = run_timed(plain_command(range(len(seeds)), replicates, rows_out))
    w = _worker_json(r["stdout"])
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
    busy0, self0 = _busy_cpu_s(), _self_cpu_s()
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
            ws.append(_worker_json(o.read().decode()))
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


# -- components -----------------------------------------------------------------------------
_VALIDATE = """
import json, sys, time
t0 = time.perf_counter()
from sim.config.checks import validate_runs
t1 = time.perf_counter()
validate_runs(sys.argv[1:])
print(json.dumps({"import_s": t1 - t0, "validate_s": time.perf_counter() - t1}))
"""

_AGGREGATE = """
import json, sys, time
from pathlib import Path
folder = Path(sys.argv[1])
t = {}
t0 = time.perf_counter()
from sim import aggregate as a
from sim.outputs.io import atomic_write
t["import_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
import sim.experiments.sweep_plots as sp
t["import_sweep_plots_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
runs, complete, incomplete = a.collect(folder, progress=False)
t["collect_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
atomic_write(folder / "runs.parquet", lambda p: runs.to_parquet(p, index=False))
t["write_runs_parquet_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
table = sp.metric_table(runs)
text = sp.format_table(table)
t["metric_table_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
a.aggregate(folder, figures=False, progress=False)
t["aggregate_no_figures_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
a.aggregate(folder, figures=True, progress=False)
t["aggregate_figures_s"] = time.perf_counter() - t0
print(json.dumps(t))
"""


def _min_wall(cmd: Sequence[str], n: int) -> float:
    """The fastest of ``n`` runs: a fixed cost, with as little of the machine's noise as possible."""
    return min(run_timed(cmd)["wall_s"] for _ in range(n))


def components(sweep_dir: Path, sweep_args: Sequence[str], n: int = 3) -> dict[str, Any]:
    """Parts of a sweep timed on their own, each in a fresh interpreter."""
    py = sys.executable
    out: dict[str, Any] = {
        "python_start_s": _min_wall([py, "-c", "pass"], n),
        "import_mesa_s": _min_wall([py, "-c", "import mesa"], n),
        "import_sim_main_s": _min_wall([py, "-c", "import sim.__main__"], n),
    }
    v = _worker_json(run_timed([py, "-c", _VALIDATE, *sweep_args])["stdout"])
    out["validate_s"] = v["validate_s"]
    agg = _worker_json(run_timed([py, "-c", _AGGREGATE, str(sweep_dir)])["stdout"])
    out.update({f"aggregate.{k}": s for k, s in agg.items()})
    out["cli_aggregate_no_figures_s"] = run_timed([py, "-m", "sim.aggregate", str(sweep_dir), "--no-figures"])["wall_s"]
    out["cli_aggregate_figures_s"] = run_timed([py, "-m", "sim.aggregate", str(sweep_dir)])["wall_s"]
    return out


# -- report ---------------------------------------------------------------------------------------
def _stats(values: Sequence[float]) -> dict[str, float | int]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def requirements(meas: Mapping[str, Any], n_runs: int) -> list[dict[str, Any]]:
    """Each requirement: value from the medians, median of the per-repeat values, limit, verdict.

    The verdict uses the value from the medians; ``paired`` (each repeat's
    measurements taken together, then the median over repeats) cancels part of
    a noisy machine's drift and is worth a look when the two disagree.
    """
    full = n_runs == DEFAULT_RUNS
    n_rep = min(len(m["repeats"]) for m in meas.values())
    sweeps = [k for k in SWEEPS if k in meas]

    def figures(pick: Callable[[Sequence[float]], float], i: int | None) -> dict[str, float]:
        """Walls, the plain loop's loop, fragment and fixed times, each sweep's job bodies per lane."""
        def get(name: str, f: Callable[[Mapping[str, Any]], float]) -> float:
            reps = meas[name]["repeats"]
            return f(reps[i]) if i is not None else pick([f(r) for r in reps])

        out = {k: get(k, lambda r: r["wall_s"]) for k in meas}
        out["loop"] = get("plain_loop", lambda r: r["loop_s"])
        out["fragments"] = get("plain_loop", lambda r: r["fragment_write_s"])
        out["plain_fixed"] = get("plain_loop", lambda r: r["wall_s"] - r["loop_s"])  # start, imports, compose, exit
        for k in sweeps:
            out[f"{k}.bodies"] = get(k, lambda r: r["timeline"]["job_bodies_sum_s"] / r["timeline"]["lanes"])
            out[f"{k}.lanes"] = get(k, lambda r: r["timeline"]["lanes"])
            out[f"{k}.phase"] = get(k, lambda r: r["timeline"]["job_phase_s"])
        return out

    med = figures(statistics.median, None)
    per_rep = [figures(statistics.median, i) for i in range(n_rep)]
    rows: list[dict[str, Any]] = []

    def req(name: str, f: Callable[[Mapping[str, float]], float], limit: str, check: Callable[[float], bool] | None,
            how: str, primary: bool = True) -> None:  # fmt: skip
        value = f(med)
        paired = statistics.median(f(w) for w in per_rep)
        ok = None if check is None else check(value)
        rows.append({"requirement": name, "value": value, "paired": paired, "limit": limit, "met": ok,
                     "verdict": _verdict(ok), "how": how, "primary": primary})  # fmt: skip

    under_overhead = (lambda o: o < LIMIT_OVERHEAD)
    req(f"{n_runs:,}-run sweep on 2 cores, wall time (s)", lambda w: w["sweep_2core"], f"< {LIMIT_WALL_S:g}",
        (lambda v: v < LIMIT_WALL_S) if full else None,
        "sweep_2core median, process start to exit, aggregation included")  # fmt: skip
    peaks = meas["sweep_2core"]["peak_tree_rss_mb"]["values"]
    rows.append({"requirement": f"{n_runs:,}-run sweep on 2 cores, peak memory (MB)", "value": max(peaks),
                 "paired": statistics.median(peaks), "limit": f"< {LIMIT_PEAK_BYTES / 1e6:g}",
                 "met": (max(peaks) * 1e6 < LIMIT_PEAK_BYTES) if full else None,
                 "how": "max over repeats of the summed RSS of main process + workers", "primary": True})  # fmt: skip
    rows[-1]["verdict"] = _verdict(rows[-1]["met"])
    for one in ("sweep_1core_basic", "sweep_1core_pool"):
        if one not in med:
            continue
        req(f"overhead, {one} vs plain-loop process", lambda w, o=one: (w[o] - w["plain_loop"]) / w[o],
            f"< {LIMIT_OVERHEAD:.0%}", under_overhead, "(sweep - plain-loop process wall) / sweep",
            primary=one == "sweep_1core_basic")  # fmt: skip
        req(f"overhead, {one} vs loop alone (strict)", lambda w, o=one: (w[o] - w["loop"]) / w[o],
            f"< {LIMIT_OVERHEAD:.0%}", under_overhead, "(sweep - loop time, no start-up or imports) / sweep",
            primary=False)  # fmt: skip
    for k in sweeps:
        # Drift-robust: the runs are timed inside the sweep itself (job bodies, less the fragment writing),
        # so only the plain program's small fixed part comes from another process.
        req(f"overhead, {k}, from its own timeline",
            lambda w, k=k: (w[k] - (w[f"{k}.bodies"] - w["fragments"] / w[f"{k}.lanes"]) - w["plain_fixed"]) / w[k],
            f"< {LIMIT_OVERHEAD:.0%}", under_overhead,
            "(sweep - job bodies per lane + fragment writing - plain loop's start/imports/compose/exit) / sweep",
            primary=False)  # fmt: skip
    req("overhead, sweep_2core vs plain-loop process / 2",
        lambda w: (w["sweep_2core"] - w["plain_loop"] / 2) / w["sweep_2core"], f"< {LIMIT_OVERHEAD:.0%}",
        under_overhead, "(sweep_2core - plain wall / 2) / sweep_2core", primary=False)  # fmt: skip
    if "plain_loop_2proc" in med:
        req("overhead, sweep_2core vs plain loop on 2 processes",
            lambda w: (w["sweep_2core"] - w["plain_loop_2proc"]) / w["sweep_2core"], f"< {LIMIT_OVERHEAD:.0%}",
            under_overhead, "(sweep_2core - plain_loop_2proc) / sweep_2core", primary=False)  # fmt: skip
    for one in ("sweep_1core_basic", "sweep_1core_pool"):
        if one in med:
            req(f"speed-up, 2 cores over {one}", lambda w, o=one: w[o] / w["sweep_2core"], f">= {TARGET_SPEEDUP:g}",
                lambda v: v >= TARGET_SPEEDUP, f"{one} / sweep_2core wall (= throughput ratio)",
                primary=one == "sweep_1core_pool")  # the same command on one core  # fmt: skip
    for one in ("sweep_1core_basic", "sweep_1core_pool"):
        if one in med:
            req(f"speed-up of the job phase only, 2 cores over {one}",
                lambda w, o=one: w[f"{o}.phase"] / w["sweep_2core.phase"], f">= {TARGET_SPEEDUP:g}", None,
                "first job start to last job end: the runs' throughput without the fixed costs",
                primary=False)  # fmt: skip
    if "plain_loop_2proc" in med:
        req("reference: speed-up of the plain loop on 2 processes", lambda w: w["plain_loop"] / w["plain_loop_2proc"],
            f">= {TARGET_SPEEDUP:g}", None, "plain_loop / plain_loop_2proc: what this machine gives this workload",
            primary=False)  # fmt: skip
    return rows


def summarise(samples: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per measurement: medians over repeats of the headline numbers; every repeat kept as well."""
    out: dict[str, Any] = {}
    for name, reps in samples.items():
        if not reps:
            continue
        what = SWEEPS[name][1] if name in SWEEPS else PLAINS[name]
        m: dict[str, Any] = {"what": what, "wall_s": _stats([r["wall_s"] for r in reps])}
        m["runs_per_s"] = _stats([r["runs_per_s"] for r in reps])
        m["foreign_load"] = _stats([r["foreign_load"] for r in reps])
        if name in SWEEPS:
            m["peak_tree_rss_mb"] = {**_stats([r["tree"]["peak_tree_rss_mb"] for r in reps]),
                                     "values": [r["tree"]["peak_tree_rss_mb"] for r in reps]}  # fmt: skip
            m["peak_tree_pss_mb"] = _stats([r["tree"]["peak_tree_pss_mb"] for r in reps])
        if name == "plain_loop":
            for k in ("loop_s", "import_s", "compose_s", "fragment_write_s", "exit_s", "loop_peak_rss_mb", "maxrss_mb"):
                m[k] = _stats([r[k] for r in reps])
        m["repeats"] = reps
        out[name] = m
    return out


def _median_repeat(reps: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    med = statistics.median_low([r["wall_s"] for r in reps])
    return next(r for r in reps if r["wall_s"] == med)


def render_markdown(report: Mapping[str, Any]) -> str:
    m, s = report["machine"], report["settings"]
    meas = report["measurements"]
    lines = [
        f"# Sweep time: {s['runs']:,} runs ({s['jobs']} jobs x {s['replicates']} replicates, +sweep={SWEEP})",
        "",
        f"Python {m['python']}, Mesa {m['mesa']}, Hydra {m['hydra-core']}, joblib {m.get('joblib')}; "
        f"{m['cpu_count']} CPUs ({m['cpu_model']}), {m.get('memory_total_gb', 0):.0f} GB; {report['timestamp']}; "
        f"{s['repeats']} repeat(s); {report['duration_s']:.0f} s in all.",
        "",
        "| measurement | wall s (median) | min | max | runs/s | peak tree RSS MB | peak tree PSS MB "
        "| main CPU s | worker CPU s | other load (max) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, x in meas.items():
        wall = x["wall_s"]
        if name in SWEEPS:
            rep = _median_repeat(x["repeats"])
            roles = rep["tree"]["by_role"]
            peak = f"{x['peak_tree_rss_mb']['max']:.0f} | {x['peak_tree_pss_mb']['max']:.0f}"
            cpu_main = f"{roles.get('main', {}).get('cpu_s', 0):.1f}"
            cpu_w = f"{roles['worker']['cpu_s']:.1f}" if "worker" in roles else "-"
        elif name == "plain_loop":
            peak, cpu_main, cpu_w = f"{x['maxrss_mb']['max']:.0f} | -", "-", "-"
        else:
            peak, cpu_main, cpu_w = "- | -", "-", "-"
        lines.append(f"| {name} | {wall['median']:.1f} | {wall['min']:.1f} | {wall['max']:.1f} | "
                     f"{x['runs_per_s']['median']:.0f} | {peak} | {cpu_main} | {cpu_w} | "
                     f"{x['foreign_load']['max']:.0%} |")  # fmt: skip
    busiest = max(x["foreign_load"]["max"] for x in meas.values())
    if busiest > FOREIGN_LOAD_WARN:
        lines += ["", f"**Warning: other processes used up to {busiest:.0%} of the machine during a measurement; "
                  "the figures are not those of an idle machine. Re-run when it is idle.**"]  # fmt: skip
    if "plain_loop" in meas:
        p = _median_repeat(meas["plain_loop"]["repeats"])
        lines += ["", f"Plain loop (median repeat): imports {p['import_s']:.2f} s, compose {p['compose_s']:.2f} s, "
                  f"build_spec {p['build_spec_s'] * 1e3:.0f} ms, loop {p['loop_s']:.1f} s "
                  f"({p['loop_s'] / p['rows'] * 1e3:.2f} ms per run), writing {s['jobs']} fragments "
                  f"{p['fragment_write_s']:.2f} s "
                  f"(not in the loop), interpreter exit {p['exit_s']:.2f} s; "
                  f"RSS {p['rss_after_job_mb'][0]:.0f} MB after job 1, "
                  f"{p['rss_after_job_mb'][-1]:.0f} MB after job {len(p['rss_after_job_mb'])}; "
                  f"models still alive after the loop: {p['models_alive_after_loop']}."]  # fmt: skip
    lines += ["", "| requirement | measured | paired | limit | verdict | how |", "|---|---:|---:|---:|---|---|"]

    def fmt(r: Mapping[str, Any], v: float) -> str:
        return f"{v:.1%}" if "overhead" in r["requirement"] else (f"{v:.2f}" if v < 10 else f"{v:.1f}")

    for r in report["requirements"]:
        name = f"**{r['requirement']}**" if r["primary"] else r["requirement"]
        lines.append(f"| {name} | {fmt(r, r['value'])} | {fmt(r, r['paired'])} | {r['limit']} | {r['verdict']} "
                     f"| {r['how']} |")  # fmt: skip
    lines += ["", "measured: from the medians over repeats (peak memory: the largest); paired: each repeat's "
              "figures taken together, median over repeats (peak memory: median). Bold: the requirements as "
              "worded; the verdict is on 'measured'."]  # fmt: skip
    for name in SWEEPS:
        if name not in meas:
            continue
        rep = _median_repeat(meas[name]["repeats"])
        lines += ["", f"## Where `{name}`'s {rep['wall_s']:.1f} s go (median repeat)", "",
                  "| phase | s | % of wall | how measured |", "|---|---:|---:|---|"]  # fmt: skip
        for b in rep["breakdown"]:
            indent = "&nbsp;&nbsp;&nbsp;&nbsp;" * b["level"]
            lines.append(f"| {indent}{b['phase']} | {b['s']:.2f} | {b['share']:.1%} | {b['note']} |")
    comp = report.get("components")
    if comp:
        lines += ["", "## Components (each in a fresh interpreter)", "", "| component | s |", "|---|---:|"]
        lines += [f"| {k} | {v:.2f} |" for k, v in comp.items()]
    checks = report.get("checks", {})
    if checks:
        lines += ["", "Checks: " + "; ".join(f"{k}: {v}" for k, v in checks.items())]
    if report.get("discarded_busy"):
        lines += ["", "Measured again because other processes were busy: " + ", ".join(
            f"{d['name']} (repeat {d['repeat'] + 1}, other load {d['foreign_load']:.0%})"
            for d in report["discarded_busy"])]  # fmt: skip
    return "\n".join(lines) + "\n"


def machine() -> dict[str, Any]:
    from bench_run import _version, machine_info

    info = machine_info()
    for dist in ("joblib", "hydra-joblib-launcher", "psutil", "pyarrow", "matplotlib"):
        info[dist] = _version(dist)
    info["memory_total_gb"] = psutil.virtual_memory().total / 1e9
    return info


# -- main ----------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                        help="runs in the sweep, a multiple of its number of jobs (default 10000; "
                             "the 60 s and 1 GB verdicts apply to 10000 only)")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=1, help="times each measurement is repeated (default 1)")
    parser.add_argument("--out", type=Path, default=Path("results/bench"), help="output folder (default results/bench)")
    parser.add_argument("--no-pool1", action="store_true", help="skip the sim_pool n_jobs=1 sweep (saves ~35 s)")
    parser.add_argument("--no-joblib", action="store_true", help="skip the joblib n_jobs=2 reference sweep")
    parser.add_argument("--no-plain2", action="store_true", help="skip the plain loop on two processes")
    parser.add_argument("--no-components", action="store_true", help="skip timing imports, validation, aggregation")
    parser.add_argument("--keep-sweeps", action="store_true", help="keep the sweep folders (printed at the end)")
    parser.add_argument("--retry-busy", type=int, default=1,
                        help=f"re-run a measurement up to this many times when other processes used more than "
                             f"{BUSY_RETRY_ABOVE:.0%} of the machine during it (default 1; 0: never)")  # fmt: skip
    # internal: the plain loop, run in a fresh interpreter
    parser.add_argument("--plain-loop", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--replicates", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--rows-out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.runs < 1 or args.retry_busy < 0:
        parser.error("--runs and --repeats must be >= 1, --retry-busy >= 0")
    return args


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _log(t0: float, text: str) -> None:
    print(f"[{time.perf_counter() - t0:6.1f} s] {text}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.plain_loop:
        start, stop = map(int, args.jobs.split(":"))
        print(json.dumps(plain_loop_worker(range(start, stop), args.replicates, args.rows_out)))
        return 0
    t_all = time.perf_counter()
    seeds, default_reps = sweep_shape()
    if args.runs % len(seeds):
        sys.exit(f"--runs must be a multiple of the sweep's {len(seeds)} jobs")
    replicates = args.runs // len(seeds)
    extra = [] if replicates == default_reps else [f"replicates={replicates}"]
    reps_arg = None if replicates == default_reps else replicates
    names = (["sweep_2core", "sweep_1core_basic"] + ([] if args.no_pool1 else ["sweep_1core_pool"])
             + ([] if args.no_joblib else ["sweep_2core_joblib"]))  # fmt: skip
    samples: dict[str, list[dict[str, Any]]] = {n: [] for n in [*names, "plain_loop", "plain_loop_2proc"]}
    out = args.out if args.out.is_absolute() else REPO / args.out
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=".sweeps-", dir=out))
    comp: dict[str, Any] = {}
    checks: dict[str, Any] = {}
    try:
        discarded: list[dict[str, Any]] = []

        def measure(rep: int, name: str, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
            """Run one measurement; once more (up to --retry-busy times) if the machine was busy meanwhile."""
            for attempt in range(args.retry_busy + 1):
                _log(t_all, f"repeat {rep + 1}/{args.repeats}: {name} ...")
                r = run()
                peak = f", peak tree RSS {r['tree']['peak_tree_rss_mb']:.0f} MB" if "tree" in r else ""
                loop = f" (loop {r['loop_s']:.1f} s)" if name == "plain_loop" else ""
                _log(t_all, f"  {r['wall_s']:.1f} s{loop}{peak}, other load {r['foreign_load']:.0%}")
                if r["foreign_load"] <= BUSY_RETRY_ABOVE or attempt == args.retry_busy:
                    samples[name].append(r)
                    return r
                _log(t_all, "  the machine was busy: measuring again")
                discarded.append({"repeat": rep, "name": name, "wall_s": r["wall_s"], "foreign_load": r["foreign_load"]})
                for key in ("dir", "rows_file"):
                    if key in r and not args.keep_sweeps:
                        _remove(Path(r[key]))
            raise AssertionError("unreachable")

        for rep in range(args.repeats):
            for name in names:  # interleaved, so drift of a noisy machine hits all alike
                measure(rep, name, lambda name=name: run_sweep(name, root, extra, seeds, replicates))
            p = measure(rep, "plain_loop", lambda: run_plain(root, seeds, reps_arg, args.runs))
            if rep == 0:
                checks["sweep_2core vs plain loop"] = compare_rows(
                    Path(samples["sweep_2core"][0]["dir"]) / "runs.parquet", Path(p["rows_file"]))
            if not args.no_plain2:
                measure(rep, "plain_loop_2proc", lambda: run_plain_2proc(seeds, reps_arg, args.runs))
            if rep == 0 and not args.no_components:
                _log(t_all, "components (imports, validation, aggregation) ...")
                sweep_args = sweep_command(SWEEPS["sweep_2core"][0], Path(samples["sweep_2core"][0]["dir"]), extra)[3:]
                comp = components(Path(samples["sweep_2core"][0]["dir"]), sweep_args)
            if not args.keep_sweeps:
                for reps in samples.values():
                    for r in reps:
                        for key in ("dir", "rows_file"):
                            if key in r:
                                _remove(Path(r[key]))
        plain_med = _median_repeat(samples["plain_loop"])
        for name in names:
            for r in samples[name]:
                r["breakdown"] = breakdown(r["timeline"], comp, plain_med)
        meas = summarise(samples)
        report = {
            "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": machine(),
            "settings": {"runs": args.runs, "jobs": len(seeds), "replicates": replicates, "repeats": args.repeats,
                         "sample_interval_s": SAMPLE_S, "tree_refresh_s": REFRESH_S, "pss_interval_s": PSS_S,
                         "retry_busy": args.retry_busy, "busy_retry_above": BUSY_RETRY_ABOVE},  # fmt: skip
            "duration_s": time.perf_counter() - t_all,
            "limits": {"wall_s": LIMIT_WALL_S, "peak_bytes": LIMIT_PEAK_BYTES, "overhead": LIMIT_OVERHEAD,
                       "speedup": TARGET_SPEEDUP},  # fmt: skip
            "measurements": meas,
            "requirements": requirements(meas, args.runs),
            "components": comp,
            "checks": checks,
            "discarded_busy": discarded,
        }
        from bench_run import write_reports

        paths = write_reports(report, render_markdown(report), out, "sweep_time")
        print(render_markdown(report), end="")
        print(f"\nwrote {', '.join(str(p) for p in paths)}")
        if max(m["foreign_load"]["max"] for m in meas.values()) > FOREIGN_LOAD_WARN:
            print("warning: the machine was busy with other processes; see 'other load'", file=sys.stderr)
    finally:
        if args.keep_sweeps:
            print(f"sweep folders kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
