"""The project's corpus of bad inputs and faults: every one ends as the README promises.

Each case runs a command as a user would (a subprocess) and asserts its exit code (2 for bad
input or an OS error, 130 for an interrupt), a single ``error:`` line on stderr naming the
file or setting, the field and the value, and what is left on disk (no run folder, no Hydra
record of a run that never started, a sweep's finished jobs kept). Categories: hostile and
malformed scenario files (alias bombs, size, nesting, tags, a ``base`` naming another kind of
file), command-line values (syntax, bounds, unknown keys, ``_target_``), output folders, the
calibration's and sensitivity's own settings, a study database and job records that are
corrupted, aggregation with a job missing. The fault cases (SIGINT and SIGTERM mid-sweep with
two launchers, a full disk on a small tmpfs where the tests run as root) are in the slow set;
so are kill -9 at random points (``tests/e2e/test_sweep.py``), an edited scenario and a sweep
into another sweep's folder (``tests/e2e/test_sweep_folders.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ..conftest import REPO, minimal_scenario

PY = sys.executable


def command(module: str, *args: str, cwd: Path = REPO, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", module, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    """The command's single stderr line, which must start with ``error:``."""
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr[-3000:]
    assert len(lines[0]) < 1000, f"an error line of {len(lines[0])} characters: values must be shortened"
    return lines[0]


# -- the cases, as data ------------------------------------------------------------------------------------


def _scenario_text(text: str) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        (tmp / "case.yaml").write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return [f"scenario={tmp / 'case.yaml'}"]

    return setup


def _scenario_doc(**changes) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        (tmp / "case.yaml").write_text(yaml.safe_dump({**minimal_scenario(), **changes}, sort_keys=False))
        return [f"scenario={tmp / 'case.yaml'}"]

    return setup


def _events(n: int) -> Callable[[Path], list[str]]:
    event = {"date": "2022-08-02", "sender": "USA", "receiver": "TWN", "kind": "high_level_visit"}
    return _scenario_doc(events=[event] * n)


def _derived(base: str) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        (tmp / "case.yaml").write_text(yaml.safe_dump({"name": "d", "base": base, "add": []}))
        return [f"scenario={tmp / 'case.yaml'}"]

    return setup


def _a_file(name: str = "afile") -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        (tmp / name).write_text("x")
        return []

    return setup


def _complete_run(tmp: Path) -> list[str]:
    proc = command("sim", f"hydra.run.dir={tmp / 'run'}", "scenario=baseline", "figures=false")
    assert proc.returncode == 0, proc.stderr
    (tmp / "before.json").write_text((tmp / "run" / "summary.json").read_text())
    return []


_BOMB = "\n".join(["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
                   *(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefg", "bcdefgh")),
                   "start: *h"])  # fmt: skip
_DEEP = "start: 2022-08-01\nend: 2022-09-01\nevents: " + "[" * 30 + "]" * 30 + "\n"


@dataclass(frozen=True)
class Case:
    """One bad input: the command and its arguments, what to write first, and what must follow."""

    id: str
    module: str
    args: tuple[str, ...]
    needle: str  # in the one error line: the file or setting, the field and the value
    setup: Callable[[Path], list[str]] | None = None
    code: int = 2
    leaves: Callable[[Path], None] | None = None  # extra checks of what is on disk
    absent: tuple[str, ...] = ("run", "sweep", "out")  # folders below tmp that must not exist after
    unlike: tuple[str, ...] = field(default=())  # text the error must not hold (another file's contents)


def _kept_complete(tmp: Path) -> None:
    assert (tmp / "run" / "summary.json").read_text() == (tmp / "before.json").read_text()


def _no_record(tmp: Path) -> None:
    """The results folder holds nothing: not even Hydra's record of the refused run."""
    assert not (tmp / "out").exists() or not any((tmp / "out").iterdir())


def _aggregate_said_incomplete(tmp: Path) -> None:
    record = json.loads((tmp / "agg" / "incomplete.json").read_text())
    assert record["jobs"] == ["1"] and record["missing_runs"] == 2 and record["runs_in_table"] == 2
    assert len(pd.read_parquet(tmp / "agg" / "runs.parquet")) == 2
    assert (tmp / "agg" / "summary.txt").read_text().startswith("INCOMPLETE: ")


def _garbled_sweep(tmp: Path) -> list[str]:
    proc = command("sim", "-m", "seed=0,1", "replicates=2", "scenario=baseline", "figures=false",
                   f"hydra.sweep.dir={tmp / 'agg'}")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (tmp / "agg" / "1" / "job.json").write_text('{"overrides": ["seed=1"], "n_ok"')  # truncated
    return [str(tmp / "agg")]


def _corrupted_study(tmp: Path) -> list[str]:
    """A study of one small generation, whose database is then overwritten past its header."""
    settings = [f"results_dir={tmp / 'out'}", "study=bad", "population=10", "generations=1", "seeds=1"]
    proc = command("sim.calibrate", *settings)
    assert proc.returncode == 0, proc.stderr[-2000:]
    db = tmp / "out" / "bad" / "abc.db"
    db.write_bytes(db.read_bytes()[:100] + os.urandom(3000))
    return [*settings[:2], "generations=2"]


CASES = [
    # Scenario files: hostile, malformed, out of bounds.
    Case("alias-bomb", "sim", (), "case.yaml: yaml='line", _scenario_text(_BOMB)),
    Case("file-too-large", "sim", (), "file size='2,400,000 bytes'", _scenario_text("# x\n" * 600_000)),
    Case("too-many-events", "sim", (), "events='5,001 events': a scenario may script at most 5,000", _events(5001)),
    Case("nested-too-deep", "sim", (), "nest too deep", _scenario_text(_DEEP)),
    Case("recursive-alias", "sim", (), "an alias (*name) inside the value it names", _scenario_text("start: &a [*a]\n")),
    Case("python-tag", "sim", (), "not valid scenario YAML", _scenario_text("start: !!python/object/apply:os.system [echo]\n")),
    Case("duplicate-key", "sim", (), "duplicate key 'start'", _scenario_text("start: 2022-08-01\nstart: 2022-08-02\n")),
    Case("not-utf8", "sim", (), "encoding='byte", _scenario_text(b"start: \xff\xfe\n")),
    Case("impossible-date", "sim", (), "start='2022-13-45'", _scenario_doc(start="2022-13-45")),
    Case("long-value-shortened", "sim", (), "... (10,000 characters)",
         _scenario_doc(events=[{"date": "2022-08-02", "sender": "CHN", "receiver": "TWN", "kind": "x" * 10_000}])),
    Case("unknown-kind", "sim", (), "events[0].kind='nuclear_test'",
         _scenario_doc(events=[{"date": "2022-08-02", "sender": "CHN", "receiver": "TWN", "kind": "nuclear_test"}])),
    Case("base-is-a-config", "sim", (), "is not a scenario file", _derived(str(REPO / "configs" / "config.yaml")),
         unlike=("defaults", "governments", "hydra")),
    Case("base-is-a-path", "sim", (), "base='../secrets': must name a scenario", _derived("../secrets")),
    Case("base-missing", "sim", (), "base='no_such_base': no such scenario file", _derived("no_such_base")),
    Case("scenario-missing", "sim", ("scenario=no_such_episode",), "scenario='no_such_episode'"),
    # Command-line values.
    Case("override-syntax", "sim", ("seed=[1,",), "command line: seed='[1,': not an override Hydra can read"),
    Case("seed-negative", "sim", ("seed=-1",), "seed=-1: must be a whole number >= 0"),
    Case("seed-too-large", "sim", ("seed=1208925819614629174706176",), "seed=1208925819614629174706176: must be at most"),
    Case("seed-too-large-in-a-sweep", "sim", ("-m", "seed=1,1208925819614629174706176"), "must be at most 9,223,372"),
    Case("replicates-too-many", "sim", ("replicates=1000000000",), "replicates=1000000000: must be at most 1,000,000"),
    Case("replicates-zero", "sim", ("replicates=0",), "replicates=0: must be a whole number >= 1"),
    Case("typo-added-with-plus", "sim", ("+crisis_treshold=0.7",), "crisis_treshold=0.7: unknown key"),
    Case("typo-added-with-plus-plus", "sim", ("++crisis_treshold=0.7",), "crisis_treshold=0.7: unknown key"),
    Case("typo-without-plus", "sim", ("crisis_treshold=0.7",), "crisis_treshold"),
    Case("not-a-number", "sim", ("crisis_threshold=abc",), "crisis_threshold"),
    Case("target-override", "sim", ("governments.CHN.retaliation._target_=os.system",),
         "governments.CHN.retaliation._target_='os.system': is not a retaliation rule"),
    Case("unknown-rule", "sim", ("rules/retaliation@governments.CHN.retaliation=massive",), "'massive': no such option"),
    Case("empty-sweep-range", "sim", ("-m", "seed=range(5,1)"), "seed='range(5,1)': gives no values"),
    Case("glob-matching-nothing", "sim", ("-m", "rules/retaliation@governments.CHN.retaliation=glob(zz*)"),
         "='glob(zz*)': matches no option (options: "),
    Case("delete-a-missing-key", "sim", ("~nope",), "~nope='': cannot delete a key the config does not have"),
    Case("workers-not-a-number", "sim", ("-m", "seed=0,1", "replicates=2", "workers=abc"), "workers='abc': must be"),
    Case("workers-zero", "sim", ("workers=0",), "workers=0: must be a whole number >= 1"),
    Case("unknown-option", "sim", ("--hlep",), "option='--hlep': unknown option"),
    Case("empty-run-dir", "sim", ("hydra.run.dir=",), "hydra.run.dir='': must name a folder"),
    Case("empty-sweep-dir", "sim", ("-m", "seed=0,1", "hydra.sweep.dir="), "hydra.sweep.dir='': must name a folder"),
    Case("non-ascii-path-unquoted", "sim", ("hydra.run.dir={tmp}/résultats",), "quote a value with such characters"),
    Case("remove-a-government", "sim", ("~governments.CHN",), "the model needs exactly two governments"),
    Case("unknown-launcher", "sim", ("-m", "seed=0,1", "hydra/launcher=nope"), "hydra/launcher='nope'"),
    # Output folders.
    Case("run-dir-is-a-file", "sim", ("hydra.run.dir={tmp}/afile",), "hydra.run.dir='", _a_file(),
         leaves=lambda t: (t / "afile").read_text() == "x"),
    Case("run-dir-below-a-file", "sim", ("hydra.run.dir={tmp}/afile/run",), "afile is a file, so no folder", _a_file()),
    Case("sweep-dir-is-a-file", "sim", ("-m", "seed=0,1", "hydra.sweep.dir={tmp}/afile"), "is a file, not a folder",
         _a_file()),
    Case("run-dir-in-proc", "sim", ("hydra.run.dir=/proc/sim-cannot-write-here",), "/proc/sim-cannot-write-here"),
    Case("run-dir-holds-a-complete-run", "sim", ("hydra.run.dir={tmp}/run", "scenario=baseline"),
         "holds a complete run already", _complete_run, leaves=_kept_complete, absent=()),
    # The calibration's and the sensitivity analysis's settings, and a study database.
    Case("calibrate-unknown-setting", "sim.calibrate", ("trials=0", "results_dir={tmp}/out"), "trials='0': unknown setting"),
    Case("calibrate-plus-unknown", "sim.calibrate", ("+trials=0", "results_dir={tmp}/out"), "+trials='0': unknown setting"),
    Case("calibrate-bad-value", "sim.calibrate", ("population=0", "results_dir={tmp}/out"), "population=0: must be",
         leaves=_no_record, absent=()),
    Case("calibrate-syntax", "sim.calibrate", ("population=[1,",), "population='[1,': not an override"),
    Case("calibrate-corrupted-study", "sim.calibrate", ("population=10", "seeds=1"), "abc.db: study='unreadable': is not a readable pyabc study",
         _corrupted_study, absent=()),
    Case("sensitivity-unknown-setting", "sim.sensitivity", ("foo=1", "results_dir={tmp}/out"), "foo='1': unknown setting"),
    Case("sensitivity-bad-method", "sim.sensitivity", ("method=fast", "results_dir={tmp}/out"), "method='fast'",
         leaves=_no_record, absent=()),
    Case("calibrate-model-override-typo", "sim.calibrate", ('model_overrides=["crisis_treshold=0.3"]', "population=5",
         "seeds=1", "results_dir={tmp}/out"), "Could not override 'crisis_treshold'", leaves=_no_record, absent=()),
    Case("calibrate-results-dir-is-a-file", "sim.calibrate", ("results_dir={tmp}/afile",), "results_dir='", _a_file()),
    Case("sensitivity-delete-a-setting", "sim.sensitivity", ("~method", "results_dir={tmp}/out"), "Key 'method' is not",
         leaves=_no_record, absent=()),
    Case("sensitivity-only-not-a-list", "sim.sensitivity", ("only=nope", "results_dir={tmp}/out"),
         "only='nope': must be a list", leaves=_no_record, absent=()),
    # Aggregation.
    Case("aggregate-a-job-missing", "sim.aggregate", (), "1 of 2 jobs did not finish (job 1: 2 runs missing)",
         _garbled_sweep, leaves=_aggregate_said_incomplete),
    Case("aggregate-a-job-folder-deleted", "sim.aggregate", (), "1 of 2 jobs did not finish (job 1: 2 runs missing)",
         lambda t: _garbled_sweep(t) and shutil.rmtree(t / "agg" / "1") or [str(t / "agg")],
         leaves=_aggregate_said_incomplete),
    Case("aggregate-no-folder", "sim.aggregate", ("{tmp}/nowhere",), "nowhere"),
    Case("aggregate-not-a-sweep", "sim.aggregate", ("{tmp}",), "holds no sweep jobs"),
    Case("compare-no-folder", "sim.compare", ("{tmp}/nowhere",), "nowhere"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_exit_2_and_leaves_nothing_behind(case: Case, tmp_path: Path):
    extra = case.setup(tmp_path) if case.setup else []
    args = [a.replace("{tmp}", str(tmp_path)) for a in case.args]
    if case.module == "sim" and not any(a.startswith(("hydra.run.dir=", "hydra.sweep.dir=")) for a in args):
        args.append(f"hydra.{'sweep' if '-m' in args else 'run'}.dir={tmp_path / ('sweep' if '-m' in args else 'run')}")
    proc = command(case.module, *args, *extra, cwd=tmp_path)
    assert proc.returncode == case.code, (proc.returncode, proc.stderr[-3000:])
    line = one_error_line(proc)
    assert case.needle in line, line
    assert "Traceback" not in proc.stderr
    for text in case.unlike:
        assert text not in line, line
    for name in case.absent:
        assert not (tmp_path / name).exists(), f"{name} left behind"
    if case.leaves:
        case.leaves(tmp_path)


def test_the_corpus_covers_every_category_with_at_least_40_cases():
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)
    assert {c.module for c in CASES} >= {"sim", "sim.calibrate", "sim.sensitivity", "sim.aggregate", "sim.compare"}


# -- faults (slow) -----------------------------------------------------------------------------------------


def _sweep_args(folder: Path, *extra: str) -> list[str]:
    return [PY, "-m", "sim", "-m", "seed=range(0,12)", "replicates=150", "scenario=baseline", "figures=false",
            f"hydra.sweep.dir={folder}", *extra]  # fmt: skip


@pytest.fixture(scope="module")
def reference_runs(tmp_path_factory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("reference") / "sweep"
    proc = subprocess.run(_sweep_args(folder), cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return pd.read_parquet(folder / "runs.parquet")


def _finished_jobs(folder: Path) -> int:
    return sum(1 for p in folder.glob("*/job.json")) if folder.is_dir() else 0


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["sim_pool", "basic"])
@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_an_interrupted_sweep_says_how_to_resume_and_resumes_to_the_same_runs(tmp_path, reference_runs, launcher,
                                                                              signame):  # fmt: skip
    folder = tmp_path / "sweep"
    args = _sweep_args(folder, f"hydra/launcher={launcher}")
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group, as a terminal's Ctrl-C reaches
    deadline = time.monotonic() + 120
    while _finished_jobs(folder) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep ended before it could be interrupted"
    os.killpg(proc.pid, getattr(signal, signame))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert lines == [f"error: interrupted ({signame}); the sweep's finished jobs are kept in {folder}: run the same "
                     f"command with hydra.sweep.dir={folder} to resume it (only unfinished jobs run)"], err[-2000:]
    assert "Traceback" not in err
    kept = _finished_jobs(folder)
    assert 2 <= kept < 12
    resumed = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "runs.parquet"), reference_runs)


@pytest.fixture
def small_disk(tmp_path):
    """A 600 kB tmpfs (root only; elsewhere the test skips, but CI runs as root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a tmpfs needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_a_full_disk_is_named_and_leaves_no_run_folder(small_disk):
    proc = command("sim", f"hydra.run.dir={small_disk / 'run'}")
    assert proc.returncode == 2
    assert "no space left on the device" in one_error_line(proc)
    assert not (small_disk / "run").exists()


@pytest.mark.slow
def test_a_sweep_on_a_full_disk_is_named_and_resumes_once_there_is_room(small_disk, reference_runs):
    folder = small_disk / "sweep"
    args = _sweep_args(folder)
    proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")][0].startswith(
        "error: no space left on the device")
    assert "Traceback" not in proc.stderr and not (folder / "runs.parquet").exists()
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    resumed = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "runs.parquet"), reference_runs)
