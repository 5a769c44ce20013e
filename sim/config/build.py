"""The entry point's one job: turn a composed config into model objects.

Nothing past this module sees the config. Rules are built only from the
classes registered in ``sim.core.rules`` (a ``_target_`` naming anything else is
refused), so config files stay data and cannot run arbitrary code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.core.errors import ParameterError, SimInputError, check_range
from sim.core.government import GovernmentParams, Initiative
from sim.core.model import GovernmentSpec, RegionalSpec, SignalingModel
from sim.core.regional import RegionalParams
from sim.core.rules import RETALIATION_RULES, THAW_RULES
from sim.core.rules.base import Rule, Rung
from sim.core.scenario import PAIR_KINDS, Scenario
from sim.core.scenario_files import load_scenario
from sim.core.weights import WeightScale, load_scale, scale_with


def _target(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


RULE_TARGETS: dict[str, dict[str, type[Rule]]] = {
    "retaliation": {_target(c): c for c in RETALIATION_RULES.values()},
    "thaw": {_target(c): c for c in THAW_RULES.values()},
}


class ConfigSource:
    """Names the file a config value most likely came from, for error messages.

    Args:
        choices: Hydra's runtime choices (``group@package`` -> option), if known.
    """

    def __init__(self, choices: Mapping[str, str] | None = None) -> None:
        self.choices = dict(choices or {})

    def __call__(self, path: str) -> str:
        best = ""
        for key, option in self.choices.items():
            group, _, package = key.partition("@")
            package = package or group.replace("/", ".")
            if option and (path == package or path.startswith(package + ".")) and len(package) > len(best):
                best, name = package, f"configs/{group}/{option}.yaml"
        return f"config ({name if best else 'configs/config.yaml'} or an override)"


def build_rule(node: Any, path: str, family: str, source: ConfigSource | None = None) -> Rule:
    """Build one rule from its config node, refusing any class not registered."""
    source = source or ConfigSource()
    if not isinstance(node, Mapping) or "_target_" not in node:
        raise SimInputError(source(path), path, node, f"must be a {family} rule config with a _target_")
    target = node["_target_"]
    registry = RULE_TARGETS[family]
    if target not in registry:
        names = ", ".join(sorted(c.name for c in registry.values()))
        raise SimInputError(source(path), f"{path}._target_", target, f"is not a {family} rule (rules: {names})")
    kwargs = {k: v for k, v in node.items() if k != "_target_"}
    for k, v in kwargs.items():  # a rule wrapping another rule (SanctionedPostHold.inner)
        if isinstance(v, Mapping) and "_target_" in v:
            kwargs[k] = build_rule(v, f"{path}.{k}", family, source)
    try:
        return registry[target](**kwargs)
    except ParameterError as e:
        raise SimInputError(source(path), f"{path}.{e.name}", e.value, e.problem) from None
    except TypeError as e:
        raise SimInputError(source(path), path, sorted(kwargs), f"bad parameters for {target}: {e}") from None


def _params(cls: type, node: Mapping[str, Any], path: str, skip: set[str], source: ConfigSource) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    for k in node:
        if k not in names and k not in skip:
            raise SimInputError(source(path), f"{path}.{k}", node[k], "unknown parameter")
    return {k: v for k, v in node.items() if k in names}


def _government(code: str, node: Mapping[str, Any], source: ConfigSource) -> GovernmentSpec:
    path = f"governments.{code}"
    kw = _params(GovernmentParams, node, path, {"rival", "retaliation", "thaw"}, source)
    try:
        kw["repertoire"] = tuple(_rung(i, r) for i, r in enumerate(kw.get("repertoire", ())))
        kw["initiatives"] = tuple(Initiative(**i) for i in kw.get("initiatives", ()))
        kw["watch"] = dict(kw.get("watch", {}))
        params = GovernmentParams(**kw)
    except ParameterError as e:
        raise SimInputError(source(path), f"{path}.{e.name}", e.value, e.problem) from None
    except TypeError as e:
        raise SimInputError(source(path), path, "", f"malformed parameters: {e}") from None
    return GovernmentSpec(
        code=code,
        rival=str(node.get("rival")),
        params=params,
        retaliation=build_rule(node.get("retaliation"), f"{path}.retaliation", "retaliation", source),
        thaw=build_rule(node.get("thaw"), f"{path}.thaw", "thaw", source),
    )


def _rung(i: int, node: Mapping[str, Any]) -> Rung:
    try:
        return Rung.build(**node)
    except ParameterError as e:
        raise ParameterError(f"repertoire[{i}].{e.name}", e.value, e.problem) from None


def _regional(code: str, node: Mapping[str, Any], source: ConfigSource) -> RegionalSpec:
    path = f"regional.{code}"
    kw = _params(RegionalParams, node, path, set(), source)
    try:
        if "ties_lag" in kw:
            kw["ties_lag"] = tuple(kw["ties_lag"])
        kw["exposure"] = dict(kw.get("exposure", {}))
        return RegionalSpec(code, RegionalParams(**kw))
    except ParameterError as e:
        raise SimInputError(source(path), f"{path}.{e.name}", e.value, e.problem) from None


def _check_scripted_pairs(scenario: Scenario, governments: list[str]) -> None:
    """Channel moves and meeting requests only exist between the two governments."""
    for ev in scenario.events:
        if ev.kind in PAIR_KINDS and {ev.sender, ev.receiver} != set(governments):
            raise SimInputError(scenario.path, f"events[{ev.index}].receiver", ev.receiver,
                                f"a {ev.kind} must be between the governments {' and '.join(governments)}")  # fmt: skip


TOP_LEVEL_KEYS = ("scenario", "seed", "replicates", "posterior_draws", "workers", "crisis_threshold", "figures",
                  "scale", "governments", "regional", "calibration")  # fmt: skip
"""The keys of a composed model config (``configs/config.yaml`` and its groups); any other is refused."""
MAX_WORKERS = 1024
"""The most processes a job's replicates may run on (``workers``)."""
MAX_SEED = 2**63 - 1
"""The largest seed: a sweep's tables store seeds as 64-bit integers (``runs.parquet``'s ``seed``, ``base_seed``),
and every seed up to it is a distinct stream of numpy's ``SeedSequence``."""
MAX_REPLICATES = 1_000_000
"""The most runs one job may make (``replicates``): about an hour of one core's model time; more runs belong in
more jobs (seeds), which a launcher spreads over cores and machines and a killed sweep resumes job by job."""


@dataclass(frozen=True)
class ModelSpec:
    """Everything a config describes, checked and turned into objects: build models from it.

    Rules are stateful per run but reset by each new model's governments, so
    one spec can build many models in turn (replicates, seeds), not at once.
    ``scale`` is the weight scale that turns scripted events' facts into their weights.
    """

    scenario: Scenario
    governments: tuple[GovernmentSpec, ...]
    regional: tuple[RegionalSpec, ...]
    seed: int
    crisis_threshold: float
    replicates: int
    scale: WeightScale = field(default_factory=load_scale)

    def model(self, seed: int | None = None) -> SignalingModel:
        """A fresh model (with ``seed``, default the config's)."""
        seed = self.seed if seed is None else seed
        return SignalingModel(self.scenario, self.governments, self.regional, seed, scale=self.scale)


def build_spec(cfg: DictConfig, choices: Mapping[str, str] | None = None) -> ModelSpec:
    """Check a composed config and turn it into a :class:`ModelSpec`.

    Raises:
        SimInputError: on any bad value, naming its file, field and value.
    """
    source = ConfigSource(choices)
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    unknown = sorted(str(k) for k in data if k not in TOP_LEVEL_KEYS)
    if unknown:  # a key added with + (a typo: +crisis_treshold=0.7) would otherwise be ignored
        raise SimInputError(source(unknown[0]), unknown[0], data[unknown[0]],
                            f"unknown key (the config's keys: {', '.join(TOP_LEVEL_KEYS)})")  # fmt: skip
    scenario: Scenario = load_scenario(str(data.get("scenario")))
    govs = data.get("governments") or {}
    codes = list(govs)
    if len(codes) != 2:  # first: with one removed (~governments.CHN) the other's rival would be blamed
        raise SimInputError(source("governments"), "governments", codes, "the model needs exactly two governments")
    for code in codes:
        rival = govs[code].get("rival")
        if rival not in govs or rival == code:
            raise SimInputError(source(f"governments.{code}"), f"governments.{code}.rival", rival,
                                f"must name the other government ({', '.join(codes)})")  # fmt: skip
    seed = _whole(data.get("seed"), "seed", 0, source, MAX_SEED)
    replicates = _whole(data.get("replicates", 1), "replicates", 1, source, MAX_REPLICATES)
    _whole(data.get("workers", 1), "workers", 1, source, MAX_WORKERS)
    try:
        threshold = check_range("crisis_threshold", data.get("crisis_threshold"), 0, 1)
    except ParameterError as e:
        raise SimInputError(source(e.name), e.name, e.value, e.problem) from None
    _check_scripted_pairs(scenario, codes)
    figures = data.get("figures", True)
    if not isinstance(figures, bool):
        raise SimInputError(source("figures"), "figures", figures, "must be true or false")
    scale = _scale(data.get("scale"), source)
    return ModelSpec(
        scenario,
        tuple(_government(c, govs[c], source) for c in codes),
        tuple(_regional(c, n, source) for c, n in (data.get("regional") or {}).items()),
        seed,
        threshold,
        replicates,
        scale,
    )


def _scale(node: Any, source: ConfigSource) -> WeightScale:
    """The weight scale: the csv's values, with those the config's ``scale`` node sets (null: the csv's)."""
    if node is None:
        node = {}
    if not isinstance(node, Mapping):
        raise SimInputError(source("scale"), "scale", node, "must be a mapping of weight-scale parameters")
    try:
        return scale_with({k: v for k, v in node.items() if v is not None})
    except ParameterError as e:
        raise SimInputError(source("scale"), f"scale.{e.name}", e.value, e.problem) from None


def _whole(value: Any, name: str, lowest: int, source: ConfigSource, highest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
        raise SimInputError(source(name), name, value, f"must be a whole number >= {lowest}")
    if value > highest:
        raise SimInputError(source(name), name, value, f"must be at most {highest:,}")
    return value


def build(cfg: DictConfig, choices: Mapping[str, str] | None = None) -> tuple[SignalingModel, float]:
    """Build the model a config describes; return it with the crisis threshold.

    Raises:
        SimInputError: on any bad value, naming its file, field and value.
    """
    spec = build_spec(cfg, choices)
    return spec.model(), spec.crisis_threshold
