"""The package's layout by role holds: who imports whom, no import cycles, docstrings, module sizes.

Imports are read with ``ast`` from the source, never by importing. Every
import statement counts as a dependency, wherever it stands: at module level,
inside a function (a deferred import) or under ``if TYPE_CHECKING:``, since a
deferred or type-only import still ties one package to another. For import
cycles the same holds, with one exception: a module importing its own
ancestor package (``sim.core.model`` -> ``sim.core``) is no edge, as Python
imports the ancestors first anyway.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import REPO

SIM = REPO / "sim"
MAX_LINES = 320

# What each package may import of sim (besides itself), as its __init__ docstring says.
ALLOWED = {
    "sim.core": set(),
    "sim.config": {"sim.core"},
    "sim.outputs": {"sim.core"},
    "sim.experiments": {"sim.core", "sim.config", "sim.outputs"},
    "sim.history": {"sim.core", "sim.config", "sim.outputs", "sim.experiments"},
    "sim.teaching": {"*"},  # every other part of sim, the Python API included
}
# The one module of sim outside the role packages that a package (its __init__) may import: the
# notice for old import paths. It imports only the standard library (checked below).
OLD_PATHS = "sim.moved"
# Third-party packages a package may not import, as its docstring says.
FORBIDDEN = {
    "sim.core": {"hydra", "omegaconf", "pandas", "matplotlib", "pyarrow", "pyabc", "SALib", "solara"},
    "sim.config": {"pandas", "matplotlib"},
    "sim.outputs": {"hydra", "omegaconf"},
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module (or package) imported
    line: int
    deferred: bool  # inside a function or under `if TYPE_CHECKING:`


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(SIM.rglob("*.py"))}


def _resolve(name: str) -> str:
    """The most specific sim module that ``name`` (``sim.core.rules.base.Rung``) names."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports_of(module: str) -> list[Import]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: list[Import] = []

    def visit(node: ast.AST, deferred: bool) -> None:
        for child in ast.iter_child_nodes(node):
            here = deferred or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                here = True
            if isinstance(child, ast.Import):
                out.extend(Import(module, a.name, child.lineno, here) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    up = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(up + ([base] if base else []))
                for a in child.names:
                    full = f"{base}.{a.name}" if base.startswith("sim") and a.name != "*" else base
                    out.append(Import(module, full, child.lineno, here))
            visit(child, here)

    visit(tree, False)
    return out


IMPORTS = {m: imports_of(m) for m in MODULES}


def role(module: str) -> str | None:
    """The role package a module belongs to (``sim.core``...), or None for sim/ itself and its commands."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 and ".".join(parts[:2]) in ALLOWED else None


def sim_edges(include_ancestors: bool = False) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for m, imps in IMPORTS.items():
        for imp in imps:
            if not (imp.target == "sim" or imp.target.startswith("sim.")):
                continue
            t = _resolve(imp.target)
            if t == m or (not include_ancestors and m.startswith(t + ".")):
                continue
            graph[m].add(t)
    return graph


def test_the_import_reader_sees_every_kind_of_import():
    """Relative, deferred and type-only imports are read (checked on modules that have them)."""
    assert any(i.deferred for imps in IMPORTS.values() for i in imps)
    assert "sim.api" in {_resolve(i.target) for i in IMPORTS["sim"]}  # sim.__getattr__ imports it lazily


def test_no_import_cycles_among_sim_modules():
    graph = sim_edges()
    cycles, state = [], {}

    def walk(m: str, stack: list[str]) -> None:
        state[m] = "open"
        for t in sorted(graph[m]):
            if state.get(t) == "open":
                cycles.append(stack[stack.index(t):] + [t])
            elif t not in state:
                walk(t, [*stack, t])
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            walk(m, [m])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_each_package_imports_only_what_its_docstring_allows():
    wrong = []
    for m, imps in IMPORTS.items():
        r = role(m)
        if r is None:
            continue
        for imp in imps:
            top = imp.target.split(".")[0]
            where = f"{MODULES[m].relative_to(REPO)}:{imp.line} imports {imp.target}"
            if top == "sim" and imp.target.startswith(OLD_PATHS) and MODULES[m].name == "__init__.py":
                continue  # a package's __init__ may forward the names that moved (sim.moved)
            if top == "sim":
                other = role(_resolve(imp.target))
                if other != r and other not in ALLOWED[r] and "*" not in ALLOWED[r]:
                    wrong.append(f"{where} ({r} may import {sorted(ALLOWED[r]) or 'nothing else of sim'})")
            elif top in FORBIDDEN.get(r, set()):
                wrong.append(f"{where} ({r} may not import {top})")
    assert not wrong, "\n".join(wrong)


def test_sim_core_imports_only_the_standard_library_numpy_mesa_yaml_and_itself():
    import sys

    allowed = set(sys.stdlib_module_names) | {"numpy", "mesa", "yaml", "__future__"}
    wrong = [f"{m}:{i.line} imports {i.target}" for m, imps in IMPORTS.items() if role(m) == "sim.core"
             for i in imps if not i.target.startswith("sim.core")
             and i.target.split(".")[0] not in allowed]  # fmt: skip
    assert not wrong, "\n".join(wrong)


def test_outputs_load_matplotlib_only_to_draw():
    """In sim.outputs, only the drawing module imports matplotlib at module level: importing any
    other (tables, columns, metrics, io) never loads it, through any chain of eager imports."""
    graph = {m: {_resolve(i.target) for i in imps if i.target.startswith("sim") and not i.deferred}
             for m, imps in IMPORTS.items()}  # fmt: skip
    eager_mpl = {m for m, imps in IMPORTS.items()
                 if any(i.target.startswith("matplotlib") and not i.deferred for i in imps)}  # fmt: skip
    assert {m for m in eager_mpl if role(m) == "sim.outputs"} <= {"sim.outputs.figures"}
    for m in (m for m in MODULES if role(m) == "sim.outputs" and m != "sim.outputs.figures"):
        seen, todo = set(), [m]
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.add(x)
                todo.extend(graph.get(x, ()))
        assert not seen & eager_mpl, f"importing {m} loads matplotlib through {sorted(seen & eager_mpl)}"


def _docstring_packages(doc: str) -> set[str]:
    """The sim packages the "May import:" paragraph of a docstring allows (before any "Not ...")."""
    m = re.search(r"May import:(.*?)(?:\n\s*\n|\Z)", doc, re.S)
    assert m, "no 'May import:' paragraph"
    allowed = re.split(r"\bNot\b|\bNever\b", m.group(1))[0]
    if re.search(r"every other part of ``sim``", allowed):
        return {"*"}
    return set(re.findall(r"``(sim\.\w+)``", allowed))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_docstring_says_what_the_layout_test_enforces(package):
    doc = ast.get_docstring(ast.parse(MODULES[package].read_text(encoding="utf-8"))) or ""
    assert _docstring_packages(doc) - {package} == ALLOWED[package]


def test_the_old_paths_notice_imports_only_the_standard_library():
    import sys

    tops = {imp.target.split(".")[0] for imp in IMPORTS[OLD_PATHS]} - {"__future__"}
    assert tops <= set(sys.stdlib_module_names), tops


def test_every_package_init_has_a_docstring():
    missing = [str(p.relative_to(REPO)) for p in sorted(SIM.rglob("__init__.py"))
               if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]  # fmt: skip
    assert not missing


def test_no_module_in_sim_or_bench_exceeds_the_size_limit():
    """Modules stay under MAX_LINES lines: past that, split them by role (see CONTRIBUTING.md)."""
    sizes = {str(p.relative_to(REPO)): len(p.read_text(encoding="utf-8").splitlines())
             for folder in ("sim", "bench") for p in sorted((REPO / folder).rglob("*.py"))}  # fmt: skip
    too_long = {p: n for p, n in sizes.items() if n > MAX_LINES}
    assert not too_long, f"over {MAX_LINES} lines: {too_long}"
