"""The project's data files: every kind maps to a published CAMEO code and Goldstein score."""

from __future__ import annotations

import csv

import pytest

from sim.core.errors import SimInputError
from sim.core.vocabulary import DATA_DIR, load_vocabulary

REQUIRED_KINDS = {
    "arms_sale", "high_level_visit", "leader_summit", "ministerial_meeting", "meeting_rejection",
    "channel_suspension", "channel_resumption", "sanction", "export_control", "military_drill",
    "surveillance_incident", "rhetoric_condemnation", "working_group",
}  # fmt: skip
MILITARY_CHANNELS = {"senior_military", "defense_policy", "maritime_safety", "theater_commanders", "defense_ministers"}
REQUIRED_CHANNELS = {
    *MILITARY_CHANNELS, "high_level_diplomacy", "climate", "working_groups", "economic", "people_to_people",
}  # fmt: skip


def test_required_kinds_channels_and_actors_exist():
    v = load_vocabulary()
    assert REQUIRED_KINDS <= set(v.kinds)
    assert REQUIRED_CHANNELS <= set(v.channels)
    assert {"USA", "CHN", "TWN", "JPN", "PHL", "AUS", "ASN"} <= set(v.actors)


def test_goldstein_scores_match_the_published_table():
    reference = {}
    with open(DATA_DIR / "cameo_goldstein.tsv") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            reference[row["cameo_code"]] = float(row["goldstein"])
    v = load_vocabulary()
    for spec in v.kinds.values():
        assert spec.goldstein == reference[spec.cameo_code], spec.kind
    assert v.kinds["channel_suspension"].cameo_code == "164" and v.kinds["channel_suspension"].goldstein == -7.0
    assert v.kinds["meeting_rejection"].cameo_code == "125" and v.kinds["meeting_rejection"].goldstein == -5.0
    assert v.kinds["sanction"].goldstein == -8.0
    assert v.kinds["arms_sale"].cameo_code == "0332"


def test_every_data_row_keeps_a_source():
    for name, delim in (("signal_kinds.csv", ","), ("channels.csv", ","), ("channel_costs.csv", ","),
                        ("regional_economy.csv", ","), ("actors.csv", ","), ("cameo_goldstein.tsv", "\t")):
        with open(DATA_DIR / name, newline="") as f:
            rows = list(csv.DictReader(f, delimiter=delim))
        assert rows, name
        assert all(r["source"].strip() for r in rows), name


def test_mirrors_and_military_channels_are_consistent():
    v = load_vocabulary()
    assert v.kinds["sanction"].mirror == "sanction"
    assert v.kinds["arms_sale"].hostility < 0 < v.kinds["military_drill"].hostility
    assert {c for c, s in v.channels.items() if s.military} == MILITARY_CHANNELS
    assert v.channels["defense_ministers"].post == "defense_minister"


def test_every_channel_has_a_reopening_cost_and_an_area_for_each_government():
    v = load_vocabulary()
    with open(DATA_DIR / "channel_costs.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {(r["channel"], r["government"]) for r in rows} == {(c, g) for c in v.channels for g in ("USA", "CHN")}
    assert all(0 < float(r["reopen_cost"]) <= 2 and r["rationale"] and r["source"] for r in rows)
    assert {s.area for s in v.channels.values()} <= {"security", "economy", "diplomacy"}
    assert all(v.channels[c].area == "security" for c in MILITARY_CHANNELS)
    # China values military contacts least, the United States most (Saunders & Bowie 2016).
    mil, civ = sorted(MILITARY_CHANNELS)[0], "high_level_diplomacy"
    assert v.channels[mil].cost_for("CHN") > v.channels[civ].cost_for("CHN")
    assert v.channels[mil].cost_for("USA") < v.channels[civ].cost_for("USA")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [("climate,CHN,0.4", "climate,CHN,abc", "row 9: reopen_cost='abc': not a number"),
     ("climate,CHN,0.4", "climate,CHN,-3", "row 9: reopen_cost='-3': must be in (0, 10]"),
     ("climate,CHN,0.4", "climate,CHX,0.4", "row 9: government='CHX'"),
     ("climate,USA,0.3", "climate,CHN,0.3", "a second row for CHN")],
)  # fmt: skip
def test_a_bad_channel_cost_row_is_named_by_file_row_field_and_value(tmp_path, monkeypatch, old, new, message):
    import shutil

    import sim.core.vocabulary as vocabulary

    for f in DATA_DIR.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "channel_costs.csv"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    monkeypatch.setattr(vocabulary, "DATA_DIR", tmp_path)
    load_vocabulary.cache_clear()
    try:
        with pytest.raises(SimInputError) as err:
            load_vocabulary()
    finally:
        load_vocabulary.cache_clear()
    assert str(err.value).startswith("sim/data/channel_costs.csv: ") and message in str(err.value)
