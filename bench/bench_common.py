"""What both benchmarks record about the machine and the code timed, and how they write their reports."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.outputs.io import write_text

REPO = Path(__file__).resolve().parents[1]


def version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _git(*args: str) -> str | None:
    """Read-only git query; None if git is unavailable."""
    try:
        out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode in (0, 1) else None


def source_digest(folders: Sequence[str] = ("sim", "configs", "scenarios")) -> str:
    """SHA-256 over the model's source, config and scenario files as they are on disk now.

    The working tree may differ from the commit; this identifies exactly what was timed.
    """
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".yaml", ".csv", ".tsv"}:
                digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def machine_info() -> dict[str, Any]:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    dirty = _git("diff", "--no-ext-diff", "--stat", "HEAD", "--", "sim", "configs", "scenarios")
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "mesa": version("mesa"),
        "numpy": version("numpy"),
        "pandas": version("pandas"),
        "hydra-core": version("hydra-core"),
        "omegaconf": version("omegaconf"),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_model_code_modified": None if dirty is None else bool(dirty),
        "source_sha256": source_digest(),
    }


def write_reports(report: Mapping[str, Any], markdown: str, out: Path, stem: str) -> list[Path]:
    """Write a benchmark's JSON and Markdown reports, latest and tagged with the interpreter, atomically."""
    m = report["machine"]
    texts = {".json": json.dumps(report, indent=2) + "\n", ".md": markdown}
    paths = []
    for name in (stem, f"{stem}_py{m['python']}_mesa{m['mesa']}"):
        for suffix, text in texts.items():
            write_text(out / f"{name}{suffix}", text)
            paths.append(out / f"{name}{suffix}")
    return paths


def machine_line(report: Mapping[str, Any], cpu_model: bool = False) -> str:
    """The line under a report's title: interpreter, Mesa, usable CPUs (and their model), when."""
    m = report["machine"]
    cpus = f"{m['cpus_usable']} usable CPUs" + (f" ({m['cpu_model']})" if cpu_model else "")
    return f"Python {m['python']}, Mesa {m['mesa']}; {cpus}; {report['when']}"


def publish(report: Mapping[str, Any], markdown: str, out: Path, stem: str) -> list[Path]:
    """Write the reports (:func:`write_reports`), print the Markdown and where the reports went."""
    paths = write_reports(report, markdown, out, stem)
    print(markdown, end="" if markdown.endswith("\n") else "\n")
    print(f"\nwrote {', '.join(str(p) for p in paths)}")
    return paths
