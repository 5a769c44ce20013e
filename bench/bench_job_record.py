"""Time what makes a sweep's job records trustworthy against the runs they record.

Run from the repository root::

    python bench/bench_job_record.py [--replicates 1000] [--repeats 5] [--out results/bench]

One job of the 10,000-run sweep (``configs/sweep/scale_10k.yaml``: 10 jobs of 1,000
replicates) is run once with ``run_job`` (its 1,000 runs, its rows and its record). Then,
in this process, each part the record adds is timed (median of ``--repeats``):

* the package's code digest (read once per process, so once per worker);
* a job's fingerprint (the composed config, the scenario as loaded, overrides and seeds);
* the check a resumed job makes (read the record, compare, hash its rows file);
* the sweep folder's identity check (``sweep.json``).

The requirement (issue 16): the checks cost under 1% of a 10,000-run sweep. The estimate
for the whole sweep is ``10 x (fingerprint + check + rows hash) + workers x code digest +
sweep check`` against ``10 x`` the measured job time on one core. The checks run inside the
jobs, so on two cores both halve and the share stays; the code digest is counted once per worker.
Reports go to ``<out>/job_record_cost.{md,json}`` and copies tagged with the Python and
Mesa versions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_common import machine_info, machine_line, publish

from sim.config.compose import compose_config
from sim.experiments import job_record
from sim.experiments.sweep import run_job
from sim.experiments.sweep_record import check_folder

LIMIT = 0.01
JOBS, WORKERS = 10, 2


def _median(f, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default="results/bench")
    args = parser.parse_args(argv)
    overrides = ["seed=3", f"replicates={args.replicates}", "figures=false"]
    cfg, choices = compose_config(overrides)
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp) / "0"
        t0 = time.perf_counter()
        run_job(cfg, choices, 0, overrides, job)
        job_s = time.perf_counter() - t0

        def cold_digest():
            job_record.code_digest.cache_clear()
            job_record.code_digest()

        digest_s = _median(cold_digest, args.repeats)
        fp = job_record.fingerprint(cfg, overrides, 3, args.replicates)
        fingerprint_s = _median(lambda: job_record.fingerprint(cfg, overrides, 3, args.replicates), args.repeats)
        check_s = _median(lambda: job_record.mismatch(job, overrides, fp), args.repeats)
        assert job_record.mismatch(job, overrides, fp) is None
        ident = {"overrides": ["+sweep=scale_10k"], "sweeper_params": {"seed": "range(0,10)"}}
        sweep_s = _median(lambda: check_folder(Path(tmp) / "sweep", ident), args.repeats)
    # A job writes its record once (fingerprint + rows hash) and a resumed one checks it (check): count both.
    per_job = 2 * fingerprint_s + 2 * check_s
    total = JOBS * per_job + WORKERS * digest_s + sweep_s
    sweep_time = JOBS * job_s * (10_000 / (JOBS * args.replicates))
    share = total / sweep_time
    report = {"benchmark": "job_record", "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "machine": machine_info(), "replicates": args.replicates, "repeats": args.repeats,
              "job_seconds": job_s, "code_digest_s": digest_s, "fingerprint_s": fingerprint_s, "check_s": check_s,
              "sweep_check_s": sweep_s, "checks_total_s": total, "sweep_one_core_s": sweep_time,
              "share": share, "limit": LIMIT, "met": share < LIMIT}  # fmt: skip
    md = "\n".join([
        "# Job records: what the fingerprint and checksums cost", "",
        f"{machine_line(report)}; "
        f"median of {args.repeats}.", "",
        "| part | time |", "|---|---|",
        f"| one job of {args.replicates} runs (run_job, one core) | {job_s:.2f} s |",
        f"| code digest (once per process) | {digest_s * 1e3:.1f} ms |",
        f"| a job's fingerprint | {fingerprint_s * 1e3:.1f} ms |",
        f"| a resumed job's check (record, fingerprint, rows hash) | {check_s * 1e3:.2f} ms |",
        f"| the sweep folder's identity check | {sweep_s * 1e3:.2f} ms |", "",
        f"10,000-run sweep ({JOBS} jobs, {WORKERS} workers): checks {total:.3f} s against {sweep_time:.1f} s of "
        f"runs on one core: {share:.3%} (limit {LIMIT:.0%}): {'met' if report['met'] else 'NOT met'}.", "",
    ])  # fmt: skip
    publish(report, md, Path(args.out), "job_record_cost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
