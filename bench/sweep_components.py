"""Parts of a sweep timed on their own, each in a fresh interpreter: start-up, imports, validation, aggregation."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from proc_tree import last_json, run_timed

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
from sim.experiments import aggregate as a
from sim.outputs.io import atomic_write
t["import_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
import sim.experiments.sweep_tables as sp
t["import_sweep_tables_s"] = time.perf_counter() - t0
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
        "import_sim_main_s": _min_wall([py, "-c", "import sim.run_command"], n),
    }
    v = last_json(run_timed([py, "-c", _VALIDATE, *sweep_args])["stdout"])
    out["validate_s"] = v["validate_s"]
    agg = last_json(run_timed([py, "-c", _AGGREGATE, str(sweep_dir)])["stdout"])
    out.update({f"aggregate.{k}": s for k, s in agg.items()})
    out["cli_aggregate_no_figures_s"] = run_timed([py, "-m", "sim.aggregate", str(sweep_dir), "--no-figures"])["wall_s"]
    out["cli_aggregate_figures_s"] = run_timed([py, "-m", "sim.aggregate", str(sweep_dir)])["wall_s"]
    return out
