"""Compose the project's Hydra config (``configs/config.yaml``) with overrides, cached.

Every entry point that needs a config outside ``@hydra.main`` (the Python API,
the checks before a sweep, calibration, sensitivity, counterfactuals, the
dashboard) composes it here, once per list of overrides.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.initialize import get_gh_backup, restore_gh_from_backup
from omegaconf import DictConfig, open_dict

from sim.config.calibration import apply_calibration
from sim.core.shipped import CONFIG_DIR


def compose_config(overrides: Sequence[str] = ()) -> tuple[DictConfig, dict[str, str]]:
    """Compose ``configs/config.yaml`` with overrides; return it and Hydra's group choices.

    The calibration's declared point is set where it applies (:func:`sim.config.calibration.apply_calibration`:
    on the rules it was fitted for, never on a key the overrides set). Composition costs ~80 ms, so results are
    cached per override list for as long as no config file changes; each call returns a fresh copy (unpickled
    from the cache: ~3 ms, where a deep copy of an OmegaConf tree takes ~40 ms).
    """
    frozen, choices, _ = _compose_cached(tuple(overrides), config_stamp(overrides))
    return pickle.loads(frozen), dict(choices)


def sweep_params(overrides: Sequence[str] = ()) -> dict[str, str]:
    """The sweep a config asks for itself (``hydra.sweeper.params``, e.g. from ``+sweep=...``)."""
    return dict(_compose_cached(tuple(overrides), config_stamp(overrides))[2])


def config_stamp(overrides: Sequence[str] = ()) -> int:
    """The newest modification time of any config file (the shipped ones and those of a user's config folders
    the overrides name): part of every cache key built on a composed config."""
    folders = [CONFIG_DIR, *user_config_dirs(overrides)]
    return max((p.stat().st_mtime_ns for d in folders for p in d.rglob("*.yaml")), default=0)


def user_config_dirs(argv: Sequence[str]) -> list[Path]:
    """A user's config folders on the command line: Hydra's ``--config-dir DIR`` (``-cd``) and the
    ``file://`` entries of ``hydra.searchpath=[...]``; their files become options beside the shipped ones."""
    out, take = [], False
    for tok in argv:
        if take:
            out.append(Path(tok))
            take = False
        elif tok in ("-cd", "--config-dir"):
            take = True
        elif tok.startswith("--config-dir="):
            out.append(Path(tok.split("=", 1)[1]))
        elif tok.lstrip("+").startswith("hydra.searchpath="):
            entries = tok.split("=", 1)[1].strip().strip("[]")
            out += [Path(e.strip().strip("'\"")[len("file://"):]) for e in entries.split(",")
                    if e.strip().strip("'\"").startswith("file://")]  # fmt: skip
    return [p.expanduser().resolve() for p in out]



def compose_named(config_name: str, overrides: Sequence[str] = ()) -> DictConfig:
    """Compose another top-level config of ``configs/`` (``validate``, ``calibrate``, ...) with overrides,
    without Hydra's own settings; Hydra's global state is left as it was."""
    backup = get_gh_backup()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
            return compose(config_name, overrides=list(overrides))
    finally:
        restore_gh_from_backup(backup)


@lru_cache(maxsize=256)
def _compose_cached(overrides: tuple[str, ...], config_stamp: int) -> tuple[bytes, dict[str, str], dict[str, str]]:
    backup = get_gh_backup()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
            cfg = compose("config", overrides=list(overrides), return_hydra_config=True)
    finally:
        restore_gh_from_backup(backup)
    choices = {k: str(v) for k, v in cfg.hydra.runtime.choices.items() if v is not None}
    params = {str(k): str(v) for k, v in (cfg.hydra.sweeper.get("params") or {}).items()}
    with open_dict(cfg):
        del cfg["hydra"]
    return pickle.dumps(apply_calibration(cfg, choices, overrides)), choices, params
