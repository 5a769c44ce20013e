"""Check command-line overrides before Hydra runs anything.

Hydra reports an unknown config option or key in a multi-line message; these
checks catch the common cases first and report them in one line naming the
override and its value. Sweep overrides (``a=1,2``) are checked value by value.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf

from sim.config.build import build_spec
from sim.config.cli import SOURCE
from sim.config.compose import CONFIG_DIR, compose_config, sweep_params, user_config_dirs
from sim.core.errors import SimInputError
from sim.core.extras import require

_FLAGS_WITH_VALUE = {"-cn", "--config-name", "-cp", "--config-path", "-cd", "--config-dir", "--experimental-rerun"}
_MISSING = object()


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


def _search_override(argv: Sequence[str]) -> list[str]:
    """The override that lets the checks' own compositions see the user's config folders, if any."""
    dirs = user_config_dirs(argv)
    return [f"hydra.searchpath=[{','.join(f'file://{d}' for d in dirs)}]"] if dirs else []


def _values(ov) -> list[str] | None:
    """The values an override takes (None for sweeps that need Hydra to expand, e.g. glob)."""
    if ov.is_sweep_override():
        try:
            return [str(v) for v in ov.sweep_string_iterator()]
        except HydraException:
            return None
    return [ov.get_value_element_as_str()]


def check_overrides(argv: Sequence[str]) -> DictConfig | None:
    """Raise :class:`SimInputError` for an unknown config option or key.

    Returns the config composed with the first value of every group choice
    (None when no key needed checking).
    """
    args = override_args(argv)
    if not args:
        return None
    parsed = _parsed(args)
    if parsed is None:
        return None  # a syntax error: Hydra's own message is the useful one
    group_choices, keys = [], []
    dirs = [CONFIG_DIR, *user_config_dirs(argv)]
    deletions = []
    for ov in parsed:
        key = ov.key_or_group
        if ov.is_delete() and not key.startswith("hydra") and not (CONFIG_DIR / key).is_dir():
            deletions.append(ov)
        if key.startswith("hydra") or ov.is_delete() or ov.is_add() or ov.is_force_add():
            continue
        values = _values(ov)
        if values is None and hasattr(ov.value(), "filter"):  # glob(...): the options it matches, or none
            dirs_ = [CONFIG_DIR, *user_config_dirs(argv)]
            names = sorted({p.stem for d in dirs_ for p in (d / key).glob("*.yaml")}) if (CONFIG_DIR / key).is_dir() else []
            values = ov.value().filter(names)
            if not values:
                raise SimInputError(SOURCE, key, ov.input_line.split("=", 1)[1], "matches no option"
                                    + (f" (options: {', '.join(names)})" if names else ": glob(...) ranges over a config group's options"))  # fmt: skip
            continue
        if values is None:
            continue
        if not values:  # range(5,1), an empty choice list: a sweep of no jobs
            raise SimInputError(SOURCE, key, ov.input_line.split("=", 1)[1], "gives no values: a sweep needs at least one")
        if (CONFIG_DIR / key).is_dir():
            for v in values:
                if not any((d / key / f"{v}.yaml").is_file() for d in dirs):
                    known = ", ".join(sorted({p.stem for d in dirs for p in (d / key).glob("*.yaml")}))
                    name = f"{key}@{ov.package}" if ov.package else key
                    raise SimInputError(SOURCE, name, v, f"no such option in configs/{key}/ (options: {known})")
            group_choices.append(f"{ov.input_line.split('=', 1)[0]}={values[0]}")
        else:
            keys.append((ov, values))
    if not keys and not deletions:  # nothing to look up: spare a composition (~0.1 s of every command)
        return None
    cfg, _ = compose_config([*_search_override(argv), *group_choices])
    for ov in deletions:  # ~key of a key the config lacks: Hydra's report spans a traceback
        if OmegaConf.select(cfg, ov.key_or_group, default=_MISSING) is _MISSING:
            raise SimInputError(SOURCE, f"~{ov.key_or_group}", "", "cannot delete a key the config does not have")
    for ov, values in keys:
        if OmegaConf.select(cfg, ov.key_or_group, default=_MISSING) is _MISSING:
            parent, _, leaf = ov.key_or_group.rpartition(".")
            node = OmegaConf.select(cfg, parent) if parent else cfg
            known = ", ".join(sorted(map(str, node.keys()))) if isinstance(node, DictConfig) else ""
            raise SimInputError(SOURCE, ov.key_or_group, values[0],
                                "unknown config key" + (f" (keys here: {known})" if known else ""))  # fmt: skip
    return cfg


def _probes(values: list[str]) -> list[str]:
    """The values of a sweep worth building: all of a short list; the ends and extremes of a long one."""
    if len(values) <= 20:
        return values
    picked = {values[0], values[-1]}
    try:
        numbers = sorted(values, key=float)
        picked |= {numbers[0], numbers[-1]}
    except ValueError:
        picked |= set(values)
    return [v for v in values if v in picked]


def validate_runs(argv: Sequence[str]) -> None:
    """Build the model of every run the command line asks for (sweeps: a few probes per value list).

    Called before Hydra creates any folder, so bad values stop the command
    before anything is written. A named sweep's own values (``+sweep=...``,
    ``hydra.sweeper.params``) are checked like command-line ones.

    Raises:
        SimInputError: the first bad value found, naming its file or override.
    """
    check_overrides(argv)
    check_pool_launcher(override_args(argv))
    check_hydra_overrides(argv)
    args = [a for a in override_args(argv) if not a.split("=", 1)[0].lstrip("+~").startswith("hydra")]
    value_lists = _value_lists(args)
    if value_lists is None:
        return
    search = _search_override(argv)
    base = [*search, *(f"{k}={vs[0]}" for k, vs in value_lists.items())]
    named = {k: v for k, v in sweep_params(base).items() if k not in value_lists}
    more = _value_lists([f"{k}={v}" for k, v in named.items()])
    value_lists.update(more or {})
    base = [*search, *(f"{k}={vs[0]}" for k, vs in value_lists.items())]
    cfg, choices = compose_config(base)
    build_spec(cfg, choices)
    for i, (key, values) in enumerate(value_lists.items()):
        group = (CONFIG_DIR / key.lstrip("+~").split("@")[0]).is_dir()
        copied = None  # one copy per key: each value overwrites the last, the other keys stay at base
        for v in _probes(values)[1:]:
            if group:  # another config file: compose again (~0.1 s)
                j = len(search) + i  # the key's place in base, after the search path
                c, ch = compose_config([*base[:j], f"{key}={v}", *base[j + 1 :]])
            else:  # another value: set it on a copy of the composed config
                copied = copy.deepcopy(cfg) if copied is None else copied
                c, ch = copied, choices
                OmegaConf.update(c, key.lstrip("+~"), yaml.safe_load(v), force_add=key.startswith("+"))
            build_spec(c, ch)


_CLUSTER_LAUNCHERS = {"joblib": "hydra_plugins.hydra_joblib_launcher",
                      "submitit_local": "hydra_plugins.hydra_submitit_launcher",
                      "submitit_slurm": "hydra_plugins.hydra_submitit_launcher",
                      "slurm": "hydra_plugins.hydra_submitit_launcher"}  # fmt: skip
"""Launchers of the ``cluster`` extra (the default ``sim_pool`` is the core's), and the plugin each needs."""


def check_pool_launcher(args: Sequence[str]) -> None:
    """A launcher of the ``cluster`` extra must be installed; with the default launcher (``sim_pool``),
    ``hydra.launcher.n_jobs`` must be null or a whole number >= 1."""
    given = dict(a.lstrip("+").split("=", 1) for a in args if "=" in a)
    launcher = given.get("hydra/launcher", "sim_pool")
    if launcher in _CLUSTER_LAUNCHERS:
        require("cluster", f"hydra/launcher={launcher}", (_CLUSTER_LAUNCHERS[launcher],))
    if launcher != "sim_pool" or "hydra.launcher.n_jobs" not in given:
        return
    value = given["hydra.launcher.n_jobs"]
    if value.strip().lower() in ("null", "none", "~"):
        return
    try:
        ok = int(value) >= 1
    except ValueError:
        ok = False
    if not ok:
        raise SimInputError(SOURCE, "hydra.launcher.n_jobs", value, "worker processes: a whole number >= 1, or null for every core")


def check_hydra_overrides(argv: Sequence[str]) -> None:
    """Hydra's own settings on the command line (``hydra/launcher=...``, ``hydra.launcher.n_jobs=...``) name
    options and keys Hydra has: composing them tells, in one line (Hydra's own report spans a dozen lines)."""
    parsed = [ov for ov in _parsed(override_args(argv)) or () if ov.key_or_group.startswith("hydra")
              and not ov.is_delete() and ov.key_or_group != "hydra.searchpath"]  # fmt: skip
    search = _search_override(argv)
    choices = []
    for ov in (ov for ov in parsed if ov.key_or_group.startswith("hydra/")):
        values = _values(ov) or []
        for value in values:  # each launcher or sweeper named must exist
            _compose_or_raise([*search, f"{ov.key_or_group}={value}"], ov.key_or_group, value)
        choices += [f"{ov.key_or_group}={values[0]}"] if values else []
    keys = [ov for ov in parsed if not ov.key_or_group.startswith("hydra/") and not ov.is_sweep_override()]
    try:  # all at once (one composition); only a failure looks for the culprit
        compose_config([*search, *choices, *(ov.input_line for ov in keys)])
    except Exception:  # noqa: BLE001  (the culprit's own composition below says what it is)
        for ov in keys:
            _compose_or_raise([*search, *choices, ov.input_line], ov.key_or_group, ov.get_value_element_as_str())


def _compose_or_raise(overrides: list[str], key: str, value: str) -> None:
    from hydra.errors import MissingConfigException
    from omegaconf.errors import OmegaConfBaseException

    try:
        compose_config(overrides)
    except MissingConfigException as e:
        known = ", ".join(sorted(e.options or ()))
        raise SimInputError(SOURCE, key, value, "no such option" + (f" (options: {known})" if known else "")) from None
    except (HydraException, OmegaConfBaseException) as e:
        lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
        said = " ".join(ln if ln.endswith(".") else f"{ln}." for ln in lines[:3] if ":" not in ln.split(" ")[0])
        raise SimInputError(SOURCE, key, value, said or type(e).__name__) from None


def _parsed(args: Sequence[str]) -> list | None:
    """The overrides as Hydra parses them, or None for a syntax error (Hydra's own message says where)."""
    try:
        return OverridesParser.create().parse_overrides(list(args))
    except HydraException:
        return None


def _value_lists(args: Sequence[str]) -> dict[str, list[str]] | None:
    """Each override's key (as written, with any @package) and the values it takes."""
    parsed = _parsed(args)
    if parsed is None:
        return None
    out: dict[str, list[str]] = {}
    for ov in parsed:
        values = _values(ov)
        if values is not None:  # glob sweeps are left to Hydra's own expansion
            out[ov.input_line.split("=", 1)[0]] = values
    return out
