"""The project's shared vocabulary: actors, signal kinds and dialogue channels.

Loaded from the data files in ``sim/data/`` (each row keeps its source), so the
event log can be read like CAMEO-coded event data: every signal kind maps to a
CAMEO code and that code's Goldstein score.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One signal kind.

    Attributes:
        kind: Name used in scenarios and the event log.
        cameo_code: CAMEO event code (a string: leading zeros matter).
        goldstein: Goldstein score of ``cameo_code`` (-10 hostile .. +10 cooperative).
        hostility: How hostile the signal is to its receiver, per unit intensity
            (-1 cooperative .. +1 hostile). Support for an actor a government
            watches (an arms sale to Taiwan) is read by that government as
            hostility of ``-hostility`` from the sender.
        mirror: The kind a tit-for-tat answer uses, or "" for none.
        military: Whether the signal is a military act.
    """

    kind: str
    cameo_code: str
    goldstein: float
    hostility: float
    mirror: str
    military: bool
    description: str


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """One dialogue channel between a pair of governments.

    Attributes:
        post: The office the channel runs through on each side ("" for none);
            a holder of that post under the other side's sanctions blocks it.
    """

    channel: str
    military: bool
    post: str
    description: str


@dataclass(frozen=True, slots=True)
class ActorSpec:
    code: str
    name: str
    role: str  # "government" or "regional"


@dataclass(frozen=True)
class Vocabulary:
    kinds: dict[str, KindSpec]
    channels: dict[str, ChannelSpec]
    actors: dict[str, ActorSpec]
    goldstein: dict[str, float]

    @property
    def channel_names(self) -> tuple[str, ...]:
        return tuple(self.channels)


def _rows(name: str, delimiter: str = ",") -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """Read the vocabulary files once per process and cross-check them."""
    goldstein = {r["cameo_code"]: float(r["goldstein"]) for r in _rows("cameo_goldstein.tsv", "\t")}
    kinds: dict[str, KindSpec] = {}
    for r in _rows("signal_kinds.csv"):
        code = r["cameo_code"]
        if code not in goldstein:
            raise ValueError(f"sim/data/signal_kinds.csv: cameo_code={code!r}: not in cameo_goldstein.tsv")
        kinds[r["kind"]] = KindSpec(
            kind=r["kind"],
            cameo_code=code,
            goldstein=goldstein[code],
            hostility=float(r["hostility"]),
            mirror=r["mirror"],
            military=r["military"] == "true",
            description=r["description"],
        )
    for spec in kinds.values():
        if spec.mirror and spec.mirror not in kinds:
            raise ValueError(f"sim/data/signal_kinds.csv: mirror={spec.mirror!r}: unknown kind")
    channels = {
        r["channel"]: ChannelSpec(r["channel"], r["military"] == "true", r["post"], r["description"])
        for r in _rows("channels.csv")
    }
    actors = {r["code"]: ActorSpec(r["code"], r["name"], r["role"]) for r in _rows("actors.csv")}
    return Vocabulary(kinds=kinds, channels=channels, actors=actors, goldstein=goldstein)
