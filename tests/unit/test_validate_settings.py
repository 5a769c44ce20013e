"""The validation command's settings, its input-dependence variant, and a split calibration's objective."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from sim.config.build import build_spec
from sim.config.compose import compose_config, compose_named
from sim.core.errors import SimInputError
from sim.core.scenario import DEFAULT_INTENSITY, with_default_intensities
from sim.core.scenario_files import load_scenario
from sim.experiments.runner import run_seeds, tables
from sim.history.calibrate import NULL_MODEL
from sim.history.documented import Documented
from sim.history.facts import derive_facts
from sim.history.fit_skill import training_skill
from sim.history.observe import observe
from sim.history.references import climatology
from sim.history.splits import make_split
from sim.history.validate import read_settings, variant_runs
from sim.outputs.io import Run


def _settings(*overrides: str):
    return read_settings(compose_named("validate", list(overrides)))


def test_default_intensities_set_every_scripted_event_to_the_scenario_default():
    written = load_scenario("historical_2022_2024")
    assert {e.intensity for e in written.events} == {None}  # the shipped replay states facts; the scale weighs them
    default = with_default_intensities(written)
    assert {e.intensity for e in default.events} == {DEFAULT_INTENSITY}
    assert [dataclasses.replace(e, intensity=0) for e in default.events] == [
        dataclasses.replace(e, intensity=0) for e in written.events]  # nothing else changes  # fmt: skip


def test_the_default_intensity_variant_weighs_every_scripted_event_as_a_typical_act():
    # What the variant means: the scenario as written is weighed by the weight scale from each event's facts;
    # the variant overrides every weight with the default, so the two differ only in what the facts carry.
    s = _settings("seeds=2")
    shipped = s.variants["calibrated"]
    spec = build_spec(*compose_config([*s.base, *shipped.overrides]))
    by_facts = {(e.kind, e.facts.text()): spec.scale.weight(e.kind, e.facts) for e in spec.scenario.events}
    for run in variant_runs(s, shipped):
        scripted = run.events[run.events["scripted"]]
        assert len(scripted) and not scripted["intensity_override"].any()
        for kind, facts, weight in zip(scripted["kind"], scripted["facts"].fillna(""), scripted["intensity"]):
            assert weight == pytest.approx(by_facts[(kind, facts)]), (kind, facts)  # no facts: "" in the scenario
        assert scripted["intensity"].nunique() > 1  # the facts make the weights differ
        assert scripted["facts"].notna().any()
    for run in variant_runs(s, s.variants["default_intensity"]):
        scripted = run.events[run.events["scripted"]]
        assert len(scripted) and scripted["intensity_override"].all()
        assert set(scripted["intensity"]) == {DEFAULT_INTENSITY}
        assert scripted["facts"].notna().any()  # the facts are still stated, only not weighed


@pytest.mark.parametrize(("overrides", "field", "value"), [
    (["models=[mars]"], "models", "mars"),
    (["models=[uncalibrated]", "references=[climatology]"], "references", "climatology"),
    (["seeds=0"], "seeds", "0"),
    (["variants.default_intensity.intensities=invented"], "variants.default_intensity.intensities", "invented"),
    (["+run_folders.climatology=/tmp"], "run_folders.climatology", "/tmp"),
    (["name=../up"], "name", "../up"),
    (["split=temporal", "temporal_cutoff=soon"], "temporal_cutoff", "soon"),
])  # fmt: skip
def test_bad_settings_name_the_field_and_value(overrides, field, value):
    with pytest.raises(SimInputError, match=rf"^configs/validate.yaml: {field}=.*{value}"):
        _settings(*overrides)


def test_references_default_to_the_reference_models_among_those_validated():
    assert _settings("models=[calibrated,climatology]").references == ("climatology",)
    assert _settings().references == ("null_model", "climatology", "var")


def test_a_split_calibration_is_judged_on_training_facts_only():
    doc = Documented()
    facts = derive_facts(doc, load_scenario("historical_2022_2024"))
    (fold,) = make_split(facts, "temporal", pd.Timestamp("2024-01-01"))
    spec = build_spec(*compose_config(["~calibration", *NULL_MODEL]))
    null_runs = [Run(e, s, "null") for e, s in run_seeds(spec, range(3), tables)]
    null = [observe(r, facts) for r in null_runs]
    model = [observe(r, facts) for r in climatology(facts, fold.train, null_runs[0], range(3))]
    before = training_skill(facts, fold.train, model, null)

    def flipped(fact_id: str):
        f = next(x for x in facts.facts if x.id == fact_id)
        changed = dataclasses.replace(f, observed=1.0 - f.observed)
        return dataclasses.replace(facts, facts=tuple(changed if x.id == fact_id else x for x in facts.facts))

    test_fact = next(i for i in fold.test.ids if i.startswith("meeting."))
    train_fact = next(i for i in fold.train.ids if i.startswith("meeting."))
    assert training_skill(flipped(test_fact), fold.train, model, null) == before
    assert training_skill(flipped(train_fact), fold.train, model, null) != before
