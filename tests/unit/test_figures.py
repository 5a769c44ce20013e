"""Run figures a reader understands at a glance (sim.outputs.figures), drawn from the default run."""

from __future__ import annotations

import inspect

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.text import Text

from sim.core.dispositions import GovernmentParams
from sim.core.rules import RETALIATION_RULES, THAW_RULES
from sim.experiments.parameter_labels import WORDS, parameter_label, value_label
from sim.history.documented import Documented, replayed_spells
from sim.outputs import columns, style
from sim.outputs.figure_parts import seed_band, spread
from sim.outputs.figures import alignment_figure, channel_figure, hostility_figure, tension_figure


def _texts(fig) -> list[Text]:
    fig.draw_without_rendering()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _shifted(steps: pd.DataFrame, by: float) -> pd.DataFrame:
    """The same run with every numeric state column moved by ``by`` (another seed, for a band)."""
    moved = steps.copy()
    for c in moved.columns:
        if c not in ("step", "date") and pd.api.types.is_float_dtype(moved[c]):
            moved[c] = moved[c] + by
    return moved


@pytest.fixture(scope="module")
def tension(historical):
    return tension_figure(historical.events, historical.steps, 0.6, "t")


def test_the_tension_legend_lies_outside_the_data_and_no_text_is_below_9_points(tension):
    main = next(ax for ax in tension.axes if ax.get_legend() is not None)
    texts = _texts(tension)
    legend, data = main.get_legend().get_window_extent(), main.get_window_extent()
    assert legend.x0 >= data.x1 and not legend.overlaps(data)
    assert min(t.get_fontsize() for t in texts) >= 9
    labels = {t.get_text() for t in texts}
    assert "US high-level visit to Taiwan" in labels and "US arms sale to Taiwan" in labels  # events in words


def test_scripted_event_labels_do_not_overlap(tension):
    strip = tension.axes[1]  # the event names above the plot
    boxes = sorted((t.get_window_extent() for t in strip.texts), key=lambda b: b.x0)
    assert len(boxes) > 10 and all(a.x1 <= b.x0 + 0.5 for a, b in zip(boxes, boxes[1:]))


def test_kinds_a_reader_must_tell_apart_get_their_own_colour_and_marker(historical):
    events = historical.events.copy()
    decided = np.flatnonzero(~events["scripted"].to_numpy())
    events.loc[decided[0], "kind"], events.loc[decided[1], "kind"] = "interception", "military_drill"
    rows = tension_figure(events, historical.steps, 0.6).axes[2]
    names = [t.get_text() for t in rows.get_yticklabels()]
    drawn = {names[int(round(c.get_offsets()[0][1]))]: c for c in rows.collections if len(c.get_offsets())}
    one, two = drawn["interception"], drawn["military drill"]
    assert to_hex(one.get_facecolor()[0]) != to_hex(two.get_facecolor()[0])
    assert not np.array_equal(one.get_paths()[0].vertices, two.get_paths()[0].vertices)
    suspension = drawn["channel suspension"]  # in its own row, off the black tension line
    assert to_hex(suspension.get_facecolor()[0]) == to_hex(style.kind_style("channel_suspension").color)


def test_a_band_over_seeds_is_drawn_from_several_runs(historical):
    steps = historical.steps
    runs = [steps, _shifted(steps, 0.1), _shifted(steps, 0.2)]
    low, mid, high = seed_band(runs, "tension_USA_CHN")
    assert np.allclose(low, steps["tension_USA_CHN"] + 0.02) and np.allclose(high, steps["tension_USA_CHN"] + 0.18)
    assert np.allclose(mid, steps["tension_USA_CHN"] + 0.1)
    main = tension_figure(historical.events, steps, 0.6, runs=runs).axes[0]
    bands = [c for c in main.collections if type(c).__name__ in ("PolyCollection", "FillBetweenPolyCollection")]
    tension_band = bands[0].get_paths()[0].vertices[:, 1]
    assert tension_band.max() == pytest.approx(high.max()) and tension_band.min() == pytest.approx(low.min())
    assert any("of 3 seeds" in t.get_text() for t in main.get_legend().get_texts())
    alone = tension_figure(historical.events, steps, 0.6).axes[0]
    assert not [c for c in alone.collections if type(c).__name__ in ("PolyCollection", "FillBetweenPolyCollection")]
    with pytest.raises(ValueError, match="two runs or more"):
        seed_band([steps], "tension_USA_CHN")
    assert len(hostility_figure(steps, runs=runs).axes[0].collections) > len(hostility_figure(steps).axes[0].collections)


def test_channel_ticks_are_words_and_the_record_is_drawn_beside_the_run(historical):
    spells = Documented().spells
    fig = channel_figure(historical.events, historical.steps, documented=spells)
    ax = fig.axes[0]
    codes = [columns.channel_name(c) for c in columns.of(historical.steps.columns, columns.CHANNEL)]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == [style.channel_name(c) for c in codes] and not any("_" in n for n in names)
    assert "senior military talks" in names
    right = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert right == ["simulated", "documented"] * len(codes)
    # The record's climate suspension from 2022-08-05: a suspended bar on the climate channel's documented row.
    row = codes.index("climate") + 0.27
    spell = next(s for s in spells if s.channel == "climate")
    starts = {(round(float(p.vertices[:, 1].min() + p.vertices[:, 1].max()) / 2, 2), float(p.vertices[:, 0].min()),
               to_hex(c.get_facecolor()[0]))
              for c in ax.collections for p in c.get_paths()}  # fmt: skip
    assert (round(row, 2), mdates.date2num(spell.start), to_hex(style.STATUS_COLORS["suspended"])) in starts
    assert len(ax.collections) > len(channel_figure(historical.events, historical.steps).axes[0].collections)
    assert replayed_spells("historical_2022_2024") == spells and replayed_spells("baseline") is None


def test_alignment_shows_each_state_on_an_axis_scaled_to_its_movement(historical):
    steps = historical.steps
    fig = alignment_figure(steps)
    states = [columns.actor_of(c) for c in columns.of(steps.columns, columns.ALIGNMENT)]
    assert len(fig.axes) == len(states)  # one panel each: none hidden under another
    for ax, code in zip(fig.axes, states):
        change = steps[columns.alignment(code)] - steps[columns.alignment(code)].iloc[0]
        low, high = ax.get_ylim()
        assert low <= change.min() and change.max() <= high
        assert high - low <= max(3 * (change.max() - change.min()), 0.011)  # scaled to the data, not to -1..1
        assert ax.get_ylabel().startswith(style.actor_name(code))
    colors = {to_hex(ax.lines[0].get_color()) for ax in fig.axes}
    assert len(colors) == len(states)


def test_spread_keeps_labels_apart_and_within_the_axis():
    pos = spread([0, 1, 2, 50, 99, 100], gap=5, high=100)
    assert np.all(np.diff(pos) >= 5 - 1e-9) and pos[-1] <= 100 and pos[3] == 50


def test_parameters_are_named_in_words():
    assert parameter_label("p.governments.CHN.retaliation.trigger") == "Chinese retaliation rule: trigger severity"
    assert parameter_label("p.rules/retaliation@governments.USA.retaliation") == "US retaliation rule"
    assert parameter_label("governments.CHN.repertoire.3.min_severity") == "Chinese ladder: severity for channel suspension"
    assert parameter_label("scale.rank_step") == "weight scale: rank step"
    assert value_label("p.rules/thaw@governments.CHN.thaw", "time_decay") == "time decay"
    assert value_label("p.governments.CHN.retaliation.trigger", "0.5") == "0.5"
    # Every parameter of every registered rule and of a government's dispositions has its words.
    params = {n for cls in (*RETALIATION_RULES.values(), *THAW_RULES.values())
              for n in inspect.signature(cls.__init__).parameters if n not in ("self", "inner")}  # fmt: skip
    params |= {n for n, f in GovernmentParams.__dataclass_fields__.items() if f.type in ("float", "int")}
    assert sorted(params - set(WORDS)) == []
