"""Scenario files: a date range, who holds which post, and the scripted events.

Scenarios are YAML data read with ``yaml.safe_load`` and checked field by
field against the vocabulary; they cannot import or call code. The format is
documented in ``scenarios/README.md``.

A scenario may instead name a ``base`` scenario and list the events it
``remove``s from it and ``add``s to it (a counterfactual): it then takes the
base's dates, posts and every other event, so a correction to the base reaches
its counterfactuals, and a removal that no longer matches exactly one base
event is an error rather than a silent no-op.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from sim.core.errors import SimInputError
from sim.core.vocabulary import load_vocabulary

SCENARIOS_DIR = Path(__file__).resolve().parents[2] / "scenarios"

_TOP_KEYS = {"name", "description", "start", "end", "spontaneous", "posts", "events"}
_POST_KEYS = {"actor", "post", "official", "sanctioned_by", "source"}
_EVENT_KEYS = {
    "date", "sender", "receiver", "kind", "channel", "intensity", "magnitude", "unit",
    "venue", "host", "note", "post", "official", "sanctioned_by", "source",
}  # fmt: skip
# A scenario derived from a base: everything else comes from the base.
_DERIVED_KEYS = {"name", "description", "base", "remove", "add"}
# What a removal may name to pick its base event (date and kind are required); note says why.
_REMOVE_KEYS = {"date", "kind", "sender", "receiver", "channel", "note"}
_PAIR_KINDS = ("channel_suspension", "channel_resumption", "meeting_request")
_ISO3 = re.compile(r"^[A-Z]{3}$")
# Dates outside this range are refused: the event log uses nanosecond timestamps.
_FIRST_DATE, _LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


class _ScenarioLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that keeps dates as text (checked by :func:`_date`) and refuses duplicate keys."""

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Without the implicit timestamp resolver, `2022-13-45` stays a string and gets
# a proper one-line error instead of a ValueError from inside the YAML parser.
_ScenarioLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class PostHolder:
    """Who holds a post at the start (``official`` None: vacant)."""

    actor: str
    post: str
    official: str | None
    sanctioned_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScriptedEvent:
    """One event the scenario injects on its date (``index``: its place in the file)."""

    index: int
    date: dt.date
    sender: str
    receiver: str
    kind: str
    channel: str
    intensity: float
    magnitude: float | None
    unit: str
    note: str
    host: str
    post: str
    official: str | None
    sanctioned_by: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Scenario:
    """A validated scenario."""

    name: str
    description: str
    path: str
    start: dt.date
    end: dt.date
    spontaneous: bool
    posts: tuple[PostHolder, ...]
    events: tuple[ScriptedEvent, ...]

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    def day_of(self, date: dt.date) -> int:
        return (date - self.start).days


def resolve_scenario(ref: str) -> Path:
    """A scenario name (``historical_2022_2024``) or a path to a YAML file."""
    ref = str(ref)
    if ref.endswith((".yaml", ".yml")) or "/" in ref:
        path = Path(ref).expanduser()
    else:
        path = SCENARIOS_DIR / f"{ref}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml")))
        raise SimInputError(str(path), "scenario", ref, f"no such scenario file (known scenarios: {known})")
    return path


def load_scenario(ref: str) -> Scenario:
    """Read and validate a scenario; raise :class:`SimInputError` on the first problem.

    Parsed scenarios are cached per file and modification time (of the file
    and, for a derived scenario, of its base), so runs that share a scenario
    (seeds, sweeps, calibration trials) parse it once.
    """
    path = resolve_scenario(ref)
    src = str(path.resolve())
    doc = _read_doc(src, ref, _stamp(path))
    base = _base_path(doc, src) if isinstance(doc, dict) and "base" in doc else None
    return _load_cached(src, ref, _stamp(path), None if base is None else (str(base.resolve()), _stamp(base)))


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=64)
def _read_doc(src: str, ref: str, stamp: tuple[int, int]) -> Any:
    """The file's YAML document (cached; callers must not modify it)."""
    try:
        return yaml.load(Path(src).read_text(encoding="utf-8"), Loader=_ScenarioLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise SimInputError(src, "yaml", where, f"not valid scenario YAML: {problem}") from None
    except UnicodeDecodeError as e:
        raise SimInputError(src, "encoding", f"byte {e.start}", "the file is not UTF-8 text") from None
    except OSError as e:
        raise SimInputError(src, "scenario", ref, f"cannot be read: {e.strerror}") from None


@lru_cache(maxsize=32)
def _load_cached(src: str, ref: str, stamp: tuple[int, int], base: tuple[str, tuple[int, int]] | None) -> Scenario:
    # ``base`` (the base file and its stamp) is only part of the cache key: a derived
    # scenario is parsed again when its base changes.
    doc = _read_doc(src, ref, stamp)
    if isinstance(doc, dict) and "base" in doc:
        return _derive(doc, src, Path(src).stem)
    if isinstance(doc, dict):
        for key in ("remove", "add"):
            if key in doc:
                raise SimInputError(src, key, doc[key], "only a scenario with a `base` may remove or add events")
    return parse_scenario(doc, src, default_name=Path(src).stem)


def _base_path(doc: dict, src: str) -> Path:
    """The file ``base`` names: a scenario name, or a path relative to the derived file."""
    ref = doc["base"]
    if not isinstance(ref, str) or not ref.strip():
        raise SimInputError(src, "base", ref, "must name a scenario (e.g. historical_2022_2024) or a YAML file")
    if ref.endswith((".yaml", ".yml")) or "/" in ref:
        path = Path(src).parent / Path(ref).expanduser()
    else:
        path = SCENARIOS_DIR / f"{ref}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml")))
        raise SimInputError(src, "base", ref, f"no such scenario file {path} (known scenarios: {known})")
    return path


def _derive(doc: dict, src: str, default_name: str) -> Scenario:
    """A scenario built from its base: the base's events minus ``remove``, plus ``add``."""
    for k in doc:
        if k not in _DERIVED_KEYS:
            raise SimInputError(src, k, doc[k], "unknown field in a scenario with a base, which takes its dates, "
                                f"posts and events from the base (allowed: {', '.join(sorted(_DERIVED_KEYS))})")  # fmt: skip
    base_path = _base_path(doc, src)
    base_doc = _read_doc(str(base_path.resolve()), doc["base"], _stamp(base_path))
    if isinstance(base_doc, dict) and "base" in base_doc:  # also refuses a file that is its own base
        raise SimInputError(src, "base", doc["base"], "is itself derived from a base; name a full scenario")
    base = load_scenario(str(base_path))
    removed: dict[int, int] = {}  # position in base.events -> index in remove
    for i, r in enumerate(_list(doc.get("remove"), src, "remove")):
        pos = _match_removal(r, src, i, base)
        if pos in removed:
            raise SimInputError(src, f"remove[{i}]", r, f"removes the same event as remove[{removed[pos]}]")
        removed[pos] = i
    added = []
    for i, e in enumerate(_list(doc.get("add"), src, "add")):
        ev = _event(e, src, i, base.start, base.end, field="add")
        if ev.kind in _PAIR_KINDS:  # the two governments are the actors whose role is government
            for side in ("sender", "receiver"):
                actor = getattr(ev, side)
                if load_vocabulary().actors[actor].role != "government":
                    raise SimInputError(src, f"add[{i}].{side}", actor, f"a {ev.kind} must be between the two governments")
        added.append(ev)
    kept = [e for pos, e in enumerate(base.events) if pos not in removed]
    return Scenario(
        name=_text(doc.get("name", default_name), src, "name"),
        description=_text(doc.get("description", base.description), src, "description"),
        path=src,
        start=base.start,
        end=base.end,
        spontaneous=base.spontaneous,
        posts=base.posts,
        # Stable sort: on a shared day the base's events come first, in their order, then the added ones.
        events=tuple(sorted(kept + added, key=lambda e: e.date)),
    )


def _match_removal(r: Any, src: str, i: int, base: Scenario) -> int:
    """The position in ``base.events`` of the one event removal ``r`` names."""
    f = f"remove[{i}]"
    if not isinstance(r, dict):
        raise SimInputError(src, f, r, "must be a mapping naming a base event (date, kind; sender, receiver, channel)")
    _no_unknown(r, _REMOVE_KEYS, src, f + ".")
    date = _date(r.get("date"), src, f + ".date")
    kind = r.get("kind")
    if not isinstance(kind, str) or kind not in load_vocabulary().kinds:
        raise SimInputError(src, f + ".kind", kind, f"unknown signal kind (known: {', '.join(load_vocabulary().kinds)})")
    _text(r.get("note"), src, f + ".note")
    want = {k: r[k] for k in ("sender", "receiver", "channel") if k in r}
    hits = [pos for pos, e in enumerate(base.events)
            if e.date == date and e.kind == kind and all(getattr(e, k) == v for k, v in want.items())]  # fmt: skip
    if len(hits) != 1:
        that_day = "; ".join(f"{e.sender}->{e.receiver} {e.kind}" + (f" ({e.channel})" if e.channel else "")
                             for e in base.events if e.date == date) or "none"  # fmt: skip
        which = {"date": str(date), "kind": kind, **want}
        problem = "matches no event" if not hits else f"matches {len(hits)} events (add sender, receiver or channel)"
        raise SimInputError(src, f, which, f"{problem} of base {base.path} (its events on {date}: {that_day})")
    return hits[0]


def parse_scenario(doc: Any, src: str, default_name: str = "scenario") -> Scenario:
    """Validate a scenario already parsed from YAML (``src`` names it in errors)."""
    if not isinstance(doc, dict):
        raise SimInputError(src, "(top level)", type(doc).__name__, "must be a mapping of scenario fields")
    _no_unknown(doc, _TOP_KEYS, src, "")
    start = _date(doc.get("start"), src, "start")
    end = _date(doc.get("end"), src, "end")
    if end < start:
        raise SimInputError(src, "end", str(end), f"is before start {start}")
    if (end - start).days > 36_500:
        raise SimInputError(src, "end", str(end), "the scenario may span at most 100 years")
    spontaneous = doc.get("spontaneous", True)
    if not isinstance(spontaneous, bool):
        raise SimInputError(src, "spontaneous", spontaneous, "must be true or false")
    posts = tuple(_post(p, src, i) for i, p in enumerate(_list(doc.get("posts"), src, "posts")))
    events = tuple(
        _event(e, src, i, start, end) for i, e in enumerate(_list(doc.get("events"), src, "events"))
    )
    events = tuple(sorted(events, key=lambda e: e.date))  # stable: same-day order kept
    return Scenario(
        name=_text(doc.get("name", default_name), src, "name"),
        description=_text(doc.get("description", ""), src, "description"),
        path=src,
        start=start,
        end=end,
        spontaneous=spontaneous,
        posts=posts,
        events=events,
    )


def _no_unknown(d: dict, allowed: set[str], src: str, prefix: str) -> None:
    for k in d:
        if k not in allowed:
            raise SimInputError(src, f"{prefix}{k}", d[k], f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _list(v: Any, src: str, field: str) -> list:
    if v is None:
        return []
    if not isinstance(v, list):
        raise SimInputError(src, field, v, "must be a list")
    return v


def _text(v: Any, src: str, field: str) -> str:
    if v is None:
        return ""
    if not isinstance(v, (str, int, float)) or isinstance(v, bool):
        raise SimInputError(src, field, v, "must be text")
    return str(v)


def _date(v: Any, src: str, field: str) -> dt.date:
    date = None
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        date = v
    elif isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        try:
            date = dt.date.fromisoformat(v)
        except ValueError:
            pass
    if date is None:
        raise SimInputError(src, field, v, "must be a date written YYYY-MM-DD")
    if not _FIRST_DATE <= date <= _LAST_DATE:
        raise SimInputError(src, field, str(date), f"must lie between {_FIRST_DATE} and {_LAST_DATE}")
    return date


def _actor(v: Any, src: str, field: str) -> str:
    if not isinstance(v, str) or v not in load_vocabulary().actors:
        known = ", ".join(load_vocabulary().actors)
        raise SimInputError(src, field, v, f"unknown actor (known: {known})")
    return v


def _sanctioned_by(v: Any, src: str, field: str) -> tuple[str, ...]:
    return tuple(_actor(a, src, f"{field}[{j}]") for j, a in enumerate(_list(v, src, field)))


def _post(p: Any, src: str, i: int) -> PostHolder:
    f = f"posts[{i}]"
    if not isinstance(p, dict):
        raise SimInputError(src, f, p, "must be a mapping")
    _no_unknown(p, _POST_KEYS, src, f + ".")
    official = p.get("official")
    if official is not None and not isinstance(official, str):
        raise SimInputError(src, f + ".official", official, "must be a name or null (vacant)")
    return PostHolder(
        actor=_actor(p.get("actor"), src, f + ".actor"),
        post=_post_name(p.get("post"), src, f + ".post"),
        official=official,
        sanctioned_by=_sanctioned_by(p.get("sanctioned_by"), src, f + ".sanctioned_by"),
    )


def _post_name(v: Any, src: str, field: str) -> str:
    posts = {c.post for c in load_vocabulary().channels.values() if c.post}
    if not isinstance(v, str) or v not in posts:
        raise SimInputError(src, field, v, f"unknown post (known: {', '.join(sorted(posts))})")
    return v


def _number(v: Any, src: str, field: str, lo: float, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not (lo <= v <= hi) or math.isnan(v):
        raise SimInputError(src, field, v, f"must be a number in [{lo:g}, {hi:g}]")
    return float(v)


def _event(e: Any, src: str, i: int, start: dt.date, end: dt.date, field: str = "events") -> ScriptedEvent:
    f = f"{field}[{i}]"
    if not isinstance(e, dict):
        raise SimInputError(src, f, e, "must be a mapping")
    _no_unknown(e, _EVENT_KEYS, src, f + ".")
    vocab = load_vocabulary()
    date = _date(e.get("date"), src, f + ".date")
    if not start <= date <= end:
        raise SimInputError(src, f + ".date", str(date), f"is outside the scenario's dates {start}..{end}")
    kind = e.get("kind")
    if not isinstance(kind, str) or kind not in vocab.kinds:
        raise SimInputError(src, f + ".kind", kind, f"unknown signal kind (known: {', '.join(vocab.kinds)})")
    channel = e.get("channel") or ""
    if channel and (not isinstance(channel, str) or channel not in vocab.channels):
        raise SimInputError(src, f + ".channel", channel, f"unknown channel (known: {', '.join(vocab.channels)})")
    if kind in ("channel_suspension", "channel_resumption", "meeting_request") and not channel:
        raise SimInputError(src, f + ".channel", e.get("channel"), f"is required for kind {kind}")
    sender = _actor(e.get("sender"), src, f + ".sender")
    receiver = _actor(e.get("receiver"), src, f + ".receiver")
    if kind == "personnel_change" and sender != receiver:
        raise SimInputError(src, f + ".receiver", receiver, f"a personnel change is internal: receiver must be the sender {sender}")
    if kind != "personnel_change" and sender == receiver:
        raise SimInputError(src, f + ".receiver", receiver, f"a {kind} needs two different actors")
    host = e.get("host") or ""
    if host and not (isinstance(host, str) and _ISO3.match(host)):
        raise SimInputError(src, f + ".host", host, "must be an ISO3 country code")
    post, official = "", None
    if kind == "personnel_change":
        post = _post_name(e.get("post"), src, f + ".post")
        official = e.get("official")
        if official is not None and not isinstance(official, str):
            raise SimInputError(src, f + ".official", official, "must be a name or null (vacant)")
    elif "post" in e or "official" in e:
        raise SimInputError(src, f + ".post", e.get("post"), "only personnel_change events name a post")
    magnitude = e.get("magnitude")
    note = _text(e.get("note"), src, f + ".note")
    venue = _text(e.get("venue"), src, f + ".venue")
    return ScriptedEvent(
        index=i,
        date=date,
        sender=sender,
        receiver=receiver,
        kind=kind,
        channel=channel,
        intensity=_number(e.get("intensity", 1.0), src, f + ".intensity", 0.01, 10.0),
        magnitude=None if magnitude is None else _number(magnitude, src, f + ".magnitude", 0, 1e12),
        unit=_text(e.get("unit"), src, f + ".unit"),
        note=f"{venue}: {note}" if venue and note else (venue or note),
        host=host,
        post=post,
        official=official,
        sanctioned_by=_sanctioned_by(e.get("sanctioned_by"), src, f + ".sanctioned_by"),
        source=_text(e.get("source"), src, f + ".source"),
    )
