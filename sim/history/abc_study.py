"""A posterior calibration study: ABC-SMC (pyabc) of the rules' parameters against the validation's skill.

Approximate Bayesian computation by sequential Monte Carlo (Toni et al. 2009,
J. R. Soc. Interface 6:187; Beaumont et al. 2009, Biometrika 96:983) with pyabc
(Schälte et al. 2022, JOSS 7(74):4304): a population of parameter sets
(particles) is drawn from the prior, each is run on the model seeds, and each
later generation is proposed from the last one's weighted particles (a
multivariate normal kernel) and accepted when its distance is at most the
last generation's weighted ``quantile`` of distances.

- **Priors** (``configs/calibrate.yaml`` ``params``): uniform over each range, in
  log space for a parameter marked ``log`` (so log-uniform); whole numbers are
  rounded. Sampling happens in those design coordinates
  (:class:`sim.config.search_space.Param`).
- **Summary statistics** are the validation's per-pattern skill against the null
  model (no retaliation, no thaw) on the fold's training facts
  (:func:`sim.history.fit_skill.TrainingSkill`), from the runs of one
  particle over seeds ``0..seeds-1`` (the same seeds for every particle, so a
  particle's statistics are a function of its parameters). The observed values are a
  perfect skill of 1 on every pattern, and the **distance** is one minus the mean
  skill over the patterns (each floored, as :func:`sim.history.validation.mean_skill`):
  exactly the quantity ``python -m sim.validate`` reports, in sample or on a split's
  training part; test facts never enter it.
- **Storage**: ``results/calibration/<study>/abc.db`` (pyabc's SQLite history) with
  ``study.json`` (the settings it was started with); running the command again
  resumes the stored study, adding generations until it has ``generations`` or has
  used ``max_simulations``. Every evaluated particle is kept in ``evaluations.csv``.
- **Reproducible**: :class:`sim.history.abc_sampler.SeededSampler` makes a study a
  function of ``sampler_seed``, whatever the number of processes and whether or not
  it was interrupted and resumed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import os
import pickle
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.config.build import build_spec
from sim.config.calibration import set_values
from sim.config.compose import compose_config
from sim.config.search_space import Param
from sim.core.errors import SimInputError
from sim.experiments.runner import run_seeds, tables
from sim.history.abc_records import EVALUATIONS, OBSERVED, STATS, Evaluations, distance
from sim.history.documented import Documented
from sim.history.facts import PATTERNS, derive_facts
from sim.history.fit_skill import TrainingSkill
from sim.history.observe import observe
from sim.history.splits import Fold, make_split
from sim.history.validation import SKILL_FLOOR
from sim.outputs.io import Run, write_json

SOURCE = "configs/calibrate.yaml"
UNCALIBRATED = "~calibration"
NULL_MODEL = (
    "rules/retaliation@governments.CHN.retaliation=none", "rules/thaw@governments.CHN.thaw=none",
    "rules/retaliation@governments.USA.retaliation=none", "rules/thaw@governments.USA.thaw=none",
)  # fmt: skip
STUDY_FILE, DB_FILE = "study.json", "abc.db"
SETTINGS_VERSION = 1


@dataclass(frozen=True)
class StudySettings:
    """The checked settings of one study (``fingerprint`` must match a stored study to resume it)."""

    study: str
    split: str
    cutoff: str | None
    params: tuple[Param, ...]
    seeds: int
    population: int
    generations: int
    max_simulations: int
    quantile: float
    sampler_seed: int
    workers: int
    model_overrides: tuple[str, ...]
    folder: Path

    @property
    def fingerprint(self) -> dict[str, Any]:
        """What decides the study's particles (not how long it runs: generations and the budget may grow)."""
        return {"version": SETTINGS_VERSION, "split": self.split, "temporal_cutoff": self.cutoff,
                "params": [dataclasses.asdict(p) for p in self.params], "seeds": self.seeds,
                "population": self.population, "quantile": self.quantile, "sampler_seed": self.sampler_seed,
                "model_overrides": list(self.model_overrides)}  # fmt: skip


def _whole(cfg: Mapping[str, Any], name: str, least: int, most: int) -> int:
    v = cfg.get(name)
    if isinstance(v, bool) or not isinstance(v, int) or not least <= v <= most:
        raise SimInputError(SOURCE, name, v, f"must be a whole number from {least} to {most}")
    return v


def read_settings(cfg: DictConfig, params: Sequence[Param], repo: Path) -> StudySettings:
    """Check the study's settings (one-line errors name ``configs/calibrate.yaml``, the field and the value)."""
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    quantile = data.get("quantile")
    if isinstance(quantile, bool) or not isinstance(quantile, (int, float)) or not 0 < quantile < 1:
        raise SimInputError(SOURCE, "quantile", quantile, "must be a number between 0 and 1 (exclusive)")
    workers = data.get("workers")
    workers = os.cpu_count() or 1 if workers is None else workers
    split = str(data.get("split", "none"))
    cutoff = str(data.get("temporal_cutoff")) if split == "temporal" else None
    if cutoff is not None:
        try:
            cutoff = str(pd.Timestamp(cutoff).date())
        except ValueError:
            raise SimInputError(SOURCE, "temporal_cutoff", cutoff, "must be a date written YYYY-MM-DD") from None
    study = str(data.get("study"))
    if not study.replace("-", "").replace("_", "").isalnum():
        raise SimInputError(SOURCE, "study", study, "must be letters, digits, - and _ (it names the study's folder)")
    overrides = data.get("model_overrides") or []
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise SimInputError(SOURCE, "model_overrides", overrides, "must be a list of override strings")
    return StudySettings(
        study, split, cutoff, tuple(params), _whole(data, "seeds", 1, 1000), _whole(data, "population", 2, 100_000),
        _whole(data, "generations", 1, 1000), _whole(data, "max_simulations", 1, 10_000_000), float(quantile),
        _whole(data, "sampler_seed", 0, 2**32 - 1), _whole({"workers": workers}, "workers", 1, 1024),
        tuple(overrides), repo / str(data.get("results_dir")) / study,
    )  # fmt: skip


class FitModel:
    """The model pyabc calls: design coordinates of the parameters -> skill per pattern on the training facts.

    The base config (uncalibrated, the study's overrides) is composed once and kept pickled; each particle sets its
    values on a fresh copy unpickled from it (~3 ms; a deep copy takes ~40 ms), so no particle recomposes Hydra.
    """

    def __init__(self, s: StudySettings) -> None:
        self.params = s.params
        self.seeds = range(s.seeds)
        base, self.choices = compose_config([*s.model_overrides, UNCALIBRATED])
        self._base = pickle.dumps(base)
        scenario = build_spec(base, self.choices).scenario
        self.facts = derive_facts(Documented(), scenario)
        cutoff = pd.Timestamp(s.cutoff) if s.cutoff else None
        folds = make_split(self.facts, s.split, cutoff, SOURCE)
        if len(folds) != 1:
            raise SimInputError(SOURCE, "split", s.split, "calibrate one fold at a time: split=none, split=temporal "
                                "or split=episode:<EPISODE> (leave-one-episode-out: one study per episode)")  # fmt: skip
        self.fold: Fold = folds[0]
        null_spec = build_spec(*compose_config([*s.model_overrides, UNCALIBRATED, *NULL_MODEL]))
        null = [observe(Run(e, st, "null"), self.facts) for e, st in run_seeds(null_spec, self.seeds, tables)]
        self.training_skill = TrainingSkill(self.facts, self.fold.train, null)

    def values(self, design: Mapping[str, float]) -> dict[str, float | int]:
        """The model values (config key -> value) of a particle's design coordinates."""
        return {p.key: p.value(float(design[p.name])) for p in self.params}

    def skills(self, values: Mapping[str, float | int]) -> dict[str, float]:
        """Skill per pattern (``skill.<pattern>``, NaN where the training part shows none) of one parameter set."""
        spec = build_spec(set_values(pickle.loads(self._base), values, SOURCE, copy=False), self.choices)
        runs = [observe(Run(e, st, "run"), self.facts) for e, st in run_seeds(spec, self.seeds, tables)]
        skills = self.training_skill(runs)
        return {f"skill.{p}": float(skills.get(p, math.nan)) for p in PATTERNS}

    def __call__(self, design: Mapping[str, float]) -> dict[str, float]:
        try:
            return self.skills(self.values(design))
        except SimInputError:  # a combination the model refuses: the worst fit, recorded as such
            return {k: SKILL_FLOOR for k in STATS}


def prior(params: Sequence[Param]):
    """Uniform priors over each parameter's range in design coordinates (log-uniform for ``log`` ranges)."""
    import pyabc

    return pyabc.Distribution(**{p.name: pyabc.RV("uniform", p.bounds[0], p.bounds[1] - p.bounds[0]) for p in params})


def check_stored(s: StudySettings) -> int:
    """The generations a stored study holds (0 if none); a foreign or corrupted study gets a one-line error."""
    folder, db = s.folder, s.folder / DB_FILE
    meta = folder / STUDY_FILE
    if not db.exists() and not meta.exists():
        return 0
    try:
        stored = json.loads(meta.read_text())["settings"]
    except FileNotFoundError:
        raise SimInputError(str(db), "study", s.study, "holds no study.json beside it (not a study of this "
                            "command); choose another study= name or remove the folder") from None  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SimInputError(
            str(meta), "settings", "unreadable", f"is not a study record ({e}); remove the folder"
        ) from None
    if stored != s.fingerprint:
        changed = sorted(k for k in s.fingerprint if not isinstance(stored, dict) or stored.get(k) != s.fingerprint[k])
        raise SimInputError(str(meta), "settings", ", ".join(changed), "the stored study was started with other "
                            "settings; choose another study= name or remove the folder")  # fmt: skip
    if not db.exists():
        return 0
    return _stored_generations(db)


def _stored_generations(db: Path) -> int:
    from pyabc import History

    try:
        with open(db, "rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                raise ValueError("not an SQLite database")
        h = History(f"sqlite:///{db}", _id=1, create=False)
        return int(h.max_t) + 1 if h.n_populations else 0
    except Exception as e:  # SQLAlchemy's and pyabc's errors have no common base; all mean the same here
        raise SimInputError(str(db), "study", "unreadable", f"is not a readable pyabc study ({_one_line(e)}); "
                            "remove the folder to start again") from None  # fmt: skip


def _one_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:200]


@contextlib.contextmanager
def _quiet_pyabc():
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="pyabc")  # inf - inf in its tolerance check
    loggers = [logging.getLogger(n) for n in ("ABC", "pyabc", "History", "Sampler", "Epsilon", "Distance", "Acceptor")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def run_study(s: StudySettings, progress: bool | None = None) -> tuple[Any, FitModel, Evaluations]:
    """Run (or resume) the study until it has ``s.generations`` generations or used ``s.max_simulations``.

    Returns pyabc's history, the fit model and the evaluated particles.
    """
    import pyabc

    from sim.history.abc_sampler import SeededSampler

    stored = check_stored(s)
    model = FitModel(s)  # before the folder: a bad split or cutoff leaves nothing behind
    s.folder.mkdir(parents=True, exist_ok=True)
    if not stored:  # nothing pyabc finished: an interrupted start is started again, from a clean database
        for name in (DB_FILE, f"{DB_FILE}-journal", EVALUATIONS):
            (s.folder / name).unlink(missing_ok=True)
    write_json(s.folder / STUDY_FILE, {"settings": s.fingerprint, "study": s.study})
    evaluations = Evaluations(s.folder / EVALUATIONS, s.params, stored)
    show = sys.stderr.isatty() if progress is None else progress

    def on_particle(t: int, slot: int, particle: Any) -> None:
        evaluations.add(t, slot, particle)

    sampler = SeededSampler(s.sampler_seed, s.workers, on_particle, progress=show,
                            on_generation=lambda t: evaluations.write())  # fmt: skip
    abc = pyabc.ABCSMC(
        models=model, parameter_priors=prior(s.params), distance_function=distance, population_size=s.population,
        sampler=sampler, eps=pyabc.QuantileEpsilon(alpha=s.quantile),
        transitions=pyabc.MultivariateNormalTransition(),
    )  # fmt: skip
    db = f"sqlite:///{s.folder / DB_FILE}"
    with _quiet_pyabc():
        if stored:
            history = abc.load(db, 1)
        else:
            history = abc.new(db, OBSERVED)
        done_sims = int(history.total_nr_simulations) if stored else 0
        remaining = s.generations - stored
        if remaining > 0 and done_sims < s.max_simulations:
            try:
                history = abc.run(max_nr_populations=remaining, max_total_nr_simulations=s.max_simulations)
            finally:
                evaluations.write()  # what pyabc stored is on disk; an interrupted generation is redone on resume
    evaluations.rows = [r for r in evaluations.rows if int(r["t"]) <= history.max_t]
    evaluations.write()
    return history, model, evaluations
