"""Regional states' economic dependence on each power, read once from ``sim/data/regional_economy.csv``.

Each row gives one state's share of its total goods trade with one power and that power's share
of its inward direct investment (stock or flows, about 2022), with the publication it comes from
and a note saying where a value is approximate. :func:`dependence` folds the two shares into one
number that :class:`sim.core.regional.RegionalState` uses: dependence on a power pulls a state
towards that power's inducements and restrains its balancing against that power's coercion
(Kuik, C.-C. (2008), "The essence of hedging: Malaysia and Singapore's response to a rising
China", *Contemporary Southeast Asia* 30(2): 159-185).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sim.core.errors import SimInputError
from sim.core.vocabulary import load_vocabulary

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "regional_economy.csv"
COLUMNS = ("actor", "partner", "trade_share", "investment_share", "year", "source", "note")


@dataclass(frozen=True, slots=True)
class EconomicTie:
    """One row: ``actor``'s economic ties with ``partner``.

    Attributes:
        trade_share: Share of the actor's total goods trade (exports plus imports) with the partner.
        investment_share: The partner's share of the actor's inward direct investment.
        year: Reference year of the figures.
        source: The publication(s) the figures come from.
        note: How the figures were derived and which are approximate.
    """

    actor: str
    partner: str
    trade_share: float
    investment_share: float
    year: int
    source: str
    note: str


def _shown(path: Path) -> str:
    """The file as a message names it: relative to the package's data folder where it is in it."""
    return f"sim/data/{path.name}" if path.parent == DATA_FILE.parent else str(path)


def _bad(row: int, name: str, value: object, problem: str, path: Path) -> SimInputError:
    return SimInputError(_shown(path), f"row {row}: {name}", value, problem)


def read_ties(path: Path = DATA_FILE) -> dict[tuple[str, str], EconomicTie]:
    """Read and check an economy file: known regional actor and pole, shares in [0, 1], one row per pair.

    Raises:
        SimInputError: Naming the file, the row (1 = first data row), the field and the value.
    """
    actors = load_vocabulary().actors
    out: dict[tuple[str, str], EconomicTie] = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise SimInputError(_shown(path), "columns", sorted(reader.fieldnames or ()), f"missing {missing}")
        for i, rec in enumerate(reader, start=1):
            actor, partner = rec["actor"].strip(), rec["partner"].strip()
            if actor not in actors or actors[actor].role != "regional":
                raise _bad(i, "actor", actor, "must be a regional actor of sim/data/actors.csv", path)
            if partner not in actors or actors[partner].role != "government":
                raise _bad(i, "partner", partner, "must be a government of sim/data/actors.csv", path)
            shares = []
            for name in ("trade_share", "investment_share"):
                try:
                    v = float(rec[name])
                except (TypeError, ValueError):
                    raise _bad(i, name, rec[name], "must be a number", path) from None
                if not 0.0 <= v <= 1.0:
                    raise _bad(i, name, rec[name], "must be a share in [0, 1]", path)
                shares.append(v)
            try:
                year = int(rec["year"])
            except (TypeError, ValueError):
                raise _bad(i, "year", rec["year"], "must be a whole year", path) from None
            if not rec["source"].strip():
                raise _bad(i, "source", rec["source"], "must name the publication", path)
            if (actor, partner) in out:
                raise _bad(i, "partner", partner, f"a second row for {actor}", path)
            out[(actor, partner)] = EconomicTie(actor, partner, shares[0], shares[1], year, rec["source"], rec["note"])
    return out


@lru_cache(maxsize=1)
def load_ties() -> dict[tuple[str, str], EconomicTie]:
    """The shipped economy file, read and checked once."""
    return read_ties(DATA_FILE)


def dependence(actor: str, partner: str, trade_weight: float = 0.5) -> float:
    """``actor``'s economic dependence on ``partner`` in [0, 1]: a weighted mean of its trade and
    investment shares (0 when the file has no row for the pair)."""
    tie = load_ties().get((actor, partner))
    if tie is None:
        return 0.0
    return trade_weight * tie.trade_share + (1.0 - trade_weight) * tie.investment_share
