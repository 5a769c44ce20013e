"""The Hydra command behind ``python -m sim``: run the configured scenario (or a sweep's job), write its folder.

:mod:`sim.__main__` answers ``--help`` first, without importing this module's Hydra and model stack.

Bad input, an OS error (a folder that cannot be made, a full disk) or a Hydra
error ends the run with a one-line error on stderr, exit code 2, and no run
folder left behind; Ctrl-C or SIGTERM with one line saying how to resume, exit
code 130 (:mod:`sim.config.entry`). Input that is valid but worth a remark
(scripted events whose ``intensity`` overrides the weight scale) gets one
``notice:`` line on stderr per remark, after the run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.api import execute, format_summary
from sim.config.calibration import apply_calibration
from sim.config.checks import override_args, validate_runs
from sim.config.compose import CONFIG_DIR
from sim.config.entry import check_command_line, discard_record, os_problem, pinned_sweep_dir, run_hydra
from sim.core.errors import SimInputError
from sim.experiments.sweep import run_job
from sim.outputs.run_folder import mark_reused, refuse_complete

@hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    choices = {k: str(v) for k, v in hc.runtime.choices.items() if v is not None}
    try:
        cfg = apply_calibration(cfg, choices, list(hc.overrides.task))
    except SimInputError as e:
        discard_record(out, out.parent)
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    if hc.mode == RunMode.MULTIRUN:  # one job of a sweep: record its runs, aggregate at the end
        run_job(cfg, choices, int(hc.job.num), list(hc.overrides.task), out, progress=sys.stderr.isatty())
        return
    mark_reused(out)  # a complete run from before, in the same timestamped folder: no longer whole
    try:
        result = execute(cfg, out, choices=choices)
    except SimInputError as e:
        discard_record(out, out.parent)
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except OSError as e:  # a full disk, a folder that cannot be written: said here, or Hydra adds its own line
        discard_record(out, out.parent)
        print(f"error: {os_problem(e)}", file=sys.stderr)
        sys.exit(2)
    except BaseException:
        discard_record(out, out.parent)  # an OS error, an interrupt or a bug: leave no folder, let the entry say why
        raise
    for notice in result.notices:  # a single run only: a sweep's jobs would repeat it once per job
        print(notice, file=sys.stderr)
    print(format_summary(result))


def checked_main() -> None:
    """Check every run's config (before Hydra writes anything), then hand over to Hydra (:mod:`sim.config.entry`)."""
    argv = sys.argv[1:]
    multirun = bool({"-m", "--multirun"} & set(argv))
    try:
        check_command_line(argv)
        validate_runs(argv)
        refuse_complete(override_args(argv), multirun=multirun)
        if multirun:  # name the sweep's folder now, so that an interrupt can say where to resume
            sys.argv = [sys.argv[0], *pinned_sweep_dir(argv)]
    except SimInputError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    run_hydra(main, lambda: _resume_hint(sys.argv[1:], multirun))


def _resume_hint(argv: list[str], multirun: bool) -> str:
    if not multirun:
        return "the run was not written; run the same command again"
    folder = next(a.split("=", 1)[1] for a in reversed(argv) if a.startswith("hydra.sweep.dir="))
    return (f"the sweep's finished jobs are kept in {folder}: run the same command with hydra.sweep.dir={folder} "
            "to resume it (only unfinished jobs run)")  # fmt: skip
