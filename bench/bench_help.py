"""Time ``--help``: each command's help against the import it cannot do without, and Hydra's own help.

Run from the repository root::

    python bench/bench_help.py [--repeats 5] [--out results/bench]

Each command is a fresh interpreter, timed from spawn to exit (median of ``--repeats``):

* ``python -m sim --help`` (the project's help, written from the shipped files);
* ``python -c "import sim.core.model"``: the model's own import (Mesa, numpy, pandas), which a
  command cannot do without; the requirement is help "in about the time of an import";
* ``python -m sim --hydra-help``: Hydra's help, which composes the config;
* ``python -m sim.calibrate --help``, ``sim.sensitivity --help``, ``sim.validate --help``.

The verdict: ``--help`` within 1.25 times the import's time. Reports go to ``<out>/help_time.{md,json}``
and copies tagged with the Python and Mesa versions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_common import REPO, machine_info, machine_line, publish

LIMIT = 1.25
"""``python -m sim --help`` may take at most this many times the model's import."""

COMMANDS = {
    "import sim.core.model": ["-c", "import sim.core.model"],
    "python -m sim --help": ["-m", "sim", "--help"],
    "python -m sim --hydra-help": ["-m", "sim", "--hydra-help"],
    "python -m sim.calibrate --help": ["-m", "sim.calibrate", "--help"],
    "python -m sim.sensitivity --help": ["-m", "sim.sensitivity", "--help"],
    "python -m sim.validate --help": ["-m", "sim.validate", "--help"],
}


def seconds(args: list[str], repeats: int) -> list[float]:
    """Wall times of ``python ARGS`` from spawn to exit; a failing command stops the benchmark."""
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=120)
        out.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise SystemExit(f"error: python {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[:300]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default="results/bench")
    args = parser.parse_args(argv)
    seconds(COMMANDS["import sim.core.model"], 1)  # warm the file cache, as a user's second command would find it
    times = {name: seconds(cmd, args.repeats) for name, cmd in COMMANDS.items()}
    median = {name: statistics.median(t) for name, t in times.items()}
    ratio = median["python -m sim --help"] / median["import sim.core.model"]
    report = {"benchmark": "help", "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "machine": machine_info(), "repeats": args.repeats, "seconds": times, "median_seconds": median,
              "help_over_import": ratio, "limit": LIMIT, "met": ratio <= LIMIT}  # fmt: skip
    rows = [f"| `{name}` | {median[name]:.2f} s |" for name in COMMANDS]
    md = "\n".join([
        "# `--help`: time", "",
        f"{machine_line(report)}; "
        f"median of {args.repeats} fresh interpreters each.", "",
        "| command | median |", "|---|---|", *rows, "",
        f"`python -m sim --help` over the model's import: {ratio:.2f} (limit {LIMIT}): {'met' if report['met'] else 'NOT met'}.",
        "",
    ])  # fmt: skip
    publish(report, md, Path(args.out), "help_time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
