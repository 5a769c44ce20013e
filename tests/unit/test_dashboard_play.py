"""The dashboard's parts without a browser: the pace of Play, the player, its words and its figures.

The page itself (Solara in Chromium) is tested in ``tests/e2e/test_dashboard.py``;
here the same objects are driven directly, with a clock the test controls.
"""

from __future__ import annotations

import datetime as dt

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

from sim.teaching.dashboard.figures import (
    MIN_WINDOW_DAYS,
    alignment_figure,
    alignment_limits,
    channel_figure,
    tension_figure,
    window_end,
)
from sim.teaching.dashboard.model import DashboardModel, check_settings, default_settings, parse_number
from sim.teaching.dashboard.player import Pace, Player, play
from sim.teaching.dashboard.story import event_log_html, what_happened


@pytest.fixture(scope="module")
def finished_run():
    """The default model run to its end once, for the tests that only read it."""
    model = DashboardModel()
    model.run()
    return model


# -- the pace of Play ----------------------------------------------------------


@pytest.mark.parametrize(
    ("speed", "frames", "expected"),
    [
        (30, [0.1] * 10, [3] * 10),  # 30 days/s at 10 frames/s: 3 days a frame
        (7, [0.1] * 10, [0, 1, 1, 0, 1, 1, 0, 1, 1, 1]),  # fractions carry over: 7 in a second
        (30, [0.5, 1.0], [15, 30]),  # a slow frame gets more days, not a slower run
        (30, [0.0], [0]),
    ],
)
def test_pace_turns_elapsed_time_into_days(speed, frames, expected):
    pace, now = Pace(speed, 0.0), 0.0
    got = []
    for dt_s in frames:
        now += dt_s
        got.append(pace.due(now))
    assert got == expected
    assert sum(got) == int(speed * sum(frames) + 1e-9)


def test_pace_follows_a_new_speed_from_the_next_frame():
    pace = Pace(10, 0.0)
    assert pace.due(1.0) == 10
    assert pace.due(2.0, days_per_second=100) == 100
    assert pace.due(2.5) == 50
    with pytest.raises(ValueError, match="must be > 0"):
        Pace(0, 0.0)


def test_play_steps_at_the_set_speed_and_stops_at_the_end():
    """With a clock the test moves, Play simulates speed x elapsed days and ends on the last day."""
    player = Player(DashboardModel())
    clock = {"now": 0.0}
    frames = []

    def sleep(s):
        clock["now"] += s

    play(player, speed=lambda: 50, keep_playing=lambda: True, on_frame=lambda a, b: frames.append((a, b)),
         min_frame_s=0.2, clock=lambda: clock["now"], sleep=sleep)  # fmt: skip
    assert player.day == player.n_days == 884 and player.finished
    assert frames[0] == (1, 10) and all(b - a + 1 == 10 for a, b in frames[:-1])  # 50 days/s x 0.2 s
    assert frames[-1][1] == 884 and [a for a, _ in frames[1:]] == [b + 1 for _, b in frames[:-1]]
    assert player.advance(7) == 0  # nothing past the end


def test_play_stops_when_paused_and_resumes_where_it_stopped():
    player = Player(DashboardModel())
    clock = {"now": 0.0}

    def sleep(s):
        clock["now"] += s

    playing = {"on": True}

    def on_frame(a, b):
        if b >= 30:
            playing["on"] = False  # the teacher presses Pause

    play(player, lambda: 100, lambda: playing["on"], on_frame, min_frame_s=0.1, clock=lambda: clock["now"], sleep=sleep)
    assert player.day == 30
    playing["on"] = True
    play(player, lambda: 100, lambda: player.day < 60, lambda a, b: None, min_frame_s=0.1,
         clock=lambda: clock["now"], sleep=sleep)  # fmt: skip
    assert player.day == 60


def test_a_played_run_is_the_finished_run(finished_run):
    """Played frame by frame, the model's tables are those of the run made in one go."""
    player = Player(DashboardModel())
    for days in (1, 6, 100, 777, 50):
        player.advance(days)
    snap = player.snapshot()
    assert snap.finished and snap.day == 884
    pd.testing.assert_frame_equal(snap.steps, finished_run.steps_so_far())
    assert [(s.day, s.kind) for s in player.model.events] == [(s.day, s.kind) for s in finished_run.events]


def test_a_snapshot_is_shared_until_the_next_day():
    player = Player(DashboardModel())
    player.advance(5)
    first = player.snapshot()
    assert player.snapshot() is first and len(first.steps) == 5
    player.advance(1)
    assert player.snapshot() is not first and len(player.snapshot().steps) == 6


# -- checking typed values -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "integer", "expected"),
    [
        ("0.5", False, (0.5, None)),
        (" 3 ", True, (3, None)),
        ("abc", False, (None, "'abc' is not a number")),
        ("", False, (None, "'' is not a number")),
        ("2.5", True, (None, "'2.5' is not a whole number")),
        ("nan", False, (None, "'nan' is not a finite number")),
    ],
)
def test_parse_number(text, integer, expected):
    assert parse_number(text, integer) == expected


def test_check_settings_names_the_field_and_the_allowed_range():
    settings = default_settings()
    assert check_settings(settings) is None
    bad = {**settings, "params": {**settings["params"], "CHN.retaliation": {"trigger": -1.0}}}
    assert check_settings(bad) == "governments.CHN.retaliation.trigger = -1.0: must be in [0, 10]"
    assert "crisis_threshold = 1.5: must be in" in check_settings({**settings, "crisis_threshold": 1.5})


# -- the words -----------------------------------------------------------------


def test_what_happened_names_the_rules_answers_and_their_causes(finished_run):
    events = finished_run.events_so_far()
    answers = events[~events["scripted"].astype(bool)]
    first_answer = pd.Timestamp(answers["date"].min()).date()
    text = what_happened(events, first_answer, first_answer)
    assert "the rules answered" in text and "answering the US" in text and 'class="sim-rule"' in text
    # A span with no answer names the last answer before it.
    quiet = next(d for d in pd.date_range(first_answer, periods=400).date[1:]
                 if not (pd.to_datetime(answers["date"]).dt.date == d).any())  # fmt: skip
    text = what_happened(events, quiet, quiet)
    assert "no rule answered" in text and "The last answer" in text
    assert "press Step or Play" in what_happened(events, None, None)


def test_the_event_log_is_latest_first_and_escaped(finished_run):
    events = finished_run.events_so_far()
    html = event_log_html(events, limit=5)
    assert html.count("<li>") == 5
    dates = [pd.Timestamp(d) for d in pd.Series(html.split('<span class="sim-date">')[1:]).str[:10]]
    assert dates == sorted(dates, reverse=True) and dates[0] == pd.Timestamp(events["date"].max())
    tricky = events.head(1).assign(note="<script>x</script>", scripted=True)
    assert "<script>" not in event_log_html(tricky) and "&lt;script&gt;" in event_log_html(tricky)
    assert event_log_html(events.head(0)) == "<p>No signals yet.</p>"


# -- the figures ---------------------------------------------------------------


def test_the_time_window_follows_the_run():
    start, end = dt.date(2022, 8, 1), dt.date(2024, 12, 31)
    assert window_end(start, end, None) == start + dt.timedelta(days=MIN_WINDOW_DAYS)
    assert window_end(start, end, start + dt.timedelta(days=9)) == start + dt.timedelta(days=MIN_WINDOW_DAYS)
    assert window_end(start, end, start + dt.timedelta(days=299)) == start + dt.timedelta(days=336)
    assert window_end(start, end, end) == end


def test_alignment_limits_show_small_movements():
    assert alignment_limits(np.array([0.0, 0.001, -0.004])) == pytest.approx((-0.0215, 0.0185))
    low, high = alignment_limits(np.array([0.0, 0.3]))
    assert low < 0 < 0.3 < high and high - low == pytest.approx(0.345)
    assert alignment_limits(np.array([])) == (-1.0, 1.0)


def _inside_axes(fig, artist) -> bool:
    fig.canvas.draw()
    box = artist.get_window_extent()
    axes = fig.axes[0].get_window_extent()
    return box.overlaps(axes)


def test_figures_keep_legends_off_the_data_and_names_in_words(finished_run):
    steps = finished_run.steps_so_far().iloc[:200]
    spec = finished_run.scenario_spec
    tension = tension_figure(steps, finished_run.poles, 0.6, spec.start, spec.end)
    assert not _inside_axes(tension, tension.axes[0].get_legend())
    labels = [t.get_text() for t in tension.axes[0].get_legend().get_texts()]
    assert "United States → China" in labels and "China → United States" in labels
    channels = channel_figure(steps, spec.start, spec.end)
    names = {t.get_text() for t in channels.axes[0].texts}
    assert {"senior military talks", "climate talks"} <= names and not any("_" in n for n in names)
    alignment = alignment_figure(steps, spec.start, spec.end)
    ax = alignment.axes[0]
    assert not _inside_axes(alignment, ax.get_legend())
    low, high = ax.get_ylim()
    moves = [line.get_ydata() for line in ax.get_lines() if len(line.get_ydata()) == len(steps)]
    assert high - low < 0.5 and all(low <= m.min() and m.max() <= high for m in moves)
    assert len({(line.get_color(), line.get_linestyle()) for line in ax.get_lines()[:5]}) == 5
    for fig in (tension, channels, alignment):
        # 200 days simulated: the window ends a margin past them, far before the scenario's end.
        shown_to = mdates.num2date(fig.axes[0].get_xlim()[1]).date()
        assert shown_to == window_end(spec.start, spec.end, spec.start + dt.timedelta(days=199)) + dt.timedelta(days=1)
