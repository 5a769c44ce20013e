"""A sweep folder says which sweep it holds, so that a different sweep never writes into it.

When a sweep starts (Hydra's ``on_multirun_start``), :class:`SweepIdentity`
compares the sweep asked for with the record ``sweep.json`` in its folder:

* no folder, or an empty one: the record is written and the sweep runs;
* the same sweep (the same command-line overrides, the same named sweep
  parameters): it resumes, and each job's own record decides whether it runs
  again (:mod:`sim.experiments.job_record`);
* a different sweep, or job folders with no record (a sweep of an older
  version): the command stops with one line, exit code 2, before any job runs,
  because its jobs would be numbered like the old ones and ``runs.parquet``
  would mix both.

Hydra's own settings (``hydra.*``: the launcher, the folder itself) are not part
of a sweep's identity: the same sweep resumed with another launcher is the same sweep.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim.experiments.job_record import read_json_object
from sim.outputs.io import write_json
from sim.outputs.provenance import now, provenance

RECORD = "sweep.json"


def identity(config: DictConfig) -> dict[str, Any]:
    """What makes a sweep this sweep: its command-line overrides and its named sweep's parameters."""
    task = [str(o) for o in OmegaConf.to_container(config.hydra.overrides.task, resolve=False) or []]
    params = OmegaConf.select(config, "hydra.sweeper.params", default=None)
    return {
        "overrides": [o for o in task if not o.lstrip("+~").startswith("hydra")],
        "sweeper_params": OmegaConf.to_container(params, resolve=False) if params is not None else None,
    }


def _words(ident: dict[str, Any]) -> str:
    text = " ".join(ident.get("overrides") or []) or "no overrides"
    if ident.get("sweeper_params"):
        text += f"; sweep parameters {ident['sweeper_params']}"
    return text if len(text) <= 160 else text[:157] + "..."


def check_folder(folder: Path, ident: dict[str, Any]) -> str | None:
    """Why a sweep with ``ident`` may not run in ``folder``, or None (and the record written) if it may."""
    record_path = folder / RECORD
    if record_path.exists():
        record = read_json_object(record_path)
        if record is None:
            return f"its record {RECORD} cannot be read; choose another hydra.sweep.dir"
        held = {k: record.get(k) for k in ident}
        if held != ident:
            return (f"holds another sweep ({_words(held)}); choose another hydra.sweep.dir, or repeat that "
                    "sweep's command to resume it")  # fmt: skip
        return None
    jobs = [p.name for p in folder.iterdir() if p.is_dir() and p.name.isdigit()] if folder.is_dir() else []
    if jobs:
        return (f"holds {len(jobs)} job folder(s) of a sweep with no {RECORD} (made by an older version, or not "
                "a sweep); choose another hydra.sweep.dir")  # fmt: skip
    write_json(record_path, {**ident, "provenance": provenance(now(), refresh=False)})
    return None


class SweepIdentity(Callback):
    """Hydra callback: refuse to start a sweep in a folder that holds a different one (module docstring)."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        folder = Path(str(config.hydra.sweep.dir))
        try:
            why = check_folder(folder, identity(config))
        except OSError as e:
            why = f"cannot be written ({e.strerror or e})"
        if why:
            print(f"error: hydra.sweep.dir={folder}: {why}", file=sys.stderr)
            sys.exit(2)
