"""``--help`` of the commands whose settings are a Hydra config, written from the shipped files themselves.

``python -m sim --help`` says what the tool does, lists the scenarios (each
file's ``description``), the rules (each option's first comment line), the main
keys with their defaults and comments (``configs/config.yaml``) and examples;
``python -m sim.calibrate --help`` and ``python -m sim.sensitivity --help`` print
their config file (its header of examples, then every setting with its default and
comment). Nothing is composed: help returns in about the time of an import.
Hydra's own help stays at ``--hydra-help``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from sim.core.shipped import CONFIG_DIR, SCENARIOS_DIR

HELP_FLAGS = ("-h", "--help")
MAIN_KEYS = ("scenario", "seed", "replicates", "posterior_draws", "workers", "crisis_threshold", "figures")
EXAMPLES = (
    ("python -m sim", "the historical replay, seed 0: results/runs/<time>/"),
    ("python -m sim scenario=baseline seed=7", "another scenario and seed"),
    ("python -m sim rules/retaliation@governments.CHN.retaliation=tit_for_tat", "another rule for China"),
    ("python -m sim governments.CHN.retaliation.trigger=0.5 ~calibration", "one parameter, uncalibrated defaults"),
    ("python -m sim -m seed=0,1,2 rules/thaw@governments.CHN.thaw=weighted,time_decay", "a sweep: runs.parquet"),
)


def wants_help(argv: Sequence[str]) -> bool:
    return any(a in HELP_FLAGS for a in argv)


def _first_comment(path: Path) -> str:
    """The first sentence of the file's leading comment block."""
    block = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            if block:
                break
            continue
        block.append(line.lstrip("# ").strip())
    text = " ".join(" ".join(block).split())
    end = re.search(r"\.(\s|$)", text)
    return text[: end.start() + 1] if end else text


def _scenarios() -> list[tuple[str, str]]:
    out = []
    for path in sorted(SCENARIOS_DIR.glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            doc = {}
        text = doc.get("description") if isinstance(doc, dict) else None
        if not text and isinstance(doc, dict) and doc.get("base"):
            text = f"{_first_comment(path)} (derived from {doc['base']})"
        out.append((path.stem, " ".join(str(text or _first_comment(path)).split())))
    return out


def _keys(path: Path, names: Sequence[str]) -> list[tuple[str, str, str]]:
    """Top-level ``key: value`` lines of a config file with the comment block just above each (key, default, comment)."""
    found, comment = {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            comment.append(line.lstrip("# ").strip())
            continue
        m = re.match(r"^([A-Za-z_]\w*):\s*(.*?)\s*(#.*)?$", line)
        if m and m.group(1) in names:
            found[m.group(1)] = (m.group(2), " ".join(comment))
        comment = [] if not line.startswith("#") else comment
    return [(k, *found[k]) for k in names if k in found]


def _wrap(text: str, width: int = 100, indent: str = "      ") -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(indent) + len(line) + 1 + len(w) > width:
            lines.append(indent + line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return [*lines, indent + line] if line else lines


def main_help() -> str:
    """The text of ``python -m sim --help``."""
    out = [
        "python -m sim: an agent-based model of US-China signaling (retaliation and thaw rules, regional states).",
        "Runs a scenario and writes a run folder (events.parquet, steps.parquet, summary.json, figures/);",
        "with -m, a sweep over value lists (runs.parquet, summary.txt, figures/). Settings are Hydra overrides",
        "KEY=VALUE of configs/config.yaml; bad input is one `error:` line and exit code 2.",
        "",
        "usage: python -m sim [KEY=VALUE ...]        one run (hydra.run.dir=DIR to choose the folder)",
        "       python -m sim -m KEY=V1,V2 ...       a sweep, one job per combination (hydra.sweep.dir=DIR)",
        "",
        "Scenarios (scenario=NAME, or scenario=path/to/file.yaml):",
    ]
    width = max(len(n) for n, _ in _scenarios())
    out += [f"  {name:<{width}}  {text}" for name, text in _scenarios()]
    for family in ("retaliation", "thaw"):
        out += ["", f"{family.capitalize()} rules (rules/{family}@governments.CHN.{family}=NAME; USA likewise):"]
        options = sorted((CONFIG_DIR / "rules" / family).glob("*.yaml"))
        w = max(len(p.stem) for p in options)
        out += [f"  {p.stem:<{w}}  {_first_comment(p)}" for p in options]
    out += ["", "Main keys (default), of configs/config.yaml:"]
    for key, default, comment in _keys(CONFIG_DIR / "config.yaml", MAIN_KEYS):
        out += [f"  {key}={default}", *_wrap(comment)]
    out += ["  governments.<USA|CHN>.<retaliation|thaw>.<parameter>=VALUE   a rule's parameter (see the rule's file)",
            "  ~calibration   the uncalibrated defaults (the calibration sets the posterior's declared point)", "",
            "Examples:"]  # fmt: skip
    w = max(len(c) for c, _ in EXAMPLES)
    out += [f"  {cmd:<{w}}  # {what}" for cmd, what in EXAMPLES]
    out += ["", "More: README.md; --cfg job prints the composed config; --hydra-help is Hydra's own help."]
    return "\n".join(out)


def config_help(prog: str, config_name: str) -> str:
    """The text of a Hydra command's ``--help``: its config file, header of examples and settings with defaults."""
    text = (CONFIG_DIR / f"{config_name}.yaml").read_text(encoding="utf-8")
    settings = re.split(r"\n(?=hydra:)", text)[0].rstrip()  # Hydra's own output settings left out
    return (f"usage: {prog} [KEY=VALUE ...]\n\nSettings are Hydra overrides of configs/{config_name}.yaml, shown "
            f"here with their defaults and what each means:\n\n{settings}\n")  # fmt: skip


def print_help(text: str) -> None:
    """Print help; a reader that stops early (``| head``) is no error."""
    try:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
