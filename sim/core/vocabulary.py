"""The project's shared vocabulary: actors, signal kinds and dialogue channels.

Loaded from the data files in ``sim/data/`` (each row keeps its source), so the
event log can be read like CAMEO-coded event data: every signal kind maps to a
CAMEO code and that code's Goldstein score.
"""

from __future__ import annotations

import csv
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sim.core.errors import SimInputError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


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
        area: The issue area a grievance over this kind is held in (:data:`AREAS`), or ``all``
            for acts that bear on the whole relationship (a leaders' summit, an apology).
        joint: Whether both governments are its authors (a summit): each reads it as the other's act.
        verb: What the sender does, in the present tense without its subject, for
            narrated runs (``sim.teaching.narrate``): a template that may use ``{receiver}``,
            ``{receiver_adjective}`` and ``{channel}``.
        noun: The same act as a noun phrase, the template of "answering the US ...".
    """

    kind: str
    cameo_code: str
    goldstein: float
    hostility: float
    mirror: str
    military: bool
    description: str
    area: str = "diplomacy"
    joint: bool = False
    verb: str = ""
    noun: str = ""


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """One dialogue channel between a pair of governments.

    Attributes:
        post: The office the channel runs through on each side ("" for none);
            a holder of that post under the other side's sanctions blocks it.
        label: The channel in plain words ("defence ministers' talks").
        area: The issue area the channel's talks belong to (:data:`AREAS`): a grievance held in
            that area may refuse meetings on it.
        reopen_cost: ``(government, cost)`` pairs from ``sim/data/channel_costs.csv``: the thaw
            weight each government needs before it reopens the channel once it has cut it, and,
            read the other way, the order it cuts channels in (costliest to reopen first: the
            contacts it values least). A government with no row has cost 1.
    """

    channel: str
    military: bool
    post: str
    description: str
    label: str = ""
    area: str = "diplomacy"
    reopen_cost: tuple[tuple[str, float], ...] = ()

    def cost_for(self, government: str) -> float:
        """How costly reopening this channel is for ``government`` (the weight a thaw must carry)."""
        for g, c in self.reopen_cost:
            if g == government:
                return c
        return 1.0


@dataclass(frozen=True, slots=True)
class ActorSpec:
    """One actor.

    Attributes:
        noun: The name as used inside a sentence ("the United States").
        adjective: The name as a modifier ("US", "Chinese").
    """

    code: str
    name: str
    role: str  # "government" or "regional"
    noun: str = ""
    adjective: str = ""


@dataclass(frozen=True)
class Vocabulary:
    kinds: dict[str, KindSpec]
    channels: dict[str, ChannelSpec]
    actors: dict[str, ActorSpec]
    goldstein: dict[str, float]

    @property
    def channel_names(self) -> tuple[str, ...]:
        return tuple(self.channels)


AREAS = ("security", "economy", "diplomacy")
"""Issue areas a government holds grievances in, each relaxing on its own: sovereignty and
security (Taiwan, military acts, defence ties), economy and technology (trade, export
controls, sanctions), and diplomacy (visits, meetings, channels, protests). Reciprocity is
mostly practised within an issue area, linkage across areas is a choice (Axelrod, R. &
Keohane, R. O. (1985), "Achieving cooperation under anarchy: strategies and institutions",
*World Politics* 38(1): 226-254; Sebenius, J. K. (1983), "Negotiation arithmetic: adding and
subtracting issues and parties", *International Organization* 37(2): 281-316)."""
ALL_AREAS = "all"
"""The area of a kind that bears on every area at once."""

# The placeholders a kind's ``verb`` and ``noun`` templates may use (filled by sim.teaching.narrate).
TEMPLATE_FIELDS = frozenset({"receiver", "receiver_adjective", "channel"})


def _check_template(kind: str, column: str, text: str) -> None:
    """Raise ValueError for a placeholder narration cannot fill: better at load than mid-story."""
    try:
        used = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError as e:
        raise ValueError(f"sim/data/signal_kinds.csv: {kind}.{column}={text!r}: {e}") from None
    if used - TEMPLATE_FIELDS:
        raise ValueError(
            f"sim/data/signal_kinds.csv: {kind}.{column}={text!r}: unknown placeholder "
            f"(known: {', '.join(sorted(TEMPLATE_FIELDS))})"
        )


def _bad(name: str, where: str, field: str, value: object, problem: str) -> SimInputError:
    """A data file's bad value as one line naming file, row, field and value."""
    return SimInputError(f"sim/data/{name}", f"{where}: {field}" if where else field, value, problem)


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
            area=r["area"],
            joint=r["joint"] == "true",
            verb=r["verb"],
            noun=r["noun"],
        )
        if r["area"] not in (*AREAS, ALL_AREAS):
            raise ValueError(f"sim/data/signal_kinds.csv: {r['kind']}.area={r['area']!r}: not one of {AREAS + (ALL_AREAS,)}")
        _check_template(r["kind"], "verb", r["verb"])
        _check_template(r["kind"], "noun", r["noun"])
    for spec in kinds.values():
        if spec.mirror and spec.mirror not in kinds:
            raise ValueError(f"sim/data/signal_kinds.csv: mirror={spec.mirror!r}: unknown kind")
    actors = {
        r["code"]: ActorSpec(r["code"], r["name"], r["role"], r["noun"], r["adjective"]) for r in _rows("actors.csv")
    }
    governments = {c for c, a in actors.items() if a.role == "government"}
    costs: dict[str, list[tuple[str, float]]] = {}
    for i, r in enumerate(_rows("channel_costs.csv"), start=2):  # row numbers as in the file, header = 1
        where = f"row {i}"
        if r["government"] not in governments:
            raise _bad("channel_costs.csv", where, "government", r["government"], f"not one of {sorted(governments)}")
        try:
            cost = float(r["reopen_cost"])
        except ValueError:
            raise _bad("channel_costs.csv", where, "reopen_cost", r["reopen_cost"], "not a number") from None
        if not 0 < cost <= 10:
            raise _bad("channel_costs.csv", where, "reopen_cost", r["reopen_cost"], "must be in (0, 10]")
        if any(g == r["government"] for g, _ in costs.get(r["channel"], ())):
            raise _bad("channel_costs.csv", where, "channel", r["channel"], f"a second row for {r['government']}")
        costs.setdefault(r["channel"], []).append((r["government"], cost))
    channels = {}
    for i, r in enumerate(_rows("channels.csv"), start=2):
        if r["area"] not in AREAS:
            raise _bad("channels.csv", f"row {i}", "area", r["area"], f"not one of {', '.join(AREAS)}")
        channels[r["channel"]] = ChannelSpec(r["channel"], r["military"] == "true", r["post"], r["description"],
                                             r["label"], r["area"], tuple(costs.pop(r["channel"], ())))  # fmt: skip
    if costs:
        raise _bad("channel_costs.csv", "", "channel", next(iter(costs)), "not in channels.csv")
    return Vocabulary(kinds=kinds, channels=channels, actors=actors, goldstein=goldstein)
