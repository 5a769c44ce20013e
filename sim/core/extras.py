"""The optional parts of the installation (pyproject.toml's extras), and the one-line error when one is missing.

The core (the model, runs, sweeps on one machine with the ``sim_pool`` launcher,
figures) needs only the base dependencies. Each command or choice that needs
more calls :func:`require` before it starts, so a missing package is one
``error:`` line naming the extra to install, not an ``ImportError`` traceback
halfway through. Imports nothing of the project but its errors.
"""

from __future__ import annotations

import importlib.util
import sys

from sim.core.errors import SimInputError

DISTRIBUTION = "uschina-signaling"
EXTRAS: dict[str, tuple[str, ...]] = {
    "validate": ("statsmodels",),
    "calibrate": ("pyabc", "SALib", "statsmodels"),
    "cluster": ("hydra_plugins.hydra_joblib_launcher", "hydra_plugins.hydra_submitit_launcher"),
    "dashboard": ("solara", "ipyvuetify"),
    "notebooks": ("ipykernel", "nbclient", "nbformat"),
}
"""Per extra, the modules whose absence means it is not installed (pyproject.toml lists the distributions)."""


class MissingExtraError(SimInputError):
    """A command needs an extra that is not installed."""

    def __init__(self, extra: str, what: str, missing: list[str]) -> None:
        super().__init__("installation", "extra", extra, f"{what} needs {', '.join(missing)}")
        self.extra = extra
        self.what = what
        self.missing = missing

    def __str__(self) -> str:
        return (f"{self.what} needs the '{self.extra}' extra ({', '.join(self.missing)} not installed): "
                f"pip install '{DISTRIBUTION}[{self.extra}]'")  # fmt: skip


def missing(extra: str, modules: tuple[str, ...] | None = None) -> list[str]:
    """The modules of ``extra`` (or just ``modules`` of it) that cannot be imported here."""
    out = []
    for name in modules or EXTRAS[extra]:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # a parent package (hydra_plugins.x) is absent
            found = False
        if not found:
            out.append(name.rpartition(".")[2])
    return out


def require(extra: str, what: str, modules: tuple[str, ...] | None = None) -> None:
    """Raise :class:`MissingExtraError` if ``extra`` (or the named ``modules`` of it) is not installed."""
    absent = missing(extra, modules)
    if absent:
        raise MissingExtraError(extra, what, absent)


def exit_unless_installed(extra: str, what: str, modules: tuple[str, ...] | None = None) -> None:
    """At a command's entry, before Hydra writes anything: the missing extra's ``error:`` line, exit code 2."""
    try:
        require(extra, what, modules)
    except MissingExtraError as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(2) from None
