"""``hydra/launcher=sim_pool``: a sweep's jobs on all cores of one machine, in forked warm workers.

The launcher itself is :class:`sim.experiments.pool_launcher.PoolLauncher` (its docstring says how it
works); Hydra accepts launchers only from the ``hydra_plugins`` package, so this module
registers its config and names it here.
"""

from dataclasses import dataclass
from typing import Optional

from hydra.core.config_store import ConfigStore

from sim.experiments.pool_launcher import PoolLauncher


@dataclass
class SimPoolLauncherConf:
    _target_: str = "hydra_plugins.sim_sweeps.sim_pool_launcher.SimPoolLauncher"
    # Worker processes; null: the cores this process may use (a SLURM allocation's, too).
    n_jobs: Optional[int] = None
    # Sweep-wide progress: null shows a bar on a terminal and a line per 10% of runs otherwise.
    progress: Optional[bool] = None


ConfigStore.instance().store(group="hydra/launcher", name="sim_pool", node=SimPoolLauncherConf, provider="sim")


class SimPoolLauncher(PoolLauncher):
    """Hydra's name for :class:`sim.experiments.pool_launcher.PoolLauncher`."""
