"""The package as a user installs it: a wheel built from the sources, in a fresh environment, outside the checkout.

The wheel carries the shipped configs and scenarios, so the model, a sweep, the
console scripts and ``--help`` work from any folder; the core install has no
extra, so each command that needs one says so in one line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pandas as pd
import pytest

from ..conftest import REPO

pytestmark = pytest.mark.slow


def _sources(dest: Path) -> Path:
    """A copy of the checkout's files (tracked and new, not ignored): the build writes nothing into the checkout."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                            text=True, check=True).stdout.splitlines()  # fmt: skip
    for name in listed:
        src = REPO / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a fresh virtual environment with the core wheel (no extras) installed."""
    root = tmp_path_factory.mktemp("package")
    src = _sources(root / "src")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(root / "dist"), str(src)], check=True,
                   capture_output=True, timeout=600)  # fmt: skip
    wheels = sorted((root / "dist").glob("*.whl"))
    assert len(wheels) == 1 and len(list((root / "dist").glob("*.tar.gz"))) == 1  # a wheel and an sdist
    venv.create(root / "env", with_pip=True)
    bin_dir = root / "env" / "bin"
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheels[0])], check=True,
                   capture_output=True, timeout=900)  # fmt: skip
    return bin_dir


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_the_installed_wheel_runs_a_model_a_sweep_and_help_from_any_folder(installed: Path, tmp_path: Path):
    one = _run(installed, "python", "-m", "sim", "seed=3", "figures=false", f"hydra.run.dir={tmp_path / 'run'}",
               cwd=tmp_path)  # fmt: skip
    assert one.returncode == 0, one.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["scenario"] == "historical_2022_2024" and summary["seed"] == 3
    assert summary["provenance"]["git_commit"] is None  # an installed package is no checkout
    sweep = _run(installed, "signaling", "-m", "seed=0,1", "scenario=baseline", "figures=false",
                 f"hydra.sweep.dir={tmp_path / 'sweep'}", cwd=tmp_path)  # fmt: skip
    assert sweep.returncode == 0, sweep.stderr
    runs = pd.read_parquet(tmp_path / "sweep" / "runs.parquet")
    assert sorted(runs["seed"]) == [0, 1] and (runs["status"] == "ok").all()
    helped = _run(installed, "signaling", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "scenario" in helped.stdout
    # The shipped scenarios are found by name; a user's own scenario file by its path.
    own = tmp_path / "mine.yaml"
    own.write_text("base: baseline\nname: mine\n")
    mine = _run(installed, "python", "-m", "sim", f"scenario={own}", "figures=false",
                f"hydra.run.dir={tmp_path / 'mine'}", cwd=tmp_path)  # fmt: skip
    assert mine.returncode == 0, mine.stderr
    assert json.loads((tmp_path / "mine" / "summary.json").read_text())["scenario"] == "mine"
    # A user's config folder adds options to the shipped groups (Hydra's --config-dir).
    (tmp_path / "conf" / "rules" / "retaliation").mkdir(parents=True)
    shutil.copy(REPO / "configs" / "rules" / "retaliation" / "graduated.yaml",
                tmp_path / "conf" / "rules" / "retaliation" / "mine.yaml")  # fmt: skip
    theirs = _run(installed, "signaling", f"--config-dir={tmp_path / 'conf'}", "rules/retaliation@governments.CHN.retaliation=mine",
                  "figures=false", f"hydra.run.dir={tmp_path / 'theirs'}", cwd=tmp_path)  # fmt: skip
    assert theirs.returncode == 0, theirs.stderr
    assert (tmp_path / "theirs" / "summary.json").is_file()


@pytest.mark.parametrize(("command", "extra"), [
    (("signaling-calibrate",), "calibrate"),
    (("python", "-m", "sim.sensitivity"), "calibrate"),
    (("signaling-validate", "seeds=2"), "validate"),
    (("signaling-dashboard",), "dashboard"),
    (("signaling", "-m", "seed=0,1", "hydra/launcher=joblib"), "cluster"),
])  # fmt: skip
def test_a_command_whose_extra_is_missing_says_which_in_one_line(installed: Path, tmp_path: Path, command, extra):
    proc = _run(installed, *command, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ")
    assert f"pip install 'uschina-signaling[{extra}]'" in proc.stderr
    assert not any(tmp_path.iterdir())  # nothing written
