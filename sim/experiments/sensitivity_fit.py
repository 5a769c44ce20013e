"""What a fit sensitivity adds to the design: the calibration's prior as the space, and outputs scored per point.

``space: calibrate`` (``configs/sensitivity.yaml``) varies the calibration's prior:
:func:`calibrate_space` reads ``fit`` and ``params`` from ``configs/calibrate.yaml``
itself, so the sensitivity of the fit is taken over exactly the space the
calibration searches (``only`` picks a subset of it).

Outputs that need a design point's runs together, not their mean (the fit scores,
:mod:`sim.history.fit_sensitivity`), come through :class:`ScoredOutputs`: the
names and their words, the report's groups, and a factory building the study's
:class:`PointScorer` once (what every point shares: the documented facts, the
null model's runs). The scorers live above this package, so the command passes
them in: this module knows only their shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.compose import CONFIG_DIR
from sim.core.errors import SimInputError

SOURCE = "configs/sensitivity.yaml"
CALIBRATE = "configs/calibrate.yaml"
SPACES = ("sensitivity", "calibrate")
"""Where the varied parameters come from: ``use``/``params`` of configs/sensitivity.yaml, or the calibration's
``fit``/``params`` (configs/calibrate.yaml)."""


def calibrate_space() -> tuple[list[str], dict[str, Any]]:
    """The calibration's prior, as configs/calibrate.yaml states it: the names it fits and the search space."""
    try:
        cfg = OmegaConf.load(CONFIG_DIR / "calibrate.yaml")
        use = OmegaConf.to_container(cfg.fit, resolve=True)
        params = OmegaConf.to_container(cfg.params, resolve=True)
    except (OSError, OmegaConfBaseException) as e:
        problem = f"cannot read {CALIBRATE}: {str(e).splitlines()[0]}"
        raise SimInputError(SOURCE, "space", "calibrate", problem) from None
    if not isinstance(use, list) or not isinstance(params, dict):
        raise SimInputError(SOURCE, "space", "calibrate", f"{CALIBRATE} needs a list fit and a mapping params")
    return [str(u) for u in use], params


def read_space(cfg: DictConfig) -> tuple[list[str], dict[str, Any]]:
    """The names to vary and the space they come from, per ``space`` (and ``only``, a subset of the names).

    Raises:
        SimInputError: an unknown space, or an ``only`` name the space's list does not hold.
    """
    space = str(cfg.get("space", "sensitivity"))
    if space not in SPACES:
        raise SimInputError(SOURCE, "space", space, f"unknown space (known: {', '.join(SPACES)})")
    if space == "calibrate":
        use, params = calibrate_space()
    else:
        params = OmegaConf.to_container(cfg.params, resolve=True)
        use, params = [str(u) for u in cfg.use], params if isinstance(params, dict) else {}
    only = cfg.get("only")
    if only is None:
        return use, params
    if isinstance(only, str) or not hasattr(only, "__iter__"):  # only=name: iterating it would name its letters
        raise SimInputError(SOURCE, "only", only, "must be a list of parameter names, e.g. 'only=[chn_trigger]'")
    only = [str(o) for o in only]
    for name in only:
        if name not in use:
            where = f"{CALIBRATE}'s fit" if space == "calibrate" else "use"
            raise SimInputError(SOURCE, "only", name, f"not among the parameters of {where} (known: {', '.join(use)})")
    return only, params


class PointScorer(Protocol):
    """A study's scorer of outputs from a design point's runs together, built once per study."""

    def read(self, run: tuple[pd.DataFrame, pd.DataFrame]) -> Any:
        """What the scores need of one run's (events, steps), read as the run finishes (no tables are kept)."""

    def scores(self, reads: Sequence[Any]) -> Mapping[str, float]:
        """Every output it scores, from the reads of one point's runs (NaN where undefined)."""

    def describe(self) -> list[str]:
        """The report's paragraphs on what the scores are (Markdown lines)."""


@dataclass(frozen=True)
class ScoredOutputs:
    """Outputs a :class:`PointScorer` computes: their names in words, the report's groups and the scorer's factory.

    Attributes:
        labels: Every output it can score -> its words (``skill.mean`` -> ``mean skill vs null``), in report order.
        groups: (title, names) of the groups the report names top drivers for.
        prepare: ``prepare(base, choices, overrides, cfg, seeds)``: the study's scorer (base: the composed model
            config the design varies; overrides: the study's model overrides; cfg: configs/sensitivity.yaml).
        kind: What one is called in error messages (``fit score``).
    """

    labels: Mapping[str, str]
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    prepare: Callable[[DictConfig, Mapping[str, str], Sequence[str], DictConfig, int], PointScorer]
    kind: str = "fit score"
