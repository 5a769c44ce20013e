"""``python -m sim --help`` is written from the shipped files, and what it shows works."""

from __future__ import annotations

import yaml

from sim.config.checks import validate_runs
from sim.config.compose import CONFIG_DIR
from sim.config.help import EXAMPLES, MAIN_KEYS, config_help, main_help
from sim.core.scenario_files import SCENARIOS_DIR


def test_the_main_help_lists_every_scenario_rule_and_main_key_with_its_default():
    text = main_help()
    for path in SCENARIOS_DIR.glob("*.yaml"):
        assert f"\n  {path.stem} " in text, path.stem
    for family in ("retaliation", "thaw"):
        for path in (CONFIG_DIR / "rules" / family).glob("*.yaml"):
            first = next(line for line in path.read_text().splitlines() if line.startswith("#"))
            assert f"  {path.stem} " in text and first.lstrip("# ").split()[0] in text, path
    defaults = yaml.safe_load((CONFIG_DIR / "config.yaml").read_text())
    for key in MAIN_KEYS:
        shown = str(defaults[key]).lower() if isinstance(defaults[key], bool) else defaults[key]
        assert f"\n  {key}={shown}\n" in text, key
    assert len(EXAMPLES) == 5 and all(cmd in text for cmd, _ in EXAMPLES)


def test_every_example_in_the_help_passes_the_checks_a_run_gets():
    for cmd, _ in EXAMPLES:
        args = cmd.split()[3:]  # after "python -m sim"
        validate_runs([a for a in args if a != "-m"])


def test_a_hydra_commands_help_shows_its_settings_with_defaults_and_not_hydras():
    text = config_help("python -m sim.calibrate", "calibrate")
    settings = yaml.safe_load((CONFIG_DIR / "calibrate.yaml").read_text())
    assert text.startswith("usage: python -m sim.calibrate [KEY=VALUE ...]")
    for key in ("study", "population", "generations", "quantile", "seeds"):
        assert f"\n{key}: {settings[key]}" in text, key
    assert "\nhydra:" not in text


def test_the_main_help_is_answered_before_hydra_and_the_model_are_imported():
    import subprocess
    import sys

    probe = ("import runpy, sys; sys.argv = ['sim', '--help']; runpy.run_module('sim', run_name='__main__'); "
             "print(sorted(m for m in ('hydra', 'mesa', 'pandas', 'sim.api', 'sim.run_command') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("python -m sim: ") and proc.stdout.splitlines()[-1] == "[]"
