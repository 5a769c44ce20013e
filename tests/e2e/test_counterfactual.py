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
from sim.teaching.counterfactual import compare_counterfactuals, main
from sim.teaching.counterfactual_report import SUMMARY_COLUMNS
from sim.teaching.counterfactual_results import DIFF_COLUMNS, CounterfactualResult, Runs

from ..conftest import REPO

NAMES = ("counterfactual_no_pelosi", "counterfactual_no_balloon", "counterfactual_arms_sale_in_thaw",
         "counterfactual_no_woodside_summit")  # fmt: skip
HISTORICAL = "historical_2022_2024"
SEEDS = 5
MANY = 20  # enough seeds for the channel effects that hold only where a channel is shut when the change comes
START = dt.date(2022, 8, 1)
# The leaders' summits of the historical scenario: Bali, Woodside, the April 2024 presidents' call.
BALI, WOODSIDE, APRIL_CALL = "2022-11-14", "2023-11-15", "2024-04-02"


@pytest.fixture(scope="module")
def results() -> dict[str, CounterfactualResult]:
    return {r.name: r for r in compare_counterfactuals(NAMES, seeds=SEEDS)}


@pytest.fixture(scope="module")
def many() -> dict[str, CounterfactualResult]:
    """The comparisons whose channel effects show only in the seeds where a channel is still shut."""
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


def reopenings(events: pd.DataFrame, channel: str) -> list[tuple[str, str, str]]:
    """Each reopening of ``channel``: its date, and the kind and date of the gesture whose promise it keeps."""
    by_id = events.set_index("id")
    reopen = events[(events["kind"] == "channel_resumption") & (events["channel"] == channel)]
    causes = by_id.loc[reopen["cause"].astype(int)]
    return list(zip(reopen["date"].dt.date.astype(str), causes["kind"], causes["date"].dt.date.astype(str)))


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
    assert (r.cf_runs.suspended["defense_policy"][seed] == (cf["channel_USA_CHN_defense_policy"] == "suspended")).all()
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


MILITARY = {"senior_military", "defense_policy", "maritime_safety", "theater_commanders"}


def test_no_pelosi_visit_means_lower_tension_no_cut_in_2022_and_april_2023_cuts_only_military_channels(
    results, historical
):
    """Without the visit China cuts no channel in 2022 and the dyad's tension is lower. With it, China cuts
    military channels within days, the ones costliest for it to reopen first. The one other crisis of the
    run, China's answer to Taiwan's president meeting the Speaker in April 2023, remains: without the visit
    it then finds the four military channels open and cuts them; with the visit most were already shut,
    and it cut the defence ministers' and civil channels instead. So without the visit no channel beyond
    the four military ones is ever cut, in every seed."""
    r = results["counterfactual_no_pelosi"]
    aug_oct = days("2022-08-02", "2022-10-31")
    per_seed = (r.cf_runs.tension[:, aug_oct] - r.base_runs.tension[:, aug_oct]).mean(1)
    assert (per_seed < -0.04).all(), per_seed  # in every seed, not just on average
    for ch, shut in r.cf_runs.suspended.items():
        assert not shut[:, aug_oct].any(), ch
    first_cuts = set()
    for base, cf in zip(event_logs(HISTORICAL, r.seeds), event_logs(r.name, r.seeds)):
        visit = base[base["scripted"] & (base["date"] == "2022-08-02") & (base["kind"] == "high_level_visit")]
        cuts = base[base["kind"] == "channel_suspension"]
        first_cuts.add(frozenset(cuts.loc[cuts["cause"] == visit["id"].item(), "channel"]))
        by_id = cf.set_index("id")
        cf_cuts = cf[cf["kind"] == "channel_suspension"]
        causes = by_id.loc[cf_cuts["cause"].astype(int)]
        assert set(causes["date"].dt.date.astype(str)) == {"2023-04-05"}  # Tsai meets the Speaker
        assert set(cf_cuts["channel"]) == MILITARY and len(cf_cuts) == len(MILITARY)
    (first,) = first_cuts  # the same channels in every seed ...
    costs = load_vocabulary().channels
    cost = {c: costs[c].cost_for("CHN") for c in MILITARY}
    assert first and first <= MILITARY and min(cost[c] for c in first) >= max(cost[c] for c in MILITARY - first)
    for ch in first:  # ... the costliest to reopen, cut within days
        assert r.base_runs.suspended[ch][:, aug_oct].mean() > 0.8, ch
    later = {ch for ch, shut in r.base_runs.suspended.items() if shut.any() and ch not in MILITARY}
    assert {"defense_ministers", "climate"} <= later  # cut in the base (after Tsai meets the Speaker) ...
    for ch in later:
        assert not r.cf_runs.suspended[ch].any(), ch  # ... never without the visit, in any seed


def test_no_balloon_lets_the_february_2023_trip_go_ahead_because_the_us_calls_it_off_over_the_balloon(
    results, tmp_path, capsys
):
    """The US does not answer the balloon with an act of its own (no interception: its calibrated
    trigger is above it), but the Secretary of State's trip to Beijing planned for 2023-02-05 weighs a
    grievance of any issue area (audience costs of visiting the offender's capital), so the US calls it
    off, naming its latest grievance: the balloon, or, where China refused the defence ministers' call
    the day before (its channel cut since 2022), that refusal. Without the balloon the trip takes place,
    in every seed; China's answer to the call, and every channel, are the same; tension is lower."""
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

    assert every_seed("response_counts.visit_postponed") == -1  # the trip goes ahead
    assert every_seed("response_counts.meeting_rejection") == 0  # China answers the call as it would have
    assert every_seed("response_counts.ministerial_meeting") == 0
    assert every_seed("n_signals") == -1  # the balloon gone; the trip instead of its postponement
    assert every_seed("channel_suspensions") == every_seed("channel_days_suspended") == 0
    r = results["counterfactual_no_balloon"]
    feb_apr = days("2023-02-02", "2023-04-04")  # until the next crisis, the Tsai-Speaker meeting
    per_seed = (r.cf_runs.tension[:, feb_apr] - r.base_runs.tension[:, feb_apr]).mean(1)
    assert (per_seed < -0.03).all(), per_seed
    for ch, shut in r.base_runs.suspended.items():
        np.testing.assert_array_equal(r.cf_runs.suspended[ch], shut)  # the balloon leads to no cut, no delay
    base_logs, cf_logs = (event_logs(name, range(SEEDS)) for name in (HISTORICAL, "counterfactual_no_balloon"))
    named = Counter()
    for base, cf in zip(base_logs, cf_logs):
        assert "interception" not in set(base["kind"])
        call = answer(base, "2023-02-04", "defense_ministers")
        assert call == answer(cf, "2023-02-04", "defense_ministers")
        trip = base[base["date"] == "2023-02-05"]
        off = only(trip, "visit_postponed")
        assert (off["sender"], off["receiver"], off["channel"]) == ("USA", "CHN", "high_level_diplomacy")
        assert "; planned engagement: Secretary of State's planned Beijing talks" in off["note"]
        cause = base.set_index("id").loc[int(off["cause"])]
        assert cause["kind"] == ("surveillance_incident" if call == "ministerial_meeting" else "meeting_rejection")
        named[cause["kind"]] += 1
        assert "high_level_visit" not in set(trip["kind"])
        visit = only(cf[cf["date"] == "2023-02-05"], "high_level_visit")
        assert (visit["sender"], visit["receiver"]) == ("USA", "CHN")
        assert "visit_postponed" not in set(cf[cf["date"] == "2023-02-05"]["kind"])
    assert named["surveillance_incident"] >= 1  # in most seeds the balloon itself is named


def test_arms_sale_in_thaw_draws_condemnation_sanctions_and_a_deal_for_taiwan_but_voids_no_reopening(many):
    """China answers the sale, in every seed, with exactly a condemnation of the US, sanctions on the US and
    an economic deal offered to Taiwan (courting as well as coercing); the US does not answer China's
    answers. No channel is cut and Woodside's pending promises stand: the only channel effect is the
    security grievance holding due reopenings of military channels, each retried a whole number of
    ``retry_days`` later, in the seeds where one fell due within the grievance window."""
    r = many["counterfactual_arms_sale_in_thaw"]
    sale = day("2024-01-05")
    jan_mar = days("2024-01-05", "2024-03-31")
    per_seed = (r.cf_runs.tension[:, jan_mar] - r.base_runs.tension[:, jan_mar]).mean(1)
    assert (per_seed > 0.02).all(), per_seed
    for base, cf in zip(counts(r.base_runs), counts(r.cf_runs)):
        more = cf - base
        assert not base - cf and more["channel_suspension"] == 0, more
        assert more >= Counter(rhetoric_condemnation=1, sanction=1), more  # (the deal: in the answers below)
    cfg, _ = compose_config([])
    retry = cfg.governments.CHN.thaw.inner.retry_days
    logs = event_logs(r.name, r.seeds)
    for events in logs:
        sale_id = events[(events["date"] == "2024-01-05") & (events["kind"] == "arms_sale")]["id"].item()
        answers = events[events["cause"] == sale_id]
        assert sorted(zip(answers["sender"], answers["receiver"], answers["kind"])) == [
            ("CHN", "TWN", "economic_cooperation"), ("CHN", "USA", "rhetoric_condemnation"), ("CHN", "USA", "sanction"),
        ]  # fmt: skip
    security = {c for c, spec in load_vocabulary().channels.items() if spec.area == "security"}
    held = set()
    for ch, shut_base in r.base_runs.suspended.items():
        shut_cf = r.cf_runs.suspended[ch]
        np.testing.assert_array_equal(shut_cf[:, :sale], shut_base[:, :sale])  # the same runs until the sale
        if ch not in security:
            np.testing.assert_array_equal(shut_cf, shut_base)  # a security grievance holds no other channel
            continue
        for i in range(len(r.seeds)):
            if (shut_cf[i] != shut_base[i]).any():
                held.add(i)
                assert shut_base[i, sale], (ch, i)  # shut on the sale's day, reopening due soon after
                longer = shut_cf[i].sum() - shut_base[i].sum()
                assert longer > 0 and longer % retry == 0, (ch, i, longer)  # one or more retries later
                (date, kind, summit), *_ = [x for x in reopenings(logs[i], ch) if x[0] >= "2024-01-05"]
                # A summit's promise kept, not voided: Woodside's, or an earlier one Woodside strengthened
                # (a larger gesture strengthens a standing promise without putting it off, and the
                # reopening names the gesture that first made it).
                assert kind == "leader_summit" and summit <= WOODSIDE, (ch, i)
    assert 0 < len(held) < len(r.seeds), held  # where a reopening fell due in the window, not in every seed
    assert 0 < metric(r, "days_suspended.defense_ministers")["diff_mean"] <= 3 * retry


def test_no_woodside_summit_raises_tension_to_the_april_call_and_keeps_the_defence_ministers_channel_shut(many):
    """Without Woodside the dyad's tension stays higher until the April 2024 presidents' call, in every
    seed. China cut the defence ministers' channel before Woodside in every seed, and in most Woodside's
    promise reopens it (after a wait growing with its cost: months); without it the channel reopens only
    in some seeds, late (a later visit, or Bali's promise kept at last), never through the April call,
    and never sooner than with Woodside. The other channels' reopenings are spread over months either
    way, so their differences go both ways by seed."""
    r = many["counterfactual_no_woodside_summit"]
    thaw = days(WOODSIDE, APRIL_CALL)
    per_seed = (r.cf_runs.tension[:, thaw] - r.base_runs.tension[:, thaw]).mean(1)
    assert (per_seed > 0.1).all(), per_seed
    assert metric(r, "peak_tension_changed_period")["diff_q05"] > 0.05
    base, cf = r.base_runs.suspended["defense_ministers"], r.cf_runs.suspended["defense_ministers"]
    assert base[:, day(WOODSIDE)].all()  # shut when Woodside comes, in every seed
    assert (cf.sum(1) >= base.sum(1)).all() and (cf.sum(1) > base.sum(1)).mean() >= 0.5
    assert metric(r, "days_suspended.defense_ministers")["diff_mean"] > 100
    for ch in ("high_level_diplomacy", "economic"):
        np.testing.assert_array_equal(r.cf_runs.suspended[ch], r.base_runs.suspended[ch])
    by_woodside = 0
    for seed, b, c in zip(r.seeds, event_logs(HISTORICAL, r.seeds), event_logs(r.name, r.seeds)):
        after = [x for x in reopenings(b, "defense_ministers") if x[0] > WOODSIDE]
        by_woodside += any(summit == WOODSIDE for _, _, summit in after)
        cf_after = [x for x in reopenings(c, "defense_ministers") if x[0] > WOODSIDE]
        assert APRIL_CALL not in {summit for _, _, summit in cf_after}, (seed, cf_after)
    assert by_woodside >= 0.6 * len(r.seeds)


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


def test_posterior_draws_pair_every_seed_with_each_drawn_parameter_set(tmp_path, capsys):
    from sim.config.calibration import read_calibration, read_posterior

    r = compare_counterfactuals(["counterfactual_no_pelosi"], 2, ["posterior_draws=3"])[0]
    assert r.seeds == (0, 1) * 3 and r.base_runs.tension.shape[0] == 6
    drawn = read_posterior(read_calibration(compose_config([])[0])).draw(3, seed=0)
    assert len({row for row, _ in drawn}) == 3  # three different parameter sets of the shipped posterior ...
    assert not np.array_equal(r.base_runs.tension[0:2], r.base_runs.tension[2:4])  # ... give different runs,
    same = run([*(f"{k}={v!r}" for k, v in drawn[0][1].items()), "seed=1"])  # each exactly a run of its set
    assert same.steps["tension_USA_CHN"].to_numpy() == pytest.approx(r.base_runs.tension[1])
    code, text, _ = _cli(["counterfactual_no_pelosi", "--seeds", "2", "posterior_draws=3", "--out", str(tmp_path / "o"),
                          "figures=false"], capsys)  # fmt: skip
    assert code == 0 and "2 seeds (0..1) x 3 posterior draws (6 runs)" in text


@pytest.mark.slow
def test_command_writes_tables_summary_and_figure(tmp_path):
    out = tmp_path / "cf"
    proc = subprocess.run(
        [sys.executable, "-m", "sim.counterfactual", "counterfactual_arms_sale_in_thaw", "--seeds", "2", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "added:   2024-01-05 USA->TWN arms_sale" in proc.stdout and f"results: {out}" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == ["counterfactual.json", "differences.parquet", "figures",
                                                     "provenance.json", "summary.csv", "summary.txt"]  # fmt: skip
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
