"""Config keys in words, for the axes, legends and titles of sweep and sensitivity figures.

A sweep's runs table names a parameter by the key it overrides
(``p.governments.CHN.retaliation.trigger``, ``p.rules/retaliation@governments.CHN.retaliation``);
a figure names it in words: whose it is (``sim/data/actors.csv``), which rule or disposition
it belongs to, and what it is (``Chinese retaliation rule: trigger severity``). What each
parameter does is declared where it is defined (the Args of each rule class in
``sim.core.rules``, the Attributes of ``sim.core.dispositions.GovernmentParams``, the
``description`` of ``sim/data/weight_scale.csv``); :data:`WORDS` gives each a short name in
words for an axis, and a parameter it does not list keeps its name with spaces. A rung's
severity (``repertoire.<i>.min_severity``) is named by the rung's signal kind, read from
the government's file in ``configs/government/``.
"""

from __future__ import annotations

import functools
import re

import yaml

from sim.core.shipped import CONFIG_DIR
from sim.outputs import style

WORDS: dict[str, str] = {
    # retaliation rules (sim.core.rules.retaliation)
    "trigger": "trigger severity", "grievance_days": "grievance memory (days)", "hostility_gain": "hostility gain",
    "pressure_gain": "pressure gain", "channel_step": "severity per extra channel cut",
    "refuse_above": "hostility refusing meetings", "generosity": "generosity (chance to forgive)",
    "threshold": "severity that triggers for good",
    # thaw rules (sim.core.rules.thaw, thaw_weighted, post_hold)
    "retry_days": "retry interval (days)", "mean_days": "mean suspension (days)",
    "reopen_below": "hostility below which channels reopen", "min_gesture": "smallest gesture answered",
    "lag": "lag (days)", "min_trust": "trust needed to reopen", "stage_days": "wait per unit of reopening cost (days)",
    "cost_scale": "reopening cost scale", "grievance_gain": "grievance gain on reopening cost",
    "announced_discount": "discount for an announced reopening",
    # a government's dispositions (sim.core.dispositions.GovernmentParams)
    "baseline_hostility": "baseline hostility", "hostility_days": "hostility memory (days)",
    "sensitivity": "sensitivity to hostile acts", "trust_baseline": "baseline trust", "trust_days": "trust memory (days)",
    "pressure_days": "pressure memory (days)", "engagement_pressure": "pressure from engagement",
    "pressure_weight": "weight of pressure on engaging", "reply_weight": "weight of a reply",
    "cooldown_days": "cooldown between like signals (days)", "memory_size": "perceptions remembered",
    # a regional state's dispositions (sim.core.regional.RegionalParams)
    "baseline_alignment": "baseline alignment", "alignment_days": "alignment memory (days)",
    "threat_sensitivity": "sensitivity to threats",
}  # fmt: skip
"""Short names in words of the rules' and governments' parameters, by parameter name."""

_FAMILIES = ("retaliation", "thaw")
_CHOICE = re.compile(r"^rules/(retaliation|thaw)@governments\.([A-Z]{3})\.(retaliation|thaw)(\.inner)?$")


def words(name: str) -> str:
    """A parameter's short name in words (:data:`WORDS`), else its name with spaces ("(days)" for ``*_days``)."""
    if name in WORDS:
        return WORDS[name]
    if name.endswith("_days"):
        return f"{name[:-5].replace('_', ' ')} (days)"
    return name.replace("_", " ")


@functools.cache
def _rung_kinds(government: str) -> tuple[str, ...]:
    """The signal kinds of a government's escalation ladder, lowest rung first (configs/government/)."""
    try:
        defaults = yaml.safe_load((CONFIG_DIR / "config.yaml").read_text(encoding="utf-8")).get("defaults", [])
        name = next(v for d in defaults if isinstance(d, dict) for k, v in d.items()
                    if k == f"government@governments.{government}")  # fmt: skip
        doc = yaml.safe_load((CONFIG_DIR / "government" / f"{name}.yaml").read_text(encoding="utf-8"))
        return tuple(str(r.get("kind", "")) for r in doc.get("repertoire", []))
    except (OSError, StopIteration, AttributeError, yaml.YAMLError):
        return ()


def _whose(code: str) -> str:
    return style.actor_words(code)[1]


def parameter_label(key: str) -> str:
    """A config key (with or without a runs table's ``p.`` prefix) in words.

    ``rules/retaliation@governments.CHN.retaliation`` is "Chinese retaliation rule";
    ``governments.USA.thaw.inner.stage_days`` "US thaw rule inside the post hold: wait per
    unit of reopening cost (days)" (the rule the sanctioned-post hold wraps);
    ``governments.CHN.repertoire.3.min_severity`` "Chinese ladder: severity for channel
    suspension"; ``governments.USA.sensitivity`` "United States: sensitivity to hostile acts";
    ``regional.TWN.alignment_days`` "Taiwan: alignment memory (days)"; ``scale.rank_step``
    "weight scale: rank step". Any other key comes back in words
    of its last part, after its first parts (``crisis_threshold``: "crisis threshold").
    """
    key = key.removeprefix("p.")
    if m := _CHOICE.match(key):
        return f"{_whose(m.group(2))} {m.group(1)} rule" + (" inside the post hold" if m.group(4) else "")
    parts = key.split(".")
    if len(parts) >= 3 and parts[0] == "governments":
        who, rest = _whose(parts[1]), parts[2:]
        if rest[0] in _FAMILIES:
            inner = " inside the post hold" if len(rest) > 2 and rest[1] == "inner" else ""
            return f"{who} {rest[0]} rule{inner}: {words(rest[-1])}"
        if rest[0] == "repertoire" and len(rest) == 3 and rest[1].isdigit():
            kinds = _rung_kinds(parts[1])
            i = int(rest[1])
            rung = style.kind_name(kinds[i]) if i < len(kinds) else f"rung {i + 1}"
            return f"{who} ladder: {'severity for ' + rung if rest[2] == 'min_severity' else words(rest[2]) + ' of ' + rung}"
        return f"{style.actor_name(parts[1])}: {words(rest[-1])}"
    if len(parts) == 3 and parts[0] == "regional":
        return f"{style.actor_name(parts[1])}: {words(parts[2])}"
    if len(parts) == 2 and parts[0] == "scale":
        return f"weight scale: {words(parts[1])}"
    return " ".join([*parts[:-1], words(parts[-1])]) if parts[-1] else key


def value_label(key: str, value: str) -> str:
    """A parameter's value in words: a rule's name with spaces ("tit for tat"), any other value as it is."""
    return value.replace("_", " ") if _CHOICE.match(key.removeprefix("p.")) else value
