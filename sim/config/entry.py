"""Around every Hydra command (``python -m sim``, ``sim.calibrate``, ``sim.sensitivity``): each failure is one line.

Hydra reports a bad override, a folder it cannot make or an error inside the job as a
multi-line report or a traceback, exit code 1. These commands instead end every failure
a user can cause or meet the same way as the project's other commands
(:func:`sim.config.cli.run_command`): one ``error:`` line on stderr naming the thing at
fault, exit code 2, and no Hydra record of a run that never started.

Before Hydra runs (:func:`check_command_line`):

* each override is read by Hydra's own grammar, one at a time, so a syntax error
  (``seed=[1,``) names its override;
* an explicit ``hydra.run.dir`` / ``hydra.sweep.dir`` must be a folder that can be made
  and written: not a file, not below a file, not on a read-only file system;
* for a command whose config is not the model's (``calibrate``, ``sensitivity``), the
  config is composed with the overrides, so an unknown key, a key added with ``+`` that is
  already there, or a bad option is named in one line (the model's own config is checked
  in full by :func:`sim.config.checks.validate_runs`).

While Hydra runs (:func:`run_hydra`), Hydra is asked to raise what it would print
(``HYDRA_FULL_ERROR``) and:

* bad input (:class:`~sim.core.errors.SimInputError`), a Hydra or OmegaConf config error
  and an OS error (a full disk named as such) become one ``error:`` line, exit code 2;
* a study database that cannot be read (SQLite via SQLAlchemy, as pyabc stores a
  calibration) becomes one line naming it, exit code 2;
* Ctrl-C (SIGINT) and SIGTERM end with ``error: interrupted (SIGINT)`` and how to resume,
  exit code 130 (the shell's code for an interrupt);
* anything else is a bug in the project, not bad input, and keeps its traceback.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sim.config.cli import SOURCE
from sim.core.errors import SimInputError

OUTPUT_DIR_KEYS = ("hydra.run.dir", "hydra.sweep.dir")
GRAMMAR = "https://hydra.cc/docs/advanced/override_grammar/basic/"


class Interrupted(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C's :class:`KeyboardInterrupt` so both unwind the same way."""


def check_command_line(argv: Sequence[str], config_name: str | None = None) -> None:
    """The checks before Hydra runs (module docstring); ``config_name``: compose that config with the overrides.

    Raises:
        SimInputError: naming the first override at fault.
    """
    from sim.config.checks import override_args

    check_flags(argv)
    args = override_args(argv)
    parsed = check_syntax(args)
    for ov in parsed:
        if ov.key_or_group in (*OUTPUT_DIR_KEYS, "results_dir") and not ov.is_sweep_override():
            check_output_dir(ov.key_or_group, ov.value())
    if config_name is not None:
        check_composes(config_name, [ov.input_line for ov in parsed if not ov.key_or_group.startswith("hydra")])


HYDRA_FLAGS = ("--help", "-h", "--hydra-help", "--version", "--cfg", "-c", "--resolve", "--package", "-p", "--run",
               "-r", "--multirun", "-m", "--shell-completion", "-sc", "--config-path", "-cp", "--config-name", "-cn",
               "--config-dir", "-cd", "--experimental-rerun", "--info", "-i")  # fmt: skip
"""The options Hydra's command line takes (``hydra.main``'s argparse), besides ``key=value`` overrides."""


def check_flags(argv: Sequence[str]) -> None:
    """An option Hydra does not take (``--hlep``) is one line, not argparse's usage block."""
    for tok in argv:
        if tok.startswith("-") and tok.split("=", 1)[0] not in HYDRA_FLAGS:
            raise SimInputError(SOURCE, "option", tok, f"unknown option (options: {', '.join(HYDRA_FLAGS[:4])}, "
                                "-m/--multirun, --cfg job, --config-dir DIR, ...; settings are key=value)")  # fmt: skip


def pinned_sweep_dir(argv: Sequence[str]) -> list[str]:
    """``argv`` with its sweep's folder named (``hydra.sweep.dir=...``, the configured default resolved now) if it
    names none, so that every message about the sweep (an interrupt: where to resume) can give the folder."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.initialize import get_gh_backup, restore_gh_from_backup

    from sim.config.checks import override_args
    from sim.core.shipped import CONFIG_DIR

    if any(a.startswith("hydra.sweep.dir=") for a in override_args(argv)):
        return list(argv)
    backup = get_gh_backup()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
            overrides = [a for a in override_args(argv) if a.startswith(("hydra.", "+sweep=", "sweep="))]
            cfg = compose("config", overrides=overrides, return_hydra_config=True)
            folder = str(cfg.hydra.sweep.dir)
    finally:
        restore_gh_from_backup(backup)
    return [*argv, f"hydra.sweep.dir={folder}"]


def check_syntax(args: Sequence[str]) -> list:
    """Hydra's parse of each override, one at a time so that a syntax error names its own override."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    parser, out = OverridesParser.create(), []
    for arg in args:
        try:
            out += parser.parse_overrides([arg])
        except HydraException as e:
            key, _, value = arg.partition("=")
            problem = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            hint = f"; quote a value with such characters: {key}='{value}'" if not value.isascii() else ""
            raise SimInputError(SOURCE, key, value, f"not an override Hydra can read ({problem}); see {GRAMMAR}{hint}") from None
    return out


def check_output_dir(key: str, value: str) -> None:
    """An explicit output folder must be one that can be made and written (``key``: its Hydra setting)."""
    if value is None or not str(value).strip():  # Path("") is the working folder: output would land among its files
        raise SimInputError(SOURCE, key, "" if value is None else str(value), "must name a folder")
    path = Path(str(value)).expanduser()
    if path.exists() and not path.is_dir():
        raise SimInputError(SOURCE, key, str(value), "is a file, not a folder")
    existing = next(p for p in (path, *path.parents) if p.exists() or p == Path(p.anchor or "."))
    if not existing.is_dir():
        raise SimInputError(SOURCE, key, str(value), f"{existing} is a file, so no folder can be made below it")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise SimInputError(SOURCE, key, str(value), f"cannot be written ({existing}: permission denied or read-only)")


def check_composes(config_name: str, overrides: Sequence[str]) -> None:
    """Compose ``configs/<config_name>.yaml`` with ``overrides``; a failure names the override at fault."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.config.compose import compose_named

    from sim.core.shipped import CONFIG_DIR

    known = [str(k) for k in compose_named(config_name, [])]
    for ov in overrides:  # a top-level key the config lacks, added with + or not, is a typo: the command ignores it
        key = ov.split("=", 1)[0].lstrip("+~")
        if "." not in key and "@" not in key and key not in known and not (CONFIG_DIR / key).is_dir():
            raise SimInputError(f"configs/{config_name}.yaml or the command line", ov.split("=", 1)[0],
                                ov.partition("=")[2], f"unknown setting (settings: {', '.join(known)})")  # fmt: skip
    try:
        compose_named(config_name, overrides)
        return
    except (HydraException, OmegaConfBaseException):
        pass
    for ov in overrides:  # the culprit: the first override that fails alone
        try:
            compose_named(config_name, [ov])
        except (HydraException, OmegaConfBaseException) as e:
            key, _, value = ov.partition("=")
            raise SimInputError(f"configs/{config_name}.yaml or the command line", key, value, hydra_problem(e)) from None
    try:  # only together (two overrides of one key): name them all
        compose_named(config_name, overrides)
    except (HydraException, OmegaConfBaseException) as e:
        raise SimInputError(SOURCE, "overrides", " ".join(overrides), hydra_problem(e)) from None


def discard_record(out: Path, top: Path) -> None:
    """Remove Hydra's record of a run refused before it wrote anything (a folder holding only ``.hydra/`` and
    Hydra's ``*.log``), and the folders that leaves empty below ``top`` (the command's results folder, which
    may have been there before)."""
    if not out.is_dir() or any(p.name != ".hydra" and p.suffix != ".log" for p in out.iterdir()):
        return
    shutil.rmtree(out, ignore_errors=True)
    for parent in out.resolve().parents:
        if parent == top.resolve() or not parent.is_relative_to(top.resolve()) or any(parent.iterdir()):
            break
        parent.rmdir()


def hydra_problem(e: BaseException) -> str:
    """Hydra's or OmegaConf's message in one line: its first sentences, without ``full_key:`` detail lines."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    said = " ".join(ln if ln.endswith(".") else f"{ln}." for ln in lines[:3] if ":" not in ln.split(" ")[0])
    return said or type(e).__name__


def os_problem(e: OSError) -> str:
    """An OS error in one line, naming its path; a full disk is called that, with what to do."""
    where = f"{e.filename}: " if e.filename else ""
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"{where}no space left on the device (or over quota); what was being written is not kept: free some "
                "space and run the same command again (a sweep resumes from its finished jobs)")  # fmt: skip
    if e.errno == errno.EROFS:
        return f"{where}the file system is read-only"
    return f"{where}{e.strerror or e}"


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM unwinds like Ctrl-C (a cluster's scheduler ends a job with it)."""

    def raise_interrupt(signum, frame):  # type: ignore[no-untyped-def]
        raise Interrupted()

    def default_in_child() -> None:  # a forked worker (pyabc's, a pool's) ends on SIGTERM at once, as it always did
        if signal.getsignal(signal.SIGTERM) is raise_interrupt:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)

    os.register_at_fork(after_in_child=default_in_child)

    try:
        previous = signal.signal(signal.SIGTERM, raise_interrupt)
    except ValueError:  # not the main thread: leave the signal as it is
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _is_database_error(e: BaseException) -> bool:
    """An SQLite or SQLAlchemy database error (a corrupted or foreign ``study.db``), without importing either."""
    return any(c.__name__ in ("DatabaseError", "OperationalError") and c.__module__.split(".")[0] in ("sqlite3", "sqlalchemy")
               for c in type(e).__mro__)  # fmt: skip


def _interrupt_within(e: BaseException) -> KeyboardInterrupt | None:
    """The interrupt an exception was raised from (its chain of causes), if any."""
    seen: set[int] = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, KeyboardInterrupt):
            return e
        seen.add(id(e))
        e = e.__cause__ or e.__context__  # type: ignore[assignment]
    return None


def _interrupted(e: KeyboardInterrupt, resume: Callable[[], str]) -> str:
    return f"interrupted ({'SIGTERM' if isinstance(e, Interrupted) else 'SIGINT'}); {resume()}"


def run_hydra(main: Callable[[], None], resume: Callable[[], str]) -> None:
    """Run a ``@hydra.main`` function so that every failure a user meets is one line (module docstring).

    ``resume``: what to do after an interrupt, asked only then (e.g. the sweep folder to name).
    """
    os.environ["HYDRA_FULL_ERROR"] = "1"  # Hydra raises what it would otherwise print, and exits 1
    code, message = 0, ""
    try:
        with _sigterm_as_interrupt():
            main()
    except KeyboardInterrupt as e:
        code, message = 130, _interrupted(e, resume)
    except SimInputError as e:
        code, message = 2, str(e)
    except OSError as e:
        code, message = 2, os_problem(e)
    except Exception as e:
        from hydra.errors import HydraException
        from omegaconf.errors import OmegaConfBaseException

        interrupt = _interrupt_within(e)
        if interrupt is not None:  # Hydra wraps what interrupts it while composing a job's config
            code, message = 130, _interrupted(interrupt, resume)
        elif isinstance(e, (HydraException, OmegaConfBaseException)):
            code, message = 2, f"{SOURCE}: {hydra_problem(e)}"
        elif _is_database_error(e):
            code, message = 2, f"{getattr(e, 'db_path', 'the study database')}: cannot be read ({str(e).splitlines()[0]})"
        else:
            raise
    if code:
        print(f"error: {message}", file=sys.stderr)
        sys.exit(code)


def checked_command(main: Callable[[], None], config_name: str, resume: str) -> None:
    """A settings command (``sim.calibrate``, ``sim.sensitivity``): its command line checked against
    ``configs/<config_name>.yaml`` before Hydra writes anything, then ``main`` run by :func:`run_hydra`."""
    try:
        check_command_line(sys.argv[1:], config_name)
    except SimInputError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    run_hydra(main, lambda: resume)
