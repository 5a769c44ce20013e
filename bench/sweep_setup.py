"""The sweep the benchmark times: its shape (read from configs/sweep/scale_10k.yaml), its commands, what each measures."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SWEEP = "scale_10k"  # configs/sweep/scale_10k.yaml: jobs (seed=range(0,N)) x replicates; read from the file
DEFAULT_RUNS = 10_000  # what the requirements are about

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


def sweep_shape() -> tuple[list[int], int]:
    """The base seeds (one per job) and replicates per job of configs/sweep/scale_10k.yaml."""
    import yaml

    data = yaml.safe_load((REPO / "configs" / "sweep" / f"{SWEEP}.yaml").read_text())
    spec = str(data["hydra"]["sweeper"]["params"]["seed"])
    m = re.fullmatch(r"\s*range\(\s*(-?\d+)\s*,\s*(-?\d+)\s*(?:,\s*(-?\d+)\s*)?\)\s*", spec)
    seeds = list(range(int(m[1]), int(m[2]), int(m[3] or 1))) if m else [int(s) for s in spec.split(",")]
    return seeds, int(data["replicates"])


def sweep_command(launcher: Sequence[str], sweep_dir: Path, extra: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "sim", f"+sweep={SWEEP}", *launcher, f"hydra.sweep.dir={sweep_dir}", *extra]
