"""The agent-based model's variants in a validation: a variant's runs on the seeds, and a split's fitted parameters.

A variant runs on every seed with its overrides; a ``posterior`` variant runs seed
``i`` under the ``i``-th parameter set drawn from a posterior (the shipped
calibration's, or under a split the fold's study's); a ``fitted`` variant under a
split takes the declared point ``python -m sim.calibrate split=...`` fitted on the
fold's training part (:func:`fitted_overrides`). ``s`` is a validation's
:class:`sim.history.validate.Settings` and ``variant`` one of its variants (not imported: that module imports this one).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from sim.config.build import build_spec
from sim.config.calibration import Posterior, posterior_configs, set_values
from sim.config.compose import compose_config
from sim.core.errors import SimInputError
from sim.core.scenario import with_default_intensities
from sim.experiments.runner import run_seeds, tables
from sim.history.splits import Fold
from sim.outputs.io import Run

SOURCE = "configs/validate.yaml"


def fitted_overrides(s: Any, fold: Fold) -> tuple[list[str], dict[str, Any]]:
    """The parameters ``python -m sim.calibrate split=...`` fitted on this fold's training part, as overrides,
    and the study's summary; the study must have been fitted on this validation's split settings."""
    study = f"{s.study}_{fold.name}"
    path = s.calibration_dir / study / "summary.json"
    split = s.split if s.split != "loeo" else f"episode:{fold.name}"
    command = f"python -m sim.calibrate split={split} study={s.study}" + (
        f" temporal_cutoff={s.cutoff.date()}" if s.cutoff is not None else ""
    )
    try:
        summary = json.loads(path.read_text())
        overrides = summary["overrides"]
        settings = summary["settings"]
    except FileNotFoundError:
        raise SimInputError(str(path), "overrides", "missing", f"no calibration fitted on fold {fold.name}'s training "
                            f"part; run `{command}` first, or leave the fitted models out") from None  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SimInputError(
            str(path), "overrides", "unreadable", f"not a calibration summary ({e}); re-run `{command}`"
        ) from None
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise SimInputError(str(path), "overrides", overrides, "must be a list of override strings")
    expected = {"split": split, "temporal_cutoff": str(s.cutoff.date()) if s.cutoff is not None else None,
                "model_overrides": list(s.base)}  # fmt: skip
    if s.timeline is not None:
        raise SimInputError(SOURCE, "timeline", s.timeline, "fitted models are calibrated on the shipped timeline; leave them out")
    if not isinstance(settings, dict) or {k: settings.get(k) for k in expected} != expected:
        raise SimInputError(
            str(path),
            "settings",
            settings,
            f"was fitted on other settings than this validation's "
            f"{expected}; fit one with `{command}` under another study name (study=NAME) and validate with study=NAME",
        )
    return ["~calibration", *overrides], summary


def variant_runs(
    s: Any, variant: Any, extra: Sequence[str] = (), posterior: Posterior | None = None
) -> list[Run]:
    """The variant's run on every seed (its overrides after the base and ``extra`` overrides).

    A posterior variant runs seed ``i`` with the ``i``-th parameter set drawn from ``posterior`` (a split study's)
    or, without one, from the shipped calibration's: its runs are the posterior predictive distribution.
    """
    overrides = [*s.base, *extra, *variant.overrides]
    if not variant.posterior:
        specs = [build_spec(*compose_config(overrides))]
    else:
        cfg, choices = compose_config(overrides)
        if posterior is None:
            configs = [c for _, c in posterior_configs(cfg, choices, overrides, len(s.seeds), 0)]
        else:
            configs = [set_values(cfg, values, posterior.source) for _, values in posterior.draw(len(s.seeds), 0)]
        specs = [build_spec(c, choices) for c in configs]
    if variant.intensities == "default":
        specs = [dataclasses.replace(spec, scenario=with_default_intensities(spec.scenario)) for spec in specs]
    if len(specs) == 1:
        done = list(run_seeds(specs[0], s.seeds, tables, workers=s.workers))
    else:
        done = [next(iter(run_seeds(spec, [seed], tables))) for spec, seed in zip(specs, s.seeds)]
    return [Run(e, st, f"{variant.name} seed {seed}") for seed, (e, st) in zip(s.seeds, done)]
