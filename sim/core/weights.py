"""The declared weight scale: from what a scripted event states to its signal's weight.

A scenario states facts (:class:`~sim.core.event_facts.EventFacts`); the scale turns them
into the weight a signal carries (its ``intensity``: its size relative to a typical act of
its kind, 1.0). The scale is a handful of global parameters read from
``sim/data/weight_scale.csv`` (each with its range and source). Their values are declared
defaults, to be calibrated as a whole (``scale.<parameter>`` in the config), never set
per event: a scenario that wants a particular weight states it as an explicit
``intensity`` override instead.

The laws (every kind not listed, and every fact a scenario leaves out, contributes a factor
of 1: "a typical act"; no weight falls below :data:`MIN_WEIGHT`):

- ``arms_sale``: ``package_factor * max(MIN_WEIGHT, 1 + value_log_slope * ln(value_usd_bn /
  arms_reference_usd_bn))``; package factors: ``new_platform`` 1, ``upgrade`` ``upgrade_factor``,
  ``sustainment`` ``sustainment_factor``. Values are those of the US Defense Security
  Cooperation Agency's major arms sales notifications, which also separate new major defence
  equipment from upgrades and support. The logarithm (diminishing returns, equal ratios of
  value as equal steps) is a declared modelling choice in the manner of the Weber-Fechner law.
  Anchor: a new-platform sale of ``arms_reference_usd_bn`` ($1bn) weighs 1.
- visits and meetings (:data:`~sim.core.event_facts.VISIT_KINDS`): ``rank_step ** (rank index -
  cabinet index)`` times a place factor (``receiver_territory`` 1, ``transit`` ``transit_factor``,
  ``third_country`` ``third_country_factor``). Ranks follow official precedence (US Department
  of State, Office of the Chief of Protocol); rank and place are what studies of leadership
  travel read as a state's priorities (Kastner, S. L. & Saunders, P. C. (2012), "Is China a
  status quo or revisionist state? Leadership travel as an empirical indicator of foreign
  policy priorities", *International Studies Quarterly* 56(1): 163-177; Lebovic, J. H. &
  Saunders, E. N. (2016), "The diplomatic core: the determinants of high-level US diplomatic
  visits, 1946-2010", *International Studies Quarterly* 60(1): 107-123).
  Anchor: a cabinet member's visit to the receiver's territory weighs 1.
- ``leader_summit``: ``summit_step ** (form index - sideline index) * (1 + announcement_gain *
  (len(reopens) + len(launches)))``: summits as leaders' prepared, personal diplomacy
  (Reynolds, D. (2007), *Summits: Six Meetings That Shaped the Twentieth Century*, London:
  Allen Lane), larger for each channel they reopen or found.
  Anchor: a meeting on the sidelines of a multilateral gathering that announces nothing weighs 1.
- ``sanction``, ``export_control``, ``visa_restriction``: ``scope_step ** (scope index - sector
  index)``; a measure costs its target more the more of its economy it reaches (Hufbauer, G. C.,
  Schott, J. J., Elliott, K. A. & Oegg, B. (2007), *Economic Sanctions Reconsidered*, 3rd ed.,
  Washington DC: Peterson Institute for International Economics).
  Anchor: a sector-wide measure weighs 1.
- ``tariff``: the duty burden ``tariff_rate_pct / 100 * coverage_usd_bn`` (the trade-weighted
  duty added, the measure Amiti, M., Redding, S. J. & Weinstein, D. E. (2019), *Journal of
  Economic Perspectives* 33(4): 187-210, size tariffs by) weighs ``max(MIN_WEIGHT, 1 + value_log_slope * ln(burden /
  tariff_reference_usd_bn))``; both facts are needed, else the factor is 1.
  Anchor: a burden of ``tariff_reference_usd_bn`` ($10bn a year) weighs 1.
- ``surveillance_incident``, ``interception``: ``incident_step ** (incident index)``, incidents
  ordered by gravity as CAMEO orders coercion, assault and the use of force (codes 17-19) with
  increasingly negative Goldstein scores (Goldstein, J. S. (1992), "A conflict-cooperation scale
  for WEIS events data", *Journal of Conflict Resolution* 36(2): 369-385).
  Anchor: an intrusion weighs 1.

The orderings come from the sources; the geometric steps, factors and reference values are
declared modelling choices (the csv's ``source`` column says which is which).
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sim.core.errors import ParameterError, check_range
from sim.core.event_facts import FORMS, INCIDENTS, RANKS, SCOPES, VISIT_KINDS, EventFacts

SCALE_FILE = Path(__file__).resolve().parents[1] / "data" / "weight_scale.csv"
MIN_WEIGHT = 0.05
"""The least weight any act carries (the floor of the log laws and of every weight)."""

MEASURE_KINDS = ("sanction", "export_control", "visa_restriction")
INCIDENT_KINDS = ("surveillance_incident", "interception")


@dataclass(frozen=True, slots=True)
class ScaleParameter:
    """One row of ``sim/data/weight_scale.csv``: a parameter's declared value, range and source."""

    name: str
    value: float
    low: float
    high: float
    description: str
    source: str


@dataclass(frozen=True)
class WeightScale:
    """The weight scale's parameters (see the module docstring for the laws they enter).

    Build it with :func:`load_scale` (the csv's values) or :func:`scale_with` (some changed);
    each value must lie in its csv range [low, high] (else :class:`ParameterError`).
    """

    value_log_slope: float
    arms_reference_usd_bn: float
    upgrade_factor: float
    sustainment_factor: float
    rank_step: float
    transit_factor: float
    third_country_factor: float
    summit_step: float
    announcement_gain: float
    scope_step: float
    tariff_reference_usd_bn: float
    incident_step: float

    def __post_init__(self) -> None:
        params = scale_parameters()
        for f in dataclasses.fields(self):
            p = params[f.name]
            value = getattr(self, f.name)
            if isinstance(value, bool):
                raise ParameterError(f.name, value, "must be a number")
            object.__setattr__(self, f.name, check_range(f.name, value, p.low, p.high))

    def values(self) -> dict[str, float]:
        """The parameters by name."""
        return dataclasses.asdict(self)

    def weight(self, kind: str, facts: EventFacts) -> float:
        """The weight of an act of ``kind`` stating ``facts`` (1.0: a typical act; at least MIN_WEIGHT).

        Raises:
            ValueError: a categorical fact that is not one of its values (scenario files are
                checked when read, so only a hand-built EventFacts can cause it).
        """
        if kind == "arms_sale":
            w = self._package(facts.package) * self._log_law(facts.value_usd_bn, self.arms_reference_usd_bn)
        elif kind in VISIT_KINDS:
            w = self._steps(self.rank_step, RANKS, facts.rank, "cabinet", "rank") * self._place(facts.place)
        elif kind == "leader_summit":
            announced = len(facts.reopens) + len(facts.launches)
            w = self._steps(self.summit_step, FORMS, facts.form, "sideline", "form") * (
                1.0 + self.announcement_gain * announced
            )
        elif kind in MEASURE_KINDS:
            w = self._steps(self.scope_step, SCOPES, facts.scope, "sector", "scope")
        elif kind == "tariff":
            rate, cover = facts.tariff_rate_pct, facts.coverage_usd_bn
            burden = None if rate is None or cover is None else rate / 100.0 * cover
            w = self._log_law(burden, self.tariff_reference_usd_bn)
        elif kind in INCIDENT_KINDS:
            w = self._steps(self.incident_step, INCIDENTS, facts.incident, INCIDENTS[0], "incident")
        else:
            w = 1.0
        return max(MIN_WEIGHT, w)

    def _log_law(self, value: float | None, reference: float) -> float:
        if value is None:
            return 1.0
        if value <= 0:
            return MIN_WEIGHT
        return max(MIN_WEIGHT, 1.0 + self.value_log_slope * math.log(value / reference))

    def _package(self, package: str) -> float:
        factors = {"": 1.0, "new_platform": 1.0, "upgrade": self.upgrade_factor, "sustainment": self.sustainment_factor}
        return _lookup(factors, package, "package")

    def _place(self, place: str) -> float:
        factors = {
            "": 1.0,
            "receiver_territory": 1.0,
            "transit": self.transit_factor,
            "third_country": self.third_country_factor,
        }
        return _lookup(factors, place, "place")

    @staticmethod
    def _steps(step: float, order: tuple[str, ...], value: str, anchor: str, field: str) -> float:
        if not value:
            return 1.0
        if value not in order:
            raise ValueError(f"{field}={value!r}: not one of {', '.join(order)}")
        return step ** (order.index(value) - order.index(anchor))


def _lookup(factors: Mapping[str, float], value: str, field: str) -> float:
    if value not in factors:
        raise ValueError(f"{field}={value!r}: not one of {', '.join(k for k in factors if k)}")
    return factors[value]


@lru_cache(maxsize=1)
def scale_parameters() -> dict[str, ScaleParameter]:
    """The rows of ``sim/data/weight_scale.csv`` by parameter, checked against :class:`WeightScale`.

    Raises:
        ValueError: a missing or unknown parameter, a non-number, ``value`` outside
            ``[low, high]``, or an empty source, naming the file and the row.
    """
    where = "sim/data/weight_scale.csv"
    with open(SCALE_FILE, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = [f.name for f in dataclasses.fields(WeightScale)]
    out: dict[str, ScaleParameter] = {}
    for r in rows:
        name = r["parameter"]
        if name not in fields or name in out:
            raise ValueError(f"{where}: parameter={name!r}: unknown or repeated (parameters: {', '.join(fields)})")
        try:
            value, low, high = float(r["value"]), float(r["low"]), float(r["high"])
        except (TypeError, ValueError):
            raise ValueError(f"{where}: {name}: value, low and high must be numbers") from None
        if not low <= value <= high:
            raise ValueError(f"{where}: {name}.value={value:g}: not in [low, high] = [{low:g}, {high:g}]")
        if not r["source"].strip() or not r["description"].strip():
            raise ValueError(f"{where}: {name}: needs a description and a source")
        out[name] = ScaleParameter(name, value, low, high, r["description"], r["source"])
    missing = [n for n in fields if n not in out]
    if missing:
        raise ValueError(f"{where}: missing parameters {', '.join(missing)}")
    return out


@lru_cache(maxsize=1)
def load_scale() -> WeightScale:
    """The declared scale: the csv's values."""
    return WeightScale(**{name: p.value for name, p in scale_parameters().items()})


def scale_with(overrides: Mapping[str, float]) -> WeightScale:
    """The declared scale with some parameters changed.

    Raises:
        ParameterError: an unknown parameter, or a value that is not a number in its range.
    """
    params = scale_parameters()
    for name, value in overrides.items():
        if name not in params:
            raise ParameterError(str(name), value, f"unknown parameter (parameters: {', '.join(params)})")
    if not overrides:
        return load_scale()
    return dataclasses.replace(load_scale(), **dict(overrides))
