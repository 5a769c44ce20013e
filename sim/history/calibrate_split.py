"""``python -m sim.calibrate split=...``: fit the parameters on the training part of one fold only.

The objective is the validation's (:mod:`sim.history.validation`): the mean over
patterns of the model's skill against the null model on the fold's training
facts, each pattern floored at :data:`sim.history.validation.SKILL_FLOOR`. Test
facts never enter it. The study is stored as ``<study>_<fold>`` (e.g.
``historical_temporal``, ``historical_balloon``) under ``results_dir``; its
``summary.json`` holds the best parameters as overrides, which
``python -m sim.validate split=...`` applies to the fitted models. A split
study never writes the shipped calibration config.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf, open_dict

from sim.config.build import build_spec
from sim.config.compose import compose_config
from sim.config.search_space import Param
from sim.core.errors import SimInputError
from sim.experiments.runner import run_seeds, tables
from sim.history.documented import Documented
from sim.history.facts import PATTERNS, derive_facts
from sim.history.observe import Observation, observe
from sim.history.splits import make_split
from sim.history.validation import common_facts, mean_skill, pattern_scores, score_model, skill_table
from sim.outputs.io import Run, write_json, write_text

SOURCE = "configs/calibrate.yaml"


def training_skill(facts, train, model: list[Observation], null: list[Observation]) -> dict[str, float]:
    """Per pattern, the model's skill against the null model on the training facts both can show."""
    table = pd.concat([score_model(facts, model, train).assign(model="model", part="train"),
                       score_model(facts, null, train).assign(model="null", part="train")], ignore_index=True)  # fmt: skip
    skills = skill_table(pattern_scores(table, common_facts(table)), ["null"])
    mine = skills[(skills["model"] == "model") & (skills["pattern"] != "mean")]
    return dict(zip(mine["pattern"], mine["skill"].astype(float)))


def run_split_calibration(cfg: DictConfig, params: Sequence[Param], doc: Documented) -> dict[str, Any]:
    """Optimise (or resume) the fold's study, then write its summary and a short report."""
    from sim.history.calibrate import NULL_MODEL, REPO, UNCALIBRATED, optimise, overrides_for

    split = str(cfg.split)
    base = [*cfg.model_overrides, UNCALIBRATED]
    seeds = range(int(cfg.seeds))

    def observations(overrides: Sequence[str]) -> list[Observation]:
        spec = build_spec(*compose_config(list(overrides)))
        return [observe(Run(e, s, "run"), facts) for e, s in run_seeds(spec, seeds, tables)]

    facts = derive_facts(doc, build_spec(*compose_config(base)).scenario)
    cutoff = None
    if split == "temporal":
        try:
            cutoff = pd.Timestamp(str(cfg.temporal_cutoff))
        except ValueError:
            raise SimInputError(SOURCE, "temporal_cutoff", cfg.temporal_cutoff, "must be a date written YYYY-MM-DD") from None
    folds = make_split(facts, split, cutoff, SOURCE)
    if len(folds) != 1:
        raise SimInputError(SOURCE, "split", split, "calibrate one fold at a time: split=temporal or "
                            "split=episode:<EPISODE> (leave-one-episode-out: one study per episode)")  # fmt: skip
    fold = folds[0]
    name = f"{cfg.study}_{fold.name}"
    folder = REPO / str(cfg.results_dir) / name
    null = observations([*base, *NULL_MODEL])

    def objective(overrides: Sequence[str]) -> tuple[float, dict[str, float]]:
        skills = training_skill(facts, fold.train, observations(overrides), null)
        return mean_skill(skills), {f"skill.{k}": v for k, v in skills.items()}

    study_cfg = OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))
    with open_dict(study_cfg):
        study_cfg.study = name
    study = optimise(study_cfg, params, folder, objective)
    if not study.best_trials:
        raise SimInputError(str(folder / "study.db"), "trials", len(study.trials), "no trial completed")
    best = study.best_params
    overrides = overrides_for(best, params)
    skills = training_skill(facts, fold.train, observations([*base, *overrides]), null)
    study.trials_dataframe().to_csv(folder / "trials.csv", index=False)
    lines = [
        f"# Calibration on the training part of split `{split}` (fold `{fold.name}`)", "",
        f"{len(study.trials)} trials (Optuna TPE, sampler seed {cfg.sampler_seed}), {len(seeds)} model seeds per "
        f"trial; objective: mean skill against the null model over the patterns, on the "
        f"{len(fold.train.ids)} training facts and their status days (test facts unseen).", "",
        "| pattern | skill vs null (training part) |", "|---|---|",
        *(f"| {p} | {skills[p]:.3f} |" for p in PATTERNS if p in skills),
        f"| mean | {mean_skill(skills):.3f} |", "", "| parameter | config key | value | range |", "|---|---|---|---|",
        *(f"| {p.name} | `{p.key}` | {best[p.name]:.4g} | [{p.low:g}, {p.high:g}] |" for p in params), "",
        f"Score it out of sample: `python -m sim.validate split={split}` (reads `summary.json`).",
    ]  # fmt: skip
    write_text(folder / "report.md", "\n".join(lines) + "\n")
    summary = {"split": split, "fold": fold.name, "seeds": len(seeds), "trials": len(study.trials),
               "best_params": best, "overrides": overrides, "training_skill": mean_skill(skills),
               "training_skill_by_pattern": skills}  # fmt: skip
    write_json(folder / "summary.json", summary)
    return {**summary, "folder": folder}
