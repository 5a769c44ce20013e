"""docs/ODD.md names every model parameter the configs declare, and follows the ODD 2020 layout.

The parameter names are collected from the config files themselves (not from a list kept
here), so a parameter added to a config without being documented fails the test. A name
counts as documented when it appears as inline code in the document: on its own
(`trigger`) or as a part of a dotted key or an expression in backticks
(`governments.CHN.retaliation.trigger`). Nothing here runs the model.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

from ..conftest import REPO

DOC = REPO / "docs" / "ODD.md"
CONFIGS = REPO / "configs"

# Keys that are structure, not parameters.
_NOT_PARAMETERS = {"_target_", "defaults"}
# The keys of configs/config.yaml that are not the model's.
_NOT_MODEL_KEYS = {"defaults", "hydra"}

# The seven ODD elements of Grimm et al. (2020), in order; each a regex for a level-2 heading.
ODD_SECTIONS = (
    r"1\.?\s+Purpose and patterns",
    r"2\.?\s+Entities, state variables,? and scales",
    r"3\.?\s+Process overview and scheduling",
    r"4\.?\s+Design concepts",
    r"5\.?\s+Initiali[sz]ation",
    r"6\.?\s+Input data",
    r"7\.?\s+Submodels",
)
DESIGN_CONCEPTS = ("Basic principles", "Emergence", "Adaptation", "Objectives", "Learning", "Prediction",
                   "Sensing", "Interaction", "Stochasticity", "Collectives", "Observation")  # fmt: skip


def _actor_codes() -> set[str]:
    with open(REPO / "sim" / "data" / "actors.csv", newline="", encoding="utf-8") as f:
        return {row["code"] for row in csv.DictReader(f)}


ACTORS = _actor_codes()


def _is_weight_map(node: object) -> bool:
    """A mapping from actor codes to numbers (``watch``, ``exposure``, ``dependence``): one parameter."""
    return (isinstance(node, dict) and bool(node) and all(k in ACTORS for k in node)
            and all(isinstance(v, (int, float)) for v in node.values()))  # fmt: skip


def parameter_names(node: object, key: str | None = None) -> Iterator[str]:
    """The parameter names in a config node: leaf keys, the fields of list items (rungs, initiatives),
    and the key of a mapping keyed by actors (its keys are actors, not names). Actor codes used as
    keys (``regional.TWN``, ``governments.USA``) are containers, not names."""
    named = key is not None and key not in ACTORS
    if isinstance(node, dict):
        if key is not None and _is_weight_map(node):
            yield key
            return
        if named and not node:
            yield key  # an empty mapping (exposure: {}) is still a parameter
        for k, v in node.items():
            if k in _NOT_PARAMETERS:
                continue
            yield from parameter_names(v, str(k))
    elif isinstance(node, list):
        if named:
            yield key
        for item in node:
            if isinstance(item, dict):
                yield from parameter_names(item, None)
    elif named:
        yield key


def _config_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if "_historical" not in p.name)


def _load(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def collect_parameters() -> dict[str, set[str]]:
    """Every parameter name, with the files it comes from (for the failure message)."""
    found: dict[str, set[str]] = {}

    def add(names: Iterable[str], where: str) -> None:
        for n in names:
            found.setdefault(n, set()).add(where)

    for folder in (CONFIGS / "government", CONFIGS / "rules" / "retaliation", CONFIGS / "rules" / "thaw",
                   CONFIGS / "regional"):  # fmt: skip
        for path in _config_files(folder):
            add(parameter_names(_load(path)), str(path.relative_to(REPO)))
    main = _load(CONFIGS / "config.yaml")
    assert isinstance(main, dict)
    for k, v in main.items():
        if k in _NOT_MODEL_KEYS:
            continue
        add([k], "configs/config.yaml")
        add(parameter_names(v, k), "configs/config.yaml")
    with open(REPO / "sim" / "data" / "weight_scale.csv", newline="", encoding="utf-8") as f:
        add((row["parameter"] for row in csv.DictReader(f)), "sim/data/weight_scale.csv")
    return found


def _outside_code_blocks(text: str) -> str:
    """The text without fenced code blocks."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            out.append(line)
    return "\n".join(out)


def inline_code_names(text: str) -> set[str]:
    """Every identifier inside an inline code span (`a.b=c` -> {a, b, c})."""
    names: set[str] = set()
    for span in re.findall(r"`([^`\n]+)`", _outside_code_blocks(text)):
        names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span))
    return names


def missing_names(parameters: Iterable[str], text: str) -> list[str]:
    documented = inline_code_names(text)
    return sorted(n for n in parameters if n not in documented)


def headings(text: str, level: int) -> list[str]:
    prefix = "#" * level + " "
    return [line[len(prefix):].strip() for line in _outside_code_blocks(text).splitlines() if line.startswith(prefix)]


def github_slug(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def _doc() -> str:
    assert DOC.is_file(), f"{DOC.relative_to(REPO)} is missing"
    return DOC.read_text(encoding="utf-8")


# -- the parameters --------------------------------------------------------------------------


def test_the_collection_finds_the_parameters_it_should():
    """A guard against a collector that finds nothing (and so passes whatever the document says)."""
    found = collect_parameters()
    expected = {
        "trigger", "grievance_days", "channel_step", "refuse_above", "generosity", "threshold",  # retaliation
        "retry_days", "stage_days", "cost_scale", "announced_discount", "mean_days", "min_trust",  # thaw
        "baseline_hostility", "reply_weight", "watch", "repertoire", "initiatives",  # government
        "min_severity", "lag", "target", "areas", "per_year", "weight_sigma", "receiver",  # rung, initiative fields
        "exposure", "restraint", "deal_commitment", "ties_lag",  # regional
        "crisis_threshold", "seed", "scale",  # config.yaml
        "rank_step", "value_log_slope", "incident_step",  # weight scale
    }  # fmt: skip
    assert expected <= set(found), f"not collected: {sorted(expected - set(found))}"
    assert not ({"_target_", "defaults", "hydra"} | ACTORS) & set(found)
    assert len(found) >= 70


def test_a_missing_parameter_is_reported():
    text = "The rule has `governments.CHN.retaliation.trigger` and `lag`; grievance_days is bare text."
    assert missing_names(["trigger", "lag", "grievance_days", "channel_step"], text) == ["channel_step",
                                                                                          "grievance_days"]


def test_every_config_parameter_is_in_the_odd_document():
    found = collect_parameters()
    missing = missing_names(found, _doc())
    assert not missing, "parameters not named as inline code in docs/ODD.md: " + "; ".join(
        f"{n} ({', '.join(sorted(found[n]))})" for n in missing
    )


# -- the layout ------------------------------------------------------------------------------


def test_the_document_has_one_linkable_title():
    text = _doc()
    first = next(line for line in text.splitlines() if line.strip())
    assert first.startswith("# "), f"the first line is not a level-1 title: {first!r}"
    titles = headings(text, 1)
    assert titles == [first[2:].strip()], f"expected exactly one level-1 title, found {titles}"
    title = titles[0]
    assert "ODD" in title, f"the title does not say it is an ODD description: {title!r}"
    assert not re.search(r"[`\[\]()<>]", title), f"the title holds markup, so its anchor is unstable: {title!r}"
    assert github_slug(title).strip("-"), f"the title gives no anchor: {title!r}"
    assert "10.18564/jasss.4259" in text, "the ODD 2020 protocol (doi:10.18564/jasss.4259) is not cited"


def test_the_seven_odd_sections_are_in_order():
    h2 = headings(_doc(), 2)
    positions = []
    for pattern in ODD_SECTIONS:
        hits = [i for i, h in enumerate(h2) if re.fullmatch(pattern, h, flags=re.IGNORECASE)]
        assert len(hits) == 1, f"ODD section /{pattern}/: {len(hits)} level-2 headings match (headings: {h2})"
        positions.append(hits[0])
    assert positions == sorted(positions), f"ODD sections out of order: {[h2[i] for i in positions]}"
    anchors = [github_slug(h) for h in h2]
    assert len(set(anchors)) == len(anchors), f"two level-2 headings share an anchor: {anchors}"
    after = [h for h in h2[positions[-1] + 1 :] if re.fullmatch(r"Calibration and validation", h, re.IGNORECASE)]
    assert after, f"no 'Calibration and validation' section after the Submodels (headings: {h2})"


def test_the_design_concepts_cover_the_eleven_elements():
    text = _outside_code_blocks(_doc())
    start = re.search(r"^## 4\.?\s+Design concepts\s*$", text, re.MULTILINE | re.IGNORECASE)
    end = re.search(r"^## 5\.?\s", text, re.MULTILINE)
    assert start and end, "section 4 (Design concepts) or 5 not found"
    section = text[start.end() : end.start()]
    missing = [c for c in DESIGN_CONCEPTS if not re.search(rf"\*\*{c}\.?\*\*", section)]
    assert not missing, f"design concepts without a bold entry in section 4: {missing}"
