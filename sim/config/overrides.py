"""Overrides into a config: Hydra composes what needs it, plain values are set on the composed copy.

It also turns the Python API's keywords (``scenario=``, ``seed=``, ``rules=``, ``config_dir=``) into
the overrides the command line would give (:func:`keyword_overrides`).

Composing a config costs ~0.1 s per new override list (cached afterwards); setting a
plain value on a copy costs milliseconds. :func:`configure` gives the config that
composing every override gives, composing only the group choices and what else
Hydra must resolve, so a loop over seeds or parameter values never recomposes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.config.compose import compose_config, user_config_dirs
from sim.core.errors import SimInputError
from sim.core.shipped import CONFIG_DIR


def configure(overrides: Sequence[str]) -> tuple[DictConfig, dict[str, str]]:
    """The composed config of ``overrides`` and Hydra's group choices, composing only what needs Hydra.

    Group choices (a folder of ``configs/``, ``rules/...@...``), additions and deletions (``+``, ``~``),
    Hydra's own keys and values that are not plain scalars go to Hydra (cached per such list, so
    composed once); a plain value (``seed=3``, ``governments.CHN.retaliation.trigger=0.5``,
    ``scenario=baseline``) is parsed by Hydra's override grammar and set on the copy: the same config
    as composing it all, at a few milliseconds instead of ~0.1 s per new list.
    """
    return configure_split(*split_overrides(overrides))


def configure_split(composed: Sequence[str], plain: Sequence[tuple[str, Any]]) -> tuple[DictConfig, dict[str, str]]:
    """:func:`configure` of overrides already split by :func:`split_overrides`; Hydra's errors become one line."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    try:
        cfg, choices = compose_config(composed)
    except (HydraException, OmegaConfBaseException) as e:
        first = next((line.strip() for line in str(e).splitlines() if line.strip()), type(e).__name__)
        raise SimInputError("command line", "overrides", " ".join(composed), first) from None
    for key, value in plain:
        if OmegaConf.select(cfg, key, default=_ABSENT) is _ABSENT:
            raise SimInputError("command line", key, value, "unknown config key (add it with +key=value if new)")
        OmegaConf.update(cfg, key, value, merge=False)
    return cfg, choices


_ABSENT = object()


def parse_overrides(overrides: Sequence[str], source: str = "command line") -> list:
    """``overrides`` parsed by Hydra's override grammar; a syntax error is one :class:`SimInputError` line."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        return OverridesParser.create().parse_overrides(list(overrides))
    except HydraException as e:
        raise SimInputError(source, "overrides", " ".join(overrides), str(e).splitlines()[0]) from None


def split_overrides(overrides: Sequence[str]) -> tuple[list[str], list[tuple[str, Any]]]:
    """``overrides`` as (those Hydra must compose, in order; plain scalar values as (key, value))."""
    parsed = parse_overrides(overrides)
    group_roots = [CONFIG_DIR, *user_config_dirs(overrides)]  # a user's config folder may add groups
    composed, plain = [], []
    for text, ov in zip(overrides, parsed):
        key = ov.key_or_group
        value = None if ov.is_sweep_override() else ov.value()
        scalar = value is None or isinstance(value, (bool, int, float, str))
        if (ov.is_sweep_override() or ov.is_delete() or ov.is_add() or ov.is_force_add() or ov.package is not None
                or key.startswith("hydra") or any((root / key).is_dir() for root in group_roots) or not scalar):  # fmt: skip
            composed.append(text)
        else:
            plain.append((key, value))
    return composed, plain


# -- the Python API's keywords as overrides (sim.api.run, run_many) ------------------------------------
def checked_seed(seed: Any) -> int:
    """``seed`` if it is a whole number >= 0 (a bool is not), else one :class:`SimInputError` line."""
    from sim.config.build import MAX_SEED

    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SimInputError("configs/config.yaml", "seed", seed, "must be a whole number >= 0")
    if seed > MAX_SEED:
        raise SimInputError("configs/config.yaml", "seed", seed, f"must be at most {MAX_SEED:,}")
    return seed


def _quoted(value: Any) -> str:
    """``value`` as Hydra's override grammar reads it back: as it is if plain (a name, a simple path, as a
    sweep's ``p.`` column shows it), else quoted (a path may hold spaces, commas, quotes)."""
    text = str(value)
    if re.fullmatch(r"[\w./~-]+", text):
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def keyword_overrides(scenario: str | None, seed: int | None, rules: Mapping[str, str] | None,
                      overrides: Sequence[str], config_dir: str | Path | Sequence[str | Path] | None = None) -> list[str]:  # fmt: skip
    """The keywords as overrides, before the explicit ones (which win, as later overrides do in Hydra)."""
    out = [] if config_dir is None else [_search_path(config_dir)]
    if scenario is not None:
        out.append(f"scenario={_quoted(scenario)}")
    for where, option in (rules or {}).items():
        government, _, family = str(where).partition(".")
        if not government or family not in ("retaliation", "thaw"):
            raise SimInputError("run()", "rules", where, "name a government and a family: 'CHN.retaliation' or 'USA.thaw'")
        out.append(f"rules/{family}@governments.{government}.{family}={option}")
    if seed is not None:
        out.append(f"seed={checked_seed(seed)}")
    return [*out, *overrides]


def _search_path(config_dir: str | Path | Sequence[str | Path]) -> str:
    """``config_dir`` as Hydra's ``hydra.searchpath`` override (what ``--config-dir`` does on the command line)."""
    folders = [config_dir] if isinstance(config_dir, (str, Path)) else list(config_dir)
    entries = []
    for folder in folders:
        path = Path(folder).expanduser().resolve()
        if not path.is_dir():
            raise SimInputError("run()", "config_dir", str(folder), "no such folder")
        entries.append(_quoted(f"file://{path}"))
    return f"hydra.searchpath=[{','.join(entries)}]"
