"""The project's data files: every kind maps to a published CAMEO code and Goldstein score."""

from __future__ import annotations

import csv

from sim.core.vocabulary import DATA_DIR, load_vocabulary

REQUIRED_KINDS = {
    "arms_sale", "high_level_visit", "leader_summit", "ministerial_meeting", "meeting_rejection",
    "channel_suspension", "channel_resumption", "sanction", "export_control", "military_drill",
    "surveillance_incident", "rhetoric_condemnation", "working_group",
}  # fmt: skip
REQUIRED_CHANNELS = {
    "mil_mil", "defense_ministers", "high_level_diplomacy", "climate", "working_groups", "economic", "people_to_people",
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
    for name, delim in (("signal_kinds.csv", ","), ("channels.csv", ","), ("actors.csv", ","), ("cameo_goldstein.tsv", "\t")):
        with open(DATA_DIR / name, newline="") as f:
            rows = list(csv.DictReader(f, delimiter=delim))
        assert rows, name
        assert all(r["source"].strip() for r in rows), name


def test_mirrors_and_military_channels_are_consistent():
    v = load_vocabulary()
    assert v.kinds["sanction"].mirror == "sanction"
    assert v.kinds["arms_sale"].hostility < 0 < v.kinds["military_drill"].hostility
    assert {c for c, s in v.channels.items() if s.military} == {"mil_mil", "defense_ministers"}
    assert v.channels["defense_ministers"].post == "defense_minister"
