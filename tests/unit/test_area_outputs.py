"""Grievances per issue area in the outputs: area columns, the aggregate, the event log's facts
and overrides, ``intensity_overrides`` in the summary, and the CLI's one-line notice."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import run
from sim.api import override_notice
from sim.core.vocabulary import AREAS
from sim.outputs import columns
from sim.outputs.metrics import OUTCOMES, RunTables, outcome, scalar_outcomes
from sim.outputs.tables import EVENT_COLUMNS, STATUS_DTYPE

from ..conftest import REPO

# -- column names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("area", AREAS)
def test_area_columns_build_and_parse_back(area):
    name = columns.hostility("CHN", "USA", area)
    assert name == f"hostility_CHN_USA_{area}"
    assert columns.parse(name) == columns.Column("hostility", ("CHN", "USA"), area=area)
    assert columns.state_column("CHN", ("hostility", "USA", area)) == name
    assert columns.area_of(name) == area and columns.actor_of(name) == "CHN"


def test_the_aggregate_keeps_its_name_and_has_no_area():
    assert columns.hostility("USA", "CHN") == "hostility_USA_CHN"
    assert columns.parse("hostility_USA_CHN") == columns.Column("hostility", ("USA", "CHN"))
    assert columns.area_of("hostility_USA_CHN") == ""
    assert columns.state_column("USA", ("hostility", "CHN")) == "hostility_USA_CHN"  # a state without areas


@pytest.mark.parametrize("name", ["hostility_USA_CHN_trade", "hostility_USA_CHN_security_x", "hostility_USA"])
def test_names_with_no_known_area_are_not_state_columns(name):
    assert columns.parse(name) is None


def test_an_unknown_area_or_a_per_area_key_of_another_quantity_is_refused():
    with pytest.raises(KeyError, match="not an issue area"):
        columns.hostility("USA", "CHN", "trade")
    with pytest.raises(KeyError, match="only hostility"):
        columns.state_column("USA", ("trust", "CHN", "security"))


def test_selecting_aggregates_and_areas():
    names = ["step", "tension_USA_CHN", "hostility_USA_CHN", *(f"hostility_USA_CHN_{a}" for a in reversed(AREAS)),
             "hostility_USA_TWN", "hostility_USA_TWN_security", "trust_USA_CHN"]  # fmt: skip
    assert len(columns.of(names, columns.HOSTILITY)) == 6
    assert columns.aggregates(names) == ["hostility_USA_CHN", "hostility_USA_TWN"]
    assert columns.areas_of(names, "USA", "CHN") == {a: f"hostility_USA_CHN_{a}" for a in AREAS}  # AREAS order
    assert columns.areas_of(names, "USA", "TWN") == {"security": "hostility_USA_TWN_security"}
    assert columns.areas_of(names, "CHN", "USA") == {}


# -- notice and summary field, without a model -----------------------------------------------------


def _scenario(indices, path="/x/case.yaml"):
    return SimpleNamespace(path=path, overrides=tuple(SimpleNamespace(index=i, intensity=2.0) for i in indices))


def test_override_notice_names_the_file_and_the_events():
    assert override_notice(_scenario([])) == ""
    assert override_notice(SimpleNamespace(path="x")) == ""  # a scenario object without overrides
    assert override_notice(_scenario([3])) == (
        "notice: /x/case.yaml: 1 event sets intensity (events[3]), which overrides the weight scale "
        "(sim/data/weight_scale.csv)"
    )
    assert "2 events set intensity (events[1], events[4])" in override_notice(_scenario([4, 1]))
    many = override_notice(_scenario(range(14)))
    assert "14 events set intensity (events[0], " in many and "events[9], and 4 more)" in many
    assert "\n" not in many


def test_intensity_overrides_is_a_declared_setting_not_an_outcome_to_compare():
    o = outcome("intensity_overrides")
    assert o.group == "setting" and o.kind == "scalar" and o.description
    assert o not in scalar_outcomes()


def _tables(override):
    n = len(override)
    events = pd.DataFrame({"kind": ["arms_sale"] * n, "scripted": [True] * (n - 1) + [False],
                           "intensity_override": override})  # fmt: skip
    steps = pd.DataFrame({"date": pd.date_range("2023-01-01", periods=3), "tension_USA_CHN": [0.3, 0.4, 0.3]})
    return events, steps


def test_overrides_are_counted_from_the_event_log_and_missing_from_old_logs_as_zero():
    events, steps = _tables([True, False, True, True])  # the last is no scripted event: not counted
    assert RunTables.from_tables(events, steps, 0.6).overrides == 2
    assert RunTables.from_tables(events.drop(columns="intensity_override"), steps, 0.6).overrides == 0
    events["intensity_override"] = pd.array([True, None, None, None], dtype="boolean")  # nulls: not overridden
    assert RunTables.from_tables(events, steps, 0.6).overrides == 1


# -- a run of a hand-made scenario -----------------------------------------------------------------

SCENARIO = {
    "name": "areas_case",
    "start": "2023-01-01",
    "end": "2023-03-31",
    "spontaneous": False,
    "events": [
        {"date": "2023-01-10", "sender": "USA", "receiver": "TWN", "kind": "arms_sale",
         "magnitude": 1.0, "unit": "usd_bn"},
        {"date": "2023-02-01", "sender": "USA", "receiver": "TWN", "kind": "high_level_visit",
         "channel": "high_level_diplomacy", "intensity": 2.0},
    ],
}  # fmt: skip


def notice(path):
    """The notice for SCENARIO written at ``path``: its second event sets intensity."""
    return (f"notice: {path.resolve()}: 1 event sets intensity (events[1]), "
            "which overrides the weight scale (sim/data/weight_scale.csv)")  # fmt: skip


@pytest.fixture
def case(write_scenario):
    path = write_scenario(SCENARIO)
    return path, run([f"scenario={path}"])


def test_steps_table_has_area_columns_and_the_aggregate_is_their_maximum(case):
    _, r = case
    steps = r.steps
    for holder, towards in (("USA", "CHN"), ("CHN", "USA"), ("CHN", "TWN")):
        areas = columns.areas_of(steps.columns, holder, towards)
        assert list(areas) == list(AREAS)
        aggregate = steps[columns.hostility(holder, towards)].to_numpy()
        np.testing.assert_array_equal(aggregate, steps[list(areas.values())].max(axis=1).to_numpy())
        # The aggregate comes first, its areas right after it.
        i = list(steps.columns).index(columns.hostility(holder, towards))
        assert list(steps.columns[i + 1 : i + 1 + len(AREAS)]) == list(areas.values())
    tension = (steps["hostility_USA_CHN"] + steps["hostility_CHN_USA"]) / 2
    np.testing.assert_allclose(steps["tension_USA_CHN"], tension)
    assert all(columns.parse(c) is not None for c in steps.columns if c not in ("step", "date"))
    assert all(steps[c].dtype == STATUS_DTYPE for c in columns.of(steps.columns, columns.CHANNEL))
    # A visit to Taiwan moves China's hostility in some area, and so the aggregate.
    assert np.ptp(steps["hostility_CHN_USA"].to_numpy()) > 0


def test_event_log_states_facts_and_overrides(case):
    _, r = case
    ev = r.events
    assert list(ev.columns) == list(EVENT_COLUMNS)
    assert {"facts", "intensity_override"} <= set(EVENT_COLUMNS)
    assert ev["intensity_override"].dtype == bool
    scripted = ev[ev["scripted"]].set_index("kind")
    assert bool(scripted.loc["high_level_visit", "intensity_override"])
    assert not bool(scripted.loc["arms_sale", "intensity_override"])
    assert scripted.loc["high_level_visit", "intensity"] == 2.0
    assert "value_usd_bn=1" in scripted.loc["arms_sale", "facts"]
    assert not ev.loc[~ev["scripted"], "intensity_override"].any()  # decided signals never override
    stated = ev["facts"].notna()  # an event stating no facts has none: null, never ""
    assert ev.loc[stated, "facts"].map(type).eq(str).all() and not ev.loc[stated, "facts"].eq("").any()
    assert not stated[~ev["scripted"]].any()


def test_summary_counts_the_overrides_and_the_run_carries_the_notice(case):
    path, r = case
    assert r.summary["intensity_overrides"] == 1
    assert all(o.name in r.summary for o in OUTCOMES)
    assert r.notices == (notice(path),)


def test_the_fast_path_counts_overrides_as_the_tables_do(write_scenario):
    from sim.config.build import build
    from sim.config.compose import compose_config
    from sim.outputs.metrics import summarize, summarize_arrays
    from sim.outputs.tables import events_frame, run_arrays, steps_frame

    cfg, choices = compose_config([f"scenario={write_scenario(SCENARIO)}"])
    model, threshold = build(cfg, choices)
    model.run()
    fast = summarize_arrays(run_arrays(model, threshold))
    assert fast == summarize(events_frame(model), steps_frame(model), threshold)
    assert fast["intensity_overrides"] == 1


def test_hostility_figure_draws_one_panel_per_government(case):
    from sim.outputs.figures import hostility_figure

    fig = hostility_figure(case[1].steps, "areas")
    assert len(fig.axes) == 2
    assert [len(ax.lines) for ax in fig.axes] == [1 + len(AREAS)] * 2  # the aggregate and one line per area
    assert [ax.get_ylabel() for ax in fig.axes] == ["United States → China", "China → United States"]


def test_channel_figure_draws_a_channel_not_founded_yet_in_grey():
    from matplotlib.colors import to_hex

    from sim.outputs.figures import channel_figure
    from sim.outputs.style import STATUS_COLORS

    status = pd.Categorical(["absent"] * 3 + ["open"] * 2 + ["suspended"], dtype=STATUS_DTYPE)
    steps = pd.DataFrame({"date": pd.date_range("2023-01-01", periods=6), "channel_USA_CHN_economic": status})
    ax = channel_figure(pd.DataFrame(), steps).axes[0]
    bars = [to_hex(c.get_facecolor()[0]) for c in ax.collections]
    assert bars == [to_hex(STATUS_COLORS[s]) for s in ("absent", "open", "suspended")]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["open", "suspended", "not founded yet"]


@pytest.mark.slow
def test_cli_prints_the_notice_once_on_stderr(tmp_path, write_scenario):
    path = write_scenario(SCENARIO)
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "sim", f"scenario={path}", f"hydra.run.dir={out}", "figures=false"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    notices = [line for line in proc.stderr.splitlines() if line.startswith("notice: ")]
    assert notices == [notice(path)]
    assert "Run complete: scenario areas_case" in proc.stdout
    assert '"intensity_overrides": 1' in (out / "summary.json").read_text()


@pytest.mark.slow
def test_cli_prints_no_notice_when_no_event_sets_intensity(tmp_path, write_scenario):
    doc = {**SCENARIO, "events": [dict(SCENARIO["events"][0])]}
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "sim", f"scenario={write_scenario(doc)}", f"hydra.run.dir={out}",
                           "figures=false"], cwd=REPO, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "notice:" not in proc.stderr
