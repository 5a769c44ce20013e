"""Where the shipped configs and scenarios live, and where relative result folders are resolved.

From a checkout (``pip install -e .``, or ``python -m sim`` in the repository) the
top-level ``configs/`` and ``scenarios/`` are the shipped ones, so an edit there
takes effect at once; from an installed wheel they are the copies packaged as
``sim._shipped`` (``setup.py`` maps them). Relative ``results_dir`` settings of
the commands resolve against the checkout's root, or, when installed, against the
working directory. Imports nothing of the project.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # the ``sim`` package's folder


def _checkout() -> Path | None:
    root = _PACKAGE.parent
    # An installed package's parent is site-packages, which may hold anything; a checkout has these.
    if (root / "pyproject.toml").is_file() and (root / "configs" / "config.yaml").is_file():
        return root
    return None


CHECKOUT: Path | None = _checkout()
"""The repository root when the package runs from a checkout, else None."""
_HOME = CHECKOUT if CHECKOUT is not None else _PACKAGE / "_shipped"
CONFIG_DIR: Path = _HOME / "configs"
"""The shipped Hydra configs (``config.yaml``, ``validate.yaml``, ... and the groups)."""
SCENARIOS_DIR: Path = _HOME / "scenarios"
"""The shipped scenario files."""


def results_root() -> Path:
    """The folder relative result paths resolve against: the checkout's root, or the working directory."""
    return CHECKOUT if CHECKOUT is not None else Path.cwd()
