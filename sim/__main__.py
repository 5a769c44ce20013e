"""``python -m sim``: run the configured scenario and write a run folder (``signaling`` is the same command).

Bad input ends the run with a one-line error on stderr, exit code 2, and no
run folder left behind. ``--help`` is answered from the shipped files before
Hydra and the model are imported (:mod:`sim.config.help`), so it takes about
an interpreter's start; the command itself is :mod:`sim.run_command`.
"""

from __future__ import annotations

import sys

from sim.config.help import main_help, print_help, wants_help


def cli() -> None:
    """The project's help if asked (Hydra's is ``--hydra-help``), else the checked Hydra command."""
    if wants_help(sys.argv[1:]):
        print_help(main_help())
        return
    from sim.run_command import checked_main

    checked_main()


if __name__ == "__main__":
    cli()
