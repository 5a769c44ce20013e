"""The dashboard page: play controls and settings on the left, the run on a two-by-two grid.

Run it with ``python -m sim.dashboard`` (or ``solara run sim.teaching.dashboard.app``).

The page is written with Solara components rather than Mesa's SolaraViz,
whose controls could not do what a class needs: its Play re-rendered the whole
page (every slider of the settings) for each step, so a run jumped from day 0
to its end, a Step took seconds, and its step counter disagreed with the
model's day. Here each view is its own component and depends only on the frame
counter, so a frame redraws the three figures and the two panels and nothing
else; Play runs in a thread at the speed set in days per second
(:func:`sim.teaching.dashboard.player.play`); the settings are checked field by
field (:mod:`sim.teaching.dashboard.controls`).

Layout, sized for a projector (1024x768) and a laptop (1366x768) without
scrolling: the left column holds Play, Step, Reset, the speed, the step size,
the seed and the settings (which scroll inside the column); the right holds a
status line, the tension figure, the channel timeline, regional alignment and
a panel of what just happened above the latest events.
"""

from __future__ import annotations

import os
from typing import Any

import solara

from sim.experiments.runner import quiet_mesa
from sim.outputs import columns
from sim.outputs.metrics import suspended_mask
from sim.teaching.dashboard import SCENARIO_ENV
from sim.teaching.dashboard.controls import CheckedNumber, SettingsPanel
from sim.teaching.dashboard.figures import alignment_figure, channel_figure, tension_figure
from sim.teaching.dashboard.model import DashboardModel, default_settings
from sim.teaching.dashboard.player import (
    DEFAULT_SPEED,
    DEFAULT_STEP,
    MAX_SPEED,
    MIN_SPEED,
    STEP_CHOICES,
    Player,
    Snapshot,
    play,
)
from sim.teaching.dashboard.story import event_log_html, what_happened

TITLE = "US–China signaling: retaliation and thaw"
CSS = """
.sim-page { display: grid; grid-template-columns: 292px minmax(0, 1fr); height: 100vh; overflow: hidden;
            font-size: 14px; }
.sim-side { display: flex; flex-direction: column; height: 100vh; min-height: 0; overflow: hidden;
            padding: 6px 8px; border-right: 1px solid #ddd; background: #fafafa; }
.sim-title { font-size: 15px; font-weight: 600; line-height: 1.2; margin-bottom: 2px; }
.sim-buttons { display: flex; gap: 6px; }
.sim-page .v-btn { text-transform: none; letter-spacing: normal; }
.sim-buttons button { flex: 1 1 0; min-width: 0 !important; padding: 0 6px !important; }
.sim-step-days button { min-width: 34px !important; padding: 0 4px !important; height: 28px !important; }
.sim-settings { flex: 1 1 auto; min-height: 0; display: flex; flex-direction: column; margin-top: 4px; }
.sim-settings-scroll { flex: 1 1 auto; min-height: 0; overflow-y: auto; padding-right: 4px; }
.sim-running { font-size: 12px; color: #333; }
.sim-help { font-size: 11px; color: #555; line-height: 1.3; }
.sim-actor { font-weight: 600; font-size: 14px; margin-top: 6px; }
.sim-field-error { color: #b00020; font-size: 12px; font-weight: 500; line-height: 1.3; }
.sim-main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
            grid-template-rows: auto minmax(0, 1fr) minmax(0, 1fr); height: 100vh; gap: 4px; padding: 4px; }
.sim-status { grid-column: 1 / span 2; font-size: 16px; font-weight: 500; padding: 2px 6px; }
.sim-cell { min-height: 0; min-width: 0; overflow: hidden; display: flex; align-items: flex-start;
            justify-content: center; }
.sim-cell img { max-width: 100%; max-height: 100%; object-fit: contain; }
.sim-story { display: flex; flex-direction: column; align-items: stretch; justify-content: flex-start; min-height: 0; overflow: hidden; font-size: 13px;
             line-height: 1.3; border: 1px solid #e0e0e0; border-radius: 4px; padding: 4px 8px; }
.sim-story h4 { font-size: 13px; margin: 2px 0; }
.sim-story ul, .sim-story ol { padding-left: 26px; margin: 0; }
.sim-story li { margin-bottom: 3px; }
.sim-just-happened { flex: 0 0 auto; max-height: 45%; overflow-y: auto; border-bottom: 1px solid #e0e0e0;
                     padding-bottom: 4px; margin-bottom: 4px; }
.sim-event-log { flex: 1 1 auto; min-height: 0; overflow-y: auto; }
.sim-date { font-weight: 600; font-variant-numeric: tabular-nums; }
.sim-rule { color: #fff; background: #6a1b9a; border-radius: 3px; font-size: 10px; padding: 0 3px; }
"""


def build(settings: dict[str, Any], seed: int) -> Player:
    """A player of a new model with ``settings`` (keyword arguments of DashboardModel) and ``seed``."""
    return Player(DashboardModel(seed=seed, **{k: v for k, v in settings.items() if k != "seed"}))


def status_text(snap: Snapshot, player: Player, playing: bool) -> str:
    """The status line: day, date, tension, suspended channels, signals; the end said in words."""
    model = player.model
    if snap.day == 0:
        return f"Day 0 of {snap.n_days}: press Step or Play to start on {model.scenario_spec.start:%Y-%m-%d}"
    a, b = model.poles
    tension = snap.steps[columns.tension(a, b)].iloc[-1]
    last = snap.steps.iloc[-1:]
    suspended = sum(bool(suspended_mask(last[c])[0]) for c in columns.of(snap.steps.columns, columns.CHANNEL))
    text = (f"Day {snap.day} of {snap.n_days} · {model.date_of(snap.day - 1):%Y-%m-%d} · tension {tension:.2f} · "
            f"{suspended} channel(s) suspended · {len(snap.events)} signals")  # fmt: skip
    if snap.finished:
        text += " · end of the scenario (Reset to run again)"
    elif playing:
        text += " · playing"
    return text


def _days(player: Player, window: tuple[int, int] | None):
    """The dates of the first and last day of the last frame or step (None before the first)."""
    if window is None:
        return None, None
    return player.model.date_of(window[0] - 1), player.model.date_of(window[1] - 1)


@solara.component
def StatusBar(player: Player, frame: solara.Reactive[int], playing: bool):
    frame.value  # noqa: B018 (redrawn at each frame)
    solara.Text(status_text(player.snapshot(), player, playing), classes=["sim-status"])


@solara.component
def FigureCell(player: Player, frame: solara.Reactive[int], which: str, crisis_threshold: float):
    """One figure of the run so far, drawn once per simulated day shown."""
    frame.value  # noqa: B018 (redrawn at each frame)
    snap = player.snapshot()
    spec = player.model.scenario_spec

    def draw():
        if which == "tension":
            return tension_figure(snap.steps, player.model.poles, crisis_threshold, spec.start, spec.end)
        if which == "channels":
            return channel_figure(snap.steps, spec.start, spec.end)
        return alignment_figure(snap.steps, spec.start, spec.end)

    deps = [id(player), snap.day, which]
    figure = solara.use_memo(draw, deps)
    with solara.Column(classes=["sim-cell", f"sim-{which}"], gap="0px"):
        solara.FigureMatplotlib(figure, dependencies=deps, format="png")


@solara.component
def StoryCell(player: Player, frame: solara.Reactive[int], window: solara.Reactive[tuple[int, int] | None]):
    """What the rules just answered, and why; below it the latest signals."""
    frame.value  # noqa: B018 (redrawn at each frame)
    snap = player.snapshot()
    first, last = _days(player, window.value)
    with solara.Div(classes=["sim-cell", "sim-story"]):
        with solara.Div(classes=["sim-just-happened"]):
            solara.HTML(tag="h4", unsafe_innerHTML="What just happened")
            solara.HTML(unsafe_innerHTML=what_happened(snap.events, first, last))
        with solara.Div(classes=["sim-event-log"]):
            solara.HTML(tag="h4", unsafe_innerHTML=f"Latest signals ({len(snap.events)} so far; "
                                                   '<span class="sim-rule">rule</span>: a rule decided it)')  # fmt: skip
            solara.HTML(unsafe_innerHTML=event_log_html(snap.events))


class _Session:
    """The page's state and what its buttons do (one per browser tab).

    Holding the callbacks on one object keeps their identity from render to
    render, so that a new frame re-renders only the views (Solara skips a
    component whose arguments did not change), not the settings.
    """

    def __init__(self, first: dict[str, Any]) -> None:
        self.applied = solara.Reactive({k: v for k, v in first.items() if k != "seed"})
        self.seed = solara.Reactive(int(first["seed"]))
        self.player = solara.Reactive(build(self.applied.value, self.seed.value))
        self.playing = solara.Reactive(False)
        self.speed = solara.Reactive(DEFAULT_SPEED)
        self.step_days = solara.Reactive(DEFAULT_STEP)
        # Bumped after each frame or step: the views read it, the settings do not.
        self.frame = solara.Reactive(0)
        # The first and last day of the last frame or step, for "what just happened".
        self.window: solara.Reactive[tuple[int, int] | None] = solara.Reactive(None)
        self.problem: solara.Reactive[str | None] = solara.Reactive(None)

    def show(self, first_day: int, last_day: int) -> None:
        self.window.set((first_day, last_day))
        self.frame.set(self.frame.value + 1)

    def toggle_play(self) -> None:
        self.playing.set(not self.playing.value)

    def play_loop(self, current: Player) -> None:
        """Play ``current`` until paused, ended or replaced (run in a thread by the page)."""
        if not self.playing.value:
            return
        try:
            play(current, lambda: self.speed.value, lambda: self.playing.value and self.player.value is current,
                 self.show)  # fmt: skip
        except Exception as e:  # shown on the page: a teacher has no terminal to read
            self.problem.set(f"Play stopped: {type(e).__name__}: {e}")
        if self.player.value is current:
            self.playing.set(False)

    def step(self) -> None:
        p = self.player.value
        day = p.day
        if p.advance(self.step_days.value):
            self.show(day + 1, p.day)

    def restart(self, player: Player) -> None:
        self.playing.set(False)
        self.window.set(None)
        self.player.set(player)
        self.frame.set(self.frame.value + 1)

    def reset(self) -> None:
        self.restart(build(self.applied.value, self.seed.value))

    def apply(self, settings: dict[str, Any]) -> None:
        self.restart(build(settings, self.seed.value))
        self.applied.set(settings)

    def set_seed(self, value: int) -> None:
        self.seed.set(int(value))

    @staticmethod
    def seed_problem(value: int) -> str | None:
        return None if value >= 0 else f"seed = {value}: must be a whole number >= 0"

    @staticmethod
    def ignore(_why: str | None) -> None:
        """The seed's problem is shown on its field; Reset and Apply keep the last good seed."""


@solara.component
def Page():
    """The whole page: controls and settings on the left, the run on the right."""
    quiet_mesa()
    s = solara.use_memo(lambda: _Session(default_settings(os.environ.get(SCENARIO_ENV) or None)), [])
    current = s.player.value
    solara.lab.use_task(lambda: s.play_loop(current), dependencies=[s.playing.value, id(current)],
                        prefer_threaded=True, raise_error=False)  # fmt: skip
    playing, finished = s.playing.value, current.finished
    solara.Style(CSS)
    solara.Title(TITLE)
    with solara.Div(classes=["sim-page"]):
        with solara.Column(classes=["sim-side"], gap="4px"):
            solara.Text(TITLE, classes=["sim-title"])
            with solara.Div(classes=["sim-buttons"]):
                solara.Button("❚❚ Pause" if playing else "▶ Play", color="primary", on_click=s.toggle_play,
                              disabled=finished, classes=["sim-play"])  # fmt: skip
                solara.Button(f"Step {s.step_days.value} d", on_click=s.step, disabled=playing or finished,
                              classes=["sim-step"], outlined=True)  # fmt: skip
                solara.Button("Reset", on_click=s.reset, classes=["sim-reset"], outlined=True)
            with solara.Div(classes=["sim-speed"]):
                solara.SliderInt(f"Speed: {s.speed.value} days per second", value=s.speed, min=MIN_SPEED,
                                 max=MAX_SPEED, thumb_label=False)  # fmt: skip
            with solara.Row(gap="6px", style="align-items: center"):
                solara.Text("Step:", style="font-size: 13px")
                solara.ToggleButtonsSingle(value=s.step_days, values=list(STEP_CHOICES), dense=True,
                                           classes=["sim-step-days"])  # fmt: skip
                solara.Text("days", style="font-size: 13px")
            CheckedNumber("Seed (used by Reset and Apply)", s.seed.value, s.seed_problem, s.set_seed, s.ignore,
                          "sim-seed", integer=True)  # fmt: skip
            solara.Text(s.problem.value or "", classes=["sim-field-error"])  # always there: see SettingsPanel
            model = current.model
            rules = ", ".join(f"{c} {g.retaliation.label} / {g.thaw.label}" for c, g in model.governments.items())
            SettingsPanel(s.applied.value, f"Running: {model.scenario_spec.name}, seed {model.seed_value}; {rules}.",
                          s.apply)  # fmt: skip
        with solara.Div(classes=["sim-main"]):
            StatusBar(current, s.frame, playing)
            for which in ("tension", "channels", "alignment"):
                FigureCell(current, s.frame, which, model.crisis_threshold)
            StoryCell(current, s.frame, s.window)


@solara.component
def Layout(children=[]):  # noqa: B006 (solara's signature for a page layout)
    """No app bar, tabs or badge: the page fills the window (see ``Page``)."""
    return solara.Column(children=children, gap="0px", style="padding: 0; margin: 0")


