"""Running a command as the benchmark times it: wall time from spawn to exit, and its process tree's memory.

:func:`run_timed` runs a command from the repository root and, if asked,
samples the summed RSS (and PSS) of its whole process tree with
:class:`TreeSampler`; :func:`foreign_load` says how busy the rest of the
machine was meanwhile.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from typing import Any

import psutil
from sweep_setup import REPO

SAMPLE_S = 0.05  # RSS sampling interval

REFRESH_S = 0.25  # how often the process tree is re-listed (and CPU times read)
PSS_S = 1.0  # how often the tree's PSS is read (smaps_rollup: costlier than RSS)



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


def busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores)."""
    c = psutil.cpu_times()
    idle = c.idle + sum(getattr(c, k, 0.0) for k in ("iowait", "steal", "guest", "guest_nice"))
    return sum(c) - idle


def self_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def foreign_load(busy0: float, self0: float, own_cpu_s: float, wall: float) -> float:
    """Share of the machine's core-seconds used by processes other than ours during a measurement."""
    other = (busy_cpu_s() - busy0) - (self_cpu_s() - self0) - own_cpu_s
    return max(0.0, other) / (wall * (os.cpu_count() or 1))


def run_timed(cmd: Sequence[str], sample: bool = False) -> dict[str, Any]:
    """Run ``cmd`` from the repository root; wall time from spawn to exit, its own max RSS, output.

    Also how busy the rest of the machine was meanwhile (``foreign_load``): the
    machine's busy CPU time minus this process's and the command's (with its
    reaped children).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy0, self0 = busy_cpu_s(), self_cpu_s()
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


def last_json(stdout: str) -> dict[str, Any]:
    """The JSON object on the last line of a process's output."""
    return json.loads(stdout.strip().splitlines()[-1])
