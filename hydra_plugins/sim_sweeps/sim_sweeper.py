"""``hydra/sweeper=sim``: Hydra's basic sweeper, composing one job per distinct set of config-group choices.

The basic sweeper composes every job's config in the main process before it
launches any (about 0.1-0.2 s a job, one after the other), only to check that
each can be composed; the launcher then composes each again. A job's config can
fail to compose only through its config-group choices and the keys it sets,
not through the values it gives keys (``python -m sim`` checks the swept values
before Hydra starts, each value of a short list and the ends and extremes of a
long one: ``sim.config.checks``; a bad value that slips through fails its own job,
which is recorded), and every job of a batch sets the same keys. So this sweeper composes one job for each distinct combination
of group choices: a 10,000-seed sweep is checked with one composition, a sweep
over two retaliation rules with two. Everything else is the basic sweeper.
"""


import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Dict, Optional

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser

log = logging.getLogger(__name__)


@dataclass
class SimSweeperConf:
    _target_: str = "hydra_plugins.sim_sweeps.sim_sweeper.SimSweeper"
    max_batch_size: Optional[int] = None
    params: Optional[Dict[str, str]] = None


ConfigStore.instance().store(group="hydra/sweeper", name="sim", node=SimSweeperConf, provider="sim")


class SimSweeper(BasicSweeper):
    """The basic sweeper with a cheaper pre-launch check (see the module docstring)."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        assert self.hydra_context is not None and self.config is not None
        loader = self.hydra_context.config_loader
        repository = getattr(loader, "repository", None)
        parser = OverridesParser.create(config_loader=loader)
        checked: set[tuple[str, ...]] = set()
        for overrides in batch:
            signature = tuple(_signature(parser, repository, overrides))
            if signature in checked:
                continue
            checked.add(signature)
            loader.load_sweep_config(master_config=self.config, sweep_overrides=list(overrides))
        log.debug("composed %d of %d jobs to check them", len(checked), len(batch))


def _signature(parser: OverridesParser, repository, overrides: Sequence[str]) -> list[str]:
    """What can make a job's composition fail: group choices in full, other overrides by key only."""
    out = []
    for text, ov in zip(overrides, parser.parse_overrides(list(overrides))):
        key = ov.key_or_group
        is_group = repository is None or key.startswith("hydra") or repository.group_exists(key)
        out.append(text if is_group else f"{text.partition('=')[0]}=")
    return out
