"""`python -m sim.narrate`: a run told as dated lines, each answer naming what it answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import run
from sim.core.scenario_files import load_scenario
from sim.core.vocabulary import load_vocabulary
from sim.outputs.io import read_events
from sim.teaching.narrate import main, narrate

from ..conftest import REPO

FOLDER_OVERRIDES = ["seed=2", "figures=false"]


@pytest.fixture(scope="module")
def story(historical) -> list[str]:
    return narrate(historical.events)


@pytest.fixture(scope="module")
def ordered(historical) -> pd.DataFrame:
    """The events in the order the story tells them, so ``ordered.iloc[i]`` is line ``i``."""
    return historical.events.sort_values(["date", "id"], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A run folder written by the Python API (no figures: they cost time and are not read)."""
    out = tmp_path_factory.mktemp("narrate") / "run"
    run(FOLDER_OVERRIDES, output_dir=out)
    return out


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_china_first_answer_to_the_pelosi_visit(story, historical):
    ev = historical.events
    visit = ev[ev["scripted"] & (ev["date"] == "2022-08-02") & (ev["kind"] == "high_level_visit")].iloc[0]
    answers = ev[ev["cause"] == visit["id"]]
    first = answers.loc[answers["date"].idxmin()]
    assert first["sender"] == "CHN" and str(first["date"].date()) == "2022-08-03"
    # The visit's own line tells its whole note; an answer names it by the note's first clause.
    assert story[0] == (
        "2022-08-02 The United States makes a high-level visit to Taiwan "
        "(House Speaker lands in Taipei (meets Tsai 3 Aug), the first Speaker visit in 25 years)."
    )
    assert story[1] == (
        "2022-08-03 China condemns the United States, answering the US high-level visit to Taiwan "
        "on 2022-08-02 (House Speaker lands in Taipei (meets Tsai 3 Aug))."
    )
    # China cuts the military channels costliest for it to reopen two days later, one line each, in its
    # cutting order (defence policy talks, less costly, stay open).
    cause = "high-level visit to Taiwan on 2022-08-02 (House Speaker lands in Taipei (meets Tsai 3 Aug))."
    suspensions = [line for line in story if " suspends " in line and "2022-08-02" in line]
    assert suspensions == [
        f"2022-08-04 China suspends {talks} with the United States, answering the US {cause}"
        for talks in ("maritime safety consultations", "theatre commanders' talks", "senior military talks")
    ]  # fmt: skip


def test_one_dated_line_per_signal_in_date_order(story, ordered):
    assert len(story) == len(ordered)
    dates = [line[:10] for line in story]
    assert dates == [d.strftime("%Y-%m-%d") for d in ordered["date"]]
    assert dates == sorted(dates)
    assert all(line[10] == " " and line.endswith(".") for line in story)


def test_every_answer_names_its_immediate_cause_and_its_date(story, ordered):
    by_id = ordered.set_index("id")
    answers = 0
    for line, (_, ev) in zip(story, ordered.iterrows()):
        if pd.isna(ev["cause"]):
            assert "answering" not in line, line
            continue
        answers += 1
        cause_date = by_id.loc[int(ev["cause"]), "date"].strftime("%Y-%m-%d")
        assert ", answering the " in line and f" on {cause_date}" in line.split(", answering ", 1)[1], line
    assert answers == int(ordered["cause"].notna().sum()) > 20
    # Every decided signal in the historical run answers something.
    assert all("answering" in line for line, s in zip(story, ordered["scripted"]) if not s)


def test_an_answer_to_an_answer_names_the_answer_not_the_trigger(story, capsys, tmp_path, monkeypatch):
    """China refuses the defence ministers' talks the US asks for at Shangri-La (an answer to the scripted
    request), and the US's calling off of the June 2023 trip names the refusal, not the request."""
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "--from", "2023-06-02", "--to", "2023-06-18")
    assert code == 0 and err == "" and list(tmp_path.iterdir()) == []
    lines = out.splitlines()
    assert lines == [x for x in story if "2023-06-02" <= x[:10] <= "2023-06-18"]
    refusal = next(x for x in lines if x.startswith("2023-06-02 China refuses defence ministers' talks"))
    assert ", answering the US request for defence ministers' talks on 2023-06-02 (Shangri-La" in refusal
    (off,) = [x for x in lines if x.startswith("2023-06-18 The United States calls off a planned visit with China")]
    assert ", answering the Chinese refusal of defence ministers' talks on 2023-06-02, " in off
    assert "request" not in off.split(", answering ", 1)[1].split(",")[0]


def test_the_us_calls_off_the_february_2023_trip_over_the_balloon(story):
    """The US does not answer the balloon with an act of its own, but the Secretary of State's planned
    trip to Beijing weighs a grievance of any area (audience costs), so the US calls it off and names
    the balloon; China holds the defence ministers' call asked for the day before."""
    lines = [x for x in story if "2023-02-02" <= x[:10] <= "2023-02-05"]
    assert not any("intercepts" in x for x in lines)
    assert any(x.startswith("2023-02-04 China holds defence ministers' talks with the United States") for x in lines)
    (off,) = [x for x in lines if x.startswith("2023-02-05 The United States calls off a planned visit with China")]
    assert ", answering the Chinese surveillance over the United States on 2023-02-02 (" in off and "balloon" in off
    assert "because the retaliation rule refused; planned engagement: Secretary of State's planned Beijing talks" in off


def test_scripted_lines_tell_the_note_and_the_amount_and_refusals_their_reason(story):
    notes = {(str(e.date), e.kind): e.note for e in load_scenario("historical_2022_2024").events}
    sale = "The United States approves an arms sale to Taiwan"
    assert f"2024-10-25 {sale} ({notes['2024-10-25', 'arms_sale']}; $1.988 billion)." in story
    assert f"2022-12-06 {sale} ({notes['2022-12-06', 'arms_sale']}; $428 million)." in story
    # China cut the defence ministers' channel in April 2023 (answering Tsai's meeting with the
    # Speaker) and nothing reopened it before Shangri-La: the refusal gives that reason.
    cut = [x for x in story if "China suspends defence ministers' talks" in x]
    assert len(cut) == 1 and "2023-04-01" <= cut[0][:10] < "2023-06-02"
    assert not any("China resumes defence ministers' talks" in x for x in story if cut[0][:10] < x[:10] <= "2023-06-02")
    shangri_la = next(x for x in story if x.startswith("2023-06-02 China refuses"))
    assert "defence ministers' talks with the United States" in shangri_la
    assert shangri_la.endswith("), because the channel is suspended.")
    # Rule notes are reasons, not descriptions: an accepted meeting does not say "accepted".
    assert not any("accepted" in x for x in story)


def test_filters_keep_their_lines_and_answers_still_name_causes_left_out(story, historical, ordered):
    ev = historical.events
    window = narrate(ev, start="2022-08-04", end="2022-08-31")
    kept = ordered[(ordered["date"] >= "2022-08-04") & (ordered["date"] <= "2022-08-31")]
    assert [x[:10] for x in window] == [d.strftime("%Y-%m-%d") for d in kept["date"]]
    assert window == [x for x in story if "2022-08-04" <= x[:10] <= "2022-08-31"]  # the same lines
    # China's answers to the visit (drills, the channels it cuts, sanctions, a deal for Taiwan) name it
    # though its line is left out.
    assert kept["cause"].notna().all() and len(window) >= 6  # every signal of the window answers one
    for line in window:
        assert "answering the US high-level visit to Taiwan on 2022-08-02" in line and line.startswith("2022-08-"), line
    assert any("suspends senior military talks" in x for x in window)
    # In a window holding both, an answer to an answer left out and one kept name theirs alike.
    late = narrate(ev, start="2023-06-03", end="2023-06-18")  # the refusal (2023-06-02) left out
    assert [x[11:].split(",")[0] for x in late] == ["The United States calls off a planned visit with China"]
    assert ", answering the Chinese refusal of defence ministers' talks on 2023-06-02, " in late[0]
    taiwan = narrate(ev, actor="TWN")
    assert len(taiwan) == int(((ev["sender"] == "TWN") | (ev["receiver"] == "TWN")).sum()) > 5
    assert all("Taiwan" in x for x in taiwan)
    assert narrate(ev, start="2030-01-01") == []


def test_reading_a_run_folder_tells_the_same_story_as_running_its_overrides(folder, capsys, tmp_path, monkeypatch):
    before = sorted(p.name for p in folder.iterdir())
    from_folder = narrate(read_events(folder))
    code, out, err = cli(capsys, str(folder))
    assert code == 0 and err == "" and out.splitlines() == from_folder
    assert sorted(p.name for p in folder.iterdir()) == before  # reading leaves the folder as it was
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, *FOLDER_OVERRIDES)  # the same run again, in memory: same story
    assert code == 0 and err == "" and out.splitlines() == from_folder
    assert list(tmp_path.iterdir()) == []  # and no run folder written


def test_the_default_story_is_the_same_every_time(story, capsys):
    code, out, _ = cli(capsys)
    assert code == 0 and out.splitlines() == story


def test_out_writes_the_story_to_a_file(folder, tmp_path, capsys):
    target = tmp_path / "sub" / "story.txt"
    code, out, err = cli(capsys, str(folder), "--actor", "twn", "--from", "2023-01-01", "--out", str(target))
    expected = narrate(read_events(folder), start="2023-01-01", actor="TWN")
    assert code == 0 and err == ""
    assert target.read_text(encoding="utf-8") == "".join(f"{x}\n" for x in expected) and expected
    assert out == f"wrote {target} ({len(expected)} lines)\n"
    assert [p.name for p in target.parent.iterdir()] == ["story.txt"]  # no temporary file left


@pytest.mark.parametrize(
    "args, named",
    [
        (["{tmp}/nope"], "nope"),  # a missing folder
        (["{tmp}"], "events.parquet"),  # a folder that is not a run folder
        (["foo=1"], "foo"),  # an unknown config key
        (["seed=abc"], "abc"),  # a bad value
        (["scenario=nope"], "nope"),  # an unknown scenario
        (["seed=[1"], "seed=[1"),  # an override Hydra cannot parse
        (["--from", "2022-13-01"], "2022-13-01"),  # a bad date
        (["--to", "yesterday"], "yesterday"),
        (["--from", "2023-01-01", "--to", "2022-01-01"], "2023-01-01"),
        (["--actor", "XYZ"], "XYZ"),  # an unknown actor
        (["{tmp}", "seed=1"], "seed=1"),  # a folder and overrides together
        (["--bogus"], "--bogus"),  # an unknown option
    ],
)
def test_bad_input_is_one_error_line_naming_the_value_and_exit_code_2(args, named, tmp_path, capsys):
    code, out, err = cli(capsys, *(a.format(tmp=tmp_path) for a in args))
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and named in err, err


@pytest.mark.slow
def test_python_m_sim_narrate_reads_a_run_folder(folder):
    proc = subprocess.run([sys.executable, "-m", "sim.narrate", str(folder), "--to", "2022-08-31"],
                          cwd=REPO, capture_output=True, check=False, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == narrate(read_events(folder), end="2022-08-31")
    assert proc.stdout.startswith("2022-08-02 The United States makes a high-level visit to Taiwan")


def test_a_log_with_unknown_words_and_a_missing_cause_still_reads():
    # An older run folder, or a log cut by hand, may hold kinds or causes the story cannot look up.
    ev = pd.DataFrame({
        "id": [3, 4], "date": pd.to_datetime(["2022-01-02", "2022-01-01"]), "sender": ["USA", "XXX"],
        "receiver": ["CHN", "USA"], "kind": ["mystery", "sanction"], "channel": ["", ""],
        "cause": pd.array([None, 9], dtype="Int64"), "scripted": [True, False],
    })  # fmt: skip
    assert narrate(ev) == [
        "2022-01-01 XXX imposes sanctions on the United States, answering signal 9.",
        "2022-01-02 The United States sends a mystery signal to China.",
    ]


def test_every_kind_actor_and_channel_has_its_narration_words():
    v = load_vocabulary()
    for spec in v.kinds.values():
        assert spec.verb and spec.noun, spec.kind
        spec.verb.format(receiver="R", receiver_adjective="A", channel="C")
    assert all(a.noun and a.adjective for a in v.actors.values())
    assert all(c.label for c in v.channels.values())
    assert v.actors["USA"].noun == "the United States" and v.channels["defense_policy"].label == "defence policy coordination talks"
