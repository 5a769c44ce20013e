"""``python -m sim.calibrate``: fit the rules' parameters to the documented episodes.

An Optuna study (TPE sampler) maximises, over ``seeds`` model seeds, the
validation's mean skill against the null model on every documented fact
(``objective: skill``, as a split study does on its training facts; see
:data:`OBJECTIVES`), or the former fit score (``objective: fit``). Trials are stored in
``results/calibration/<study>/study.db``: re-running the command resumes the
study and adds trials until it has ``trials``. Trial ``n`` is drawn by a
sampler seeded with ``sampler_seed + n``, so an interrupted and resumed study
draws the same trials as an uninterrupted one.

At the end it evaluates the best parameters, the uncalibrated defaults and a
null model (no retaliation, no thaw) on the same seeds, writes a report
(``report.md``, ``trials.csv``, ``comparison.csv``, ``figures/``) and, unless
``write_config=false``, the calibrated config that the default run uses:
``configs/calibration/<study>.yaml`` plus one calibrated option file per rule
it touches (``configs/rules/<family>/<rule>_<study>.yaml``).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import hydra
import pandas as pd
import yaml
from omegaconf import DictConfig, OmegaConf

from sim.config.build import build_spec
from sim.config.compose import CONFIG_DIR, compose_config
from sim.config.search_space import Param
from sim.config.search_space import read_params as read_space
from sim.core.errors import SimInputError
from sim.experiments.runner import quiet_mesa, run_seeds, tables
from sim.history.calibrate_report import write_report
from sim.history.compare import Documented, Run, assess
from sim.outputs.io import write_json, write_text

REPO = CONFIG_DIR.parent
UNCALIBRATED = "~calibration"
NULL_MODEL = (
    "rules/retaliation@governments.CHN.retaliation=none", "rules/thaw@governments.CHN.thaw=none",
    "rules/retaliation@governments.USA.retaliation=none", "rules/thaw@governments.USA.thaw=none",
)  # fmt: skip


def read_params(cfg: DictConfig) -> list[Param]:
    """The parameters named in ``fit``, checked against ``params``."""
    space = OmegaConf.to_container(cfg.params, resolve=True)
    assert isinstance(space, dict)
    return read_space(list(cfg.fit), space, "configs/calibrate.yaml", "fit")


def overrides_for(values: Mapping[str, float], params: Sequence[Param]) -> list[str]:
    return [f"{p.key}={int(values[p.name]) if p.integer else repr(float(values[p.name]))}" for p in params]


def evaluate(
    overrides: Sequence[str], seeds: int, doc: Documented, keep_steps: list[pd.DataFrame] | None = None
) -> pd.DataFrame:
    """Run the model on seeds ``0..seeds-1`` with ``overrides``; one comparison row per run.

    Args:
        keep_steps: If given, each run's steps table is appended to it (for figures).
    """
    spec = build_spec(*compose_config(list(overrides)))  # once: every seed runs the same spec
    rows = []
    for seed, (events, steps) in zip(range(seeds), run_seeds(spec, range(seeds), tables)):
        if keep_steps is not None:
            keep_steps.append(steps)
        rows.append(assess(Run(events, steps, f"seed {seed}"), doc))
    return pd.DataFrame(rows)


def check_keys(base: Sequence[str], params: Sequence[Param]) -> None:
    """Every parameter's key must exist in the model config (composed uncalibrated; a null value, the
    weight scale's "declared value", counts)."""
    cfg, _ = compose_config([*base, UNCALIBRATED])
    absent = object()
    for p in params:
        if OmegaConf.select(cfg, p.key, default=absent) is absent:
            raise SimInputError("configs/calibrate.yaml", f"params.{p.name}.key", p.key, "not a key of the model config")


OBJECTIVES = ("skill", "fit")
"""What the shipped calibration maximises: ``skill``, the validation's mean skill against the null model
(:mod:`sim.history.calibrate_split`, here on every fact, as a split study does on its training facts), or
``fit``, the former fit score (:data:`sim.history.assess.FIT_WEIGHTS`), which cannot reject a wrong model."""


def check_objective(folder: Path, objective: str) -> None:
    """A stored study may be resumed only under the objective it was started with."""
    path = folder / "objective.txt"
    if (folder / "study.db").is_file() and not path.is_file():  # a study stored before objectives were recorded
        raise SimInputError(str(folder / "study.db"), "objective", objective, "the stored study does not record what it "
                            "maximised; choose another study= name or remove the folder")  # fmt: skip
    if path.is_file() and path.read_text().strip() != objective:
        raise SimInputError(str(path), "objective", objective, f"the stored study maximises {path.read_text().strip()!r}; "
                            "choose another study= name or remove the folder")  # fmt: skip
    write_text(path, objective + "\n")


def fit_objective(cfg: DictConfig, doc: Documented):
    """The in-sample objective: the mean fit score (:data:`sim.history.assess.FIT_WEIGHTS`) over the seeds."""

    def objective(overrides: Sequence[str]) -> tuple[float, dict[str, float]]:
        per_run = evaluate(overrides, int(cfg.seeds), doc)
        attrs = {c: float(per_run[c].mean()) for c in ("score.lags", "score.status", "score.thaw", "score.order")}
        return float(per_run["fit"].mean()), attrs

    return objective


def optimise(cfg: DictConfig, params: Sequence[Param], folder: Path, objective):
    """Run (or resume) the study until it has ``cfg.trials`` trials, maximising ``objective(overrides)``; return it."""
    import optuna
    from tqdm import tqdm

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    folder.mkdir(parents=True, exist_ok=True)
    study = optuna.create_study(
        study_name=str(cfg.study), storage=f"sqlite:///{folder / 'study.db'}", direction="maximize", load_if_exists=True
    )
    dists = {p.name: p.distribution() for p in params}
    base = [*cfg.model_overrides, UNCALIBRATED]
    with tqdm(total=int(cfg.trials), initial=min(len(study.trials), int(cfg.trials)), desc="calibration trials",
              unit="trial", file=sys.stderr) as bar:  # fmt: skip
        while len(study.trials) < int(cfg.trials):
            study.sampler = optuna.samplers.TPESampler(seed=int(cfg.sampler_seed) + len(study.trials))
            trial = study.ask(dists)
            try:
                value, attrs = objective([*base, *overrides_for(trial.params, params)])
            except SimInputError as e:  # a parameter combination the model refuses
                trial.set_user_attr("error", str(e))
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            else:
                for col, v in attrs.items():
                    trial.set_user_attr(col, v)
                study.tell(trial, value)
            bar.update(1)
            if study.best_trials:
                bar.set_postfix(best=f"{study.best_value:.3f}")
    return study


def calibrated_files(cfg: DictConfig, best: Mapping[str, float], params: Sequence[Param]) -> dict[Path, str]:
    """The calibrated config: rule option files for rule parameters, global values for the rest."""
    base = [*cfg.model_overrides, UNCALIBRATED]
    tuned, choices = compose_config([*base, *overrides_for(best, params)])
    study = str(cfg.study)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = f"# Calibrated by `python -m sim.calibrate study={study}` on {stamp}; do not edit by hand.\n"
    rule_packages = {k.partition("@")[2]: (k.partition("@")[0], v) for k, v in choices.items() if k.startswith("rules/")}
    out_dir = REPO / str(cfg.config_out)
    files: dict[Path, str] = {}
    overrides: list[str] = []
    direct: dict[str, Any] = {}
    main_body = _main_config_body()
    for p in params:
        packages = [pkg for pkg in rule_packages if p.key.startswith(pkg + ".")]
        if not packages or OmegaConf.select(main_body, p.key) is not None:
            # A government or regional parameter, or a rule parameter that config.yaml itself sets
            # (its values are merged after the rule files, so only this file, merged last, wins): set it directly.
            parts = p.key.split(".")
            # A list (the repertoire) is written whole: OmegaConf replaces lists on merge.
            at = next((i for i, part in enumerate(parts) if part.isdigit()), len(parts))
            key = ".".join(parts[:at])
            value = OmegaConf.select(tuned, key)
            direct[key] = OmegaConf.to_container(value, resolve=True) if OmegaConf.is_config(value) else value
            continue
        package = min(packages, key=len)  # the government's top-level rule, wrapping any inner one
        group, option = rule_packages[package]
        # One option file per government and rule: two governments may calibrate the same rule.
        owner = package.split(".")[1].lower() if package.startswith("governments.") else ""
        suffix = f"_{study}_{owner}" if owner else f"_{study}"
        name = option.removesuffix(suffix) + suffix
        node = OmegaConf.to_container(OmegaConf.select(tuned, package), resolve=True)
        files[out_dir / group / f"{name}.yaml"] = header + yaml.safe_dump(node, sort_keys=False)
        line = f"override /{group}@{package}: {name}"
        if line not in overrides:
            overrides.append(line)
    node_all = OmegaConf.create({})
    for key, value in direct.items():
        OmegaConf.update(node_all, key, value, force_add=True)
    body = OmegaConf.to_container(node_all)
    text = "# @package _global_\n" + header  # Hydra reads the package line only as the file's first line
    if overrides:
        text += "defaults:\n" + "".join(f"  - {o}\n" for o in overrides)
    if body:
        text += yaml.safe_dump(body, sort_keys=False)
    files[out_dir / "calibration" / f"{study}.yaml"] = text
    return files


def _main_config_body() -> DictConfig:
    """The values configs/config.yaml sets itself (its defaults list and Hydra settings left out)."""
    data = yaml.safe_load((CONFIG_DIR / "config.yaml").read_text()) or {}
    return OmegaConf.create({k: v for k, v in data.items() if k not in ("defaults", "hydra")})


def write_files(files: Mapping[Path, str]) -> None:
    for path, text in files.items():
        write_text(path, text)


def report(cfg: DictConfig, study, params: Sequence[Param], doc: Documented, folder: Path) -> dict[str, Any]:
    """Evaluate calibrated, default and null models on the same seeds; write the report."""
    seeds = int(cfg.seeds)
    base = list(cfg.model_overrides)
    calibrated_steps: list[pd.DataFrame] = []
    groups = {
        "calibrated": evaluate([*base, UNCALIBRATED, *overrides_for(study.best_params, params)], seeds, doc,
                               calibrated_steps),
        "default": evaluate([*base, UNCALIBRATED], seeds, doc),
        "null": evaluate([*base, UNCALIBRATED, *NULL_MODEL], seeds, doc),
    }  # fmt: skip
    result = write_report(cfg, study, params, groups, calibrated_steps, doc, folder)
    result["overrides"] = overrides_for(study.best_params, params)
    write_json(folder / "summary.json", result)
    return result


def run_calibration(cfg: DictConfig) -> dict[str, Any]:
    """The whole command: check, optimise (or resume), report, write the calibrated config."""
    quiet_mesa()
    logging.getLogger("optuna").setLevel(logging.WARNING)
    params = read_params(cfg)
    check_keys(list(cfg.model_overrides), params)
    for name in ("trials", "seeds", "sampler_seed"):
        v, least = cfg[name], 0 if name == "sampler_seed" else 1
        if isinstance(v, bool) or not isinstance(v, int) or v < least:
            raise SimInputError("configs/calibrate.yaml", name, v, f"must be a whole number of at least {least}")
    doc = Documented()
    split = str(cfg.get("split", "none"))
    if split != "none":
        return _calibrate_split(cfg, params, doc)
    folder = REPO / str(cfg.results_dir) / str(cfg.study)
    objective = str(cfg.get("objective", "skill"))
    if objective not in OBJECTIVES:
        raise SimInputError("configs/calibrate.yaml", "objective", objective, f"must be one of {', '.join(OBJECTIVES)}")
    check_objective(folder, objective)
    if objective == "skill":  # the validation's mean skill against the null model, on every fact
        from sim.history.calibrate_split import split_study

        study = optimise(cfg, params, folder, split_study(cfg, doc, [*cfg.model_overrides, UNCALIBRATED], NULL_MODEL).objective)
    else:
        study = optimise(cfg, params, folder, fit_objective(cfg, doc))
    if not study.best_trials:
        raise SimInputError(str(folder / "study.db"), "trials", len(study.trials), "no trial completed")
    result = report(cfg, study, params, doc, folder)
    if cfg.write_config:
        files = calibrated_files(cfg, study.best_params, params)
        write_files(files)
        result["written"] = [str(p) for p in files]
    return result


def _calibrate_split(cfg: DictConfig, params: Sequence[Param], doc: Documented) -> dict[str, Any]:
    """A study on one fold's training part (:mod:`sim.history.calibrate_split`); never writes the shipped config."""
    from sim.history.calibrate_split import check_resumable, split_study, write_split_summary

    s = split_study(cfg, doc, [*cfg.model_overrides, UNCALIBRATED], NULL_MODEL)
    study_cfg = OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))
    study_cfg.study = s.name
    folder = REPO / str(cfg.results_dir) / s.name
    check_resumable(folder, cfg)
    study = optimise(study_cfg, params, folder, s.objective)
    if not study.best_trials:
        raise SimInputError(str(folder / "study.db"), "trials", len(study.trials), "no trial completed")
    return write_split_summary(cfg, s, study, params, overrides_for(study.best_params, params), folder)


@hydra.main(config_path=str(CONFIG_DIR), config_name="calibrate", version_base="1.3")
def main(cfg: DictConfig) -> None:
    try:
        result = run_calibration(cfg)
    except SimInputError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    if "split" in result:
        print(f"Calibration done on the training part of split {result['split']} (fold {result['fold']}): "
              f"mean skill against the null model {result['training_skill']:+.3f} on training facts")  # fmt: skip
        print(f"  summary: {result['folder']}/summary.json (python -m sim.validate split=... reads it)")
        return
    folder = Path(str(cfg.results_dir)) / str(cfg.study)
    best = f"best {result['objective']} {result['best_value']:+.3f}; "
    print(f"Calibration done: {best}median fit calibrated {result['median_fit']['calibrated']:.3f}, "
          f"default {result['median_fit']['default']:.3f}, null {result['median_fit']['null']:.3f}")  # fmt: skip
    print(f"  report: {folder / 'report.md'}")
    for path in result.get("written", []):
        print(f"  wrote {path}")
    if math.isnan(result["median_fit"]["calibrated"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
