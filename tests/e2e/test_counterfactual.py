"""Counterfactual scenarios beside the historical replay, on the same seeds (sim.teaching.counterfactual).

The effects asserted are the model's, checked by hand on 20 seeds; a few seeds suffice here
because each effect holds seed by seed, or is the mechanism that produces it.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim import run
from sim.config.build import build_spec
from sim.config.compose import compose_config
from sim.core.scenario_files import load_scenario
from sim.outputs.tables import events_frame
from sim.teaching.counterfactual import compare_counterfactuals, main
from sim.teaching.counterfactual_report import SUMMARY_COLUMNS
from sim.teaching.counterfactual_results import DIFF_COLUMNS, CounterfactualResult

from ..conftest import REPO

NAMES = ("counterfactual_no_pelosi", "counterfactual_no_balloon", "counterfactual_arms_sale_in_thaw",
         "counterfactual_no_woodside_summit")  # fmt: skip
SEEDS = 5
START = dt.date(2022, 8, 1)


@pytest.fixture(scope="module")
def results() -> dict[str, CounterfactualResult]:
    return {r.name: r for r in compare_counterfactuals(NAMES, seeds=SEEDS)}


def days(a: str, b: str) -> slice:
    """Day indices from date ``a`` to date ``b``, both included."""
    return slice((dt.date.fromisoformat(a) - START).days, (dt.date.fromisoformat(b) - START).days + 1)


def metric(r: CounterfactualResult, name: str) -> pd.Series:
    return r.summary.set_index("metric").loc[name]


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


def test_no_balloon_means_lower_tension_and_the_february_2023_meetings_accepted(results):
    r = results["counterfactual_no_balloon"]
    feb_apr = days("2023-02-02", "2023-04-30")
    assert ((r.cf_runs.tension[:, feb_apr] - r.base_runs.tension[:, feb_apr]).mean(1) < -0.1).all()
    # The defence ministers' call (02-04) and Munich (02-18) are accepted instead of refused.
    assert metric(r, "response_counts.meeting_rejection")["diff_mean"] == -2
    assert metric(r, "response_counts.ministerial_meeting")["diff_mean"] == 2
    assert metric(r, "response_counts.interception")["cf_value"] == 0


def test_arms_sale_in_thaw_raises_tension_and_holds_up_military_reopening(results):
    r = results["counterfactual_arms_sale_in_thaw"]
    sale = (dt.date(2024, 1, 5) - START).days
    assert ((r.cf_runs.tension[:, days("2024-01-05", "2024-03-31")]
             - r.base_runs.tension[:, days("2024-01-05", "2024-03-31")]).mean(1) > 0.03).all()  # fmt: skip
    # China's retaliation rule lets no military channel reopen while a grievance is recent: after
    # the sale, mil_mil stays shut for grievance_days wherever it was still shut on the sale's day ...
    cfg, _ = compose_config([])
    hold = int(cfg.governments.CHN.retaliation.grievance_days)
    shut_cf = r.cf_runs.suspended["mil_mil"]
    still = shut_cf[:, sale]
    assert still.any() and shut_cf[still, sale : sale + hold + 1].all()
    # ... while in the base at least one of these seeds reopens it in that window: the sale delays it.
    shut_base = r.base_runs.suspended["mil_mil"]
    reopened = shut_base[:, sale] & ~shut_base[:, sale : sale + hold + 1].all(axis=1)
    assert reopened.any()
    assert metric(r, "days_suspended_changed_period.mil_mil")["diff_mean"] > 0


def test_no_woodside_summit_keeps_the_military_channel_shut_longer(results):
    """Cancelling Woodside leaves tension higher until the next contacts, and the military channel
    shut longer: the Bali summit's pending promise to reopen it lapsed with the balloon shoot-down
    (SummitReset.lapse_severity), so without Woodside only the April 2024 presidents' call
    reopens it."""
    r = results["counterfactual_no_woodside_summit"]
    before_dong_jun = days("2023-11-15", "2023-12-28")
    assert ((r.cf_runs.tension[:, before_dong_jun] - r.base_runs.tension[:, before_dong_jun]).mean(1) > 0).all()
    assert metric(r, "peak_tension_changed_period")["diff_q05"] > 0
    shut_base, shut_cf = r.base_runs.suspended["mil_mil"], r.cf_runs.suspended["mil_mil"]
    # Nothing reopens the military channel while the defence minister's post is vacant, in either.
    for shut in (shut_base, shut_cf):
        np.testing.assert_array_equal(shut[:, before_dong_jun].all(axis=1), shut[:, before_dong_jun].any(axis=1))
    thaw = days("2023-11-15", "2024-06-30")
    assert shut_cf[:, thaw].sum() > shut_base[:, thaw].sum()
    assert (shut_cf[:, thaw].sum(axis=1) >= shut_base[:, thaw].sum(axis=1)).all()  # in every seed
    assert metric(r, "days_suspended.mil_mil")["diff_mean"] > 0
    # Each reopening answers a summit: Bali only if it came before the balloon voided Bali's promises,
    # otherwise the one summit left after it, the April 2024 presidents' call.
    cfg, choices = compose_config([f"scenario={r.name}"])
    spec = build_spec(cfg, choices)
    for seed in range(SEEDS):
        model = spec.model(seed)
        model.run()
        ev = events_frame(model)
        reopen = ev[(ev["kind"] == "channel_resumption") & (ev["channel"] == "mil_mil")]
        causes = ev.set_index("id").loc[reopen["cause"].astype(int)]
        assert set(causes["kind"]) <= {"leader_summit"}
        for when, summit in zip(reopen["date"].dt.date.astype(str), causes["date"].dt.date.astype(str)):
            assert (summit == "2022-11-14" and when < "2023-02-02") or summit == "2024-04-02", (seed, when, summit)


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
