"""Counterfactual scenarios beside the historical replay, on the same seeds (sim.teaching.counterfactual).

The effects asserted are the model's, checked by hand on 20 seeds. A few seeds suffice where an
effect holds seed by seed; an effect that shows only where a channel is still shut when the change
comes (a reopening held up, a promise voided) is checked on ``MANY`` seeds, in the seeds where it
applies.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from sim import run
from sim.config.build import build_spec
from sim.config.compose import compose_config
from sim.core.scenario_files import load_scenario
from sim.core.vocabulary import load_vocabulary
from sim.outputs.tables import events_frame
from sim.teaching.counterfactual import compare_counterfactual, compare_counterfactuals, main
from sim.teaching.counterfactual_report import SUMMARY_COLUMNS
from sim.teaching.counterfactual_results import DIFF_COLUMNS, CounterfactualResult, Runs

from ..conftest import REPO

NAMES = ("counterfactual_no_pelosi", "counterfactual_no_balloon", "counterfactual_arms_sale_in_thaw",
         "counterfactual_no_woodside_summit")  # fmt: skip
HISTORICAL = "historical_2022_2024"
SEEDS = 5
MANY = 20  # enough seeds for a few in which mil_mil is still shut when the change comes
START = dt.date(2022, 8, 1)
# The leaders' summits of the historical scenario: Bali, Woodside, the April 2024 presidents' call.
BALI, WOODSIDE, APRIL_CALL = "2022-11-14", "2023-11-15", "2024-04-02"
DONG_JUN = "2023-12-29"  # a defence minister not under US sanctions again: the post no longer holds mil_mil


@pytest.fixture(scope="module")
def results() -> dict[str, CounterfactualResult]:
    return {r.name: r for r in compare_counterfactuals(NAMES, seeds=SEEDS)}


@pytest.fixture(scope="module")
def many() -> dict[str, CounterfactualResult]:
    """The comparisons whose channel effects show only in the seeds where mil_mil is still shut."""
    names = ("counterfactual_arms_sale_in_thaw", "counterfactual_no_woodside_summit")
    return {r.name: r for r in compare_counterfactuals(names, seeds=MANY)}


def days(a: str, b: str) -> slice:
    """Day indices from date ``a`` to date ``b``, both included."""
    return slice((dt.date.fromisoformat(a) - START).days, (dt.date.fromisoformat(b) - START).days + 1)


def day(a: str | pd.Timestamp) -> int:
    """The day index of date ``a``."""
    return (pd.Timestamp(a).date() - START).days


def metric(r: CounterfactualResult, name: str) -> pd.Series:
    return r.summary.set_index("metric").loc[name]


def counts(runs: Runs) -> list[Counter]:
    """Each seed's responses, by kind (absent kinds count 0)."""
    return [Counter(s["response_counts"]) for s in runs.summaries]


def only(events: pd.DataFrame, kind: str) -> pd.Series:
    """The one signal of ``kind`` in an event log."""
    rows = events[events["kind"] == kind]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def severity(signal: pd.Series) -> float:
    """How hostile a signal is to the government it is aimed at: its kind's hostility times its intensity."""
    return load_vocabulary().kinds[signal["kind"]].hostility * float(signal["intensity"])


def event_logs(scenario: str, seeds: Sequence[int], overrides: Sequence[str] = ()) -> list[pd.DataFrame]:
    """Each seed's event log, that of ``python -m sim scenario=<scenario> seed=<k> <overrides>``."""
    cfg, choices = compose_config([f"scenario={scenario}", *overrides])
    spec = build_spec(cfg, choices)
    logs = []
    for seed in seeds:
        model = spec.model(seed)
        model.run()
        logs.append(events_frame(model))
    return logs


def answer(events: pd.DataFrame, date: str, channel: str) -> str:
    """The kind of China's answer to the US request for a meeting on ``channel`` on ``date``."""
    request = events[(events["date"] == date) & (events["kind"] == "meeting_request") & (events["channel"] == channel)]
    assert len(request) == 1, request
    return events.loc[events["cause"] == request["id"].iloc[0], "kind"].item()  # one answer, no more


def reopenings(events: pd.DataFrame) -> list[tuple[str, str]]:
    """Each reopening of mil_mil: its date and the date of the leaders' summit it answers."""
    by_id = events.set_index("id")
    reopen = events[(events["kind"] == "channel_resumption") & (events["channel"] == "mil_mil")]
    causes = by_id.loc[reopen["cause"].astype(int)]
    assert set(causes["kind"]) <= {"leader_summit"}, causes  # each reopening keeps a summit's promise
    return list(zip(reopen["date"].dt.date.astype(str), causes["date"].dt.date.astype(str)))


@pytest.mark.parametrize("name", NAMES)
def test_every_counterfactual_loads_and_builds(name):
    sc = load_scenario(name)
    assert sc.name == name and (sc.start, sc.end) == (START, dt.date(2024, 12, 31))
    cfg, choices = compose_config([f"scenario={name}"])
    spec = build_spec(cfg, choices)
    model = spec.model(0)
    model.run()
    assert model.events


def test_runs_are_those_of_python_m_sim_with_the_same_seed(results):
    r = results["counterfactual_arms_sale_in_thaw"]
    assert r.seeds == tuple(range(SEEDS))
    seed = 3
    base = run([f"seed={seed}"]).steps
    cf = run([f"scenario={r.name}", f"seed={seed}"]).steps
    np.testing.assert_array_equal(r.base_runs.tension[seed], base["tension_USA_CHN"].to_numpy())
    np.testing.assert_array_equal(r.cf_runs.tension[seed], cf["tension_USA_CHN"].to_numpy())
    assert (r.cf_runs.suspended["mil_mil"][seed] == (cf["channel_USA_CHN_mil_mil"] == "suspended")).all()
    # Until the first changed event both scenarios make the same draws: the runs are identical.
    before = days("2022-08-01", "2024-01-04")
    np.testing.assert_array_equal(r.base_runs.tension[:, before], r.cf_runs.tension[:, before])


def test_differences_table_is_tidy_and_consistent(results):
    r = results["counterfactual_no_pelosi"]
    d = r.differences
    assert list(d.columns) == list(DIFF_COLUMNS)
    assert set(d["variable"]) == {"tension", "suspended_share"}
    n = r.base_runs.tension.shape[1]
    assert len(d) == n * (1 + len(r.base_runs.suspended))
    t = d[d["variable"] == "tension"]
    np.testing.assert_allclose(t["diff_mean"], (r.cf_runs.tension - r.base_runs.tension).mean(0))
    assert (t["diff_q05"] <= t["diff_mean"] + 1e-12).all() and (t["diff_mean"] <= t["diff_q95"] + 1e-12).all()
    assert list(r.summary.columns) == list(SUMMARY_COLUMNS)


def test_no_pelosi_visit_means_lower_tension_and_no_channel_cut_in_august_october_2022(results, historical):
    """Without the visit China cuts no channel in 2022 and the dyad's tension is lower; the one other
    crisis of the run, China's answer to Taiwan's president meeting the Speaker in April 2023,
    remains: the counterfactual's suspensions are all its, the visit's three cuts gone."""
    r = results["counterfactual_no_pelosi"]
    aug_oct = days("2022-08-02", "2022-10-31")
    per_seed = (r.cf_runs.tension[:, aug_oct] - r.base_runs.tension[:, aug_oct]).mean(1)
    assert (per_seed < -0.1).all(), per_seed  # in every seed, not just on average
    for ch, shut in r.cf_runs.suspended.items():
        assert not shut[:, aug_oct].any(), ch
    assert r.base_runs.suspended["mil_mil"][:, aug_oct].mean() > 0.8  # the base cuts it within days
    ev = historical.events
    visit = ev[ev["scripted"] & (ev["date"] == "2022-08-02") & (ev["kind"] == "high_level_visit")]["id"].item()
    cuts = ev[ev["kind"] == "channel_suspension"]
    by_visit = int((cuts["cause"] == visit).sum())
    assert by_visit >= 1 and metric(r, "channel_suspensions")["diff_mean"] == -by_visit
    for events in event_logs(r.name, r.seeds):
        by_id = events.set_index("id")
        causes = by_id.loc[events.loc[events["kind"] == "channel_suspension", "cause"].astype(int)]
        assert len(causes) and set(causes["date"].dt.date.astype(str)) == {"2023-04-05"}  # Tsai meets the Speaker


def test_no_balloon_spares_the_february_2023_call_and_trip_because_the_us_answers_the_balloon(
    results, historical, tmp_path, capsys
):
    """The calibrated US trigger is below the balloon's severity as the US reads it (an intrusion), so
    the US intercepts the balloon, and China answers the interception: it refuses the defence
    ministers' call the US asks for on 2023-02-04 and, as host, calls off the Secretary of State's
    planned trip of 2023-02-05. Without the balloon none of this happens, seed by seed, and tension is
    lower while the channels China cut do not change (the balloon leads to no cut)."""
    cfg, _ = compose_config([])
    assert cfg.governments.USA.retaliation.trigger <= severity(only(historical.events, "surveillance_incident"))
    out = tmp_path / "out"
    code, text, _ = _cli(
        ["counterfactual_no_balloon", "--seeds", str(SEEDS), "--out", str(out), "figures=false"], capsys
    )
    assert code == 0 and f"results: {out}" in text
    summary = pd.read_csv(out / "summary.csv").set_index("metric")

    def every_seed(name: str) -> float:
        row = summary.loc[name]
        assert row["diff_q05"] == row["diff_q95"], row  # the same change in every seed
        return row["diff_mean"]

    assert summary.loc["response_counts.interception", "base_value"] == 1
    assert every_seed("response_counts.interception") == -1
    assert every_seed("response_counts.meeting_rejection") == -2  # the call and the trip
    assert every_seed("response_counts.ministerial_meeting") == 1  # the call is held (the trip is a scripted visit)
    assert every_seed("channel_suspensions") == 0
    r = results["counterfactual_no_balloon"]
    feb_apr = days("2023-02-02", "2023-04-04")  # until the next crisis, the Tsai-Speaker meeting
    per_seed = (r.cf_runs.tension[:, feb_apr] - r.base_runs.tension[:, feb_apr]).mean(1)
    assert (per_seed < -0.03).all(), per_seed
    for ch, shut in r.base_runs.suspended.items():
        np.testing.assert_array_equal(r.cf_runs.suspended[ch][:, feb_apr], shut[:, feb_apr])
    base_logs, cf_logs = (event_logs(name, range(SEEDS)) for name in (HISTORICAL, "counterfactual_no_balloon"))
    for base, cf in zip(base_logs, cf_logs):
        interception = only(base, "interception")
        assert interception["cause"] == only(base, "surveillance_incident")["id"]
        assert "interception" not in set(cf["kind"])
        assert answer(base, "2023-02-04", "defense_ministers") == "meeting_rejection"
        assert answer(cf, "2023-02-04", "defense_ministers") == "ministerial_meeting"
        trip = base[base["date"] == "2023-02-05"]
        refusal = only(trip, "meeting_rejection")
        assert (refusal["sender"], refusal["channel"]) == ("CHN", "high_level_diplomacy")
        assert refusal["cause"] == interception["id"]  # China's answer to the interception, as host
        assert "; planned engagement: " in refusal["note"] and "high_level_visit" not in set(trip["kind"])
        visit = only(cf[cf["date"] == "2023-02-05"], "high_level_visit")
        assert (visit["sender"], visit["receiver"]) == ("USA", "CHN")


def test_arms_sale_in_thaw_draws_drills_and_sanctions_and_voids_woodsides_pending_military_reopening(many):
    """China answers the sale with a condemnation, drills and sanctions, the US sanctions back and
    China condemns that, in every seed. The sale is hostile enough to void the Woodside summit's
    pending promises (SummitReset.lapse_severity): wherever a military channel (mil_mil, defence
    ministers) was still shut on the sale's day it stays shut until the April 2024 presidents' call
    reopens it, where the base reopens it within days; wherever it had reopened, nothing changes."""
    r = many["counterfactual_arms_sale_in_thaw"]
    sale = day("2024-01-05")
    jan_mar = days("2024-01-05", "2024-03-31")
    per_seed = (r.cf_runs.tension[:, jan_mar] - r.base_runs.tension[:, jan_mar]).mean(1)
    assert (per_seed > 0.05).all(), per_seed
    for base, cf in zip(counts(r.base_runs), counts(r.cf_runs)):
        assert cf - base == Counter(rhetoric_condemnation=2, military_drill=1, sanction=2) and not base - cf
    april = day(APRIL_CALL)
    for ch in ("mil_mil", "defense_ministers"):
        shut_base, shut_cf = r.base_runs.suspended[ch], r.cf_runs.suspended[ch]
        np.testing.assert_array_equal(shut_cf[:, :sale], shut_base[:, :sale])  # the same runs until the sale
        still = shut_cf[:, sale]
        assert 0 < still.sum() < len(still), ch  # some seeds still waiting on Woodside's promise, not all
        assert shut_cf[still, sale : april + 1].all(), ch  # held to the April call ...
        assert not shut_base[still, sale + 14 :].any(), ch  # ... where the base reopens it within two weeks
        np.testing.assert_array_equal(shut_cf[~still], shut_base[~still])
    still = r.cf_runs.suspended["mil_mil"][:, sale]
    for seed, cf in zip(r.seeds, event_logs(r.name, r.seeds)):
        if still[r.seeds.index(seed)]:
            assert reopenings(cf)[-1][1] == APRIL_CALL, seed  # the call, not Woodside, reopens it
    held = metric(r, "days_suspended.mil_mil")["diff_mean"]
    assert held > 20
    # Without the lapse only the retaliation rule's grievance hold is left: a few days, not months.
    no_lapse = compare_counterfactual(r.name, seeds=MANY, overrides=["governments.CHN.thaw.inner.lapse_severity=null"])
    assert 0 <= metric(no_lapse, "days_suspended.mil_mil")["diff_mean"] < held / 3
    for ch in ("climate", "working_groups"):  # the civil channels Woodside had already reopened
        np.testing.assert_array_equal(r.cf_runs.suspended[ch], r.base_runs.suspended[ch])


def test_no_woodside_summit_keeps_the_april_2023_cuts_shut_until_the_april_2024_call(many, historical):
    """China cut four channels in answer to Taiwan's president meeting the Speaker (2023-04-05), after
    Bali's promises were kept: only the next summit reopens them. In the base that is Woodside (the
    civil channels within days, the military ones once Dong Jun holds the defence post); without it
    the April 2024 presidents' call, months later, in every seed. The balloon voids nothing: Bali had
    reopened mil_mil before the interception, which China reads as below lapse_severity."""
    r = many["counterfactual_no_woodside_summit"]
    cfg, _ = compose_config([])
    assert severity(only(historical.events, "interception")) < cfg.governments.CHN.thaw.inner.lapse_severity
    thaw = days(WOODSIDE, APRIL_CALL)
    assert ((r.cf_runs.tension[:, thaw] - r.base_runs.tension[:, thaw]).mean(1) > 0.05).all()
    assert metric(r, "peak_tension_changed_period")["diff_q05"] > 0
    for ch in ("mil_mil", "defense_ministers", "climate", "working_groups"):
        shut = r.base_runs.suspended[ch]
        assert shut[:, day(WOODSIDE)].all(), ch  # all four shut when Woodside comes, in every seed
        assert r.cf_runs.suspended[ch][:, thaw].all(), ch  # without it, shut until the April call ...
        assert not shut[:, day(DONG_JUN) + 30 :].any(), ch  # ... where Woodside has reopened them
    np.testing.assert_array_equal(
        r.cf_runs.suspended["high_level_diplomacy"], r.base_runs.suspended["high_level_diplomacy"]
    )
    intercepted = day(only(historical.events, "interception")["date"])
    for seed, base, cf in zip(r.seeds, event_logs(HISTORICAL, r.seeds), event_logs(r.name, r.seeds)):
        (bali, bali_summit), *after = reopenings(base)
        assert bali_summit == BALI and day(bali) < intercepted, (seed, bali)
        assert [summit for _, summit in after] == [WOODSIDE] and DONG_JUN < after[0][0], (seed, after)
        assert [summit for _, summit in reopenings(cf)] == [BALI, APRIL_CALL], seed


def _cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_same_inputs_write_the_same_differences(tmp_path, capsys):
    for d in ("a", "b"):
        code, out, _ = _cli(["counterfactual_no_pelosi", "--seeds", "3", "--out", str(tmp_path / d), "figures=false"], capsys)
        assert code == 0 and f"results: {tmp_path / d}" in out
    a, b = (tmp_path / d / "differences.parquet" for d in ("a", "b"))
    assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "a" / "summary.csv").read_bytes() == (tmp_path / "b" / "summary.csv").read_bytes()


def test_seed_override_shifts_the_seeds_and_an_existing_folder_is_replaced(tmp_path, capsys):
    out = tmp_path / "out"
    assert _cli(["counterfactual_no_balloon", "--seeds", "2", "--out", str(out), "figures=false"], capsys)[0] == 0
    code, text, _ = _cli(["counterfactual_no_balloon", "--seeds", "2", "seed=7", "--out", str(out), "figures=false",
                          "governments.CHN.sensitivity=0.2"], capsys)  # fmt: skip
    assert code == 0 and "2 seeds (7..8)" in text and "governments.CHN.sensitivity=0.2" in text
    assert "2 seeds (7..8)" in (out / "summary.txt").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left


@pytest.mark.slow
def test_command_writes_tables_summary_and_figure(tmp_path):
    out = tmp_path / "cf"
    proc = subprocess.run(
        [sys.executable, "-m", "sim.counterfactual", "counterfactual_arms_sale_in_thaw", "--seeds", "2", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "added:   2024-01-05 USA->TWN arms_sale" in proc.stdout and f"results: {out}" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == ["differences.parquet", "figures", "summary.csv", "summary.txt"]
    png = out / "figures" / "counterfactual_arms_sale_in_thaw.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    d = pd.read_parquet(out / "differences.parquet")
    assert set(d["counterfactual"]) == {"counterfactual_arms_sale_in_thaw"} and set(d["base"]) == {"historical_2022_2024"}
    s = pd.read_csv(out / "summary.csv")
    row = s.set_index("metric").loc["mean_tension_changed_period"]
    assert row["cf_value"] > row["base_value"]


def test_default_folder_is_under_results_counterfactuals(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = _cli(["counterfactual_no_pelosi", "--seeds", "1", "figures=false"], capsys)
    assert code == 0
    (folder,) = (tmp_path / "results" / "counterfactuals").iterdir()
    assert (folder / "summary.txt").is_file() and f"results: {folder}" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["no_such_counterfactual"], "no_such_counterfactual.yaml: scenario='no_such_counterfactual': no such scenario file"),
        (["counterfactual_no_pelosi", "--base", "no_such_base"], "no_such_base.yaml: scenario='no_such_base'"),
        (["counterfactual_no_pelosi", "--seeds", "0"], "command line: --seeds='0': must be a whole number from 1 to"),
        (["counterfactual_no_pelosi", "--seeds", "many"], "command line: --seeds='many': must be a whole number"),
        (["counterfactual_no_pelosi", "--seeds", "-3"], "command line: --seeds='-3': must be a whole number"),
        (["counterfactual_no_pelosi", "--window", "1.5"], "command line: --window='1.5'"),
        (["counterfactual_no_pelosi", "governments.CHN.nonsense=1"], "governments.CHN.nonsense='1': unknown config key"),
        (["counterfactual_no_pelosi", "rules/thaw@governments.CHN.thaw=melt"], "='melt': no such option"),
        (["counterfactual_no_pelosi", "governments.CHN.retaliation.trigger=-1"], "governments.CHN.retaliation.trigger=-1"),
        (["counterfactual_no_pelosi", "scenario=baseline"], "scenario='scenario=baseline': give the counterfactual scenarios"),
        (["counterfactual_no_pelosi", "seed=0,1"], "seed='seed=0,1': a comparison runs one config"),
        (["counterfactual_no_pelosi", "replicates=4"], "choose the number of seeds with --seeds"),
        (["seed=1"], "name at least one counterfactual scenario"),
        (["counterfactual_no_pelosi", "counterfactual_no_pelosi"], "the same counterfactual name is given twice"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, args, expected):
    out = tmp_path / "out"
    code, stdout, err = _cli([*args, "--out", str(out), "figures=false"], capsys)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert expected in err
    assert list(tmp_path.iterdir()) == []  # neither the folder nor a staging folder


def test_malformed_counterfactual_file_is_named(tmp_path, capsys):
    bad = tmp_path / "mine.yaml"
    bad.write_text("base: historical_2022_2024\nremove:\n  - {date: 2022-08-03, kind: high_level_visit}\n")
    code, _, err = _cli([str(bad), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and err.count("\n") == 1
    assert f"{bad}: remove[0]=" in err and "matches no event" in err and "(its events on 2022-08-03: none)" in err
    bad.write_text("start: 2022-08-01\nend: 2024-12-31\nevents:\n  - {date: 2022-08-05, sender: USA, receiver: CHN, kind: invade}\n")
    code, _, err = _cli([str(bad), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and f"{bad}: events[0].kind='invade'" in err
    bad.write_text("start: 2022-08-01\nend: 2023-12-31\n")
    code, _, err = _cli([str(bad), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and f"{bad}: end='2023-12-31': must equal the base's end 2024-12-31" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]
