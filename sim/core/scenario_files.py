"""Scenario files: read, cached, and derived from a base scenario.

Scenarios are read as YAML data only, within size limits (:mod:`sim.core.scenario_yaml`), and checked
by :func:`sim.core.scenario.parse_scenario`. A scenario may instead name a
``base`` scenario and list the events it ``remove``s from it and ``add``s to
it (a counterfactual): it then takes the base's dates, posts, situation at the
start (``channels_at_start``, ``hostility_at_start``) and every other event, so a correction to the base reaches its counterfactuals, and a removal
that no longer matches exactly one base event is an error rather than a
silent no-op.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from sim.core.errors import SimInputError
from sim.core.scenario import (
    PAIR_KINDS,
    Scenario,
    check_event_count,
    event_field,
    list_field,
    no_unknown_fields,
    parse_scenario,
    text_field,
)
from sim.core.scenario_fields import check_launches, event_date_field
from sim.core.scenario_yaml import read_yaml
from sim.core.shipped import SCENARIOS_DIR
from sim.core.vocabulary import load_vocabulary

# A scenario derived from a base: everything else comes from the base.
_DERIVED_KEYS = {"name", "description", "base", "remove", "add"}
# What a removal may name to pick its base event (date and kind are required); note says why.
_REMOVE_KEYS = {"date", "kind", "sender", "receiver", "channel", "note"}


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
    """The file's YAML document, within the limits (cached per file and stamp; callers must not modify it)."""
    return read_yaml(src, ref, stamp[1])


@lru_cache(maxsize=32)
def _load_cached(src: str, ref: str, stamp: tuple[int, int], base: tuple[str, tuple[int, int]] | None) -> Scenario:
    # ``base`` (the base file and its stamp) is only part of the cache key: a derived
    # scenario is parsed again when its base changes.
    doc = _read_doc(src, ref, stamp)
    if isinstance(doc, dict) and "base" in doc:
        return _derive(doc, src, Path(src).stem)
    if isinstance(doc, dict):
        _refuse_other_files(doc, src)
        for key in ("remove", "add"):
            if key in doc:
                raise SimInputError(src, key, doc[key], "only a scenario with a `base` may remove or add events")
    return parse_scenario(doc, src, default_name=Path(src).stem)


def _refuse_other_files(doc: dict, src: str) -> None:
    """A mapping with no ``start`` is some other YAML file (a config, a record): refused without quoting any of
    it, since a scenario's errors quote the field they are about."""
    if "start" not in doc:
        raise SimInputError(src, "start", None, "is missing: not a scenario file (a scenario is a mapping with "
                            "start, end and events, or a base it is derived from)")  # fmt: skip


def _base_path(doc: dict, src: str) -> Path:
    """The scenario file ``base`` names: a scenario name (a file of that name beside the derived one, else a
    shipped scenario), or a ``.yaml`` file's path relative to the derived file. Nothing else: what is read as
    a base must be a scenario file, so that its errors quote only a scenario's fields."""
    ref = doc["base"]
    if not isinstance(ref, str) or not ref.strip():
        raise SimInputError(src, "base", ref, "must name a scenario (e.g. historical_2022_2024) or a YAML file")
    if ref.endswith((".yaml", ".yml")):
        path = Path(src).parent / Path(ref).expanduser()
    elif "/" in ref or "\\" in ref or ref.startswith((".", "~")):
        raise SimInputError(src, "base", ref, "must name a scenario (e.g. historical_2022_2024) or a scenario "
                            "file ending in .yaml")  # fmt: skip
    else:
        beside = Path(src).parent / f"{ref}.yaml"
        path = beside if beside.is_file() else SCENARIOS_DIR / f"{ref}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml")))
        raise SimInputError(src, "base", ref, f"no such scenario file {path} (known scenarios: {known})")
    return path


def _derive(doc: dict, src: str, default_name: str) -> Scenario:
    """A scenario built from its base: the base's events minus ``remove``, plus ``add``."""
    for k, v in doc.items():
        if k not in _DERIVED_KEYS:
            raise SimInputError(src, k, v, "unknown field in a scenario with a base, which takes its dates, posts and "
                                "events from the base, and its channels and hostility at the start "
                                f"(allowed: {', '.join(sorted(_DERIVED_KEYS))})")  # fmt: skip
    base_path = _base_path(doc, src)
    base_doc = _read_doc(str(base_path.resolve()), doc["base"], _stamp(base_path))
    if isinstance(base_doc, dict) and "base" in base_doc:  # also refuses a file that is its own base
        raise SimInputError(src, "base", doc["base"], "is itself derived from a base; name a full scenario")
    if not isinstance(base_doc, dict) or "start" not in base_doc:  # a file of another kind: quote none of it
        raise SimInputError(src, "base", doc["base"], f"{base_path} is not a scenario file (a scenario is a "
                            "mapping with start, end and events)")  # fmt: skip
    base = load_scenario(str(base_path))
    removals, additions = list_field(doc.get("remove"), src, "remove"), list_field(doc.get("add"), src, "add")
    check_event_count(len(removals), src, "remove")
    check_event_count(len(additions), src, "add")
    by_day_kind: dict[tuple, list[int]] = defaultdict(list)  # (date, kind) -> positions in base.events
    for pos, e in enumerate(base.events):
        by_day_kind[e.date, e.kind].append(pos)
    removed: dict[int, int] = {}  # position in base.events -> index in remove
    for i, r in enumerate(removals):
        pos = _match_removal(r, src, i, base, by_day_kind)
        if pos in removed:
            raise SimInputError(src, f"remove[{i}]", r, f"removes the same event as remove[{removed[pos]}]")
        removed[pos] = i
    added = []
    for i, e in enumerate(additions):
        ev = event_field(e, src, i, base.start, base.end, field="add")
        if ev.kind in PAIR_KINDS:  # the two governments are the actors whose role is government
            for side in ("sender", "receiver"):
                actor = getattr(ev, side)
                if load_vocabulary().actors[actor].role != "government":
                    raise SimInputError(src, f"add[{i}].{side}", actor, f"a {ev.kind} must be between the two governments")
        added.append(ev)
    kept = [dataclasses.replace(e, origin=f"{Path(base.path).name} {e.origin}")
            for pos, e in enumerate(base.events) if pos not in removed]  # fmt: skip
    # The base's channels at the start hold here too: an added event may found one the base leaves absent.
    founding = [*((f"the base's events[{e.index}]", e.facts.launches) for e in kept),
                *((f"add[{e.index}]", e.facts.launches) for e in added)]  # fmt: skip
    check_launches(founding, base.channels_at_start, src)
    check_event_count(len(kept) + len(added), src, "add")
    return Scenario(
        name=text_field(doc.get("name", default_name), src, "name"),
        description=text_field(doc.get("description", base.description), src, "description"),
        path=src,
        start=base.start,
        end=base.end,
        spontaneous=base.spontaneous,
        posts=base.posts,
        channels_at_start=base.channels_at_start,
        hostility_at_start=base.hostility_at_start,
        # Stable sort: on a shared day the base's events come first, in their order, then the added ones.
        events=tuple(sorted(kept + added, key=lambda e: e.date)),
    )


def _match_removal(r: Any, src: str, i: int, base: Scenario, by_day_kind: dict[tuple, list[int]]) -> int:
    """The position in ``base.events`` of the one event removal ``r`` names."""
    f = f"remove[{i}]"
    if not isinstance(r, dict):
        raise SimInputError(src, f, r, "must be a mapping naming a base event (date, kind; sender, receiver, channel)")
    no_unknown_fields(r, _REMOVE_KEYS, src, f + ".")
    date, _, _ = event_date_field(r.get("date"), src, f + ".date")  # a month or span matches its first day
    kind = r.get("kind")
    if not isinstance(kind, str) or kind not in load_vocabulary().kinds:
        raise SimInputError(src, f + ".kind", kind, f"unknown signal kind (known: {', '.join(load_vocabulary().kinds)})")
    text_field(r.get("note"), src, f + ".note")
    want = {k: r[k] for k in ("sender", "receiver", "channel") if k in r}
    hits = [pos for pos in by_day_kind.get((date, kind), ())
            if all(getattr(base.events[pos], k) == v for k, v in want.items())]  # fmt: skip
    if len(hits) != 1:
        that_day = "; ".join(f"{e.sender}->{e.receiver} {e.kind}" + (f" ({e.channel})" if e.channel else "")
                             for e in base.events if e.date == date) or "none"  # fmt: skip
        which = {"date": str(date), "kind": kind, **want}
        problem = "matches no event" if not hits else f"matches {len(hits)} events (add sender, receiver or channel)"
        raise SimInputError(src, f, which, f"{problem} of base {base.path} (its events on {date}: {that_day})")
    return hits[0]
