"""``python -m sim.dashboard``: serve the teaching dashboard on this machine.

Usage::

    python -m sim.dashboard [--host 127.0.0.1] [--port 8765] [--scenario NAME]

The server listens on localhost only unless ``--host`` says otherwise, so a
classroom laptop does not expose the page to its network by accident. Ctrl-C
stops it. Bad arguments end with one line naming the argument, and exit code 2.
"""

from __future__ import annotations

import argparse
import errno
import importlib.util
import os
import socket
import sys
import warnings
from collections.abc import Sequence

from sim.config.cli import CommandParser, UsageError
from sim.core.errors import SimInputError
from sim.core.extras import require
from sim.teaching.dashboard import SCENARIO_ENV

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, with the defaults: localhost, port 8765, the configured scenario."""
    parser = CommandParser(prog="python -m sim.dashboard", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)")  # fmt: skip
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--scenario", default=None, help="scenario the page starts with (default: the configured one)")
    return parser.parse_args(argv)


def _check_port(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port``, or None if it can."""
    if not 1 <= port <= 65535:
        return "must be in [1, 65535]"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        return f"cannot resolve host {host!r}: {e.strerror}"
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                return "is in use (choose another with --port)"
            return e.strerror or str(e)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Check the arguments, then run Solara's server in this process until Ctrl-C."""
    try:
        args = parse_args(argv)
        problem = _check_port(args.host, args.port)
        if problem:
            raise UsageError(f"--port={args.port} on {args.host}: {problem}")
        if args.scenario is not None:
            from sim.teaching.dashboard.model import make_spec

            try:
                make_spec(scenario_name=args.scenario)
            except SimInputError as e:
                raise UsageError(f"--scenario={args.scenario!r}: {e.problem}") from None
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.scenario is not None:
        os.environ[SCENARIO_ENV] = args.scenario
    try:
        require("dashboard", "python -m sim.dashboard", ("solara", "ipyvuetify"))
    except SimInputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if importlib.util.find_spec("solara_assets") is None:
        # Without it solara fetches the page's scripts from a CDN at every first load.
        print("warning: solara-assets is not installed: the page loads only with internet access "
              "(pip install solara-assets)", file=sys.stderr)  # fmt: skip
    # Solara reads its settings when imported: no usage telemetry from a classroom machine, and
    # no "This website runs on Solara" banner over the page's corner (the event log's).
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "false")
    # Solara warns that a page on 127.0.0.1 over http cannot be embedded in another
    # site's iframe; the dashboard is not embedded, and the warning worries users.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    import click
    from solara.__main__ import cli as solara_cli

    print(f"Dashboard at http://{args.host}:{args.port}/  (Ctrl-C stops it)", flush=True)
    try:
        solara_cli.main(
            ["run", "sim.teaching.dashboard.app", "--host", args.host, "--port", str(args.port),
             "--production", "--no-open", "--no-check-version"],
            prog_name="python -m sim.dashboard",
            standalone_mode=False,
        )  # fmt: skip
    except (KeyboardInterrupt, click.exceptions.Abort):
        # uvicorn shuts down gracefully on Ctrl-C, then re-raises the interrupt
        # (click turns it into Abort): the user's way to stop, not an error.
        pass
    print("Dashboard stopped.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
