"""What every command's argument handling shares: the parser and the one-line error.

The project's commands (``python -m sim.compare``, ``sim.aggregate``,
``sim.narrate``, ``sim.counterfactual``, ``sim.dashboard``) parse their
arguments with :class:`CommandParser` and run their body through
:func:`run_command`, so a usage error, bad input, or a failure of the OS
(a folder that cannot be written) ends the same way everywhere: one line
``error: <source>: <field>=<value>: <problem>`` on stderr and exit code 2,
never argparse's two-line usage message or a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from sim.core.errors import SimInputError

SOURCE = "command line"


class UsageError(SimInputError):
    """A command line argparse refuses (unknown flag, missing argument)."""

    def __init__(self, message: str) -> None:
        super().__init__(SOURCE, "arguments", " ".join(sys.argv[1:]), message)

    def __str__(self) -> str:  # argparse's message already names the argument
        return f"{SOURCE}: {self.problem}"


class CommandParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose errors raise :class:`UsageError` instead of printing usage.

    A description taken from a docstring loses its reStructuredText literals (````x````) in ``--help``.
    """

    def __init__(self, *args, description: str | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, description=description.replace("``", "") if description else description, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def run_command(body: Callable[[], int | None]) -> int:
    """Run a command's body; bad input or an OS error becomes one ``error:`` line and exit code 2.

    ``--help`` (argparse's ``SystemExit(0)``) passes through as exit code 0; a reader
    that stops early (``| head``) ends the command quietly.
    """
    try:
        return int(body() or 0)
    except SimInputError as e:
        print(f"error: {e}", file=sys.stderr)
    except BrokenPipeError:  # the reader stopped early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush is silent too
        return 0
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        print(f"error: {where}{e.strerror or e}", file=sys.stderr)
    except SystemExit as e:  # --help, or a body that exits on purpose
        if isinstance(e.code, str):
            print(f"error: {e.code}", file=sys.stderr)
            return 2
        return int(e.code or 0)
    return 2
