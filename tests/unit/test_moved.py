"""Names imported from where they lived before the layout by role still work, with a one-line notice."""

from __future__ import annotations

import importlib

import pytest

MOVED = [  # (old module, name, new module)
    ("sim.compare", "compare_runs", "sim.history.compare"),
    ("sim.narrate", "narrate", "sim.teaching.narrate"),
    ("sim.counterfactual", "compare_counterfactual", "sim.teaching.counterfactual"),
    ("sim.aggregate", "aggregate", "sim.experiments.aggregate"),
    ("sim.calibrate", "run_calibration", "sim.history.calibrate"),
    ("sim.sensitivity", "main", "sim.history.fit_sensitivity"),
    ("sim.sensitivity", "run_sensitivity", "sim.experiments.sensitivity"),
    ("sim.history", "load_timeline", "sim.history.timeline"),
    ("sim.history", "episodes", "sim.history.timeline"),
    ("sim.api", "CONFIG_DIR", "sim.config.compose"),
]


@pytest.mark.parametrize(("old", "name", "new"), MOVED)
def test_an_old_path_gives_the_same_object_and_names_the_new_one(old, name, new):
    expected = getattr(importlib.import_module(new), name)
    module = importlib.import_module(old)
    if name in vars(module):  # imported there directly (the command's main): no notice needed
        assert vars(module)[name] is expected
        return
    with pytest.warns(FutureWarning, match=rf"^{old}\.{name} moved to {new}\.{name}: import it from there$"):
        assert getattr(module, name) is expected


@pytest.mark.parametrize("old", sorted({m for m, _, _ in MOVED}))
def test_a_name_that_never_existed_is_still_an_error(old):
    with pytest.raises(ImportError, match="cannot import name 'no_such_name'"):
        exec(f"from {old} import no_such_name", {})
