"""The shipped calibration: a declared point of a posterior, and draws from it, set on a composed config.

A calibration file (``configs/calibration/<name>.yaml``, package ``calibration``,
written only by ``python -m sim.promote``) sets parameters of the rules and
governments that exist; it is not a rule of its own. It holds:

- ``values``: config key -> value, the declared point of the posterior (``point``:
  its weighted marginal median);
- ``rules``: for each rule whose parameters it sets, the rule option they were
  fitted for (``governments.CHN.retaliation: graduated``; a wrapped rule has its
  own entry, ``governments.CHN.thaw.inner: weighted``): a value under that
  rule's key is set only while that rule, and every rule enclosing it, is chosen, so a run or a sweep with
  another rule gets that rule's own defaults, not values fitted for a different one;
- ``posterior``: the posterior sample (a CSV file of ``sim/data/``: a ``weight``
  column and one column per config key), which ``posterior_draws=N`` and
  ``python -m sim.validate`` draw parameter sets from.

A value the user sets (on the command line, in a sweep, through ``run()``)
always wins over the calibration, as any Hydra override wins over a config file.
``~calibration`` drops the calibration altogether (the uncalibrated model).
"""

from __future__ import annotations

import csv
import math
import pickle
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf, open_dict

from sim.core.errors import SimInputError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
MAX_POSTERIOR_ROWS = 100_000
_OVERRIDE_KEY = re.compile(r"^(?:\+\+|\+|~)?([^=]+)")


@dataclass(frozen=True)
class Calibration:
    """A calibration as its file declares it (``source`` names the file for error messages)."""

    name: str
    point: str
    values: Mapping[str, float]
    rules: Mapping[str, str]
    posterior: str | None
    source: str

    def rules_of(self, key: str) -> list[str]:
        """The rule packages a calibrated key lies under: ``governments.CHN.thaw`` and, for a parameter of the
        rule it wraps, ``governments.CHN.thaw.inner`` as well."""
        return [p for p in self.rules if key.startswith(p + ".")]


def read_calibration(cfg: DictConfig) -> Calibration | None:
    """The calibration a composed config carries (None after ``~calibration``)."""
    node = cfg.get("calibration")
    if node is None:
        return None
    name = str(node.get("name", "calibration"))
    source = f"configs/calibration/{name}.yaml"
    data = OmegaConf.to_container(node, resolve=True)
    assert isinstance(data, dict)
    values, rules = data.get("values") or {}, data.get("rules") or {}
    if not isinstance(values, dict) or not all(_is_number(v) for v in values.values()):
        raise SimInputError(source, "values", values, "must map config keys to numbers")
    if not isinstance(rules, dict) or not all(isinstance(v, str) for v in rules.values()):
        raise SimInputError(source, "rules", rules, "must map rule keys to rule names")
    posterior = data.get("posterior")
    if posterior is not None and (not isinstance(posterior, str) or "/" in posterior or "\\" in posterior):
        raise SimInputError(source, "posterior", posterior, "must be the name of a CSV file in sim/data/")
    return Calibration(name, str(data.get("point", "")), dict(values), dict(rules), posterior, source)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def user_keys(overrides: Sequence[str]) -> set[str]:
    """The config keys a list of Hydra overrides sets or deletes (config-group choices left out)."""
    keys = set()
    for ov in overrides:
        m = _OVERRIDE_KEY.match(ov.strip())
        if m and "/" not in m.group(1) and "@" not in m.group(1) and not m.group(1).startswith("hydra"):
            keys.add(m.group(1).strip())
    return keys


def applicable(cal: Calibration, values: Mapping[str, float], choices: Mapping[str, str],
               overrides: Sequence[str]) -> dict[str, float]:  # fmt: skip
    """Of ``values`` (calibrated keys), those to set: under a rule only while that rule is chosen, and never a
    key the user set (or a key under one the user set, or a key above one: the user's value wins as a whole)."""
    chosen = {key.partition("@")[2]: option for key, option in choices.items() if key.startswith("rules/")}
    mine = user_keys(overrides)
    out = {}
    for key, v in values.items():
        if any(chosen.get(package) != cal.rules[package] for package in cal.rules_of(key)):
            continue  # fitted for another rule (the outer one, or the one it wraps)
        if any(key == k or key.startswith(k + ".") or k.startswith(key + ".") for k in mine):
            continue
        out[key] = v
    return out


def set_values(cfg: DictConfig, values: Mapping[str, float], source: str, *, copy: bool = True) -> DictConfig:
    """A copy of ``cfg`` with the dotted keys of ``values`` set; each key must exist (a list index included).

    With ``copy=False``, ``cfg`` itself is changed and returned (for a caller holding a fresh copy already).
    """
    out = pickle.loads(pickle.dumps(cfg)) if copy else cfg  # twice as fast as copy.deepcopy on an OmegaConf tree
    absent = object()
    with open_dict(out):
        for key, v in values.items():
            if OmegaConf.select(out, key, default=absent) is absent:
                raise SimInputError(source, f"values.{key}", v, "not a key of the model config (the rule or the "
                                    "repertoire it was fitted for has changed: promote a new calibration)")  # fmt: skip
            OmegaConf.update(out, key, v, merge=False)
    return out


def apply_calibration(cfg: DictConfig, choices: Mapping[str, str], overrides: Sequence[str]) -> DictConfig:
    """``cfg`` with its calibration's declared point set where it applies (:func:`applicable`)."""
    cal = read_calibration(cfg)
    if cal is None:
        return cfg
    return set_values(cfg, applicable(cal, cal.values, choices, overrides), cal.source)


@dataclass(frozen=True)
class Posterior:
    """A weighted posterior sample: ``rows[i]`` maps config keys to values, with normalised ``weights[i]``."""

    keys: tuple[str, ...]
    rows: tuple[Mapping[str, float], ...]
    weights: np.ndarray
    source: str

    def draw(self, n: int, seed: int) -> list[tuple[int, Mapping[str, float]]]:
        """``n`` rows drawn with replacement by weight, from a generator seeded by ``seed`` only (the same seed
        gives the same draws in every job, so jobs that differ in a rule compare the same parameter sets)."""
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x9057]))
        idx = rng.choice(len(self.rows), size=n, replace=True, p=self.weights)
        return [(int(i), self.rows[int(i)]) for i in idx]


def read_posterior(cal: Calibration, data_dir: Path = DATA_DIR) -> Posterior:
    """The calibration's posterior sample (one-line errors name the file, row, field and value); read once per
    process for as long as the file does not change (every job of a sweep draws from it)."""
    if cal.posterior is None:
        raise SimInputError(cal.source, "posterior", None, "this calibration ships no posterior to draw from")
    path = data_dir / cal.posterior
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1  # _read_posterior names the problem
    return _read_posterior(str(path), f"sim/data/{cal.posterior}", cal.posterior, stamp)


@lru_cache(maxsize=8)
def _read_posterior(file: str, where: str, name: str, stamp: int) -> Posterior:
    path = Path(file)
    try:
        with path.open(newline="") as f:
            reader = csv.DictReader(f)
            fields = list(reader.fieldnames or [])
            if "weight" not in fields or len(fields) < 2:
                raise SimInputError(where, "columns", fields, "needs a weight column and one column per config key")
            keys = tuple(k for k in fields if k != "weight")
            rows, weights = [], []
            for i, row in enumerate(reader, start=2):
                if i > MAX_POSTERIOR_ROWS + 1:
                    raise SimInputError(where, "rows", i - 1, f"at most {MAX_POSTERIOR_ROWS} rows")
                try:
                    values = {k: float(row[k]) for k in keys}
                    w = float(row["weight"])
                except (TypeError, ValueError):
                    raise SimInputError(f"{where}, row {i}", "values", row, "every field must be a number") from None
                if not (math.isfinite(w) and w >= 0 and all(math.isfinite(v) for v in values.values())):
                    raise SimInputError(f"{where}, row {i}", "values", row, "must be finite, the weight >= 0")
                rows.append(values)
                weights.append(w)
    except OSError as e:
        raise SimInputError(where, "posterior", name, f"cannot be read ({e.strerror or e})") from None
    total = sum(weights)
    if not rows or total <= 0:
        raise SimInputError(where, "weight", total, "needs at least one row of positive weight")
    return Posterior(keys, tuple(rows), np.asarray(weights) / total, where)


MAX_DRAWS = 10_000


def posterior_draws(cfg: DictConfig) -> int:
    """The config's ``posterior_draws`` (0: the declared point only), checked."""
    n = cfg.get("posterior_draws", 0)
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_DRAWS:
        raise SimInputError(
            "configs/config.yaml", "posterior_draws", n, f"must be a whole number from 0 to {MAX_DRAWS}"
        )
    return n


def posterior_configs(cfg: DictConfig, choices: Mapping[str, str], overrides: Sequence[str], n: int,
                      seed: int) -> list[tuple[int, DictConfig]]:  # fmt: skip
    """``n`` configs, each ``cfg`` with one posterior draw set where the calibration applies (the user's own values
    and other rules' parameters left alone), with the posterior row each one took."""
    cal = read_calibration(cfg)
    if cal is None:
        raise SimInputError("configs/config.yaml", "posterior_draws", n, "needs a calibration (not ~calibration)")
    posterior = read_posterior(cal)
    return [(row, set_values(cfg, applicable(cal, values, choices, overrides), posterior.source))
            for row, values in posterior.draw(n, seed)]  # fmt: skip
