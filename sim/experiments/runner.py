"""The one run loop: run a built model spec over seeds and measure each run."""

from __future__ import annotations

import logging


def quiet_mesa() -> None:
    """Mesa 3.5 logs every step at INFO; under Hydra's logging that triples run time."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
