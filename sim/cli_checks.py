"""Check command-line overrides before Hydra runs anything.

Hydra reports an unknown config option or key in a multi-line message; these
checks catch the common cases first and report them in one line naming the
override and its value. Sweep overrides (``a=1,2``) are checked value by value.
"""

from __future__ import annotations

from collections.abc import Sequence

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf

from sim.api import CONFIG_DIR, compose_config
from sim.errors import SimInputError

_FLAGS_WITH_VALUE = {"-cn", "--config-name", "-cp", "--config-path", "-cd", "--config-dir", "--experimental-rerun"}
_MISSING = object()
SOURCE = "command line"


def override_args(argv: Sequence[str]) -> list[str]:
    """The override tokens of a ``python -m sim`` command line (flags dropped)."""
    out, skip = [], False
    for tok in argv:
        if skip:
            skip = False
        elif tok in _FLAGS_WITH_VALUE:
            skip = True
        elif not tok.startswith("-"):
            out.append(tok)
    return out


def _values(ov) -> list[str]:
    if ov.is_sweep_override():
        return [str(v) for v in ov.sweep_string_iterator()]
    return [ov.get_value_element_as_str()]


def check_overrides(argv: Sequence[str]) -> DictConfig | None:
    """Raise :class:`SimInputError` for an unknown config option or key.

    Returns the config composed with the first value of every group choice
    (None when there was nothing to check).
    """
    args = override_args(argv)
    if not args:
        return None
    try:
        parsed = OverridesParser.create().parse_overrides(args)
    except HydraException:
        return None  # a syntax error: Hydra's own message is the useful one
    group_choices, keys = [], []
    for ov in parsed:
        key = ov.key_or_group
        if key.startswith("hydra") or ov.is_delete() or ov.is_add() or ov.is_force_add():
            continue
        if (CONFIG_DIR / key).is_dir():
            for v in _values(ov):
                if not (CONFIG_DIR / key / f"{v}.yaml").is_file():
                    known = ", ".join(sorted(p.stem for p in (CONFIG_DIR / key).glob("*.yaml")))
                    name = f"{key}@{ov.package}" if ov.package else key
                    raise SimInputError(SOURCE, name, v, f"no such option in configs/{key}/ (options: {known})")
            group_choices.append(f"{ov.input_line.split('=', 1)[0]}={_values(ov)[0]}")
        else:
            keys.append(ov)
    cfg, _ = compose_config(group_choices)
    for ov in keys:
        if OmegaConf.select(cfg, ov.key_or_group, default=_MISSING) is _MISSING:
            parent, _, leaf = ov.key_or_group.rpartition(".")
            node = OmegaConf.select(cfg, parent) if parent else cfg
            known = ", ".join(sorted(map(str, node.keys()))) if isinstance(node, DictConfig) else ""
            raise SimInputError(SOURCE, ov.key_or_group, _values(ov)[0],
                                "unknown config key" + (f" (keys here: {known})" if known else ""))  # fmt: skip
    return cfg
