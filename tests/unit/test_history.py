"""The documented 2022-2024 timeline: complete, in the model's vocabulary, episodes intact, own wording."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from sim.core.errors import SimInputError
from sim.core.vocabulary import DATA_DIR, load_vocabulary
from sim.history.timeline import COLUMNS, TIMELINE_PATH, episodes, load_timeline

REFERENCE = Path("/work/shared/reference/documented_2022_2024.csv")


@pytest.fixture(scope="module")
def timeline() -> pd.DataFrame:
    return load_timeline()


@pytest.fixture(scope="module")
def eps(timeline: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return episodes(timeline)


def ts(day: str) -> pd.Timestamp:
    return pd.Timestamp(day)


# -- the shipped file -------------------------------------------------------------------------------


def test_shipped_timeline_loads_with_all_rows(timeline):
    assert TIMELINE_PATH.is_file()
    assert len(timeline) == 94
    assert list(timeline.columns) == list(COLUMNS)
    assert pd.api.types.is_datetime64_any_dtype(timeline["date"])
    assert (timeline["date"] == timeline["date"].dt.normalize()).all()
    assert timeline["date"].min() == ts("2018-09-20")  # the background sanction on Li Shangfu
    assert timeline["date"].max() == ts("2024-12-27")


def test_no_nan_and_cameo_codes_keep_leading_zeros(timeline):
    text_cols = [c for c in COLUMNS if c not in ("date", "goldstein")]
    assert not timeline[text_cols].isna().any().any()
    assert all(isinstance(v, str) for v in timeline["cameo_code"])
    codes = set(timeline["cameo_code"])
    assert {"0332", "042", "044", "010", "0311"} <= codes
    assert not {"332", "42", "44", "10", "311"} & codes


def test_every_row_uses_the_model_vocabulary(timeline):
    v = load_vocabulary()
    assert set(timeline["kind"]) <= set(v.kinds)
    assert set(timeline["channel"]) - {""} <= set(v.channels)
    assert set(timeline["sender"]) | set(timeline["receiver"]) <= set(v.actors)
    assert "other" not in set(timeline["kind"])


def test_ids_unique_dates_sorted_sources_present(timeline):
    assert timeline["id"].is_unique
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", i) for i in timeline["id"])
    assert timeline["date"].is_monotonic_increasing
    assert (timeline["source"].str.strip() != "").all()
    assert (timeline["description"].str.strip() != "").all()
    assert set(timeline["confidence"]) <= {"high", "medium", "low"}


def test_goldstein_scores_match_the_published_table(timeline):
    with open(DATA_DIR / "cameo_goldstein.tsv", newline="", encoding="utf-8") as f:
        table = {r["cameo_code"]: float(r["goldstein"]) for r in csv.DictReader(f, delimiter="\t")}
    for row in timeline.itertuples():
        assert row.cameo_code in table, row.id
        assert row.goldstein == pytest.approx(table[row.cameo_code]), row.id


def test_other_rows_are_mapped_to_project_kinds(timeline):
    by_id = timeline.set_index("id")
    assert by_id.loc["2023-05-03-usa-raises-flight-cap", "kind"] == "ease_restrictions"
    assert by_id.loc["2024-02-26-usa-raises-flight-cap", "kind"] == "ease_restrictions"
    assert by_id.loc["2023-06-02-austin-li-handshake", "kind"] == "symbolic_contact"
    assert by_id.loc["2024-06-29-usa-deportation-charter", "kind"] == "working_group"
    flights = timeline[timeline["kind"] == "ease_restrictions"]
    assert set(flights["cameo_code"]) == {"081"} and len(flights) == 3


# -- episodes ---------------------------------------------------------------------------------------


def test_episodes_cover_every_tagged_row(timeline, eps):
    assert {"E2022_PELOSI", "E2023_BALLOON", "E2023_LISHANGFU", "E2024_NASAMS"} <= set(eps)
    assert sum(len(rows) for rows in eps.values()) == int((timeline["episode"] != "").sum()) == 50
    for code, rows in eps.items():
        assert (rows["episode"] == code).all()
        assert rows["date"].is_monotonic_increasing
    assert episodes().keys() == eps.keys()  # default: the shipped timeline


def test_pelosi_trigger_and_channel_cuts(eps):
    pelosi = eps["E2022_PELOSI"]
    trigger = pelosi[pelosi["role"] == "trigger"]
    assert len(trigger) == 1
    t = trigger.iloc[0]
    assert (t["date"], t["sender"], t["receiver"], t["kind"]) == (ts("2022-08-02"), "USA", "TWN", "high_level_visit")
    cuts = pelosi[(pelosi["role"] == "response") & (pelosi["kind"] == "channel_suspension")]
    assert (cuts["date"] == ts("2022-08-05")).all()
    assert len(cuts) == 8  # "eight channels cut on day 3"
    assert {"defense_policy", "maritime_safety", "theater_commanders", "climate", "working_groups"} <= set(cuts["channel"])
    assert {"DPCT", "MMCA", "theater_cmdr", "climate", "counternarcotics"} <= set(cuts["mechanism"])
    assert (cuts["sender"] == "CHN").all() and (cuts["receiver"] == "USA").all()


def test_pelosi_thaw_order(eps):
    pelosi = eps["E2022_PELOSI"]
    thaw = pelosi[pelosi["role"] == "thaw"]
    by_mech = {m: rows["date"].min() for m, rows in thaw.groupby("mechanism")}
    bali = thaw[(thaw["kind"] == "leader_summit") & (thaw["mechanism"] == "")]["date"].min()
    assert bali == ts("2022-11-14")
    assert by_mech["climate"] == ts("2022-11-15")  # climate resumes the day after Bali
    climate = thaw[thaw["mechanism"] == "climate"].iloc[0]
    assert (climate["kind"], climate["channel"]) == ("channel_resumption", "climate")
    woodside = by_mech["agreed"]
    assert woodside == ts("2023-11-15")
    military = ["senior_mil", "DPCT", "MMCA", "defense_ministers", "theater_cmdr"]
    dates = [by_mech[m] for m in military]
    assert dates[0] == ts("2023-12-21")
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert all(d > woodside for d in dates)
    assert [(d - woodside).days for d in dates] == [36, 54, 140, 153, 299]  # README regularities
    resumed = thaw[thaw["mechanism"].isin(military)]
    assert (resumed["kind"] == "channel_resumption").all()
    # Each military mechanism is its own channel.
    assert dict(zip(resumed["mechanism"], resumed["channel"])) == {
        "senior_mil": "senior_military", "DPCT": "defense_policy", "MMCA": "maritime_safety",
        "defense_ministers": "defense_ministers", "theater_cmdr": "theater_commanders",
    }  # fmt: skip


def test_li_shangfu_dates(eps):
    li = eps["E2023_LISHANGFU"]
    trigger = li[li["role"] == "trigger"]
    assert list(trigger["date"]) == [ts("2023-03-12")]  # appointment, not removal (seed 001 misdates it)
    assert trigger.iloc[0]["kind"] == "personnel_change"
    removal = li[li["role"] == "thaw_precondition"]
    assert list(removal["date"]) == [ts("2023-10-24")]
    assert removal.iloc[0]["channel"] == "defense_ministers"
    background = li[li["role"] == "background"]
    assert list(background["date"]) == [ts("2018-09-20")] and background.iloc[0]["kind"] == "sanction"


def test_nasams_refusal_at_admm_plus(eps):
    nasams = eps["E2024_NASAMS"]
    trigger = nasams[nasams["role"] == "trigger"]
    assert list(trigger["date"]) == [ts("2024-10-25")]
    assert trigger.iloc[0]["kind"] == "arms_sale"
    refusal = nasams[(nasams["kind"] == "meeting_rejection") & (nasams["date"] == ts("2024-11-20"))]
    assert len(refusal) == 1
    assert refusal.iloc[0]["channel"] == "defense_ministers"
    assert (refusal.iloc[0]["date"] - trigger.iloc[0]["date"]).days == 26


def test_balloon_trigger(eps):
    balloon = eps["E2023_BALLOON"]
    trigger = balloon[balloon["role"] == "trigger"]
    assert list(trigger["date"]) == [ts("2023-02-02")]
    assert trigger.iloc[0]["kind"] == "surveillance_incident"
    refused = balloon[(balloon["kind"] == "meeting_rejection") & (balloon["channel"] == "defense_ministers")]
    assert list(refused["date"]) == [ts("2023-02-04")]


# -- descriptions are our own words ---------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _longest_shared_run(a: str, b: str) -> int:
    """Length of the longest run of consecutive words that ``a`` and ``b`` share."""
    wa, wb = _words(a), _words(b)
    best = 0
    prev = [0] * (len(wb) + 1)
    for x in wa:
        cur = [0] * (len(wb) + 1)
        for j, y in enumerate(wb, start=1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def test_descriptions_are_short_single_sentences(timeline):
    for row in timeline.itertuples():
        assert len(row.description) <= 170, row.id
        assert "\n" not in row.description and not row.description.startswith("["), row.id


def test_descriptions_are_rewritten_not_copied(timeline):
    if not REFERENCE.is_file():
        pytest.skip(f"{REFERENCE} not available")
    with open(REFERENCE, newline="", encoding="utf-8") as f:
        source = list(csv.DictReader(f))
    assert len(source) == len(timeline)
    # pair rows by date and source references (both kept unchanged from the reference)
    remaining = list(source)
    for row in timeline.itertuples():
        day = row.date.strftime("%Y-%m-%d")
        match = next(s for s in remaining if s["date"] == day and s["source"] == row.source)
        remaining.remove(match)
        original = match["description"]
        assert row.description not in original, row.id
        assert row.description.lower() not in original.lower(), row.id
        assert _longest_shared_run(row.description, original) < 8, row.id
    assert not remaining


# -- bad files --------------------------------------------------------------------------------------

GOOD_ROWS = [
    ["a-visit", "2022-08-02", "day", "USA", "TWN", "high_level_visit", "high_level_diplomacy", "E2022_PELOSI",
     "trigger", "", "A visit.", "042", "1.9", "high", "seed:000"],
    ["b-cut", "2022-08-05", "day", "CHN", "USA", "channel_suspension", "defense_policy", "E2022_PELOSI",
     "response", "DPCT", "A cut.", "164", "-7.0", "high", "seed:000"],
]  # fmt: skip


def write_timeline(tmp_path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    path = tmp_path / "timeline.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(list(COLUMNS) if header is None else header)
        w.writerows(rows)
    return path


def with_value(row: int, field: str, value: str) -> list[list[str]]:
    rows = [list(r) for r in GOOD_ROWS]
    rows[row - 1][COLUMNS.index(field)] = value
    return rows


def assert_one_line_error(excinfo, path: Path, *parts: str) -> None:
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    for part in parts:
        assert part in message, message


def test_small_good_file_loads(tmp_path):
    df = load_timeline(write_timeline(tmp_path, GOOD_ROWS))
    assert list(df["id"]) == ["a-visit", "b-cut"]
    assert list(df["cameo_code"]) == ["042", "164"]
    assert df.loc[0, "mechanism"] == ""
    assert set(episodes(df)) == {"E2022_PELOSI"}


@pytest.mark.parametrize(
    ("row", "field", "value"),
    [
        (2, "kind", "invasion"),
        (1, "sender", "XXX"),
        (2, "receiver", "usa"),
        (1, "channel", "backchannel"),
        (2, "date", "2022-13-05"),
        (2, "date", "05/08/2022"),
        (1, "date_precision", "week"),
        (2, "goldstein", "-4.0"),
        (1, "cameo_code", "9999"),
        (1, "confidence", "certain"),
        (2, "source", ""),
    ],
)
def test_bad_value_names_file_row_field_and_value(tmp_path, row, field, value):
    path = write_timeline(tmp_path, with_value(row, field, value))
    with pytest.raises(SimInputError) as excinfo:
        load_timeline(path)
    assert_one_line_error(excinfo, path, f"row {row}.{field}=", repr(value))
    assert excinfo.value.field == f"row {row}.{field}" and excinfo.value.value == value


def test_duplicate_id(tmp_path):
    path = write_timeline(tmp_path, with_value(2, "id", "a-visit"))
    with pytest.raises(SimInputError) as excinfo:
        load_timeline(str(path))
    assert_one_line_error(excinfo, path, "row 2.id='a-visit'", "duplicate")


def test_wrong_goldstein_for_its_cameo_code(tmp_path):
    path = write_timeline(tmp_path, with_value(1, "goldstein", "5.2"))
    with pytest.raises(SimInputError) as excinfo:
        load_timeline(path)
    assert_one_line_error(excinfo, path, "row 1.goldstein='5.2'", "1.9")


def test_unsorted_dates(tmp_path):
    path = write_timeline(tmp_path, list(reversed(GOOD_ROWS)))
    with pytest.raises(SimInputError) as excinfo:
        load_timeline(path)
    assert_one_line_error(excinfo, path, "row 2.date='2022-08-02'", "sorted")


def test_missing_column(tmp_path):
    header = [c for c in COLUMNS if c != "kind"]
    rows = [[v for c, v in zip(COLUMNS, r) if c != "kind"] for r in GOOD_ROWS]
    path = write_timeline(tmp_path, rows, header=header)
    with pytest.raises(SimInputError) as excinfo:
        load_timeline(path)
    assert_one_line_error(excinfo, path, "header=", "'kind'", "missing column")


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(SimInputError) as excinfo:
        load_timeline(path)
    assert_one_line_error(excinfo, path, "no such timeline file")
