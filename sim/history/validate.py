"""``python -m sim.validate``: hold the model and reference models to the documented facts, in and out of sample.

For every fold of the split (:mod:`sim.history.splits`) it runs each model
variant of ``configs/validate.yaml`` on the same seeds (a variant marked
``fitted`` takes, under a split, the parameters ``python -m sim.calibrate``
fitted on that fold's training part), builds the reference models from the
training part (:mod:`sim.history.references`), reads every run with
:func:`sim.history.observe.observe` and scores each model on the training and
test parts (:mod:`sim.history.validation`). The report (:mod:`sim.history.validate_report`)
is written atomically to ``results/validation/<name>/``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.config.build import build_spec
from sim.config.compose import CONFIG_DIR, compose_config, compose_named
from sim.core.errors import SimInputError
from sim.core.extras import require
from sim.core.shipped import results_root
from sim.experiments.runner import quiet_mesa, run_seeds, tables
from sim.history.abc_records import read_study_posterior
from sim.history.assess import assess
from sim.history.calibrate import NULL_MODEL
from sim.history.documented import Documented
from sim.history.facts import derive_facts
from sim.history.observe import Observation, observe
from sim.history.references import climatology
from sim.history.splits import make_split, split_tag
from sim.history.timeline import load_timeline
from sim.history.validate_models import fitted_overrides, variant_runs
from sim.history.validation import common_facts, mean_skill_intervals, pattern_scores, score_model, skill_table
from sim.history.var_reference import var_reference
from sim.outputs.io import Run, find_runs, read_run
from sim.outputs.provenance import now

SOURCE = "configs/validate.yaml"
REFERENCE_MODELS = ("climatology", "var")
"""Models that are not runs of the agent-based model (:mod:`sim.history.references`)."""
INTENSITIES = ("written", "default")


@dataclass(frozen=True)
class Variant:
    """A variant of the agent-based model: its overrides, whether a split refits it, and its scripted intensities."""

    name: str
    overrides: tuple[str, ...]
    fitted: bool = False
    intensities: str = "written"
    posterior: bool = False


@dataclass(frozen=True)
class Settings:
    """The checked settings of one validation."""

    name: str
    split: str
    cutoff: pd.Timestamp | None
    seeds: tuple[int, ...]
    models: tuple[str, ...]
    references: tuple[str, ...]
    variants: Mapping[str, Variant]
    base: tuple[str, ...]
    timeline: str | None
    study: str
    calibration_dir: Path
    folder: Path
    workers: int
    run_folders: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


def _bad(field: str, value: Any, problem: str) -> SimInputError:
    return SimInputError(SOURCE, field, value, problem)


def read_settings(cfg: DictConfig, repo: Path | None = None) -> Settings:
    """Check ``cfg`` (composed ``configs/validate.yaml``); one-line errors name the field and value. Relative
    folders resolve against ``repo`` (default: :func:`sim.core.shipped.results_root`)."""
    root = results_root() if repo is None else repo
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    seeds = data.get("seeds")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= 10_000:
        raise _bad("seeds", seeds, "must be a whole number from 1 to 10000")
    variants = {}
    for name, v in (data.get("variants") or {}).items():
        if not isinstance(v, dict) or set(v) - {"overrides", "fitted", "intensities", "posterior"}:
            raise _bad(
                f"variants.{name}", v, "must be a mapping with overrides, fitted, intensities and posterior only"
            )
        if v.get("intensities", "written") not in INTENSITIES:
            raise _bad(f"variants.{name}.intensities", v.get("intensities"), f"must be one of {', '.join(INTENSITIES)}")
        posterior = bool(v.get("posterior", False))  # always fitted: under a split, the fold's posterior, never
        variants[name] = Variant(name, tuple(str(o) for o in v.get("overrides") or ()),  # the shipped one's test facts
                                 bool(v.get("fitted", False)) or posterior, v.get("intensities", "written"), posterior)  # fmt: skip
    run_folders = {}
    for name, paths in (data.get("run_folders") or {}).items():
        if name in variants or name in REFERENCE_MODELS:
            raise _bad(f"run_folders.{name}", paths, "names a model that already exists; choose another name")
        paths = [paths] if isinstance(paths, str) else paths
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise _bad(f"run_folders.{name}", paths, "must be a folder or a list of folders holding run folders")
        run_folders[str(name)] = tuple(paths)
    known = [*variants, *run_folders, *REFERENCE_MODELS]
    models = tuple(str(m) for m in data.get("models") or ())
    for m in models:
        if m not in known:
            raise _bad("models", m, f"unknown model (known: {', '.join(known)})")
    if not models:
        raise _bad("models", [], "name at least one model")
    if "var" in models:
        require("validate", "the var reference model of python -m sim.validate (or leave it out of models=[...])")
    given = data.get("references")
    default = [m for m in models if m in (*REFERENCE_MODELS, "null_model")]
    references = tuple(str(r) for r in (default if given is None else given))
    for r in references:
        if r not in models:
            raise _bad("references", r, "a reference must be one of the models validated")
    split = str(data.get("split"))
    cutoff = None
    if split == "temporal":
        try:
            cutoff = pd.Timestamp(str(data.get("temporal_cutoff")))
        except ValueError:
            raise _bad("temporal_cutoff", data.get("temporal_cutoff"), "must be a date written YYYY-MM-DD") from None
    workers = data.get("workers", 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise _bad("workers", workers, "must be a whole number of at least 1")
    name = str(data.get("name") or split_tag(split))
    if not name.replace("-", "").replace("_", "").isalnum():
        raise _bad("name", name, "must be letters, digits, - and _ (it names the results folder)")
    return Settings(
        name, split, cutoff, tuple(range(seeds)), models, references, variants, tuple(data.get("model_overrides") or ()),
        data.get("timeline"), str(data.get("study")), root / str(data.get("calibration_dir")),
        root / str(data.get("results_dir")) / name, workers, run_folders,
    )  # fmt: skip


def run_validation(cfg: DictConfig) -> dict[str, Any]:
    """The whole command: runs, scores, report. Returns the tables and where they were written."""
    from sim.history.validate_report import write_report

    started = now()
    quiet_mesa()
    s = read_settings(cfg)
    doc = Documented(load_timeline(s.timeline) if s.timeline else None)
    # The scripted events and days every reference starts from (they do not depend on the rules).
    base_spec = build_spec(*compose_config([*s.base, "~calibration", *NULL_MODEL]))
    base = Run(*next(iter(run_seeds(base_spec, [0], tables))), "scripted")
    facts = derive_facts(doc, base_spec.scenario)
    if not facts.facts:
        raise SimInputError(s.timeline or "the shipped timeline", "date", f"{doc.period[0].date()} to {doc.period[1].date()}",
                            f"no documented fact falls within the scenario's days ({base_spec.scenario.start} to "
                            f"{base_spec.scenario.end})")  # fmt: skip
    folds = make_split(facts, s.split, s.cutoff, SOURCE)
    cache: dict[str, list[Observation]] = {}
    parts: list[pd.DataFrame] = []
    first_fold: dict[str, list[Observation]] = {}  # for the status figure
    fits: dict[str, list[float]] = {}
    fitted: dict[str, dict[str, Any]] = {}  # per fold, the split study the fitted variants used
    for fold in folds:
        observed: dict[str, list[Observation]] = {}
        for m in s.models:
            if m in REFERENCE_MODELS:
                sc = base_spec.scenario  # its planned engagements the references may call off
                runs = (climatology(facts, fold.train, base, s.seeds, scenario=sc) if m == "climatology" else
                        var_reference(facts, fold.train, base, s.seeds, s.cutoff, fold.episode, test=fold.test,
                                      scenario=sc))  # fmt: skip
                observed[m] = [observe(r, facts) for r in runs]
                continue
            if m in s.run_folders:  # stored runs, scored as they are (e.g. a sweep's run folders)
                if m not in cache:
                    cache[m] = [observe(read_run(p), facts) for p in find_runs(s.run_folders[m])]
                observed[m] = cache[m]
                continue
            variant = s.variants[m]
            refit = variant.fitted and s.split != "none"
            key = f"{m}@{fold.name}" if refit else m
            if key not in cache:
                extra: list[str] = []
                posterior = None
                if refit:
                    extra, summary = fitted_overrides(s, fold)
                    fitted[fold.name] = {k: summary.get(k) for k in ("generations", "simulations", "training_skill")}
                    if variant.posterior:
                        posterior = read_study_posterior(s.calibration_dir / f"{s.study}_{fold.name}")
                runs = variant_runs(s, variant, extra, posterior)
                cache[key] = [observe(r, facts) for r in runs]
                if s.split == "none":  # the former headline, kept for comparison
                    fits[m] = [assess(r, doc)["fit"] for r in runs]
            observed[m] = cache[key]
        for m, obs in observed.items():
            first_fold.setdefault(m, obs)
        for part_name, part in (("train", fold.train), ("test", fold.test)):
            if part is None:
                continue
            for m, obs in observed.items():
                parts.append(score_model(facts, obs, part).assign(model=m, part=part_name, fold=fold.name))
    table = pd.concat(parts, ignore_index=True)
    keep = common_facts(table)
    patterns = pattern_scores(table, keep)
    skills = skill_table(patterns, s.references)
    intervals = mean_skill_intervals(table, keep, s.references)
    skills = skills.merge(intervals.assign(pattern="mean"), on=["model", "part", "reference", "pattern"], how="left")
    result = {"settings": s, "facts": facts, "scores": table, "patterns": patterns, "skill": skills, "common": keep,
              "observed": first_fold, "folds": folds,
              "fits": fits, "fitted": fitted, "started": started}  # fmt: skip
    write_report(result)
    return result


USAGE = """usage: python -m sim.validate [KEY=VALUE ...]

Score the model and the reference models on the documented 2022-2024 facts with proper
scores, in sample and out of sample; write results/validation/<name>/ (report.md,
scores.csv, patterns.csv, skill.csv, figures/). Settings are Hydra overrides of
configs/validate.yaml, for example:

  python -m sim.validate                          # in sample, 20 seeds, every model
  python -m sim.validate split=temporal           # fit to 2023, score 2024
  python -m sim.validate split=loeo               # leave each episode out in turn
  python -m sim.validate split=episode:NAME seeds=10 'models=[uncalibrated,null_model,climatology,var]'
                                                  # one episode held out (an unknown NAME lists them)

Fitted models under a split need `python -m sim.calibrate split=...` first."""


def _first_line(e: BaseException) -> str:
    """A library error's message in one line (its cause's, when it has none of its own)."""
    for err in (e, e.__cause__):
        if err is not None and str(err).strip():
            return str(err).strip().splitlines()[0]
    return type(e).__name__


def compose_settings(argv: Sequence[str]) -> DictConfig:
    """``configs/validate.yaml`` with the command line's overrides; Hydra's errors become one line."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    try:
        return compose_named("validate", argv)
    except (HydraException, OmegaConfBaseException) as e:
        raise SimInputError(SOURCE, "overrides", " ".join(argv), _first_line(e)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.validate [overrides]``; exit code 2 with one ``error:`` line on bad input."""
    import sys

    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.config.cli import run_command

    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in args):
        from sim.config.help import print_help

        settings = (CONFIG_DIR / "validate.yaml").read_text().split("\n\n", 1)[-1]  # past the header's examples
        print_help(f"{USAGE}\n\nSettings (configs/validate.yaml):\n\n{settings}")
        return 0

    def body() -> int:
        try:
            result = run_validation(compose_settings(args))
        except (HydraException, OmegaConfBaseException) as e:  # a bad model override, found while composing it
            raise SimInputError(SOURCE, "model_overrides", " ".join(args), _first_line(e)) from None
        s = result["settings"]
        mean = result["skill"][result["skill"]["pattern"] == "mean"]
        print(f"Validation done: split {s.split}, {len(s.seeds)} seeds, models {', '.join(s.models)}")
        shown = [s.models[0], *(m for m in s.models[1:] if m in s.variants and s.variants[m].posterior)]
        for model in shown:
            for part in ("train", "test"):
                g = mean[(mean["part"] == part) & (mean["model"] == model)]
                if not g.empty:
                    skills = ", ".join(f"vs {r.reference} {r.skill:+.2f} [{r.lo:+.2f}, {r.hi:+.2f}]"
                                       for r in g.itertuples(index=False))  # fmt: skip
                    print(f"  {model}, {'in sample' if part == 'train' else 'out of sample'}: mean skill {skills}")
        print(f"  report: {s.folder / 'report.md'}")
        return 0

    return run_command(body)
