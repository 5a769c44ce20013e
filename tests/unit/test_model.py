"""Model mechanics: time, determinism, channels, the sanctioned-official rule, venues, regional states."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import run
from sim.config.build import build
from sim.config.compose import compose_config
from sim.core.vocabulary import load_vocabulary
from sim.outputs.tables import events_frame, steps_frame

from ..conftest import minimal_scenario


def scenario_run(write_scenario, doc: dict, *overrides: str):
    return run([f"scenario={write_scenario(doc)}", *overrides])


def test_stepping_day_by_day_equals_running_to_the_end():
    cfg, choices = compose_config(["seed=3"])
    jumped, _ = build(cfg, choices)
    jumped.run()
    stepped, _ = build(cfg, choices)
    days = 0
    while stepped.running:
        stepped.step()
        days += 1
    assert days == stepped.n_days == jumped.n_days
    pd.testing.assert_frame_equal(events_frame(stepped), events_frame(jumped))
    pd.testing.assert_frame_equal(steps_frame(stepped), steps_frame(jumped))


def test_same_seed_same_events_different_seeds_differ(historical):
    again = run(["seed=0"])
    pd.testing.assert_frame_equal(historical.events, again.events)
    pd.testing.assert_frame_equal(historical.steps, again.steps)
    logs = {tuple(map(tuple, run([f"seed={s}"]).events[["step", "kind", "channel"]].to_numpy())) for s in range(1, 6)}
    assert len(logs) > 1, "the rules draw lags at random: seeds should differ"


def test_event_log_columns_and_causality(historical):
    ev = historical.events
    for col in ("id", "date", "step", "sender", "receiver", "kind", "channel", "intensity", "cameo_code", "goldstein", "cause", "scripted"):
        assert col in ev.columns
    assert ev["id"].is_unique and ev["step"].is_monotonic_increasing
    decided = ev[~ev["scripted"]]
    # Every decided signal answers one before it; a planned engagement called off answers the grievance
    # that made its side call it off, if that side holds one.
    called_off = decided["note"].str.contains("; planned engagement: ", regex=False)
    assert decided.loc[~called_off, "cause"].notna().all()
    decided = decided[decided["cause"].notna()]
    by_id = ev.set_index("id")
    for _, row in decided.iterrows():
        cause = by_id.loc[int(row["cause"])]
        assert cause["step"] <= row["step"]
    assert ev.loc[ev["scripted"], "cause"].isna().all()
    assert (ev.loc[ev["kind"] == "channel_suspension", "cameo_code"] == "164").all()


def test_steps_table_has_one_row_per_day_and_documented_columns(historical):
    st = historical.steps
    assert len(st) == (pd.Timestamp("2024-12-31") - pd.Timestamp("2022-08-01")).days + 1
    assert st["date"].iloc[0] == pd.Timestamp("2022-08-01")
    assert {"tension_USA_CHN", "hostility_USA_CHN", "hostility_CHN_USA", "trust_CHN_USA", "pressure_CHN"} <= set(st.columns)
    channels = [c for c in st.columns if c.startswith("channel_USA_CHN_")]
    assert len(channels) == len(load_vocabulary().channels)
    assert all(set(st[c].astype(str)) <= {"open", "suspended"} for c in channels)
    assert {f"alignment_{c}" for c in ("TWN", "JPN", "PHL", "AUS", "ASN")} <= set(st.columns)
    assert st["tension_USA_CHN"].between(0, 1).all()


def test_pelosi_visit_draws_a_quick_chinese_answer_and_channel_cuts(historical):
    ev = historical.events
    visit = ev[(ev["kind"] == "high_level_visit") & (ev["receiver"] == "TWN")].iloc[0]
    answers = ev[ev["cause"] == visit["id"]]
    assert (answers["sender"] == "CHN").all() and len(answers) >= 3
    assert answers["step"].min() - visit["step"] <= 3
    cuts = answers[answers["kind"] == "channel_suspension"]
    military = {c for c, s in load_vocabulary().channels.items() if s.military}
    assert military & set(cuts["channel"])  # at least one military channel is cut


def _gate_doc(hold: bool = True) -> dict:
    doc = minimal_scenario(start="2023-01-01", end="2023-12-31")
    doc["posts"] = [{"actor": "CHN", "post": "defense_minister", "official": "Wei", "sanctioned_by": []}]
    doc["events"] = [
        {"date": "2023-01-10", "sender": "CHN", "receiver": "USA", "kind": "channel_suspension", "channel": "defense_ministers"},
        {"date": "2023-01-20", "sender": "CHN", "receiver": "CHN", "kind": "personnel_change", "post": "defense_minister",
         "official": "Sanctioned General", "sanctioned_by": ["USA"]},
        {"date": "2023-02-01", "sender": "USA", "receiver": "CHN", "kind": "leader_summit", "channel": "high_level_diplomacy"},
        {"date": "2023-03-01", "sender": "USA", "receiver": "CHN", "kind": "meeting_request", "channel": "high_level_diplomacy"},
        {"date": "2023-09-01", "sender": "CHN", "receiver": "CHN", "kind": "personnel_change", "post": "defense_minister",
         "official": "New Minister", "sanctioned_by": []},
    ]  # fmt: skip
    return doc


def _resumption_day(result, channel):
    ev = result.events
    rows = ev[(ev["kind"] == "channel_resumption") & (ev["channel"] == channel)]
    return None if rows.empty else rows["date"].iloc[0]


def test_channel_stays_shut_while_a_sanctioned_official_holds_its_post(write_scenario):
    held = scenario_run(write_scenario, _gate_doc(), "rules/thaw@governments.CHN.thaw=sanctioned_post_hold",
                        "governments.CHN.thaw.inner.stage_days=5", "governments.CHN.thaw.inner.cost_scale=0.5")  # fmt: skip
    day = _resumption_day(held, "defense_ministers")
    assert day is not None and day >= pd.Timestamp("2023-09-01"), day
    free = scenario_run(write_scenario, _gate_doc(), "rules/thaw@governments.CHN.thaw=weighted",
                        "governments.CHN.thaw.stage_days=5", "governments.CHN.thaw.cost_scale=0.5")  # fmt: skip
    early = _resumption_day(free, "defense_ministers")
    assert early is not None and early < pd.Timestamp("2023-09-01")


def test_without_the_post_rule_a_sanctioned_minister_meets(write_scenario):
    doc = minimal_scenario(start="2023-01-01", end="2023-03-31")
    doc["posts"] = [{"actor": "CHN", "post": "defense_minister", "official": "Sanctioned General", "sanctioned_by": ["USA"]}]
    doc["events"] = [{"date": "2023-02-01", "sender": "USA", "receiver": "CHN", "kind": "meeting_request",
                      "channel": "defense_ministers"}]  # fmt: skip
    answers = {}
    for thaw in ("sanctioned_post_hold", "weighted"):
        ev = scenario_run(write_scenario, doc, f"rules/thaw@governments.CHN.thaw={thaw}").events
        answers[thaw] = ev.loc[ev["cause"] == 0, "kind"].tolist()
    assert answers == {"sanctioned_post_hold": ["meeting_rejection"], "weighted": ["ministerial_meeting"]}


def test_meeting_requests_are_answered_and_refused_on_suspended_or_blocked_channels(write_scenario):
    doc = _gate_doc()
    doc["events"].append(
        {"date": "2023-04-01", "sender": "USA", "receiver": "CHN", "kind": "meeting_request",
         "channel": "defense_ministers", "venue": "Shangri-La Dialogue", "host": "ASN"}
    )  # fmt: skip
    result = scenario_run(write_scenario, doc)
    ev = result.events
    requests = ev[ev["kind"] == "meeting_request"].set_index("id")
    answers = ev[ev["cause"].isin(requests.index) & ev["kind"].isin(["ministerial_meeting", "meeting_rejection"])]
    assert len(answers) == len(requests), "every request gets exactly one answer"
    answer_to = dict(zip(answers["cause"].astype(int), answers["kind"]))
    diplomacy = requests[requests["channel"] == "high_level_diplomacy"].index[0]
    defense = requests[requests["channel"] == "defense_ministers"].index[0]
    assert answer_to[diplomacy] == "ministerial_meeting"
    assert answer_to[defense] == "meeting_rejection"
    refusal = answers[answers["cause"] == defense].iloc[0]
    assert refusal["host"] == "ASN" and refusal["step"] == requests.loc[defense, "step"]


def test_regional_states_realign_and_deepen_ties_that_china_answers(write_scenario):
    doc = minimal_scenario(start="2023-01-01", end="2023-06-30")
    doc["events"] = [{"date": "2023-01-05", "sender": "CHN", "receiver": "PHL", "kind": "military_drill", "intensity": 2.0}]
    result = scenario_run(
        write_scenario, doc, "regional.PHL.ties_probability=1.0", "regional.PHL.ties_lag=[5,5]",
        "rules/retaliation@governments.USA.retaliation=none",  # isolate the regional channel
        "~calibration",
    )
    st, ev = result.steps, result.events
    assert st["alignment_PHL"].iloc[4] > st["alignment_PHL"].iloc[3], "a drill aimed at PHL moves it towards the US"
    ties = ev[(ev["kind"] == "defense_cooperation") & (ev["sender"] == "PHL")]
    assert len(ties) == 1 and ties["receiver"].iloc[0] == "USA" and ties["step"].iloc[0] == 4 + 5
    answers = ev[(ev["cause"] == ties["id"].iloc[0]) & (ev["sender"] == "CHN")]
    assert not answers.empty, "China answers deepening US defence ties with its neighbour"


def test_baseline_scenario_acts_on_its_own():
    a = run(["scenario=baseline", "seed=11"])
    b = run(["scenario=baseline", "seed=11"])
    assert not a.events["scripted"].any()
    assert len(a.events) > 20
    assert {"arms_sale", "meeting_request"} <= set(a.events["kind"])
    pd.testing.assert_frame_equal(a.events, b.events)


@pytest.mark.parametrize("retaliation", ["none", "tit_for_tat", "generous_tit_for_tat", "graduated", "grim_trigger"])
def test_every_rule_runs_the_historical_scenario(retaliation):
    result = run([f"rules/retaliation@governments.CHN.retaliation={retaliation}", "seed=1"])
    decided = result.events[~result.events["scripted"] & (result.events["sender"] == "CHN")]
    if retaliation == "none":
        assert not decided["kind"].isin(["channel_suspension", "sanction", "military_drill"]).any()
    else:
        assert decided["kind"].isin(["sanction", "military_drill", "rhetoric_condemnation"]).any()
    if retaliation == "grim_trigger":
        assert result.summary["suspensions_unresolved"] == len(load_vocabulary().channels)


def test_a_reopening_is_credited_to_the_gesture_whose_promise_it_keeps(historical):
    """Blocked proposals are retried; a later gesture replaces a promise only if it weighs more, so a
    reopening names the largest gesture since the channel was cut (Woodside, not the April 2024 call)."""
    ev = historical.events.set_index("id")
    gestures = ev[ev["kind"] == "leader_summit"]
    credited = 0
    for rid, row in ev[ev["kind"] == "channel_resumption"].iterrows():
        cause = ev.loc[int(row["cause"])]
        if cause["kind"] != "leader_summit":
            continue
        credited += 1
        later = gestures[(gestures["step"] > cause["step"]) & (gestures["step"] <= row["step"])]
        assert (later["intensity"] <= cause["intensity"]).all(), (rid, row["channel"], row["date"])
    assert credited > 0


def test_an_answer_decided_earlier_goes_out_before_the_days_scripted_request(write_scenario):
    """Signals decided on earlier days go out before the day's scripted events: the US
    interception (its answer, two days on, to a surveillance incident) precedes the scripted
    call request of that day, which China then refuses."""
    doc = minimal_scenario(start="2023-01-01", end="2023-03-31")
    doc["events"] = [
        {"date": "2023-02-02", "sender": "CHN", "receiver": "USA", "kind": "surveillance_incident", "incident": "intrusion"},
        {"date": "2023-02-04", "sender": "USA", "receiver": "CHN", "kind": "meeting_request", "channel": "defense_ministers"},
    ]  # fmt: skip
    ev = scenario_run(write_scenario, doc, "~calibration", "governments.USA.retaliation.trigger=0.3",
                      "governments.USA.repertoire.2.lag=[2,2]").events  # fmt: skip
    shot = ev[ev["kind"] == "interception"].iloc[0]
    request = ev[ev["kind"] == "meeting_request"].iloc[0]
    assert shot["date"] == request["date"] == pd.Timestamp("2023-02-04") and shot["id"] < request["id"]
    answer = ev[ev["cause"] == request["id"]].iloc[0]
    assert answer["kind"] == "meeting_rejection" and answer["step"] == request["step"]


def test_finished_models_are_freed():
    """Mesa keeps a per-model id counter on the Agent class; the model drops it, so sweeps
    of thousands of runs do not keep every model alive."""
    import gc
    import weakref

    from sim.config.build import build_spec

    cfg, choices = compose_config([])
    spec = build_spec(cfg, choices)
    refs = []
    for seed in range(3):
        model = spec.model(seed)
        model.run()
        refs.append(weakref.ref(model))
    del model
    gc.collect()
    assert all(r() is None for r in refs)
