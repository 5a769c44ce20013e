"""Reading a scenario file's YAML: data only (no tags, no code), dates kept as text, duplicate keys refused,
and within limits.

A file is refused, in one line naming it and the limit, before its YAML becomes Python objects when it
is larger than :data:`MAX_SCENARIO_BYTES`, holds more than :data:`MAX_YAML_VALUES` values once its
aliases are expanded, or nests deeper than :data:`MAX_YAML_DEPTH`; a scenario may script at most
:data:`sim.core.scenario.MAX_EVENTS` events. The limits are far above any real scenario, and keep a
typo or a hostile file (an alias bomb, a million events) from running for minutes or filling memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.core.errors import SimInputError

MAX_SCENARIO_BYTES = 2_000_000
"""The largest scenario file read, in bytes: over a hundred times the shipped 2022-2024 record (16 kB,
37 events), room for :data:`~sim.core.scenario.MAX_EVENTS` events written out with their sources."""
MAX_YAML_VALUES = 500_000
"""The most values (mappings, lists, keys and scalars) a scenario's YAML may hold, counting each alias
(``*name``) as every value it repeats: without it a few hundred bytes of nested aliases (a "billion
laughs") stand for hundreds of millions of strings. A scenario of the most events needs about 100,000."""
MAX_YAML_DEPTH = 20
"""How deeply a scenario's mappings and lists may nest (a scenario needs 5 levels)."""

# libyaml parses ~30 times faster than PyYAML's own parser, and caps nesting at 1000 levels itself.
_Loader = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


class _ScenarioLoader(_Loader):  # type: ignore[misc,valid-type]
    """``yaml.SafeLoader`` that keeps dates as text (checked by :func:`date_field`) and refuses duplicate keys."""

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


def read_yaml(src: str, ref: str, size: int) -> Any:
    """The YAML document of file ``src`` (``size`` bytes; ``ref``: as the user named it), within the limits.

    Raises:
        SimInputError: naming the file: too large, not YAML, not UTF-8, unreadable, or over a limit.
    """
    if size > MAX_SCENARIO_BYTES:
        raise SimInputError(src, "file size", f"{size:,} bytes",
                            f"a scenario file may hold at most {MAX_SCENARIO_BYTES:,} bytes")  # fmt: skip
    try:
        loader = _ScenarioLoader(Path(src).read_text(encoding="utf-8"))
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            check_yaml_size(node, src)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        if "nesting depth" in problem:  # libyaml's own cap, far past ours
            raise SimInputError(src, "yaml", where, _DEEP) from None
        raise SimInputError(src, "yaml", where, f"not valid scenario YAML: {problem}") from None
    except RecursionError:  # PyYAML's own parser (no libyaml) recurses once per level
        raise SimInputError(src, "yaml", "?", _DEEP) from None
    except UnicodeDecodeError as e:
        raise SimInputError(src, "encoding", f"byte {e.start}", "the file is not UTF-8 text") from None
    except OSError as e:
        raise SimInputError(src, "scenario", ref, f"cannot be read: {e.strerror}") from None


_DEEP = f"mappings and lists nest too deep: a scenario may nest them at most {MAX_YAML_DEPTH} levels deep"


def check_yaml_size(root: yaml.Node, src: str) -> None:
    """Refuse a document of more than :data:`MAX_YAML_VALUES` values (aliases expanded), nested deeper than
    :data:`MAX_YAML_DEPTH`, or holding itself (a recursive alias), before any of it becomes Python objects.

    An alias is the very node it names, so each node's size is counted once and reused (a node-by-node
    walk on a list, not recursion: the walk is as long as the file, whatever the aliases make of it).
    """
    size: dict[int, tuple[int, int]] = {}  # id(node) -> (values with aliases expanded, levels)
    open_: set[int] = set()  # the nodes on the path being walked: meeting one again is a loop
    todo: list[tuple[yaml.Node, bool]] = [(root, False)]
    while todo:
        node, finished = todo.pop()
        kids = _children(node)
        if finished:
            values = 1 + sum(size[id(k)][0] for k in kids)
            levels = 1 + max((size[id(k)][1] for k in kids), default=0)
            open_.discard(id(node))
            size[id(node)] = (values, levels)
            where = f"line {node.start_mark.line + 1}"
            if levels > MAX_YAML_DEPTH:
                raise SimInputError(src, "yaml", where, _DEEP)
            if values > MAX_YAML_VALUES:
                raise SimInputError(src, "yaml", where, f"holds more than {MAX_YAML_VALUES:,} values with its aliases "
                                    "(*name) expanded: too large for a scenario (an alias bomb?)")  # fmt: skip
            continue
        if id(node) in size:
            continue
        if id(node) in open_:
            raise SimInputError(src, "yaml", f"line {node.start_mark.line + 1}", "an alias (*name) inside the "
                                "value it names: a scenario holds no value that contains itself")  # fmt: skip
        open_.add(id(node))
        if len(size) + len(open_) > MAX_YAML_VALUES:
            raise SimInputError(src, "yaml", f"line {node.start_mark.line + 1}",
                                f"holds more than {MAX_YAML_VALUES:,} values: too large for a scenario")  # fmt: skip
        todo.append((node, True))
        todo.extend((k, False) for k in kids)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


