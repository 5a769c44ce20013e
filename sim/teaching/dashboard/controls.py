"""The dashboard's settings: scenario, rules and parameters, each value checked where it is typed.

A typed value is checked when the teacher presses Enter or leaves the field,
with the checks of ``python -m sim`` (:func:`sim.teaching.dashboard.model.make_spec`):
a malformed or out-of-range value is marked on its own field with what is
allowed, is not taken into the settings, and the running model goes on. Only
values that passed reach the draft, so "Apply" restarts with settings that are
known to build; it is disabled while any field is marked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from sim.core.vocabulary import load_vocabulary
from sim.teaching.dashboard.model import (
    FAMILIES,
    check_settings,
    parse_number,
    rule_description,
    rule_options,
    rule_parameters,
    scenario_options,
    slider_range,
    slot,
)


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@solara.component
def CheckedNumber(label: str, value: Any, check: Callable[[Any], str | None], on_valid: Callable[[Any], None],
                  on_problem: Callable[[str | None], None], css: str, integer: bool = False, hint: str = ""):  # fmt: skip
    """A number box that checks what is typed on Enter or blur and marks its own problem.

    Args:
        label, hint: Shown on and under the box (the hint gives the allowed range).
        value: The value in the settings; the box shows it again once it changes.
        check: Why a parsed value would be refused, or None to take it.
        on_valid: Takes a value that passed.
        on_problem: Told the box's problem (None once it is fixed), so that Apply can wait.
        css: A class naming the field, for the page's tests and styles.
    """
    text, set_text = solara.use_state(_shown(value))
    problem, set_problem = solara.use_state(None)

    def reset():
        # A value that changed elsewhere (a slider, another rule) replaces what was typed.
        set_text(_shown(value))
        set_problem(None)

    solara.use_effect(reset, [value])

    def commit(typed: str | None):
        typed = typed or ""
        set_text(typed)
        number, why = parse_number(typed, integer)
        if why is None:
            why = check(number)
        why = f"Not applied: {why}" if why else None
        set_problem(why)
        on_problem(why)
        if why is None:
            on_valid(number)

    with solara.Column(gap="0px", classes=["sim-field", css]):
        solara.InputText(label, value=text, on_value=commit, error=bool(problem), dense=True,
                         message=hint or None, hide_details="auto", classes=["sim-box"])  # fmt: skip
        if problem:
            solara.Text(problem, classes=["sim-field-error"])


def _label(name: str) -> str:
    return name.replace("inner.", "wrapped rule: ").replace("_", " ")


@solara.component
def ParamInput(key: str, name: str, value: Any, check, on_value, on_problem):
    """One rule parameter: a slider over its teaching range and a box for any value the rule accepts."""
    css = f"sim-param-{key}-{name}".replace(".", "-")
    if isinstance(value, bool) or not isinstance(value, (int, float, list)):
        # Not a number (a rule added later may take a name or a flag): typed as text, checked alike.
        solara.InputText(_label(name), value=str(value), on_value=on_value, classes=[css])
        return
    r = slider_range(name, value)
    if r.pair:
        solara.SliderRangeInt(_label(name) + " (days)", value=tuple(int(v) for v in value), min=int(r.low),
                              max=int(r.high), step=int(r.step), on_value=lambda v: on_value(list(v)))  # fmt: skip
        return
    shown = min(max(float(value), r.low), r.high)
    if r.integer:
        solara.SliderInt(_label(name), value=round(shown), min=int(r.low), max=int(r.high), step=int(r.step),
                         on_value=on_value, thumb_label=False)  # fmt: skip
    else:
        solara.SliderFloat(_label(name), value=shown, min=r.low, max=r.high, step=r.step, on_value=on_value,
                           thumb_label=False)  # fmt: skip
    CheckedNumber(f"{_label(name)}: exact value", value, check, on_value, on_problem, css, integer=r.integer,
                  hint=f"slider {r.low:g} to {r.high:g}")  # fmt: skip


@solara.component
def SettingsPanel(applied: dict[str, Any], running: str, on_apply: Callable[[dict[str, Any]], None]):
    """Scenario, rules and parameters; each change checked at once, all applied together.

    Args:
        applied: The settings the running model was built with (no seed: the controls hold it).
        running: One line saying what runs now.
        on_apply: Restarts the model with the settings given.
    """
    draft = solara.use_reactive(dict(applied))
    problems = solara.use_reactive({})
    solara.use_effect(lambda: draft.set(dict(applied)), [id(applied)])
    vocab = load_vocabulary()

    def change(**updates):
        draft.set({**draft.value, **updates})

    def set_problem(field: str, why: str | None):
        rest = {k: v for k, v in problems.value.items() if k != field}
        problems.set({**rest, field: why} if why else rest)

    def check(**updates) -> str | None:
        return check_settings({**draft.value, **updates})

    def set_rule(key: str, name: str):
        rules = {**draft.value["rules"], key: name}
        # A newly chosen rule starts from its own configured parameters; problems typed into the old one go.
        problems.set({k: v for k, v in problems.value.items() if not k.startswith(f"{key}.")})
        change(rules=rules, params={**draft.value["params"], key: rule_parameters(rules)[key]})

    def param_update(key: str, name: str, value: Any) -> dict[str, Any]:
        return {"params": {**draft.value["params"], key: {**draft.value["params"][key], name: value}}}

    d = draft.value
    with solara.Column(gap="4px", classes=["sim-settings"]):
        solara.Text(running, classes=["sim-running"])
        blocked = bool(problems.value)
        solara.Button("Apply settings (restarts the run)", color="primary", on_click=lambda: on_apply(dict(d)),
                      disabled=blocked or d == applied, classes=["sim-apply"], style="width: 100%")  # fmt: skip
        # Always there (empty when nothing is marked): an element that comes and goes would shift
        # its siblings, and Solara would re-create them, closing the parameters a teacher opened.
        solara.Text(f"Fix the {len(problems.value)} marked field(s) to apply." if blocked else "",
                    classes=["sim-field-error"])  # fmt: skip
        with solara.Column(gap="2px", classes=["sim-settings-scroll"]):
            solara.Select("Scenario", values=scenario_options(), value=d["scenario_name"],
                          on_value=lambda v: change(scenario_name=v))  # fmt: skip
            CheckedNumber("Crisis level (tension 0 to 1)", d["crisis_threshold"],
                          lambda v: check(crisis_threshold=v), lambda v: change(crisis_threshold=v),
                          lambda why: set_problem("crisis_threshold", why), "sim-threshold")  # fmt: skip
            for code in dict.fromkeys(k.partition(".")[0] for k in d["rules"]):
                name = vocab.actors[code].name if code in vocab.actors else code
                solara.Text(name, classes=["sim-actor"])
                for family in FAMILIES:
                    key = slot(code, family)
                    solara.Select(f"{name}: {family} rule", values=rule_options(family), value=d["rules"][key],
                                  on_value=lambda v, key=key: set_rule(key, v),
                                  classes=[f"sim-rule-{key}".replace(".", "-")])  # fmt: skip
                    solara.Text(rule_description(d["rules"], key), classes=["sim-help"])
                    with solara.Details(f"{name}: {family} parameters"):
                        for pname, pvalue in d["params"][key].items():
                            ParamInput(
                                key, pname, pvalue,
                                check=lambda v, key=key, pname=pname: check(**param_update(key, pname, v)),
                                on_value=lambda v, key=key, pname=pname: change(**param_update(key, pname, v)),
                                on_problem=lambda why, key=key, pname=pname: set_problem(f"{key}.{pname}", why),
                            )  # fmt: skip
