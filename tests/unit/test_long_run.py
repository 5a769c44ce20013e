"""The long-run table of unscripted runs, and the model's long-run dynamics (issue: every actor decides)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import run
from sim.outputs.long_run import long_run_figure, long_run_table


def _tables(days: int = 3653) -> tuple[pd.DataFrame, pd.DataFrame]:
    dates = pd.date_range("2023-01-01", periods=days, freq="D")
    status = np.array(["open"] * days, dtype=object)
    status[100:400] = "suspended"
    status[1000:1010] = "suspended"
    align = np.full(days, 0.3)
    align[50:60] = 0.4   # pushed towards the US, then held (not relaxing back: still away)
    align[60:] = 0.3
    align[500] = 0.1     # pushed towards China
    steps = pd.DataFrame({"date": dates, "step": np.arange(days), "tension_USA_CHN": np.linspace(0.3, 0.5, days),
                          "channel_USA_CHN_climate": status, "alignment_PHL": align})  # fmt: skip
    events = pd.DataFrame({"step": [100, 100, 400, 1000, 1010], "kind": ["channel_suspension", "channel_suspension",
                           "channel_resumption", "channel_suspension", "channel_resumption"],
                           "channel": ["climate", "economic", "climate", "climate", "climate"]})  # fmt: skip
    return events, steps


def test_spirals_and_thaws_are_counted_as_days_per_decade():
    ev, st = _tables()
    row = long_run_table([(4, ev, st)]).iloc[0]
    assert row["seed"] == 4 and row["cuts"] == 3 and row["reopenings"] == 2
    assert row["spirals_per_decade"] == pytest.approx(2 / (3653 / 3652.5))  # two days with cuts
    assert row["thaws_per_decade"] == pytest.approx(2 / (3653 / 3652.5))
    assert row["longest_shut_days"] == 300 and row["shut_at_end"] == 0 and row["never_reopened"] == 0
    no_reopening = ev[ev["kind"] != "channel_resumption"]
    assert long_run_table([(4, no_reopening, st)]).iloc[0]["never_reopened"] == 1
    assert row["all_shut_share"] == pytest.approx(310 / 3653) and row["military_shut_share"] == 0
    assert row["tension_mean_first"] < row["tension_mean_last"] and row["tension_max"] == pytest.approx(0.5)
    assert row["alignment_up"] == 1 and row["alignment_down"] == 1


def test_the_figure_draws_and_saves(tmp_path):
    ev, st = _tables()
    fig = long_run_figure(long_run_table([(0, ev, st), (1, ev, st)]), [st], tmp_path / "long_run.png")
    assert (tmp_path / "long_run.png").stat().st_size > 1000 and len(fig.axes) == 2


@pytest.mark.slow
def test_unscripted_runs_spiral_and_thaw_without_drift_or_freeze():
    """The baseline, 30 years over 20 seeds: channels are cut and reopened (both more than once per
    decade in most seeds), tension stays bounded and does not drift, no channel stays shut for good
    (every channel cut is reopened again, and most days some channel is open), and regional alignment
    is pushed both ways."""
    runs = []
    for seed in range(20):
        r = run(["scenario=baseline_30y", f"seed={seed}", "figures=false"])
        runs.append((seed, r.events, r.steps))
    t = long_run_table(runs)
    assert (t["years"] > 29).all()
    assert ((t["spirals_per_decade"] > 1) & (t["thaws_per_decade"] > 1)).sum() >= 15, t.to_string()
    assert (t["tension_max"] < 1).all()  # bounded: it never saturates (at the posterior median it comes close, 0.99)
    assert (t["tension_mean_last"] - t["tension_mean_first"]).abs().mean() < 0.05
    assert (t["never_reopened"] == 0).sum() >= 15, "a freeze that never ends"
    assert (t["all_shut_share"] < 0.5).all()
    assert ((t["alignment_up"] > 0) & (t["alignment_down"] > 0)).sum() >= 15


def test_in_the_historical_replay_regional_alignment_is_pushed_both_ways():
    """Coercion pushes the neighbours towards the US and China's deals pull them back, in every seed."""
    runs = [(s, (r := run([f"seed={s}", "figures=false"])).events, r.steps) for s in range(3)]
    t = long_run_table(runs)
    assert ((t["alignment_up"] > 0) & (t["alignment_down"] > 0)).all(), t[["alignment_up", "alignment_down"]]
