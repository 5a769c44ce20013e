"""Sweep tables and figures (sim.experiments.sweep_tables, sweep_figures) on small runs tables built by hand."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.experiments.sweep_figures import heatmap_figure, metric_vs_parameter_figure, write_sweep_figures
from sim.experiments.sweep_tables import (
    MAIN_METRICS,
    format_table,
    metric_table,
    numeric_or_categorical,
    short_names,
    swept_parameters,
)

TRIGGER = "p.governments.CHN.retaliation.trigger"
RULE = "p.rules/retaliation@governments.CHN.retaliation"
SCENARIO = "p.scenario"
BONUS = {"tit_for_tat": 0.0, "proportional": 0.1}
REPLICATES = 5


def _outcomes(trigger: float, rule: str, rep: int) -> dict:
    """Known metrics of one run: each a simple function of the parameters and the replicate."""
    return {
        "peak_tension": trigger + BONUS[rule] + 0.01 * rep,
        "final_tension": 0.1,
        "crisis_threshold": 0.6,
        "crisis_crossed": rep >= 2,
        "days_above_crisis": int(round(100 * trigger)) + rep,
        "channel_suspensions": rep,
        "channel_days_suspended": 10 * rep,
        "mean_days_to_resumption": math.nan if rep == 0 else float(rep),
        "suspensions_unresolved": 0,
        "n_signals": 20 + rep,
        "peak_tension_date": "2022-08-05",
        "first_crisis_date": "2022-08-05" if rep >= 2 else None,
        "channels_suspended_at_end": "defense_policy,climate" if rep else "",
        "signal_counts.sanction": rep,
        "alignment_shift.JPN": 0.01 * rep,
    }


def make_runs(triggers=("0.5", "0.2", "0.3"), rules=("tit_for_tat", "proportional"), fail=((0, 4),)) -> pd.DataFrame:
    """A runs table: one job per (trigger, rule), REPLICATES seeds each; (job, replicate) pairs in ``fail`` failed.

    Rows come shuffled, so order must come from the job and replicate columns.
    """
    rows = []
    for job, (trigger, rule) in enumerate(itertools.product(triggers, rules)):
        for rep in range(REPLICATES):
            failed = (job, rep) in fail
            row = {"job": job, "replicate": rep, "seed": 100 + rep, "base_seed": 100,
                   "status": "failed" if failed else "ok", "error": "ValueError: boom" if failed else "",
                   TRIGGER: trigger, RULE: rule, SCENARIO: "historical"}  # fmt: skip
            outcomes = _outcomes(float(trigger), rule, rep)
            row.update({k: None for k in outcomes} if failed else outcomes)
            rows.append(row)
    return pd.DataFrame(rows).sample(frac=1.0, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    return make_runs()


def _png_size(fig: Figure, path) -> int:
    fig.savefig(path, dpi=80)
    return path.stat().st_size


# ----------------------------------------------------------------------------- values


def test_swept_parameters_are_exactly_the_varying_columns(runs):
    assert swept_parameters(runs) == [TRIGGER, RULE]
    assert swept_parameters(make_runs(rules=("tit_for_tat",))) == [TRIGGER]
    assert swept_parameters(make_runs(triggers=("0.3",), rules=("tit_for_tat",))) == []


def test_a_key_overridden_by_some_jobs_only_is_swept():
    runs = make_runs(triggers=("0.3", "0.4"), rules=("tit_for_tat",), fail=())
    runs["p.extra"] = np.where(runs["job"] == 0, "1", None)
    assert swept_parameters(runs) == [TRIGGER, "p.extra"]
    assert metric_table(runs)["p.extra"].tolist() == ["1", "(default)"]


def test_numeric_or_categorical():
    values, numeric = numeric_or_categorical(["0.3", "1", "2e-1"])
    assert numeric and values.dtype == float and values.tolist() == [0.3, 1.0, 0.2]
    values, numeric = numeric_or_categorical(pd.Series(["tit_for_tat", "0.3", "tit_for_tat", "proportional"]))
    assert not numeric and list(pd.unique(values)) == ["tit_for_tat", "0.3", "proportional"]
    values, numeric = numeric_or_categorical(["0.3", None])
    assert not numeric and values.tolist() == ["0.3", "(default)"]


def test_short_names_are_short_distinct_and_safe():
    names = short_names([TRIGGER, RULE, "p.governments.USA.retaliation.trigger"])
    assert names == {TRIGGER: "CHN_retaliation_trigger", RULE: "retaliation",
                     "p.governments.USA.retaliation.trigger": "USA_retaliation_trigger"}  # fmt: skip


# ----------------------------------------------------------------------------- table


def test_metric_table_has_every_combination_in_axis_order(runs):
    table = metric_table(runs)
    # numbers sorted by value; categories in order of first appearance by job
    expected = [(t, r) for t in ("0.2", "0.3", "0.5") for r in ("tit_for_tat", "proportional")]
    assert list(zip(table[TRIGGER], table[RULE])) == expected
    assert list(table.columns[:4]) == [TRIGGER, RULE, "n_runs", "n_failed"]
    assert all(f"{m}.{s}" in table.columns for m in MAIN_METRICS for s in ("mean", "sd", "median", "q05", "q95"))
    assert SCENARIO not in table.columns


def test_metric_table_statistics_are_exact_and_ignore_failed_runs(runs):
    table = metric_table(runs).set_index([TRIGGER, RULE])
    failed = table.loc[("0.5", "tit_for_tat")]  # job 0, replicate 4 failed
    assert (failed["n_runs"], failed["n_failed"]) == (4, 1)
    assert failed["peak_tension.mean"] == pytest.approx(0.5 + 0.015)
    assert failed["crisis_crossed.mean"] == pytest.approx(0.5)  # replicates 2, 3 of 0..3
    row = table.loc[("0.2", "proportional")]
    assert (row["n_runs"], row["n_failed"]) == (5, 0)
    assert row["peak_tension.mean"] == pytest.approx(0.2 + 0.1 + 0.02)
    assert row["peak_tension.median"] == pytest.approx(0.32)
    assert row["peak_tension.sd"] == pytest.approx(np.std([0.3 + 0.01 * r for r in range(5)], ddof=1))
    assert row["peak_tension.q05"] == pytest.approx(0.3 + 0.01 * 0.2)  # linear interpolation between reps 0 and 1
    assert row["peak_tension.q95"] == pytest.approx(0.3 + 0.01 * 3.8)
    assert row["days_above_crisis.mean"] == pytest.approx(22)
    assert row["crisis_crossed.mean"] == pytest.approx(0.6)
    assert row["channel_days_suspended.mean"] == pytest.approx(20)
    assert row["mean_days_to_resumption.mean"] == pytest.approx(2.5)  # NaN of replicate 0 left out
    assert table["n_runs"].sum() == 29 and table["n_failed"].sum() == 1


def test_metric_table_without_swept_parameters_is_one_row():
    table = metric_table(make_runs(triggers=("0.3",), rules=("tit_for_tat",)), metrics=["peak_tension", "missing"])
    assert len(table) == 1 and list(table.columns[:2]) == ["n_runs", "n_failed"]
    assert (table["n_runs"].iloc[0], table["n_failed"].iloc[0]) == (4, 1)
    assert table["peak_tension.mean"].iloc[0] == pytest.approx(0.315)
    assert np.isnan(table["missing.mean"].iloc[0])


def test_format_table_lists_every_combination(runs):
    text = format_table(metric_table(runs))
    lines = text.splitlines()
    assert "trigger" in lines[0] and "retaliation" in lines[0] and "failed" in lines[0]
    for t, r in itertools.product(("0.2", "0.3", "0.5"), ("tit_for_tat", "proportional")):
        assert any(line.split()[:2] == [t, r] for line in lines), (t, r)
    assert "0.320 ± 0.016" in text and "60%" in text
    assert "not shown" not in text
    assert "trigger = governments.CHN.retaliation.trigger" in text
    assert len({len(line) for line in lines[:8]}) == 1  # fixed width


def test_format_table_cuts_long_tables_with_a_note(runs):
    text = format_table(metric_table(runs), max_rows=2)
    assert "4 more rows not shown (6 combinations in all)" in text
    assert "0.3" not in [line.split()[0] for line in text.splitlines()[2:4]]


def _relabelled(monkeypatch, **changes):
    """Declare different headers and labels for some outcomes, as a new declaration in OUTCOMES would."""
    from dataclasses import replace

    from sim.outputs import metrics

    declared = tuple(replace(o, **changes[o.name]) if o.name in changes else o for o in metrics.OUTCOMES)
    monkeypatch.setattr(metrics, "OUTCOMES", declared)


def test_format_table_reads_headers_and_rates_from_the_declarations(runs, monkeypatch):
    _relabelled(
        monkeypatch, peak_tension={"header": "PEAK"}, crisis_crossed={"header": "CRISIS", "label": "CRISIS SHARE"}
    )
    text = format_table(metric_table(runs))
    header = text.splitlines()[0].split()
    assert "PEAK" in header and "CRISIS" in header and "peak" not in header
    assert "60%" in text and text.splitlines()[-2].endswith("; CRISIS: CRISIS SHARE")
    _relabelled(monkeypatch, crisis_crossed={"rate": False})
    assert "60%" not in format_table(metric_table(runs)) and "0.600 ±" in format_table(metric_table(runs))


def test_figure_titles_come_from_the_declarations(runs, monkeypatch):
    _relabelled(monkeypatch, days_above_crisis={"label": "DAYS IN CRISIS"})
    fig = metric_vs_parameter_figure(runs, TRIGGER, metrics=["peak_tension", "days_above_crisis"])
    assert [ax.get_title() for ax in fig.axes] == ["peak tension (0..1)", "DAYS IN CRISIS"]
    assert heatmap_figure(runs, (TRIGGER, RULE), "days_above_crisis").get_suptitle().startswith("DAYS IN CRISIS\n")


# ----------------------------------------------------------------------------- figures


def test_metric_vs_parameter_figure(runs, tmp_path):
    fig = metric_vs_parameter_figure(runs, TRIGGER)
    assert isinstance(fig, Figure) and len(fig.axes) == len(MAIN_METRICS)
    assert len(fig.legends) == 2  # styles, and one line per rule
    assert _png_size(fig, tmp_path / "trigger.png") > 5_000
    fig = metric_vs_parameter_figure(runs, RULE, metrics=["peak_tension", "crisis_crossed"])
    assert len(fig.axes) == 2
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["tit for tat", "proportional"]  # rules in words
    assert _png_size(fig, tmp_path / "rule.png") > 5_000


def test_sweep_axes_name_parameters_in_words_with_their_key_below(runs):
    fig = metric_vs_parameter_figure(runs, TRIGGER, metrics=["peak_tension"])
    assert fig.axes[0].get_xlabel() == "Chinese retaliation rule: trigger severity\n(governments.CHN.retaliation.trigger)"
    (lines,) = [lg for lg in fig.legends if lg.get_title().get_text()]
    assert lines.get_title().get_text() == "Chinese retaliation rule"
    assert [t.get_text() for t in lines.get_texts()] == ["tit for tat", "proportional"]
    assert fig.get_suptitle().startswith("Outcomes vs Chinese retaliation rule: trigger severity\n")
    heat = heatmap_figure(runs, (TRIGGER, RULE), "peak_tension").axes[0]
    assert (heat.get_xlabel(), heat.get_ylabel()) == ("Chinese retaliation rule: trigger severity", "Chinese retaliation rule")
    sizes = [t.get_fontsize() for t in (*fig.axes[0].get_xticklabels(), fig.axes[0].xaxis.label, *lines.get_texts())]
    assert min(sizes) >= 9


def test_lines_of_a_second_parameter_differ_in_dash_and_marker_and_coinciding_ones_are_named():
    # Two rules whose runs give identical metrics: their curves coincide in every panel.
    runs = make_runs(fail=())
    other = runs[RULE] == "proportional"
    runs.loc[other, "peak_tension"] -= BONUS["proportional"]  # the same outcomes as tit for tat's
    runs[RULE] = runs[RULE].where(~other, "grim_trigger")
    fig = metric_vs_parameter_figure(runs, TRIGGER, metrics=["peak_tension", "n_signals"])
    for ax in fig.axes:
        assert ax.get_title().endswith("\nsame values: tit for tat = grim trigger")
        dashes = [line.get_linestyle() for line in ax.lines]
        markers = [c.get_paths()[0].vertices.shape for c in ax.collections if c.get_offsets().shape[0] == 3]
        assert len(set(dashes)) == 2 and len(set(markers)) == 2  # dash and marker shape tell them apart
    # Different curves get no note.
    fig = metric_vs_parameter_figure(make_runs(fail=()), TRIGGER, metrics=["peak_tension"])
    assert "same values" not in fig.axes[0].get_title()


def test_metric_vs_parameter_figure_pools_a_second_parameter_with_many_values(tmp_path):
    runs = make_runs(triggers=[f"0.{i}" for i in range(1, 9)], rules=("tit_for_tat", "proportional"), fail=())
    fig = metric_vs_parameter_figure(runs, RULE, metrics=["peak_tension"])
    assert len(fig.legends) == 1 and "pooled over Chinese retaliation rule: trigger severity" in fig.get_suptitle()
    with pytest.raises(KeyError):
        metric_vs_parameter_figure(runs, "p.nope")


def test_heatmap_figure(runs, tmp_path):
    fig = heatmap_figure(runs, (TRIGGER, RULE), "peak_tension")
    assert isinstance(fig, Figure) and len(fig.axes) == 2  # map and colour bar
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == 6 and "0.320\nn=5" in texts and "0.515\nn=4" in texts
    assert _png_size(fig, tmp_path / "heatmap.png") > 5_000
    with pytest.raises(ValueError):
        heatmap_figure(runs, (TRIGGER, TRIGGER), "peak_tension")


@pytest.mark.parametrize(
    ("triggers", "rules", "expected"),
    [
        (("0.3",), ("tit_for_tat",), ["metrics_distribution.png"]),
        (("0.5", "0.2", "0.3"), ("tit_for_tat",), ["metric_vs_trigger.png"]),
        (("0.5", "0.2", "0.3"), ("tit_for_tat", "proportional"),
         ["metric_vs_trigger.png", "metric_vs_retaliation.png", *(f"heatmap_{m}.png" for m in MAIN_METRICS)]),
    ],
    ids=["seeds only", "one parameter", "two parameters"],
)  # fmt: skip
def test_write_sweep_figures(tmp_path, triggers, rules, expected):
    paths = write_sweep_figures(make_runs(triggers, rules), tmp_path / "figures")
    assert [p.name for p in paths] == expected
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == sorted(expected)
    assert all(p.stat().st_size > 5_000 for p in paths)
