"""Time the Python API: a loop of ``run(seed=s)`` against the model's own time, and ``run_many`` on 1 and 2 cores.

Run from the repository root::

    python bench/bench_api.py [--loop 200] [--seeds 1000] [--out results/bench]

* **Loop**: ``run(seed=s)`` for ``--loop`` seeds (the default historical scenario, in
  memory), against the in-process model time per run of the same seeds: the model
  built from a spec composed once, run, and its tables and summary made, which is what
  ``run`` returns (``model_ms``). The requirement checked: the loop costs at most 1.5
  times the model time per run (``run`` composes Hydra once per set of group choices
  and sets the seed on a copy, :func:`sim.config.overrides.configure`).
* **Batch**: ``run_many(seeds=range(--seeds))`` with ``workers=1``, then ``workers=2``
  twice (a worker pool over one spec), wall time from the call to the returned table.
  The first pool of a process starts the forkserver its workers fork from (it imports
  the model's modules once, about 2.5 s here); later pools start warm. The requirement
  checked: 2 workers at least 1.7 times faster than one, reported cold and warm.

Reports go to ``<out>/api_time.{md,json}`` and copies tagged with the Python and Mesa versions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

from bench_common import machine_info, machine_line, publish

from sim import run, run_many
from sim.config.build import build_spec
from sim.config.compose import compose_config
from sim.experiments.runner import quiet_mesa
from sim.outputs.metrics import summarize
from sim.outputs.tables import events_frame, steps_frame

LOOP_LIMIT = 1.5
BATCH_SPEEDUP = 1.7


def model_ms(seeds: range) -> list[float]:
    """Per seed: the model built from one composed spec, run, its tables and summary, in milliseconds."""
    spec = build_spec(*compose_config([]))
    out = []
    for s in seeds:
        t0 = time.perf_counter()
        model = spec.model(s)
        model.run()
        events, steps = events_frame(model), steps_frame(model)
        summarize(events, steps, spec.crisis_threshold)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def loop_ms(seeds: range) -> list[float]:
    out = []
    for s in seeds:
        t0 = time.perf_counter()
        run(seed=s)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loop", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--out", default="results/bench")
    args = parser.parse_args(argv)
    quiet_mesa()
    run(seed=0)  # imports and the first composition, paid once per process
    model_ms(range(3))
    seeds = range(args.loop)
    model, loop = model_ms(seeds), loop_ms(seeds)
    batch = {}
    for name, workers in (("1", 1), ("2 cold", 2), ("2 warm", 2)):
        t0 = time.perf_counter()
        table = run_many(seeds=range(args.seeds), workers=workers, progress=False)
        batch[name] = time.perf_counter() - t0
        assert len(table) == args.seeds and (table["status"] == "ok").all()
    ratio = statistics.median(loop) / statistics.median(model)
    speedup, warm = batch["1"] / batch["2 cold"], batch["1"] / batch["2 warm"]
    report = {
        "benchmark": "api", "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine_info(),
        "loop": {"runs": args.loop, "run_ms_median": statistics.median(loop), "model_ms_median": statistics.median(model),
                 "ratio": ratio, "limit": LOOP_LIMIT, "met": ratio <= LOOP_LIMIT},
        "batch": {"seeds": args.seeds, "seconds_1_worker": batch["1"], "seconds_2_workers_cold": batch["2 cold"],
                  "seconds_2_workers_warm": batch["2 warm"], "speedup_cold": speedup, "speedup_warm": warm,
                  "target": BATCH_SPEEDUP, "met_cold": speedup >= BATCH_SPEEDUP, "met_warm": warm >= BATCH_SPEEDUP},
    }  # fmt: skip
    md = "\n".join([
        "# Python API: time", "",
        f"{machine_line(report, cpu_model=True)}.", "",
        "| measure | value |", "|---|---|",
        f"| `run(seed=s)`, median of {args.loop} | {report['loop']['run_ms_median']:.1f} ms |",
        f"| model time per run (built from one spec, run, tables, summary), median | {report['loop']['model_ms_median']:.1f} ms |",
        f"| ratio (limit {LOOP_LIMIT}) | {ratio:.2f}: {'met' if ratio <= LOOP_LIMIT else 'NOT met'} |",
        f"| `run_many` over {args.seeds} seeds, 1 worker | {batch['1']:.1f} s |",
        f"| `run_many` over {args.seeds} seeds, 2 workers, first pool of the process | {batch['2 cold']:.1f} s |",
        f"| `run_many` over {args.seeds} seeds, 2 workers, a later pool | {batch['2 warm']:.1f} s |",
        f"| speedup, first pool (target {BATCH_SPEEDUP}) | {speedup:.2f}: {'met' if speedup >= BATCH_SPEEDUP else 'NOT met'} |",
        f"| speedup, a later pool (target {BATCH_SPEEDUP}) | {warm:.2f}: {'met' if warm >= BATCH_SPEEDUP else 'NOT met'} |", "",
    ])  # fmt: skip
    publish(report, md, Path(args.out), "api_time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
