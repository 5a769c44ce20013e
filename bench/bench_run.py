"""Time one default historical run in-process, and a naive per-day Mesa model of it.

Run from the repository root::

    python bench/bench_run.py [--repeats 50] [--warmup 5] [--out results/bench]

Every measurement is taken with ``time.perf_counter`` after warm-up; the
measurements are interleaved repeat by repeat (so drift on a noisy machine hits
them all alike) and reported as median and interquartile range in
milliseconds. What each one covers is described in ``bench/README.md``.

Results go to ``<out>/run_time.json`` and ``<out>/run_time.md`` (the latest run)
and to copies tagged with the Python and Mesa versions, so runs on both
interpreters are kept side by side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from sim.config.build import ModelSpec, build, build_spec
from sim.config.compose import compose_config
from sim.core.model import SignalingModel
from sim.experiments.runner import quiet_mesa, run_seeds, tables
from sim.outputs.metrics import summarize
from sim.outputs.tables import events_frame

try:  # run as a script (python bench/bench_run.py): bench/ is on sys.path
    from bench_common import REPO, machine_info, publish
    from naive_model import run_naive
    from run_checks import check_equivalence
except ImportError:  # imported as bench.bench_run
    from bench.bench_common import REPO, machine_info, publish
    from bench.naive_model import run_naive
    from bench.run_checks import check_equivalence

__all__ = ["REPO", "Inputs", "machine_info", "new_model", "prepare"]  # what bench/profile_run.py uses

LIMIT_MS = 10.0  # the requirement: the default run in-process, after warm-up
TARGET_RATIO = 3.0  # ... about 3 times less than a naive per-day Mesa model

# Reported measurements, in table order, with what each one times.
MEASUREMENTS: dict[str, str] = {
    "compose": "one-off: Hydra composes configs/config.yaml (uncached; compose_config caches it per override list)",
    "build": "build(cfg): config to dicts, scenario (cached after its first parse), rules, model constructed",
    "api_run": "sim.run(): the public call a notebook makes (cached compose + build + run + tables + summary, nothing written)",
    "model": "spec.model(seed) + model.run(), in the run loop (sim.experiments.runner.run_seeds)",
    "tables": "events_frame + steps_frame (the run loop's tables measure)",
    "summary": "summarize(events, steps, threshold)",
    "in_process_total": "model + tables + summary, one run_seeds call (the figure the 10 ms requirement refers to)",
    "naive": "naive Mesa model: construct, step() every day (shuffle_do + DataCollector), get_model_vars_dataframe",
    "naive_total": "naive + events_frame + summarize on its table (like-for-like with in_process_total)",
}


@dataclass(frozen=True)
class Inputs:
    """Everything a run needs, composed and built once: the config, its group choices and the model spec."""

    cfg: DictConfig
    choices: dict[str, str]
    spec: ModelSpec

    @property
    def threshold(self) -> float:
        return self.spec.crisis_threshold


def prepare(overrides: Sequence[str] = ()) -> Inputs:
    """Compose the config and build its spec once, for every timed run to reuse.

    Reusing rule objects across sequential runs is safe: each ``Government``
    resets its rules when constructed (see ``sim.config.build.ModelSpec``).
    """
    cfg, choices = compose_config(overrides)
    return Inputs(cfg, choices, build_spec(cfg, choices))


def new_model(inp: Inputs) -> SignalingModel:
    """A fresh event-driven model from the prebuilt spec (no parsing)."""
    return inp.spec.model()


# -- timed bodies --------------------------------------------------------------
def time_compose(inp: Inputs) -> dict[str, float]:
    from sim.config.compose import _compose_cached

    t0 = time.perf_counter()
    _compose_cached.__wrapped__((), 0)  # bypass the cache: the first call's cost
    return {"compose": time.perf_counter() - t0}


def time_api_run(inp: Inputs) -> dict[str, float]:
    from sim import run

    t0 = time.perf_counter()
    run()
    return {"api_run": time.perf_counter() - t0}


def time_build(inp: Inputs) -> dict[str, float]:
    t0 = time.perf_counter()
    model, _ = build(inp.cfg, inp.choices)
    return {"build": time.perf_counter() - t0}


def time_in_process(inp: Inputs) -> dict[str, float]:
    """One run from the prebuilt spec through the run loop, timed in its three parts."""
    marks: list[float] = []

    def measure(model: SignalingModel, spec: ModelSpec) -> None:
        marks.append(time.perf_counter())
        events, steps = tables(model, spec)
        marks.append(time.perf_counter())
        summarize(events, steps, spec.crisis_threshold)
        marks.append(time.perf_counter())

    t0 = time.perf_counter()
    for _ in run_seeds(inp.spec, [inp.spec.seed], measure):
        pass
    t3 = time.perf_counter()
    t1, t2, t_summary = marks
    return {"model": t1 - t0, "tables": t2 - t1, "summary": t_summary - t2, "in_process_total": t3 - t0}


def time_naive(inp: Inputs) -> dict[str, float]:
    """One naive run; then the events table and summary a user would still need."""
    t0 = time.perf_counter()
    model, table = run_naive(inp.spec.scenario, inp.spec.governments, inp.spec.regional, inp.spec.seed, inp.spec.scale)
    t1 = time.perf_counter()
    summarize(events_frame(model), table, inp.threshold)
    t2 = time.perf_counter()
    return {"naive": t1 - t0, "naive_total": t2 - t0}


Timer = Callable[[Inputs], dict[str, float]]


def measure(inp: Inputs, repeats: int, warmup: int, compose_repeats: int) -> dict[str, list[float]]:
    """Warm up, then run every timer once per repeat, interleaved; return samples in seconds."""
    timers: list[Timer] = [time_build, time_api_run, time_in_process, time_naive]
    for _ in range(warmup):
        time_compose(inp)
        for timer in timers:
            timer(inp)
    samples: dict[str, list[float]] = {name: [] for name in MEASUREMENTS}
    for i in range(repeats):
        chosen = [time_compose, *timers] if i < compose_repeats else timers
        for timer in chosen:
            for name, seconds in timer(inp).items():
                samples[name].append(seconds)
    return samples


# -- statistics and report -------------------------------------------------------
def describe(values: Sequence[float], scale: float = 1e3) -> dict[str, float | int]:
    """Median, quartiles (inclusive method), minimum and count of ``values * scale`` (default: s -> ms)."""
    ms = [v * scale for v in values]
    q1, median, q3 = statistics.quantiles(ms, n=4, method="inclusive") if len(ms) > 1 else (ms[0],) * 3
    return {"median": median, "q1": q1, "q3": q3, "iqr": q3 - q1, "min": min(ms), "n": len(ms)}


def ratios(samples: Mapping[str, Sequence[float]], stats: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """Naive over event-driven: ratio of medians, and the spread of per-repeat ratios."""
    out: dict[str, Any] = {}
    for naive in ("naive", "naive_total"):
        paired = [n / f for n, f in zip(samples[naive], samples["in_process_total"])]
        out[f"{naive}/in_process_total"] = {
            "ratio_of_medians": stats[naive]["median"] / stats["in_process_total"]["median"],
            "paired": describe(paired, scale=1.0),
        }
    return out


def build_report(samples: Mapping[str, Sequence[float]], info: Mapping[str, Any], args: argparse.Namespace,
                 run: Mapping[str, Any]) -> dict[str, Any]:  # fmt: skip
    stats = {name: describe(samples[name]) for name in MEASUREMENTS if samples[name]}
    total = stats["in_process_total"]["median"]
    rat = ratios(samples, stats)
    return {
        "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": dict(info),
        "settings": {"repeats": args.repeats, "warmup": args.warmup, "compose_repeats": args.compose_repeats},
        "run": dict(run),
        "unit": "ms",
        "measurements": {name: {**stats[name], "what": MEASUREMENTS[name]} for name in stats},
        "ratios": rat,
        "requirement": {
            "limit_ms": LIMIT_MS,
            "in_process_total_median_ms": total,
            "met": total <= LIMIT_MS,
            "target_ratio": TARGET_RATIO,
            "naive/in_process_total": rat["naive/in_process_total"]["ratio_of_medians"],
        },
    }


def render_markdown(report: Mapping[str, Any]) -> str:
    """A short table of the report."""
    m, run, req = report["machine"], report["run"], report["requirement"]
    lines = [
        f"# Run time: {run['scenario']}, seed {run['seed']} ({run['n_days']} days, {run['n_signals']} signals)",
        "",
        f"Python {m['python']}, Mesa {m['mesa']}, numpy {m['numpy']}, pandas {m['pandas']}; "
        f"{m['cpu_count']} CPUs ({m['cpu_model']}); {report['timestamp']}; "
        f"{report['settings']['repeats']} repeats after {report['settings']['warmup']} warm-up.",
        "",
        "| measurement | median ms | q1 ms | q3 ms | IQR ms | n |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in report["measurements"].items():
        lines.append(f"| {name} | {s['median']:.2f} | {s['q1']:.2f} | {s['q3']:.2f} | {s['iqr']:.2f} | {s['n']} |")
    lines += ["", "| ratio | of medians | paired median | paired q1-q3 |", "|---|---:|---:|---:|"]
    for name, r in report["ratios"].items():
        p = r["paired"]
        lines.append(f"| {name} | {r['ratio_of_medians']:.2f} | {p['median']:.2f} | {p['q1']:.2f}-{p['q3']:.2f} |")
    verdict = "met" if req["met"] else "NOT met"
    lines += [
        "",
        f"Requirement: in_process_total median {req['in_process_total_median_ms']:.2f} ms "
        f"<= {req['limit_ms']:g} ms: {verdict}; naive/in_process_total {req['naive/in_process_total']:.1f}x "
        f"(target about {req['target_ratio']:g}x).",
    ]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50, help="timed repeats of each measurement (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed warm-up runs (default 5)")
    parser.add_argument("--compose-repeats", type=int, default=10,
                        help="repeats of the slow one-off Hydra compose (default 10)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=Path("results/bench"), help="output folder (default results/bench)")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.warmup < 0 or args.compose_repeats < 0:
        parser.error("--repeats must be >= 1, --warmup and --compose-repeats >= 0")
    args.compose_repeats = min(args.compose_repeats, args.repeats)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_mesa()
    inp = prepare()
    run = check_equivalence(inp.cfg, inp.choices, inp.spec)
    samples = measure(inp, args.repeats, args.warmup, args.compose_repeats)
    report = build_report(samples, machine_info(), args, run)
    publish(report, render_markdown(report), args.out, "run_time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
