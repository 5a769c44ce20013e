"""``python -m sim.calibrate``: a posterior of the rules' parameters given the documented episodes.

The study (:mod:`sim.history.abc_study`: ABC-SMC with pyabc, priors from
``configs/calibrate.yaml``, distance one minus the validation's mean skill
against the null model) is stored under its own name in
``results/calibration/<study>/`` (``<study>_<fold>`` for a split's training
part) and resumed when run again. At the end it writes the posterior
(``posterior.csv``: weights and values), identifiability per parameter, figures
and a report (:mod:`sim.history.posterior_report`), and ``summary.json`` with
the declared point (the weighted marginal medians) as overrides, which
``python -m sim.validate split=...`` applies to a split's fitted models.

A study never writes the shipped calibration: ``python -m sim.promote <study>``
does that, as a separate, explicit step (:mod:`sim.history.promote`).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.compose import CONFIG_DIR, compose_config
from sim.config.entry import checked_command, discard_record, hydra_problem
from sim.config.help import config_help, print_help, wants_help
from sim.config.search_space import Param
from sim.config.search_space import read_params as read_space
from sim.core.errors import SimInputError
from sim.core.extras import exit_unless_installed, require
from sim.core.shipped import results_root
from sim.experiments.runner import quiet_mesa
from sim.history.abc_records import populations, posterior_frame
from sim.history.abc_study import NULL_MODEL, UNCALIBRATED, StudySettings, run_study
from sim.history.abc_study import read_settings as read_study_settings
from sim.history.posterior_report import point, write_outputs
from sim.history.validation import mean_skill
from sim.outputs.io import write_json
from sim.outputs.provenance import now, provenance

__all__ = ["NULL_MODEL", "UNCALIBRATED", "cli", "main", "overrides_for", "read_params", "run_calibration"]


def read_params(cfg: DictConfig) -> list[Param]:
    """The parameters named in ``fit``, checked against ``params``."""
    space = OmegaConf.to_container(cfg.params, resolve=True)
    assert isinstance(space, dict)
    return read_space(list(cfg.fit), space, "configs/calibrate.yaml", "fit")


def overrides_for(values: Mapping[str, float], params: Sequence[Param]) -> list[str]:
    """Hydra overrides setting each parameter (by name in ``values``) at its config key."""
    return [f"{p.key}={int(values[p.name]) if p.integer else repr(float(values[p.name]))}" for p in params]


def check_keys(base: Sequence[str], params: Sequence[Param]) -> None:
    """Every parameter's key must exist in the model config (composed uncalibrated; a null value, the
    weight scale's "declared value", counts)."""
    cfg, _ = compose_config([*base, UNCALIBRATED])
    absent = object()
    for p in params:
        if OmegaConf.select(cfg, p.key, default=absent) is absent:
            raise SimInputError(
                "configs/calibrate.yaml", f"params.{p.name}.key", p.key, "not a key of the model config"
            )


def study_settings(cfg: DictConfig) -> StudySettings:
    """The checked settings, the study named ``<study>_<fold>`` on a split's training part."""
    params = read_params(cfg)
    check_keys(list(cfg.model_overrides), params)
    s = read_study_settings(cfg, params, results_root())
    if s.split == "none":
        return s
    from sim.history.splits import split_tag

    if s.split == "loeo":
        raise SimInputError("configs/calibrate.yaml", "split", s.split, "calibrate one fold at a time: "
                            "split=episode:<EPISODE> for each episode")  # fmt: skip
    name = f"{s.study}_{split_tag(s.split)}"
    return StudySettings(**{**s.__dict__, "study": name, "folder": s.folder.parent / name})


def run_calibration(cfg: DictConfig, progress: bool | None = None) -> dict[str, Any]:
    """The whole command: check, run (or resume) the study, write its posterior, report and summary."""
    require("calibrate", "python -m sim.calibrate", ("pyabc",))
    started = now()
    quiet_mesa()
    s = study_settings(cfg)
    history, model, evaluations = run_study(s, progress)
    # summary.json is the set's last file: until it is written again, readers (validate, promote) refuse the folder.
    (s.folder / "summary.json").unlink(missing_ok=True)
    if history.n_populations == 0:
        raise SimInputError(str(s.folder / "abc.db"), "generations", 0, "no generation completed")
    post = posterior_frame(history, s.params)
    pops = populations(history)
    best = point(post, s.params)
    point_skill = {
        k.removeprefix("skill."): v for k, v in model.skills({p.key: best[p.name] for p in s.params}).items()
    }
    training = mean_skill(point_skill)
    fold = model.fold
    part = "every documented fact" if s.split == "none" else f"the training part of split {s.split} (fold {fold.name})"
    calibration_sample = int(history.total_nr_simulations) - int(pops["simulations"].sum())
    notes = [f"Fitted on {part}: {len(fold.train.ids)} facts; test facts never entered the distance.",
             f"Simulations in all: {int(history.total_nr_simulations)}, of which {calibration_sample} are pyabc's "
             "calibration sample of prior draws (generation -1 in `evaluations.csv`), which set the first tolerance.",
             f"The declared point's mean skill against the null model on these facts: {training:+.3f}."]  # fmt: skip
    ident = write_outputs(s.folder, f"Posterior calibration `{s.study}`", s.fingerprint, post, evaluations.frame(),
                          s.params, pops, point_skill, notes)  # fmt: skip
    summary = {
        "study": s.study, "split": s.split, "fold": fold.name,
        "settings": {"split": s.split if s.split != "none" else "none", "temporal_cutoff": s.cutoff,
                     "model_overrides": list(s.model_overrides)},
        "generations": int(history.n_populations), "simulations": int(history.total_nr_simulations),
        "final_tolerance": float(pops["epsilon"].iloc[-1]) if math.isfinite(pops["epsilon"].iloc[-1]) else None,
        "effective_particles": float(pops["effective_particles"].iloc[-1]), "particles": int(len(post)),
        "point": "weighted marginal median", "values": {p.key: best[p.name] for p in s.params},
        "overrides": overrides_for(best, s.params), "training_skill": training,
        "training_skill_by_pattern": point_skill,
        "verdicts": dict(zip(ident["parameter"], ident["verdict"])),
        "provenance": provenance(started),  # of this invocation (a resumed study began earlier)
    }  # fmt: skip
    write_json(s.folder / "summary.json", _finite(summary))
    return {**summary, "folder": s.folder}


def _finite(value: Any) -> Any:
    """``value`` with every non-finite number as None (JSON has none; a pattern a fold's training part lacks
    has no skill)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return None if isinstance(value, float) and not math.isfinite(value) else value


@hydra.main(config_path=str(CONFIG_DIR), config_name="calibrate", version_base="1.3")
def main(cfg: DictConfig) -> None:
    try:
        try:
            result = run_calibration(cfg)
        except (HydraException, OmegaConfBaseException) as e:  # a deleted setting, a bad model override
            raise SimInputError("configs/calibrate.yaml or the command line", "settings", " ".join(
                HydraConfig.get().overrides.task), hydra_problem(e)) from None
    except SimInputError as e:
        discard_record(Path(HydraConfig.get().runtime.output_dir), results_root() / str(cfg.results_dir))
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    where = "every fact" if result["split"] == "none" else f"the training part of {result['split']}"
    print(f"Calibration {result['study']}: {result['generations']} generations, {result['simulations']} simulations, "
          f"final tolerance {result['final_tolerance'] or math.inf:.3f}; the posterior median's mean skill against the null "
          f"model on {where}: {result['training_skill'] if result['training_skill'] is not None else math.nan:+.3f}")  # fmt: skip
    verdicts = result["verdicts"]
    for label in ("pinned down", "weakly informed", "not identified"):
        names = [n for n, v in verdicts.items() if v == label]
        print(f"  {label}: {', '.join(names) or 'none'}")
    print(f"  report: {Path(result['folder']) / 'report.md'}")
    if result["split"] == "none":
        print(f"  make it the default run's calibration: python -m sim.promote {result['study']}")


def cli() -> None:
    """The command: the calibrate extra is checked before Hydra writes its record, then :func:`main`."""
    if wants_help(sys.argv[1:]):
        print_help(config_help("python -m sim.calibrate", "calibrate"))
        return
    exit_unless_installed("calibrate", "python -m sim.calibrate", ("pyabc",))
    checked_command(main, "calibrate", "the study keeps its finished generations: run the same command to resume it")


if __name__ == "__main__":
    cli()
