"""Profile where the in-process total of the default run goes (cProfile).

Run from the repository root::

    python bench/profile_run.py [--runs 200] [--warmup 5] [--top 25] [--out results/bench]

Profiles ``--runs`` repetitions of exactly what ``bench_run.py`` times as
``in_process_total`` (model construction from prebuilt specs + ``run()``,
``events_frame`` + ``steps_frame``, ``summarize``) and prints:

* the unprofiled wall time of each stage and of each outcome in ``summarize``,
  and the part of a run spent in garbage collection,
* under cProfile: the share of each stage (cumulative time of its entry point),
* the share of each area of code (own time: ``sim/`` files, pandas, numpy, mesa, ...),
* the top functions by own time, and the top ``sim/`` functions by cumulative time.

cProfile adds a roughly constant cost per Python call, so it overstates code
that makes many small calls; read the shares as a ranking, and the unprofiled
ms per run printed alongside as the real cost. The report is also written to
``<out>/profile_py<version>_mesa<version>.txt``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

try:  # run as a script (python bench/profile_run.py): bench/ is on sys.path
    from bench_run import REPO, Inputs, machine_info, new_model, prepare
except ImportError:  # imported as bench.profile_run
    from bench.bench_run import REPO, Inputs, machine_info, new_model, prepare

from sim.experiments.runner import quiet_mesa
from sim.outputs.io import write_text
from sim.outputs.metrics import OUTCOMES, RunTables, summarize
from sim.outputs.tables import events_frame, steps_frame

# (file suffix, function name) of each stage's entry point.
STAGES: dict[str, tuple[str, str]] = {
    "model: SignalingModel.__init__": ("sim/core/model.py", "__init__"),
    "model: run()": ("sim/core/model.py", "run"),
    "tables: events_frame": ("sim/outputs/tables.py", "events_frame"),
    "tables: steps_frame": ("sim/outputs/tables.py", "steps_frame"),
    "summary: summarize": ("sim/outputs/metrics.py", "summarize"),
}

Key = tuple[str, int, str]


def one_run(inp: Inputs) -> None:
    """Exactly the work timed as ``in_process_total``."""
    model = new_model(inp)
    model.run()
    summarize(events_frame(model), steps_frame(model), inp.threshold)


class GCTimer:
    """Accumulates time spent in garbage collections while installed in ``gc.callbacks``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count: dict[int, int] = defaultdict(int)
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.count[info["generation"]] += 1


def wall_ms(inp: Inputs, runs: int) -> tuple[float, float, dict[int, int]]:
    """Unprofiled mean wall time per run and the part spent in garbage collection, in ms.

    Returns:
        ms per run, GC ms per run, and the number of collections per generation.
    """
    timer = GCTimer()
    gc.callbacks.append(timer)
    try:
        t0 = time.perf_counter()
        for _ in range(runs):
            one_run(inp)
        elapsed = time.perf_counter() - t0
    finally:
        gc.callbacks.remove(timer)
    return elapsed / runs * 1e3, timer.seconds / runs * 1e3, dict(sorted(timer.count.items()))


def breakdown(inp: Inputs, runs: int) -> dict[str, list[float]]:
    """Unprofiled wall time of each stage, and of each outcome inside ``summarize``, per run (s).

    Outcomes are computed in declaration order on one ``RunTables``, as
    ``summarize`` does, so work they share (cached on ``RunTables``) is
    charged to the first outcome that needs it.
    """
    samples: dict[str, list[float]] = defaultdict(list)
    clock = time.perf_counter
    for _ in range(runs):
        t0 = clock()
        model = new_model(inp)
        t1 = clock()
        model.run()
        t2 = clock()
        events = events_frame(model)
        t3 = clock()
        steps = steps_frame(model)
        t4 = clock()
        summarize(events, steps, inp.threshold)
        t5 = clock()
        for name, seconds in (("model: SignalingModel.__init__", t1 - t0), ("model: run()", t2 - t1),
                              ("tables: events_frame", t3 - t2), ("tables: steps_frame", t4 - t3),
                              ("summary: summarize", t5 - t4)):  # fmt: skip
            samples[name].append(seconds)
        try:
            tables = RunTables(events, steps, inp.threshold)
            for outcome in OUTCOMES:
                t = clock()
                outcome.compute(tables)
                samples[f"  summary/{outcome.name}"].append(clock() - t)
        except (AttributeError, TypeError):  # sim.outputs.metrics changed shape: skip the detail
            pass
    return samples


def render_breakdown(samples: dict[str, list[float]]) -> list[str]:
    stage_total = sum(statistics.median(v) for k, v in samples.items() if not k.startswith(" "))
    lines = [f"unprofiled breakdown (median ms/run over {len(samples['model: run()'])} runs; "
             f"share of the {stage_total * 1e3:.2f} ms sum of stage medians)"]  # fmt: skip
    for name, values in samples.items():
        med = statistics.median(values)
        lines.append(f"  {name:<44} {med * 1e3:7.3f}  {med / stage_total:6.1%}")
    return lines + [""]


def profile(inp: Inputs, runs: int) -> pstats.Stats:
    """cProfile ``runs`` runs with the garbage collector off.

    cProfile charges a collection to whichever function happened to trigger
    it (the same one every run, since runs allocate alike), which would show
    up as a spurious hot spot; GC time is measured separately by :func:`wall_ms`.
    """
    gc.collect()
    gc.disable()
    prof = cProfile.Profile()
    try:
        prof.enable()
        for _ in range(runs):
            one_run(inp)
        prof.disable()
    finally:
        gc.enable()
    return pstats.Stats(prof)


def label(key: Key) -> str:
    """``path:function`` with paths shortened to the installed package or the repository."""
    filename, _, func = key
    if filename == "~":
        return func  # a builtin, e.g. "<built-in method math.exp>"
    path = Path(filename)
    parts = path.parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            return f"{'/'.join(parts[parts.index(marker) + 1:])}:{func}"
    try:
        return f"{path.relative_to(REPO).as_posix()}:{func}"
    except ValueError:
        return f"{'/'.join(parts[-2:])}:{func}"


def area(key: Key) -> str:
    """Coarse owner of a function: an installed package, a sim/ or bench/ file, builtins or stdlib."""
    filename = key[0]
    if filename == "~":
        return "builtins (C)"
    path = Path(filename)
    parts = path.parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            return parts[parts.index(marker) + 1].removesuffix(".py")
    try:
        return path.relative_to(REPO).as_posix()
    except ValueError:
        return "stdlib"


def _find(stats: dict[Key, tuple], suffix: str, func: str) -> Key | None:
    for key in stats:
        if key[2] == func and key[0].replace("\\", "/").endswith(suffix):
            return key
    return None


def report(stats: pstats.Stats, runs: int, wall: tuple[float, float, dict[int, int]], top: int,
           parts: dict[str, list[float]]) -> str:  # fmt: skip
    """Render the stage, area and hot-spot tables as text."""
    raw: dict[Key, tuple] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    per_run = total / runs * 1e3
    ms, gc_ms, collections = wall
    lines = [
        f"profiled {runs} runs: {per_run:.2f} ms/run under cProfile; unprofiled {ms:.2f} ms/run, of which "
        f"{gc_ms:.2f} ms ({gc_ms / ms:.1%}) in garbage collection (collections by generation over "
        f"{runs} runs: {collections})",
        "",
        *render_breakdown(parts),
        "cProfile (garbage collector off, see profile(); its per-call overhead inflates call-heavy Python code):",
        "",
    ]
    lines += ["stage (cumulative)                     share   ms/run (profiled)"]
    for name, (suffix, func) in STAGES.items():
        key = _find(raw, suffix, func)
        ct = raw[key][3] if key else 0.0
        lines.append(f"  {name:<36} {ct / total:6.1%}  {ct / runs * 1e3:8.3f}")
    by_area: dict[str, float] = defaultdict(float)
    for key, v in raw.items():
        by_area[area(key)] += v[2]
    lines += ["", "area (own time)                        share"]
    for name, tt in sorted(by_area.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {name:<36} {tt / total:6.1%}")
    lines += ["", f"top {top} by own time                      share  calls/run  function"]
    for key, v in sorted(raw.items(), key=lambda kv: -kv[1][2])[:top]:
        lines.append(f"  {v[2] / total:6.1%}  {v[1] / runs:9.1f}  {label(key)}")
    lines += ["", f"top {top} sim/ functions by cumulative time   share  calls/run  function"]
    own = [(k, v) for k, v in raw.items() if area(k).startswith("sim/")]
    for key, v in sorted(own, key=lambda kv: -kv[1][3])[:top]:
        lines.append(f"  {v[3] / total:6.1%}  {v[1] / runs:9.1f}  {label(key)}")
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="profiled runs (default 200)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed warm-up runs (default 5)")
    parser.add_argument("--top", type=int, default=25, help="rows per table (default 25)")
    parser.add_argument("--out", type=Path, default=Path("results/bench"), help="output folder (default results/bench)")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0 or args.top < 1:
        parser.error("--runs and --top must be >= 1, --warmup >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_mesa()
    inp = prepare()
    for _ in range(args.warmup):
        one_run(inp)
    wall = wall_ms(inp, args.runs)
    parts = breakdown(inp, args.runs)
    text = report(profile(inp, args.runs), args.runs, wall, args.top, parts)
    info = machine_info()
    header = f"Python {info['python']}, Mesa {info['mesa']}, pandas {info['pandas']}, numpy {info['numpy']}\n"
    path = args.out / f"profile_py{info['python']}_mesa{info['mesa']}.txt"
    write_text(path, header + text)
    print(header + text, end="")
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
