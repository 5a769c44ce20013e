"""The dashboard's model: plain keyword arguments in, a model built through the config out.

:class:`DashboardModel` takes only plain values (a scenario name, rule names,
parameter values, a seed), the values the page's controls hold, and builds
itself the way ``python -m sim`` does: compose ``configs/config.yaml`` with the chosen rule files, set the
parameters on the composed config, and let :func:`sim.config.build.build_spec` check
everything and turn it into objects. Bad values therefore raise the same
:class:`~sim.core.errors.SimInputError` the command line reports.

The available rules and scenarios are the files in ``configs/rules/<family>/``
and ``scenarios/``: a new rule file shows up in the dashboard without code here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from omegaconf import OmegaConf

from sim.config.build import RULE_TARGETS, ModelSpec, build_spec
from sim.config.compose import CONFIG_DIR, compose_config
from sim.core.errors import SimInputError
from sim.core.model import SignalingModel
from sim.core.scenario_files import SCENARIOS_DIR
from sim.outputs.tables import events_frame, steps_frame

FAMILIES = ("retaliation", "thaw")
SOURCE = "dashboard"


def rule_options(family: str) -> list[str]:
    """The rule options of a family: the files in ``configs/rules/<family>/``."""
    return sorted(p.stem for p in (CONFIG_DIR / "rules" / family).glob("*.yaml"))


def scenario_options() -> list[str]:
    """The named scenarios: the files in ``scenarios/``."""
    return sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml"))


def slot(code: str, family: str) -> str:
    """The key of one government's rule in ``rules`` and ``params``: ``"CHN.retaliation"``."""
    return f"{code}.{family}"


@dataclass(frozen=True)
class SliderRange:
    """Where a parameter's slider runs; a pair (``lag: [min, max]``) gets a range slider."""

    low: float
    high: float
    step: float
    integer: bool = False
    pair: bool = False


# Teaching ranges of the known rule parameters: narrower than what the rules
# accept (sim/core/rules/*.py check that), wide enough to show each rule's regimes.
# Keys are parameter names, so rules sharing a parameter share its slider.
_RANGES: dict[str, SliderRange] = {
    "trigger": SliderRange(0.0, 3.0, 0.05),
    "grievance_days": SliderRange(0, 365, 1, integer=True),
    "generosity": SliderRange(0.0, 1.0, 0.05),
    "hostility_gain": SliderRange(0.0, 5.0, 0.1),
    "pressure_gain": SliderRange(0.0, 5.0, 0.1),
    "channel_step": SliderRange(0.05, 2.0, 0.05),
    "refuse_above": SliderRange(0.0, 1.0, 0.05),
    "threshold": SliderRange(0.0, 5.0, 0.1),
    "retry_days": SliderRange(1, 90, 1, integer=True),
    "min_gesture": SliderRange(0.0, 2.0, 0.05),
    "min_trust": SliderRange(0.0, 1.0, 0.05),
    "mean_days": SliderRange(1, 720, 1, integer=True),
    "reopen_below": SliderRange(0.0, 1.0, 0.05),
    "stage_days": SliderRange(0, 720, 1),
    "cost_scale": SliderRange(0.0, 3.0, 0.05),
    "grievance_gain": SliderRange(0.0, 10.0, 0.1),
    "announced_discount": SliderRange(0.0, 1.0, 0.05),
    "lag": SliderRange(0, 60, 1, integer=True, pair=True),
}


def slider_range(name: str, value: Any) -> SliderRange:
    """The slider of parameter ``name`` (dotted for a wrapped rule's: ``inner.retry_days``).

    A parameter not in the table (a rule added later) gets a slider from 0 to
    three times its default, so it is still adjustable.
    """
    leaf = name.rsplit(".", 1)[-1]
    if leaf in _RANGES:
        r = _RANGES[leaf]
        # A configured value outside the teaching range (a calibrated one) widens it.
        values = [v for v in (value if isinstance(value, list) else [value]) if v is not None]
        hi = max([r.high, *(math.ceil(float(v)) if r.integer else float(v) for v in values)])
        return SliderRange(r.low, hi, r.step, r.integer, r.pair)
    if isinstance(value, list):
        return SliderRange(0, max(60, *value), 1, integer=True, pair=True)
    integer = isinstance(value, int)
    high = max(1.0, 3.0 * float(value))
    return SliderRange(0, math.ceil(high) if integer else high, 1 if integer else high / 60, integer)


def _flatten(node: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A rule node's parameters, dotted for wrapped rules (``inner.stage_days``)."""
    out: dict[str, Any] = {}
    for k, v in node.items():
        if k == "_target_":
            continue
        if isinstance(v, Mapping):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _check_rules(rules: Mapping[str, str], codes: list[str]) -> None:
    """Refuse a slot or option Hydra would reject with a multi-line message."""
    for key, name in rules.items():
        code, _, family = key.partition(".")
        if code not in codes or family not in FAMILIES:
            problem = f"not a government's rule (governments: {', '.join(codes)}; families: {', '.join(FAMILIES)})"
            raise SimInputError(SOURCE, f"rules.{key}", name, problem)
        if name not in rule_options(family):
            problem = f"no such option in configs/rules/{family}/ (options: {', '.join(rule_options(family))})"
            raise SimInputError(SOURCE, f"rules.{key}", name, problem)


def compose(rules: Mapping[str, str] | None = None):
    """Compose the config with the chosen rule files; return it and Hydra's choices."""
    cfg, choices = compose_config([])  # the defaults name the governments
    codes = list(cfg.governments)
    rules = dict(rules or {})
    _check_rules(rules, codes)
    overrides = [f"rules/{k.partition('.')[2]}@governments.{k}={v}" for k, v in sorted(rules.items())]
    return compose_config(overrides) if overrides else (cfg, choices)


def default_settings(scenario_name: str | None = None) -> dict[str, Any]:
    """The settings of the default run (``python -m sim`` with no overrides), as keyword arguments.

    Args:
        scenario_name: Another scenario to start with (None: the configured one).
    """
    cfg, choices = compose_config([])
    rules = {slot(c, f): choices[f"rules/{f}@governments.{c}.{f}"] for c in cfg.governments for f in FAMILIES}
    return {
        "scenario_name": scenario_name or str(cfg.scenario),
        "seed": int(cfg.seed),
        "crisis_threshold": float(cfg.crisis_threshold),
        "rules": rules,
        "params": rule_parameters(rules),
    }


def rule_parameters(rules: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Each chosen rule's parameters as configured (rule file, then config.yaml, then calibration)."""
    cfg, _ = compose(rules)
    data = OmegaConf.to_container(cfg.governments, resolve=True)
    assert isinstance(data, dict)
    return {slot(c, f): _flatten(data[c][f]) for c in data for f in FAMILIES}


def rule_description(rules: Mapping[str, str], key: str) -> str:
    """The first line of the docstring of the rule chosen for ``key`` (a slot like ``"CHN.thaw"``)."""
    cfg, _ = compose(rules)
    target = OmegaConf.select(cfg, f"governments.{key}._target_")
    cls = RULE_TARGETS[key.partition(".")[2]].get(str(target))
    doc = (cls.__doc__ or "").strip().split("\n\n")[0] if cls else ""
    text = " ".join(doc.split()).replace("``", "")
    option = CONFIG_DIR / "rules" / key.partition(".")[2] / f"{rules.get(key, '')}.yaml"
    if option.is_file() and option.read_text(encoding="utf-8").startswith("# Calibrated"):
        text += " (Calibrated parameters.)"
    return text


def make_spec(
    scenario_name: str | None = None,
    seed: Any = None,
    crisis_threshold: Any = None,
    rules: Mapping[str, str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> ModelSpec:
    """Check the dashboard's settings and turn them into a :class:`~sim.config.build.ModelSpec`.

    Arguments are those of :class:`DashboardModel`; None keeps the configured value.

    Raises:
        SimInputError: an unknown rule or parameter, or a value out of range,
            naming the field and the value (the checks of ``python -m sim``).
    """
    cfg, choices = compose(rules)
    for key, value in (("scenario", scenario_name), ("seed", seed), ("crisis_threshold", crisis_threshold)):
        if value is not None:
            cfg[key] = value
    for key, values in (params or {}).items():
        family = key.partition(".")[2]
        node = OmegaConf.select(cfg, f"governments.{key}")
        if family not in FAMILIES or node is None:
            raise SimInputError(SOURCE, f"params.{key}", dict(values), "not a government's rule")
        known = _flatten(OmegaConf.to_container(node, resolve=True))  # type: ignore[arg-type]
        for name, value in values.items():
            # Parameters of a rule no longer chosen are left over from the page's
            # earlier choice: skip them rather than refuse the new rule.
            if name in known:
                OmegaConf.update(cfg, f"governments.{key}.{name}", value, merge=False)
    return build_spec(cfg, choices)


def problem_text(e: SimInputError) -> str:
    """A refused value, as the page shows it: the field, the value and what is allowed."""
    return f"{e.field} = {e.value!r}: {e.problem}"


def parse_number(text: str, integer: bool = False) -> tuple[float | int | None, str | None]:
    """A typed number, or why it is not one: ``("abc") -> (None, "'abc' is not a number")``."""
    stripped = text.strip()
    try:
        value = float(stripped)
    except ValueError:
        return None, f"{stripped!r} is not a number"
    if not math.isfinite(value):
        return None, f"{stripped!r} is not a finite number"
    if integer:
        if value != int(value):
            return None, f"{stripped!r} is not a whole number"
        return int(value), None
    return value, None


def check_settings(settings: dict[str, Any]) -> str | None:
    """Why ``settings`` would not build a model (``make_spec``), or None if they would."""
    try:
        make_spec(**settings)
    except SimInputError as e:
        return problem_text(e)
    return None


class DashboardModel(SignalingModel):
    """A :class:`~sim.core.model.SignalingModel` built from plain keyword arguments.

    Args:
        scenario_name: A scenario in ``scenarios/`` (not ``scenario``: Mesa 3.5
            reserves that name for its own scenario objects). None: the
            configured one, as are the next two.
        seed: Seed of the model's random generator.
        crisis_threshold: Tension at or above which a day counts as a crisis.
        rules: Rule option per government and family, ``{"CHN.retaliation":
            "tit_for_tat"}``; a slot left out keeps the configured rule.
        params: Parameter values per slot, ``{"CHN.retaliation": {"trigger":
            0.5}}``; a parameter left out keeps its configured value.

    Raises:
        SimInputError: on any bad value, before a model exists.
    """

    def __init__(
        self,
        scenario_name: str | None = None,
        seed: int | None = None,
        crisis_threshold: float | None = None,
        rules: Mapping[str, str] | None = None,
        params: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        given = {"scenario_name": scenario_name, "seed": seed, "crisis_threshold": crisis_threshold,
                 "rules": rules, "params": params}  # fmt: skip
        spec = make_spec(**{k: v for k, v in given.items() if v is not None})
        super().__init__(spec.scenario, spec.governments, spec.regional, spec.seed)
        self.crisis_threshold = spec.crisis_threshold

    @property
    def current_date(self):
        """The date of the last simulated day (the day before the start if none yet)."""
        return self.date_of(self.day - 1)

    def steps_so_far(self) -> pd.DataFrame:
        """The daily state table up to the last simulated day (``sim.outputs.tables.steps_frame``)."""
        return steps_frame(self, self.day)

    def events_so_far(self) -> pd.DataFrame:
        """The event log so far (``sim.outputs.tables.events_frame``)."""
        return events_frame(self)
