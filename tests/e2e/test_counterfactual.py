"""Counterfactual scenarios beside the historical replay, on the same seeds (sim.teaching.counterfactual).

The effects asserted are the model's, checked by hand on 20 seeds. A few seeds suffice where an
effect holds seed by seed; an effect that shows only where a channel is still shut when the change
comes (a reopening held up, a promise voided) is checked on ``MANY`` seeds, in the seeds where it
applies. Where the calibrated model does not show a mechanism (the US lets the balloon pass),
it is checked under the overrides that make it act (``answering``), beside what is true by default.
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


@pytest.fixture(scope="module")
def answering(historical) -> tuple[str, str]:
    """Overrides under which the balloon matters: the US trigger at the balloon's severity as the US
    reads it (so the US intercepts the balloon), and China's ``lapse_severity`` at the interception's
    severity as China reads it (so the interception voids the Bali summit's pending promises)."""
    balloon = only(historical.events, "surveillance_incident")
    trigger = f"governments.USA.retaliation.trigger={severity(balloon)!r}"
    interception = only(run([trigger]).events, "interception")
    return trigger, f"governments.CHN.thaw.inner.lapse_severity={severity(interception)!r}"


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


def test_no_pelosi_visit_means_lower_tension_and_no_military_cut_in_august_september_2022(results):
    r = results["counterfactual_no_pelosi"]
    aug_sep = days("2022-08-02", "2022-09-30")
    per_seed = (r.cf_runs.tension[:, aug_sep] - r.base_runs.tension[:, aug_sep]).mean(1)
    assert (per_seed < -0.1).all(), per_seed  # in every seed, not just on average
    assert not r.cf_runs.suspended["mil_mil"][:, aug_sep].any()
    assert r.base_runs.suspended["mil_mil"][:, aug_sep].mean() > 0.8  # the base cuts it within days
    # Without the visit nothing else in 2022-24 drives China to cut a channel or the dyad to crisis.
    assert metric(r, "channel_suspensions")["cf_value"] == 0 < metric(r, "channel_suspensions")["base_value"]
    assert metric(r, "days_above_crisis")["cf_value"] == 0 < metric(r, "days_above_crisis")["base_value"]


def test_no_balloon_changes_no_response_by_default_because_the_us_lets_the_balloon_pass(results, historical):
    """The calibrated US trigger is above the balloon's severity as the US reads it (an intrusion), so
    the US does not answer the balloon in the history run: without it every response and every
    channel is the same, the balloon itself the one signal missing; only the incident's own weight
    on US hostility goes, leaving tension a little lower."""
    r = results["counterfactual_no_balloon"]
    cfg, _ = compose_config([])
    assert cfg.governments.USA.retaliation.trigger > severity(only(historical.events, "surveillance_incident"))
    feb_apr = days("2023-02-02", "2023-04-30")
    per_seed = (r.cf_runs.tension[:, feb_apr] - r.base_runs.tension[:, feb_apr]).mean(1)
    assert (per_seed < 0).all(), per_seed
    base, cf = counts(r.base_runs), counts(r.cf_runs)
    assert not any(c["interception"] for c in base + cf)  # no interception in either
    assert cf == base  # seed by seed, every kind: the February call and Munich accepted in both
    for ch, shut in r.base_runs.suspended.items():
        np.testing.assert_array_equal(r.cf_runs.suspended[ch], shut)
    n = metric(r, "n_signals")
    assert n["diff_q05"] == n["diff_q95"] == -1  # the balloon, nothing else: the planned trip goes ahead in both
    for events in event_logs(r.name, r.seeds):
        assert len(events[(events["date"] == "2023-02-05") & (events["kind"] == "high_level_visit")]) == 1


def test_no_balloon_spares_the_february_2023_call_and_trip_when_the_us_answers_the_balloon(
    answering, results, tmp_path, capsys
):
    """With the US trigger at the balloon's severity (through the command, as a user would set it) the
    US intercepts the balloon, and China answers the interception: it refuses the defence ministers'
    call the US asks for on 2023-02-04 and, as host, calls off the Secretary of State's planned trip
    of 2023-02-05. Without the balloon neither happens, seed by seed, and tension falls by more than
    by default: the interception and China's answers go with the balloon."""
    trigger = answering[0]
    out = tmp_path / "out"
    args = ["counterfactual_no_balloon", "--seeds", str(SEEDS), "--out", str(out), "figures=false", trigger]
    code, text, _ = _cli(args, capsys)
    assert code == 0 and trigger in text
    summary = pd.read_csv(out / "summary.csv").set_index("metric")

    def every_seed(name: str) -> float:
        row = summary.loc[name]
        assert row["diff_q05"] == row["diff_q95"], row  # the same change in every seed
        return row["diff_mean"]

    assert summary.loc["response_counts.interception", "base_value"] == 1
    assert every_seed("response_counts.interception") == -1
    assert every_seed("response_counts.meeting_rejection") == -2  # the call and the trip
    assert every_seed("response_counts.ministerial_meeting") == 1  # the call is held (the trip is a scripted visit)
    tension = summary.loc["mean_tension_changed_period"]
    assert tension["diff_q95"] < 0
    by_default = metric(results["counterfactual_no_balloon"], "mean_tension_changed_period")
    assert tension["diff_mean"] < by_default["diff_mean"]
    seeds = range(SEEDS)
    base_logs, cf_logs = (event_logs(name, seeds, [trigger]) for name in (HISTORICAL, "counterfactual_no_balloon"))
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


def test_arms_sale_in_thaw_raises_tension_draws_one_condemnation_and_holds_up_military_reopening(many):
    """China answers the sale with a condemnation and nothing more, in every seed. Its retaliation
    rule lets no military channel reopen while a grievance is recent, so wherever mil_mil was still
    shut on the sale's day it stays shut for grievance_days, where the base reopens it sooner;
    wherever it had reopened before, the sale changes no channel."""
    r = many["counterfactual_arms_sale_in_thaw"]
    sale = day("2024-01-05")
    jan_mar = days("2024-01-05", "2024-03-31")
    per_seed = (r.cf_runs.tension[:, jan_mar] - r.base_runs.tension[:, jan_mar]).mean(1)
    assert (per_seed > 0.02).all() and per_seed.mean() > 0.03, per_seed  # every seed; less where a reopening waits
    for base, cf in zip(counts(r.base_runs), counts(r.cf_runs)):
        assert cf - base == Counter(rhetoric_condemnation=1) and not base - cf
    cfg, _ = compose_config([])
    hold = int(cfg.governments.CHN.retaliation.grievance_days)
    shut_base, shut_cf = r.base_runs.suspended["mil_mil"], r.cf_runs.suspended["mil_mil"]
    np.testing.assert_array_equal(shut_cf[:, :sale], shut_base[:, :sale])  # the same runs until the sale
    still = shut_cf[:, sale]
    assert still.any() and shut_cf[still, sale : sale + hold + 1].all()
    # ... while in the base at least one of these seeds reopens it in that window: the sale delays it.
    reopened = shut_base[:, sale] & ~shut_base[:, sale : sale + hold + 1].all(axis=1)
    assert reopened.any()
    for ch, shut in r.base_runs.suspended.items():
        np.testing.assert_array_equal(r.cf_runs.suspended[ch][~still], shut[~still])
    assert metric(r, "days_suspended_changed_period.mil_mil")["diff_mean"] > 0


def test_no_woodside_summit_raises_tension_but_leaves_the_channels_bali_reopened(many):
    """Cancelling Woodside leaves tension higher until the next contacts, but by default the channels
    as they were: the US lets the balloon pass, so nothing voids the Bali summit's promise to reopen
    what China cut (SummitReset.lapse_severity). Where Bali had reopened mil_mil before Woodside the
    runs keep the same channels; where the sanctioned, then vacant, defence minister's post still
    held it, Bali's pending promise reopens it once Dong Jun is named, as Woodside's does in the base."""
    r = many["counterfactual_no_woodside_summit"]
    before_dong_jun = days(WOODSIDE, "2023-12-28")
    assert ((r.cf_runs.tension[:, before_dong_jun] - r.base_runs.tension[:, before_dong_jun]).mean(1) > 0).all()
    assert metric(r, "peak_tension_changed_period")["diff_q05"] > 0
    shut_base, shut_cf = r.base_runs.suspended["mil_mil"], r.cf_runs.suspended["mil_mil"]
    # Nothing reopens the military channel while the defence minister's post is vacant, in either.
    for shut in (shut_base, shut_cf):
        np.testing.assert_array_equal(shut[:, before_dong_jun].all(axis=1), shut[:, before_dong_jun].any(axis=1))
    held = shut_base[:, day(WOODSIDE)]
    assert held.mean() < 0.5  # in most seeds Bali has reopened mil_mil long before Woodside ...
    for ch, shut in r.base_runs.suspended.items():  # ... and Woodside has nothing left to reopen
        np.testing.assert_array_equal(r.cf_runs.suspended[ch][~held], shut[~held])
    cfg, _ = compose_config([])
    retry = dt.timedelta(days=cfg.governments.CHN.thaw.retry_days)
    for seed, base, cf in zip(r.seeds, event_logs(HISTORICAL, r.seeds), event_logs(r.name, r.seeds)):
        assert {summit for _, summit in reopenings(base)} <= {BALI, WOODSIDE}
        ((when, summit),) = reopenings(cf)
        assert summit == BALI, (seed, when, summit)  # Bali's promise is kept, however late
        if held[r.seeds.index(seed)]:
            assert DONG_JUN < when <= str(dt.date.fromisoformat(DONG_JUN) + retry), (seed, when)


def test_no_woodside_summit_keeps_the_military_channel_shut_where_the_balloon_voided_balis_promise(answering):
    """Under ``answering`` the US intercepts the balloon and China takes the interception as voiding
    the Bali summit's pending promises (SummitReset.lapse_severity). Wherever Bali had not yet
    reopened mil_mil by then only the next summit can: Woodside in the history; without it the
    April 2024 presidents' call, months later, so the channel stays shut longer; elsewhere nothing
    changes in the channels."""
    r = compare_counterfactual("counterfactual_no_woodside_summit", seeds=MANY, overrides=answering)
    base_logs, cf_logs = event_logs(HISTORICAL, r.seeds, answering), event_logs(r.name, r.seeds, answering)
    shut_base, shut_cf = r.base_runs.suspended["mil_mil"], r.cf_runs.suspended["mil_mil"]
    intercepted = [str(only(ev, "interception")["date"].date()) for ev in base_logs]
    voided = np.array([shut_base[i, day(when)] for i, when in enumerate(intercepted)])
    assert voided.any()  # in some seeds Bali's reopening of mil_mil was still pending
    for i, (seed, base, cf) in enumerate(zip(r.seeds, base_logs, cf_logs)):
        # Each reopening answers a summit: Bali only if it came before the interception voided Bali's
        # promises, otherwise the one summit left after it (Woodside, or without it the April call).
        for log, later in ((base, WOODSIDE), (cf, APRIL_CALL)):
            ((when, summit),) = reopenings(log)
            assert (summit == BALI and when <= intercepted[i]) or (voided[i] and summit == later), (seed, when, summit)
    thaw = days(WOODSIDE, "2024-06-30")
    assert (shut_cf[voided][:, thaw].sum(axis=1) > shut_base[voided][:, thaw].sum(axis=1)).all()
    for ch, shut in r.base_runs.suspended.items():
        np.testing.assert_array_equal(r.cf_runs.suspended[ch][~voided], shut[~voided])
    assert metric(r, "days_suspended.mil_mil")["diff_mean"] > 0


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
