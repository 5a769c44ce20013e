"""The README documents every outcome metric, output column and rule the code has, and its commands exist.

These check facts, never wording: a name counts as documented when it is the
(code-formatted) first cell of a row of one of the README's tables, and the
Quickstart's commands are checked for what they run, not how they are put.
"""

from __future__ import annotations

import importlib.util
import re
import shlex

from sim.core.rules import RETALIATION_RULES, THAW_RULES
from sim.outputs.metrics import OUTCOMES
from sim.outputs.tables import EVENT_COLUMNS

from ..conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def table_names(text: str = README) -> set[str]:
    """Every code-formatted name in the first cell of a Markdown table row (`a`, `b` -> {a, b})."""
    names: set[str] = set()
    for line in text.splitlines():
        cells = line.strip().split("|")
        if line.lstrip().startswith("|") and len(cells) > 2:
            names.update(re.findall(r"`([^`]+)`", cells[1]))
    return names


def section(title: str) -> str:
    """The README's text under the heading ``title`` (any level), up to the next heading
    (a ``#`` line inside a code block is no heading)."""
    lines, inside, code = [], None, False
    for line in README.splitlines():
        if line.startswith("```"):
            code = not code
        elif not code and re.match(r"#+ ", line):
            if inside:
                break
            inside = line.lstrip("#").strip() == title
            continue
        if inside:
            lines.append(line)
    assert inside, f"the README has no section {title!r}"
    return "\n".join(lines)


def test_every_outcome_metric_is_documented():
    missing = [o.name for o in OUTCOMES if o.name not in table_names()]
    assert not missing


def test_every_event_column_is_documented():
    documented = {w for name in table_names() for w in re.findall(r"\w+", name)}
    assert not [c for c in EVENT_COLUMNS if c not in documented]


def test_every_steps_column_family_is_documented(historical):
    """Each column of the steps table is documented by name or by its pattern (actors as placeholders)."""
    placeholder = r"(<[^>]+>|(?<![A-Za-z0-9])[ABX](?![A-Za-z0-9]))"  # <channel>; A, B, X for actors
    patterns = []
    for name in table_names():
        parts = re.split(placeholder, name)
        regex = "".join(
            (r"\w+" if p.startswith("<") else "[A-Z]{3}") if re.fullmatch(placeholder, p) else re.escape(p)
            for p in parts
        )
        patterns.append(re.compile(regex))
    undocumented = [c for c in historical.steps.columns if not any(p.fullmatch(c) for p in patterns)]
    assert not undocumented


def test_every_rule_is_documented():
    missing = [n for n in [*RETALIATION_RULES, *THAW_RULES] if n not in table_names()]
    assert not missing


def _commands(block: str) -> list[list[str]]:
    """The commands of a shell block: comment lines dropped, `&&` chains split."""
    out = []
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        for part in filter(None, (p.strip() for p in line.split("&&"))):
            out.append(shlex.split(part))
    return out


def test_quickstart_commands_run_what_exists_and_ci_runs_the_test_script():
    """The Quickstart's shell commands run scripts that exist and modules that can run (``-m``),
    one of them is the test script, and CI runs exactly that script."""
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", section("Quickstart"), re.S)
    commands = [c for b in blocks for c in _commands(b)]
    assert commands
    scripts = [arg for c in commands if c[0] == "bash" for arg in c[1:2]]
    assert "scripts/test.sh" in scripts
    for s in scripts:
        assert (REPO / s).is_file(), s
    modules = [c[c.index("-m") + 1] for c in commands if "-m" in c and c.index("-m") + 1 < len(c)]
    for m in modules:
        if m not in ("venv", "pip"):
            assert importlib.util.find_spec(f"{m}.__main__") or importlib.util.find_spec(m), m
    ci = _commands((REPO / ".ci" / "run").read_text(encoding="utf-8"))
    assert ci[-1][-2:] == ["bash", "scripts/test.sh"], ci[-1]  # `exec bash scripts/test.sh`
