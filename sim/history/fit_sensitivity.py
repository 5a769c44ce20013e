"""``python -m sim.sensitivity``, with the fit scores as outputs: which parameters move the fit to history.

``outputs`` of ``configs/sensitivity.yaml`` may name ``skill.mean`` and
``skill.<pattern>`` (one per :data:`sim.history.facts.PATTERNS`): the model's
skill against the null model, the yardstick of ``python -m sim.validate`` and
the summary statistics of ``python -m sim.calibrate``
(:class:`sim.history.fit_skill.TrainingSkill`, their mean
:func:`sim.history.validation.mean_skill`). A :class:`FitScorer` holds what every
design point shares, computed once per study: the documented facts (derived for
the scenario the design runs), the fold of ``split`` whose training part is
scored (``none``: every fact), and the null model's runs (no retaliation, no
thaw, uncalibrated: :data:`sim.history.calibrate.NULL_MODEL`, on the same seeds).
A design point's runs over its seeds are its predictive distribution: each is
read with :func:`sim.history.observe.observe` as it finishes, and the lot scored
against the null's. The design, runs and report are :mod:`sim.experiments.sensitivity`'s;
this module is the command, since the fit scores live here, above it.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import hydra
import pandas as pd
from hydra.errors import HydraException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from sim.config.build import build_spec
from sim.config.compose import CONFIG_DIR, compose_config
from sim.config.entry import checked_command
from sim.config.help import config_help, print_help, wants_help
from sim.core.errors import SimInputError
from sim.core.extras import exit_unless_installed
from sim.experiments.runner import run_seeds, tables
from sim.experiments.sensitivity import command
from sim.experiments.sensitivity_fit import ScoredOutputs
from sim.history.calibrate import NULL_MODEL, UNCALIBRATED
from sim.history.documented import Documented
from sim.history.facts import PATTERNS, Facts, derive_facts
from sim.history.fit_skill import TrainingSkill
from sim.history.observe import Observation, observe
from sim.history.splits import Part, make_split
from sim.history.validation import SKILL_FLOOR, mean_skill
from sim.outputs.io import Run

SOURCE = "configs/sensitivity.yaml"
SKILL_OUTPUTS = ("skill.mean", *(f"skill.{p}" for p in PATTERNS))
"""The fit scores a study can analyse, in report order."""
PATTERN_WORDS = {"response": "responses", "lag": "response lags", "meeting": "meetings held",
                 "status": "channel status", "thaw": "thaw lengths", "order": "reopening order"}  # fmt: skip
LABELS = {"skill.mean": "mean skill vs null", **{f"skill.{p}": f"skill vs null: {PATTERN_WORDS[p]}" for p in PATTERNS}}
"""Each fit score in words, for reports and figures."""


def check_split(split: str) -> None:
    """One fold only: ``none``, ``temporal`` or ``episode:<EPISODE>`` (the episode is resolved with the facts)."""
    if split not in ("none", "temporal") and not split.startswith("episode:"):
        raise SimInputError(SOURCE, "split", split, "score the fit on one fold: none (every fact), temporal "
                            "or episode:<EPISODE> (the fold's training part)")  # fmt: skip


def read_cutoff(cfg: DictConfig) -> pd.Timestamp | None:
    """The temporal split's cutoff day (None for other splits), checked."""
    if str(cfg.get("split", "none")) != "temporal":
        return None
    value = cfg.get("temporal_cutoff")
    try:
        return pd.Timestamp(str(value))
    except ValueError:
        raise SimInputError(SOURCE, "temporal_cutoff", value, "must be a date written YYYY-MM-DD") from None


def observations(runs, facts: Facts) -> list[Observation]:
    """Each run's (events, steps), as :func:`sim.experiments.runner.tables` measures it, read against ``facts``."""
    return [observe(Run(events, steps, "run"), facts) for events, steps in runs]


def null_overrides(overrides: Sequence[str]) -> list[str]:
    """The null model's overrides: the study's, uncalibrated (as validation's and calibration's null model is),
    with no retaliation and no thaw."""
    return [*overrides, *([] if UNCALIBRATED in overrides else [UNCALIBRATED]), *NULL_MODEL]


@dataclass(frozen=True)
class FitScorer:
    """What every design point's fit scores share: the facts, the scored part and the null model's runs."""

    facts: Facts
    split: str
    fold: str
    train: Part
    null: tuple[Observation, ...]

    def read(self, run: tuple[pd.DataFrame, pd.DataFrame]) -> Observation:
        """One run's (events, steps) read against the facts."""
        return observations([run], self.facts)[0]

    @cached_property
    def _skill(self) -> TrainingSkill:
        return TrainingSkill(self.facts, self.train, self.null)

    def scores(self, reads: Sequence[Observation]) -> dict[str, float]:
        """Every fit score of one design point's runs: skill vs the null per pattern (NaN if the point and the
        null share no training fact of it, or the null is perfect on it) and their mean (floored, as validation's)."""
        skills = self._skill(reads)
        return {"skill.mean": mean_skill(skills), **{f"skill.{p}": float(skills.get(p, math.nan)) for p in PATTERNS}}

    def describe(self) -> list[str]:
        part = ("every documented fact (in sample, split none)" if self.split == "none" else
                f"the training part of split `{self.split}` (fold `{self.fold}`: {len(self.train.ids)} facts and the "
                "channels' status days; its test facts unseen)")  # fmt: skip
        return [
            "## Fit scores", "",
            (f"The fit scores ({', '.join(f'`{o}`: {w}' for o, w in LABELS.items())}) are the validation's skill of "
             f"the model against the null model (no retaliation, no thaw, uncalibrated; {len(self.null)} runs on the "
             f"same seeds) on {part}, as `python -m sim.validate` and `python -m sim.calibrate` compute them: 1 "
             "perfect, 0 no better than the null, negative worse. A design point's runs over the seeds together are "
             f"its predictive distribution; the mean skill floors each pattern at {SKILL_FLOOR:g}. A pattern's skill "
             "is undefined (NaN) where the point's runs and the null's share none of its scored facts, or the null "
             "scores it perfectly."),
        ]  # fmt: skip


def fit_scorer(
    base: DictConfig, choices: Mapping[str, str], overrides: Sequence[str], cfg: DictConfig, seeds: int
) -> FitScorer:
    """The study's facts, fold and null runs (seeds ``0..seeds-1``), computed once.

    Args:
        base: The composed model config the design varies (its scenario is the one the facts are derived for).
        choices: Hydra's group choices of ``base``.
        overrides: The study's model overrides (the null model starts from them).
        cfg: configs/sensitivity.yaml (``split``, ``temporal_cutoff``).
        seeds: How many seeds each design point runs; the null runs the same.

    Raises:
        SimInputError: naming configs/sensitivity.yaml: a split of several folds, an unknown episode, an empty part.
    """
    split = str(cfg.get("split", "none"))
    check_split(split)
    facts = derive_facts(Documented(), build_spec(base, choices).scenario)
    (fold,) = make_split(facts, split, read_cutoff(cfg), SOURCE)
    null = null_overrides(overrides)
    try:
        spec = build_spec(*compose_config(null))
    except (HydraException, OmegaConfBaseException, SimInputError) as e:
        raise SimInputError(SOURCE, "model_overrides", list(overrides), f"the null model ({null}) does not compose: "
                            f"{str(e).splitlines()[0]}") from None  # fmt: skip
    null_runs = tuple(observations(run_seeds(spec, range(seeds), tables), facts))
    return FitScorer(facts, split, fold.name, fold.train, null_runs)


FIT_SCORES = ScoredOutputs(
    LABELS, (("the mean skill vs null", SKILL_OUTPUTS[:1]), ("the skill vs null per pattern", SKILL_OUTPUTS[1:])),
    fit_scorer,
)  # fmt: skip
"""The fit scores, as :func:`sim.experiments.sensitivity.run_sensitivity` takes them."""


@hydra.main(config_path=str(CONFIG_DIR), config_name="sensitivity", version_base="1.3")
def main(cfg: DictConfig) -> None:
    command(cfg, FIT_SCORES)


def cli() -> None:
    """The command: SALib (the calibrate extra) is checked before Hydra writes its record, then :func:`main`."""
    if wants_help(sys.argv[1:]):
        print_help(config_help("python -m sim.sensitivity", "sensitivity"))
        return
    exit_unless_installed("calibrate", "python -m sim.sensitivity", ("SALib",))
    checked_command(main, "sensitivity", "a study is written only when it ends: run the same command again")


if __name__ == "__main__":
    cli()
