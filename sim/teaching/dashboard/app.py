"""The dashboard page: Mesa's SolaraViz with a settings card, live figures and the event log.

Run it with ``python -m sim.dashboard`` (or ``solara run sim.teaching.dashboard.app``).
SolaraViz supplies the app bar, the Reset / Play / Step controls, Mesa's
parameter card (the seed) and the grid of live views. The "Scenario and rules"
card is this module's own, because which parameters it shows depends on the
rule chosen, and Mesa's parameter card is fixed when the page loads.

Changes in the settings card are checked as they are made, with the checks of
``python -m sim``: a bad value shows an error naming the field and the value,
and the running model is left alone. "Apply" starts a new model with the
settings (and the running model's seed); Mesa's Reset restarts from day 0 with
the settings last applied and the seed on Mesa's slider.
"""

from __future__ import annotations

import html
import os
from typing import Any

import solara
from mesa.visualization import SolaraViz

from sim.core.errors import SimInputError
from sim.core.vocabulary import load_vocabulary
from sim.experiments.runner import quiet_mesa
from sim.outputs import columns
from sim.teaching.dashboard import SCENARIO_ENV
from sim.teaching.dashboard.figures import alignment_figure, channel_figure, tension_figure
from sim.teaching.dashboard.model import (
    FAMILIES,
    DashboardModel,
    default_settings,
    make_spec,
    rule_description,
    rule_options,
    rule_parameters,
    scenario_options,
    slider_range,
    slot,
)
from sim.teaching.narrate import narrate

TITLE = "US–China signaling: retaliation and thaw"
# Days simulated per Step click and per frame of Play (Mesa's "Render Interval"
# slider changes it): drawing a frame costs far more than simulating a day.
DAYS_PER_FRAME = 7
# Pause between frames of Play; Mesa's slider moves in steps of 10 from 1.
PLAY_INTERVAL_MS = 51
# Figures fill their grid cell; the event log scrolls inside its cell.
CSS = """
.sim-figure img { width: 100%; height: auto; }
.sim-event-log { height: 100%; overflow-y: auto; font-size: 14px; line-height: 1.35; padding: 4px 8px; }
.sim-event-log li { margin-bottom: 6px; }
.sim-event-log .sim-date { font-weight: 600; font-variant-numeric: tabular-nums; }
.sim-event-log .sim-rule { color: #6a1b9a; font-size: 12px; font-weight: 600; }
.sim-status { font-size: 15px; font-weight: 500; padding: 2px 8px; }
"""


def model_params(seed: int) -> dict[str, Any]:
    """SolaraViz's ``model_params``: a seed slider, the one setting Mesa's card holds.

    Mesa's Reset calls ``type(model)(seed=<slider>)``; the running model's class
    (``DashboardModel.with_defaults``) supplies the settings last applied.
    """
    return {"seed": {"type": "SliderInt", "value": seed, "min": 0, "max": max(100, seed), "step": 1,
                     "label": "Seed (press Reset to use it)"}}  # fmt: skip


def build(settings: dict[str, Any]) -> DashboardModel:
    """A model with ``settings``, of a class that Mesa's Reset re-creates with the same settings."""
    fixed = {k: v for k, v in settings.items() if k != "seed"}
    return DashboardModel.with_defaults(**fixed)(seed=settings["seed"])


def problem_text(e: SimInputError) -> str:
    """A bad value, as the page shows it: the field, the value and what is wrong."""
    return f"{e.field} = {e.value!r}: {e.problem}"


def _status(model: DashboardModel) -> str:
    steps = model.steps_so_far()
    a, b = model.poles
    if not len(steps):
        return f"Day 0 of {model.n_days}: press Step or ▶ to start on {model.scenario_spec.start}"
    tension = steps[columns.tension(a, b)].iloc[-1]
    suspended = sum(not model.board.is_open(c) for c in model.board.channels)
    return (f"Day {model.day} of {model.n_days} · {model.current_date} · tension {tension:.2f} · "
            f"{suspended} channel(s) suspended · {len(model.events)} signals")  # fmt: skip


def TensionView(model: DashboardModel):
    """Status line and the tension of each dyad so far."""
    deps = [id(model), model.day, model.crisis_threshold]
    with solara.Column(classes=["sim-figure", "sim-tension"], gap="0px") as main:
        solara.Text(_status(model), classes=["sim-status"])
        spec = model.scenario_spec

        def draw():
            return tension_figure(model.steps_so_far(), model.poles, model.crisis_threshold, spec.start, spec.end)

        solara.FigureMatplotlib(solara.use_memo(draw, deps), dependencies=deps, format="png")
    return main


def _figure_over_time(model: DashboardModel, figure, css: str):
    """One figure of the run so far (``figure(steps, start, end)``), redrawn when the day changes."""
    deps = [id(model), model.day]
    spec = model.scenario_spec
    fig = solara.use_memo(lambda: figure(model.steps_so_far(), spec.start, spec.end), deps)
    with solara.Column(classes=["sim-figure", css]) as main:
        solara.FigureMatplotlib(fig, dependencies=deps, format="png")
    return main


def ChannelView(model: DashboardModel):
    """Which dialogue channels are open or suspended, day by day."""
    return _figure_over_time(model, channel_figure, "sim-channels")


def AlignmentView(model: DashboardModel):
    """Each regional state's alignment so far."""
    return _figure_over_time(model, alignment_figure, "sim-alignment")


def event_log_html(model: DashboardModel, limit: int = 400) -> str:
    """The event log in plain words (``sim.teaching.narrate``), latest first, as escaped HTML."""
    events = model.events_so_far()
    if not len(events):
        return "<p>No signals yet.</p>"
    lines = narrate(events)
    # narrate orders by (date, id); sort the rows alike to know which lines a rule decided.
    rows = events.sort_values(["date", "id"], kind="stable")
    items = []
    for line, scripted in list(zip(lines, rows["scripted"]))[::-1][:limit]:
        day, _, text = line.partition(" ")
        badge = "" if scripted else ' <span class="sim-rule">[rule]</span>'
        items.append(f'<li><span class="sim-date">{html.escape(day)}</span> {html.escape(text)}{badge}</li>')
    return "<ol reversed>" + "".join(items) + "</ol>"


def EventLogView(model: DashboardModel):
    """One line per signal, latest first; [rule] marks answers a rule decided (the rest are scripted)."""
    with solara.Column(gap="0px", style="height: 100%") as main:
        solara.Text(f"Event log: {len(model.events)} signals, latest first", classes=["sim-status"])
        solara.HTML(unsafe_innerHTML=event_log_html(model), classes=["sim-event-log"])
    return main


def _label(name: str) -> str:
    return name.replace("inner.", "wrapped rule: ").replace("_", " ")


@solara.component
def ParamInput(key: str, name: str, value: Any, on_value):
    """A slider for one rule parameter, with a box to type an exact (or any) value."""
    if isinstance(value, bool) or not isinstance(value, (int, float, list)):
        # Not a number (a rule added later may take a name or a flag): typed as text, checked alike.
        solara.InputText(_label(name), value=str(value), on_value=on_value)
        return
    r = slider_range(name, value)
    if r.pair:
        solara.SliderRangeInt(_label(name) + " (days)", value=tuple(int(v) for v in value), min=int(r.low),
                              max=int(r.high), step=int(r.step), on_value=lambda v: on_value(list(v)))  # fmt: skip
        return
    shown = min(max(float(value), r.low), r.high) if isinstance(value, (int, float)) else r.low
    with solara.Row(style="align-items: center", gap="8px"):
        with solara.Column(style="flex: 1 1 auto; min-width: 0"):
            if r.integer:
                solara.SliderInt(_label(name), value=round(shown), min=int(r.low), max=int(r.high),
                                 step=int(r.step), on_value=on_value)  # fmt: skip
            else:
                solara.SliderFloat(_label(name), value=shown, min=r.low, max=r.high, step=r.step, on_value=on_value)
        css_name = f"sim-param-{key}-{name}".replace(".", "-")
        solara.InputFloat("value", value=value, on_value=on_value, dense=True,
                          classes=["sim-param-box", css_name], style="max-width: 92px")  # fmt: skip


@solara.component
def SettingsPanel(model: solara.Reactive):
    """Scenario, rules and parameters; checked on every change, applied on demand."""
    # The running model's class holds the settings last applied (DashboardModel.with_defaults).
    applied = type(model.value).defaults
    draft = solara.use_reactive(dict(applied))
    problem = solara.use_reactive(None)
    vocab = load_vocabulary()

    def change(**updates):
        new = {**draft.value, **updates}
        draft.set(new)
        try:
            make_spec(**new)
            problem.set(None)
        except SimInputError as e:
            problem.set(problem_text(e))

    def set_rule(key: str, name: str):
        rules = {**draft.value["rules"], key: name}
        # A newly chosen rule starts from its own configured parameters.
        change(rules=rules, params={**draft.value["params"], key: rule_parameters(rules)[key]})

    def set_param(key: str, name: str, value: Any):
        params = {**draft.value["params"], key: {**draft.value["params"][key], name: value}}
        change(params=params)

    def apply():
        # The seed is Mesa's parameter (its slider, applied by Reset): keep the running one.
        try:
            new_model = build({**draft.value, "seed": model.value.seed_value})
        except SimInputError as e:  # checked already; kept in case a file changed since
            problem.set(problem_text(e))
            return
        model.set(new_model)

    d = draft.value
    m = model.value
    with solara.Card("Scenario and rules", style="width: 100%"):
        # What runs, what is wrong and the Apply button come first: in view without scrolling.
        rules = ", ".join(f"{c} {g.retaliation.label} / {g.thaw.label}" for c, g in m.governments.items())
        solara.Text(f"Running: {m.scenario_spec.name}, seed {m.seed_value}; {rules}.", style="font-size: 13px")
        if problem.value:
            solara.Error(f"Not applied: {problem.value}", classes=["sim-input-error"])
        solara.Button("Apply: restart with these settings", color="primary", on_click=apply,
                      disabled=bool(problem.value) or d == applied, classes=["sim-apply"])  # fmt: skip
        solara.Text("Changes below take effect when applied; Reset restarts with the settings last applied "
                    "and the seed set above.", style="font-size: 12px; color: #555")  # fmt: skip
        solara.Select("Scenario", values=scenario_options(), value=d["scenario_name"],
                      on_value=lambda v: change(scenario_name=v))  # fmt: skip
        for code in dict.fromkeys(k.partition(".")[0] for k in d["rules"]):
            name = vocab.actors[code].name if code in vocab.actors else code
            solara.Text(name, style="font-weight: 600; font-size: 15px; margin-top: 8px")
            for family in FAMILIES:
                key = slot(code, family)
                solara.Select(f"{name}: {family} rule", values=rule_options(family), value=d["rules"][key],
                              on_value=lambda v, key=key: set_rule(key, v),
                              classes=[f"sim-rule-{key}".replace(".", "-")])  # fmt: skip
                solara.Text(rule_description(d["rules"], key), style="font-size: 12px; color: #555")
                with solara.Details(f"{name}: {family} parameters"):
                    for pname, pvalue in d["params"][key].items():
                        ParamInput(key, pname, pvalue, lambda v, key=key, pname=pname: set_param(key, pname, v))
        solara.InputFloat("Crisis threshold (tension 0..1)", value=d["crisis_threshold"],
                          on_value=lambda v: change(crisis_threshold=v), classes=["sim-threshold"])  # fmt: skip


@solara.component
def SettingsSidebar(model: solara.Reactive, depth: int = 2):
    """The settings card, placed in the sidebar below Mesa's controls.

    The sidebar orders cards by how deeply nested the component declaring them
    is (solara's portal offset); declaring this one ``depth`` components further
    down than SolaraViz declares its own puts it after them, so Reset, Play and
    Step stay at the top of the sidebar.
    """
    if depth:
        SettingsSidebar(model, depth - 1)
        return
    with solara.Sidebar():
        SettingsPanel(model)


@solara.component
def Page():
    """The whole page: settings in the sidebar, SolaraViz for controls and live views."""
    quiet_mesa()
    first = solara.use_memo(lambda: default_settings(os.environ.get(SCENARIO_ENV) or None), [])
    model = solara.use_reactive(solara.use_memo(lambda: build(first), []))
    solara.Style(CSS)
    solara.Title(TITLE)
    SettingsSidebar(model)
    SolaraViz(
        model,
        components=[TensionView, ChannelView, AlignmentView, EventLogView],
        model_params=model_params(first["seed"]),
        name=TITLE,
        play_interval=PLAY_INTERVAL_MS,
        render_interval=DAYS_PER_FRAME,
    )
