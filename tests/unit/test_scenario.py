"""Scenario files: validation errors name the file, the field and the value."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.core.errors import SimInputError
from sim.core.scenario_files import SCENARIOS_DIR, load_scenario

from ..conftest import minimal_scenario


def test_shipped_scenarios_load():
    names = {p.stem for p in SCENARIOS_DIR.glob("*.yaml")}
    assert {"historical_2022_2024", "baseline"} <= names
    for name in names:
        sc = load_scenario(name)
        assert sc.start <= sc.end
        assert all(sc.start <= e.date <= sc.end for e in sc.events)


def test_historical_scripts_only_triggers_not_chinese_responses():
    sc = load_scenario("historical_2022_2024")
    assert not sc.spontaneous
    chinese = [e for e in sc.events if e.sender == "CHN" and not e.planned]
    # China's only scripted acts are the balloon (a trigger), personnel changes, and planned visits,
    # which take place only if both sides decide so on the day.
    assert {e.kind for e in chinese} == {"surveillance_incident", "personnel_change"}
    decided_kinds = {"channel_suspension", "channel_resumption", "meeting_rejection", "ministerial_meeting",
                     "rhetoric_condemnation", "visit_postponed", "sanction", "military_drill"}  # fmt: skip
    assert not decided_kinds & {e.kind for e in sc.events if e.sender == "CHN"}
    assert not {"channel_suspension", "channel_resumption", "meeting_rejection", "visit_postponed"} & {e.kind for e in sc.events}
    planned = [e for e in sc.events if e.planned]
    assert dt.date(2023, 2, 5) in {e.date for e in planned}, "the Secretary of State's February 2023 trip is an opportunity"
    assert all(e.intensity is None for e in sc.events), "facts, not hand-set intensities"
    li = [e for e in sc.events if e.official == "Li Shangfu"]
    assert len(li) == 1 and li[0].date == dt.date(2023, 3, 12) and li[0].sanctioned_by == ("USA",)
    removal = [e for e in sc.events if e.kind == "personnel_change" and e.official is None]
    assert removal[0].date == dt.date(2023, 10, 24)


@pytest.mark.parametrize(
    ("change", "field", "value_text"),
    [
        (lambda d: d["events"][0].update(kind="invade"), "events[0].kind", "'invade'"),
        (lambda d: d["events"][0].update(sender="XXX"), "events[0].sender", "'XXX'"),
        (lambda d: d["events"][0].update(date="2022-13-45"), "events[0].date", "'2022-13-45'"),
        (lambda d: d["events"][0].update(date="2023-01-01"), "events[0].date", "2023-01-01"),
        (lambda d: d["events"][0].update(channel="backchannel"), "events[0].channel", "'backchannel'"),
        (lambda d: d["events"][0].update(intensity=-2), "events[0].intensity", "-2"),
        (lambda d: d["events"][0].update(colour="red"), "events[0].colour", "'red'"),
        (lambda d: d["events"][0].update(receiver="USA"), "events[0].receiver", "'USA'"),
        (lambda d: d.update(end="2022-07-01"), "end", "2022-07-01"),
        (lambda d: d.update(start="soon"), "start", "'soon'"),
        (lambda d: d.update(spontaneous="yes"), "spontaneous", "'yes'"),
        (lambda d: d.update(_target_="os.system"), "_target_", "'os.system'"),
        (lambda d: d["events"].append({"date": "2022-08-03", "sender": "USA", "receiver": "CHN", "kind": "meeting_request"}),
         "events[1].channel", "None"),
    ],
)
def test_bad_scenarios_give_one_line_errors(write_scenario, change, field, value_text):
    doc = minimal_scenario()
    change(doc)
    path = write_scenario(doc)
    with pytest.raises(SimInputError) as info:
        load_scenario(str(path))
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(f"{path}: {field}=")
    assert value_text in msg


def test_yaml_cannot_run_code(write_scenario, tmp_path):
    marker = tmp_path / "pwned"
    path = write_scenario(f"start: 2022-08-01\nend: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(SimInputError, match="not valid scenario YAML"):
        load_scenario(str(path))
    assert not marker.exists()


def test_missing_scenario_names_the_file():
    with pytest.raises(SimInputError, match=r"no_such_episode\.yaml: scenario='no_such_episode': no such scenario file"):
        load_scenario("no_such_episode")


def test_same_day_events_keep_file_order(write_scenario):
    doc = minimal_scenario()
    doc["events"] = [
        {"date": "2022-08-05", "sender": "USA", "receiver": "CHN", "kind": "export_control"},
        {"date": "2022-08-03", "sender": "USA", "receiver": "CHN", "kind": "sanction"},
        {"date": "2022-08-05", "sender": "USA", "receiver": "CHN", "kind": "sanction"},
    ]
    sc = load_scenario(str(write_scenario(doc)))
    assert [(e.date.day, e.kind) for e in sc.events] == [(3, "sanction"), (5, "export_control"), (5, "sanction")]


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        ("start: 2022-13-02\nend: 2022-12-31\n", "start", "must be a date written YYYY-MM-DD"),
        ("start: 2022-02-30\nend: 2022-12-31\n", "start", "must be a date written YYYY-MM-DD"),
        ("start: 2022-01-01\nend: 2022-12-31\nstart: 2022-02-01\n", "yaml", "duplicate key 'start'"),
        ("start: 0001-01-01\nend: 2022-12-31\n", "start", "must lie between"),
        ("start: 2022-01-01\nend: 2022-12-31\nevents:\n  - {date: 2022-02-01, sender: USA, receiver: CHN, kind: [sanction]}\n",
         "events[0].kind", "unknown signal kind"),
        ("start: 2022-01-01\nend: 2022-12-31\nevents:\n  - {date: 2022-02-01, sender: [USA], receiver: CHN, kind: sanction}\n",
         "events[0].sender", "unknown actor"),
        ("start: 2022-01-01\nend: 2022-12-31\nevents:\n  - {date: 2022-02-01, sender: USA, receiver: CHN, kind: sanction, channel: {a: 1}}\n",
         "events[0].channel", "unknown channel"),
        ("name: [a, b]\nstart: 2022-01-01\nend: 2022-12-31\n", "name", "must be text"),
        ("- start: 2022-01-01\n", "(top level)", "must be a mapping"),
        ("", "(top level)", "must be a mapping"),
    ],
)
def test_hand_typed_yaml_mistakes_give_one_line_errors(write_scenario, text, field, problem):
    path = write_scenario(text)
    with pytest.raises(SimInputError) as info:
        load_scenario(str(path))
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{path}: {field}=") and problem in msg


def test_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\nstart: 2022-01-01\nend: 2022-02-01\n".encode("latin-1"))
    with pytest.raises(SimInputError, match=r"encoding=.*not UTF-8"):
        load_scenario(str(path))


def test_unit_and_magnitude_reach_the_event_log(write_scenario):
    from sim import run

    doc = minimal_scenario()
    doc["events"][0] = {"date": "2022-08-02", "sender": "USA", "receiver": "TWN", "kind": "arms_sale",
                        "magnitude": 1.988, "unit": "usd_bn"}  # fmt: skip
    ev = run([f"scenario={write_scenario(doc)}"]).events
    row = ev[ev["scripted"]].iloc[0]
    assert row["magnitude"] == 1.988 and row["unit"] == "usd_bn"


def test_channel_moves_must_be_between_the_two_governments(write_scenario):
    from sim.config.build import build
    from sim.config.compose import compose_config

    doc = minimal_scenario()
    doc["events"].append({"date": "2022-08-05", "sender": "TWN", "receiver": "JPN", "kind": "channel_suspension",
                          "channel": "climate"})  # fmt: skip
    path = write_scenario(doc)
    cfg, choices = compose_config([f"scenario={path}"])
    with pytest.raises(SimInputError, match=r"events\[1\]\.receiver='JPN': a channel_suspension must be between"):
        build(cfg, choices)


# -- derived scenarios: base + remove + add ---------------------------------------------------
def _base_doc() -> dict:
    """A base with two same-day sanctions, so that a removal can be ambiguous."""
    doc = minimal_scenario(name="base")
    doc["posts"] = [{"actor": "CHN", "post": "defense_minister", "official": "Wei Fenghe", "sanctioned_by": []}]
    doc["events"] += [
        {"date": "2022-08-10", "sender": "USA", "receiver": "CHN", "kind": "sanction", "source": "s1"},
        {"date": "2022-08-10", "sender": "USA", "receiver": "TWN", "kind": "sanction", "source": "s2"},
    ]  # fmt: skip
    return doc


def test_derived_scenario_is_its_base_minus_removed_plus_added(write_scenario):
    write_scenario(_base_doc(), "base.yaml")
    added = {"date": "2022-08-10", "sender": "USA", "receiver": "TWN", "kind": "arms_sale", "intensity": 1.2,
             "source": "hypothetical"}  # fmt: skip
    path = write_scenario({"base": "base.yaml", "remove": [{"date": "2022-08-02", "kind": "high_level_visit", "note": "why"}],
                           "add": [added]}, "cf.yaml")  # fmt: skip
    base, cf = load_scenario(str(path.parent / "base.yaml")), load_scenario(str(path))
    assert cf.name == "cf" and cf.path == str(path.resolve())
    assert (cf.start, cf.end, cf.spontaneous, cf.posts) == (base.start, base.end, base.spontaneous, base.posts)
    # The two base sanctions keep their sources and come first on their shared day; the added sale follows.
    assert [(e.date.day, e.kind, e.source) for e in cf.events] == [
        (10, "sanction", "s1"), (10, "sanction", "s2"), (10, "arms_sale", "hypothetical")]


def test_derived_scenario_follows_changes_to_its_base(write_scenario):
    doc = _base_doc()
    write_scenario(doc, "base.yaml")
    path = write_scenario({"base": "base.yaml", "remove": [{"date": "2022-08-02", "kind": "high_level_visit"}]}, "cf.yaml")
    assert len(load_scenario(str(path)).events) == 2
    doc["events"].append({"date": "2022-09-01", "sender": "USA", "receiver": "CHN", "kind": "export_control"})
    write_scenario(doc, "base.yaml")
    assert [e.kind for e in load_scenario(str(path)).events][-1] == "export_control"


@pytest.mark.parametrize(
    ("derived", "field", "problem"),
    [
        ({"base": "base.yaml", "remove": [{"date": "2022-08-03", "kind": "high_level_visit"}]},
         "remove[0]", "matches no event of base"),
        ({"base": "base.yaml", "remove": [{"date": "2022-08-10", "kind": "sanction"}]},
         "remove[0]", "matches 2 events (add sender, receiver or channel)"),
        ({"base": "base.yaml", "remove": [{"date": "2022-08-10", "kind": "sanction", "receiver": "CHN"},
                                          {"date": "2022-08-10", "kind": "sanction", "receiver": "CHN"}]},
         "remove[1]", "removes the same event as remove[0]"),
        ({"base": "base.yaml", "remove": [{"date": "2022-08-02", "kind": "visit"}]}, "remove[0].kind", "unknown signal kind"),
        ({"base": "base.yaml", "remove": [{"date": "2022-08-02", "kind": "high_level_visit", "intensity": 3}]},
         "remove[0].intensity", "unknown field"),
        ({"base": "base.yaml", "add": [{"date": "2022-08-05", "sender": "USA", "receiver": "CHN", "kind": "invade"}]},
         "add[0].kind", "unknown signal kind"),
        ({"base": "base.yaml", "add": [{"date": "2023-08-05", "sender": "USA", "receiver": "CHN", "kind": "sanction"}]},
         "add[0].date", "outside the scenario's dates"),
        ({"base": "base.yaml", "add": [{"date": "2022-08-05", "sender": "USA", "receiver": "TWN", "kind": "meeting_request",
                                        "channel": "climate"}]}, "add[0].receiver", "between the two governments"),
        ({"base": "base.yaml", "end": "2022-12-31"}, "end", "takes its dates, posts and events from the base"),
        ({"base": "nowhere.yaml"}, "base", "no such scenario file"),
        ({"base": "no_such_episode"}, "base", "known scenarios: "),
        ({"base": 3}, "base", "must name a scenario"),
        ({"base": "cf.yaml"}, "base", "is itself derived from a base"),
        ({"base": "derived.yaml"}, "base", "is itself derived from a base"),
        ({"start": "2022-08-01", "end": "2022-09-01", "remove": []}, "remove", "only a scenario with a `base`"),
    ],
)  # fmt: skip
def test_bad_derived_scenarios_name_file_field_and_value(write_scenario, derived, field, problem):
    write_scenario(_base_doc(), "base.yaml")
    write_scenario({"base": "base.yaml"}, "derived.yaml")
    path = write_scenario(derived, "cf.yaml")
    with pytest.raises(SimInputError) as info:
        load_scenario(str(path))
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(f"{path.resolve()}: {field}="), msg
    assert problem in msg


def test_an_error_in_the_base_names_the_base(write_scenario):
    doc = _base_doc()
    doc["events"][0]["kind"] = "invade"
    write_scenario(doc, "base.yaml")
    path = write_scenario({"base": "base.yaml"}, "cf.yaml")
    with pytest.raises(SimInputError, match=r"base\.yaml: events\[0\]\.kind='invade'"):
        load_scenario(str(path))


def test_shipped_counterfactuals_change_only_what_their_header_says():
    base = load_scenario("historical_2022_2024")

    def diff(name: str) -> tuple[set, set]:
        keys = lambda sc: {(str(e.date), e.sender, e.receiver, e.kind) for e in sc.events}  # noqa: E731
        cf = load_scenario(name)
        assert (cf.start, cf.end, cf.posts) == (base.start, base.end, base.posts)
        return keys(base) - keys(cf), keys(cf) - keys(base)

    assert diff("counterfactual_no_pelosi") == ({("2022-08-02", "USA", "TWN", "high_level_visit")}, set())
    assert diff("counterfactual_no_balloon") == ({("2023-02-02", "CHN", "USA", "surveillance_incident")}, set())
    assert diff("counterfactual_no_woodside_summit") == ({("2023-11-15", "USA", "CHN", "leader_summit")}, set())
    assert diff("counterfactual_arms_sale_in_thaw") == (set(), {("2024-01-05", "USA", "TWN", "arms_sale")})
    sale = next(e for e in load_scenario("counterfactual_arms_sale_in_thaw").events if e.date == dt.date(2024, 1, 5))
    nasams = next(e for e in base.events if e.kind == "arms_sale" and e.date == dt.date(2024, 10, 25))
    # As large as the largest documented sale, and marked as invented.
    assert sale.intensity == nasams.intensity and sale.magnitude >= nasams.magnitude
    assert "hypothetical" in sale.source.lower() and "hypothetical" in sale.note.lower()
