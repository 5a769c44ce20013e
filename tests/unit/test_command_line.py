"""The commands' shared argument handling (sim.config.cli): one `error:` line and exit code 2 for
bad input, usage errors and OS errors; --help and a reader that stops early are not errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim.config.cli import CommandParser, run_command
from sim.core.errors import SimInputError


def _parser() -> CommandParser:
    p = CommandParser(prog="python -m sim.example")
    p.add_argument("folder")
    p.add_argument("--seeds", type=int, default=1)
    return p


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (lambda: 0, 0, None),
        (lambda: None, 0, None),
        (lambda: _parser().parse_args([]), 2, "error: command line: the following arguments are required: folder"),
        (lambda: _parser().parse_args(["x", "--seeds", "many"]), 2, "error: command line: argument --seeds: invalid int value: 'many'"),
        (lambda: _parser().parse_args(["x", "--bogus"]), 2, "error: command line: unrecognized arguments: --bogus"),
        (lambda: (_ for _ in ()).throw(SimInputError("a.yaml", "seed", -1, "must be >= 0")), 2, "error: a.yaml: seed=-1: must be >= 0"),
        (lambda: open("/nonexistent/dir/file"), 2, "error: /nonexistent/dir/file: No such file or directory"),
        (lambda: sys.exit("a message"), 2, "error: a message"),
        (lambda: sys.exit(3), 3, None),
    ],
)  # fmt: skip
def test_every_outcome_is_one_line_and_an_exit_code(body, code, message, capsys):
    assert run_command(body) == code
    err = capsys.readouterr().err
    if message is None:
        assert err == ""
    else:
        assert err == message + "\n"


def test_help_exits_zero_with_the_usage(capsys):
    assert run_command(lambda: _parser().parse_args(["--help"])) == 0
    assert capsys.readouterr().out.startswith("usage: python -m sim.example")
    described = CommandParser(prog="x", description="``python -m sim.x``: gather ``runs.parquet``")
    assert described.format_help().splitlines()[2] == "python -m sim.x: gather runs.parquet"


def test_a_reader_that_stops_early_is_not_an_error():
    # The command writes far more than the pipe holds; the reader takes one line and closes.
    code = ("import sys; from sim.config.cli import run_command\n"
            "def body():\n    for i in range(200000): print('line', i)\n"
            "raise SystemExit(run_command(body))")  # fmt: skip
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert writer.stdout.readline().startswith(b"line 0")
    writer.stdout.close()
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert err.decode() == ""
