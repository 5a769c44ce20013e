"""Packaging beyond what pyproject.toml can say: the shipped configs and scenarios travel in the wheel.

``configs/`` (Hydra) and ``scenarios/`` stay at the top of the checkout, where
users and the README find them; a built wheel carries them as the data packages
``sim._shipped.configs`` and ``sim._shipped.scenarios`` (each subfolder its own
package, as setuptools wants it), and :mod:`sim.core.shipped` looks in the
checkout first, then there. Everything else is declared in pyproject.toml.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup


def data_packages(package: str, folder: str) -> dict[str, str]:
    """``folder`` and each of its subfolders as a package under ``package``: name -> folder."""
    root = Path(folder)
    subfolders = sorted(p for p in root.rglob("*") if p.is_dir() and "__pycache__" not in p.parts)
    return {".".join((package, *p.relative_to(root).parts)): p.as_posix() for p in (root, *subfolders)}


SHIPPED = {**data_packages("sim._shipped.configs", "configs"), **data_packages("sim._shipped.scenarios", "scenarios")}

setup(
    # hydra_plugins is a namespace package (Hydra finds launchers and sweepers there), so namespace discovery.
    packages=[*find_namespace_packages(include=["sim", "sim.*", "hydra_plugins", "hydra_plugins.*"]), *SHIPPED],
    package_dir=SHIPPED,
    package_data={"sim": ["data/*.csv", "data/*.tsv"], **{name: ["*.yaml", "*.md"] for name in SHIPPED}},
)
