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

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig

from sim.config.build import build_spec
from sim.config.compose import compose_config
from sim.config.search_space import Param
from sim.core.errors import SimInputError
from sim.experiments.runner import run_seeds, tables
from sim.history.documented import Documented
from sim.history.facts import PATTERNS, Facts, derive_facts
from sim.history.observe import Observation, observe
from sim.history.splits import Fold, make_split
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


@dataclass
class SplitStudy:
    """One fold's calibration: its folder name, the training facts and the objective on them."""

    split: str
    fold: Fold
    facts: Facts
    name: str
    observations: Callable[[Sequence[str]], list[Observation]]
    null: list[Observation]

    def objective(self, overrides: Sequence[str]) -> tuple[float, dict[str, float]]:
        """Mean skill against the null model on the training facts, and the skill per pattern."""
        skills = training_skill(self.facts, self.fold.train, self.observations(overrides), self.null)
        return mean_skill(skills), {f"skill.{k}": v for k, v in skills.items()}


def split_settings(cfg: DictConfig) -> dict[str, Any]:
    """What a split study was fitted on, which ``python -m sim.validate`` checks before using it."""
    split = str(cfg.split)
    return {"split": split, "temporal_cutoff": str(cfg.temporal_cutoff) if split == "temporal" else None,
            "model_overrides": [str(o) for o in cfg.model_overrides]}  # fmt: skip


def check_resumable(folder: Path, cfg: DictConfig) -> None:
    """A stored study of this name must have been fitted on the same split settings (or have no summary yet)."""
    path = folder / "summary.json"
    if not path.is_file():
        return
    try:
        stored = json.loads(path.read_text()).get("settings")
    except (OSError, ValueError, AttributeError):
        stored = None
    if stored != split_settings(cfg):
        raise SimInputError(str(path), "settings", stored, f"the stored study was fitted on other split settings than "
                            f"{split_settings(cfg)}; choose another study= name or remove the folder")  # fmt: skip


def split_study(cfg: DictConfig, doc: Documented, base: Sequence[str], null_overrides: Sequence[str]) -> SplitStudy:
    """The study of ``cfg.split``'s one fold (``base``: the overrides of every run, uncalibrated)."""
    split = str(cfg.split)
    seeds = range(int(cfg.seeds))
    facts = derive_facts(doc, build_spec(*compose_config(list(base))).scenario)

    def observations(overrides: Sequence[str]) -> list[Observation]:
        spec = build_spec(*compose_config(list(overrides)))
        return [observe(Run(e, s, "run"), facts) for e, s in run_seeds(spec, seeds, tables)]

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
    return SplitStudy(split, fold, facts, f"{cfg.study}_{fold.name}", observations,
                      observations([*base, *null_overrides]))  # fmt: skip


def write_split_summary(cfg: DictConfig, s: SplitStudy, study, params: Sequence[Param], overrides: list[str],
                        folder: Path) -> dict[str, Any]:
    """Write ``report.md``, ``trials.csv`` and ``summary.json`` of the study's best trial (its skills per pattern
    were stored with it by :meth:`SplitStudy.objective`)."""
    best = study.best_params
    skills = {k.removeprefix("skill."): float(v) for k, v in study.best_trial.user_attrs.items() if k.startswith("skill.")}
    study.trials_dataframe().to_csv(folder / "trials.csv", index=False)
    lines = [
        f"# Calibration on the training part of split `{s.split}` (fold `{s.fold.name}`)", "",
        f"{len(study.trials)} trials (Optuna TPE, sampler seed {cfg.sampler_seed}), {cfg.seeds} model seeds per "
        f"trial; objective: mean skill against the null model over the patterns, on the "
        f"{len(s.fold.train.ids)} training facts and their status days (test facts unseen).", "",
        "| pattern | skill vs null (training part) |", "|---|---|",
        *(f"| {p} | {skills[p]:.3f} |" for p in PATTERNS if p in skills),
        f"| mean | {mean_skill(skills):.3f} |", "", "| parameter | config key | value | range |", "|---|---|---|---|",
        *(f"| {p.name} | `{p.key}` | {best[p.name]:.4g} | [{p.low:g}, {p.high:g}] |" for p in params), "",
        f"Score it out of sample: `python -m sim.validate split={s.split}` (reads `summary.json`).",
    ]  # fmt: skip
    write_text(folder / "report.md", "\n".join(lines) + "\n")
    summary = {"split": s.split, "fold": s.fold.name, "settings": split_settings(cfg), "seeds": int(cfg.seeds),
               "trials": len(study.trials),
               "best_params": best, "overrides": list(overrides), "training_skill": mean_skill(skills),
               "training_skill_by_pattern": skills}  # fmt: skip
    write_json(folder / "summary.json", summary)
    return {**summary, "folder": folder}
