"""The teaching dashboard (``python -m sim.dashboard``): its model factory, and the page in a real browser.

The browser test starts the server as a user would, drives the page in
headless Chromium through Playwright (change a rule, step, play, type a bad
value) and saves a screenshot under the test's ``tmp_path`` (the README's
picture is ``results/reference/dashboard.png``, kept by hand). It needs
Debian's ``chromium`` and the ``playwright`` package: without them it skips
on a developer's machine and fails under CI (``CI`` set), which must run it.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from sim.core.errors import SimInputError
from sim.outputs.tables import steps_frame
from sim.teaching.dashboard.model import (
    FAMILIES,
    DashboardModel,
    default_settings,
    make_spec,
    rule_options,
    rule_parameters,
    slider_range,
    slot,
)
from sim.teaching.dashboard.serve import DEFAULT_HOST, DEFAULT_PORT, main, parse_args

from ..conftest import REPO

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


# -- the model factory and the command line (fast, no browser) -----------------


def test_defaults_listen_on_localhost_only():
    args = parse_args([])
    assert (args.host, args.port, args.scenario) == ("127.0.0.1", 8765, None)
    assert (DEFAULT_HOST, DEFAULT_PORT) == ("127.0.0.1", 8765)
    assert parse_args(["--port", "9001", "--scenario", "baseline"]).port == 9001


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--port", "0"], "--port=0 on 127.0.0.1: must be in [1, 65535]"),
        (["--scenario", "no_such_episode"], "--scenario='no_such_episode': no such scenario file"),
        (["--port", "eighty"], "argument --port: invalid int value: 'eighty'"),
    ],
)
def test_bad_arguments_one_line_exit_2(capsys, argv, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: command line: ") and needle in err[0], err


@pytest.mark.slow
def test_factory_builds_every_rule_combination_in_the_config_groups():
    """Every retaliation rule file with every thaw rule file, for both governments, builds and steps."""
    codes = list(default_settings()["rules"])
    governments = sorted({k.partition(".")[0] for k in codes})
    retaliation, thaw = rule_options("retaliation"), rule_options("thaw")
    assert {"tit_for_tat", "graduated", "none"} <= set(retaliation) and {"sanctioned_post_hold", "weighted", "none"} <= set(thaw)
    for r, t in itertools.product(retaliation, thaw):
        rules = {slot(c, f): name for c in governments for f, name in zip(FAMILIES, (r, t))}
        params = rule_parameters(rules)
        model = DashboardModel(rules=rules, params=params)
        for _ in range(30):
            model.step()
        assert model.day == 30 and len(model.steps_so_far()) == 30
        for c in governments:
            assert model.governments[c].retaliation.name == r  # no calibrated copies of rules: the rule itself
        # Every parameter gets a slider whose range holds its configured value.
        for values in params.values():
            for name, value in values.items():
                rng = slider_range(name, value)
                for v in value if isinstance(value, list) else [value]:
                    assert rng.low <= v <= rng.high, (name, value, rng)


def test_live_tables_are_the_finished_runs_prefix():
    """Stepped day by day, the tables so far are the first rows of the finished run's."""
    full = DashboardModel()
    full.run()
    whole = steps_frame(full)
    live = DashboardModel()
    for day in (1, 9, 120):
        while live.day < day:
            live.step()
        pd.testing.assert_frame_equal(live.steps_so_far(), whole.iloc[:day].reset_index(drop=True))
    assert len(live.events_so_far()) == sum(s.day < 120 for s in full.events)


def test_bad_values_are_refused_with_the_field_named():
    with pytest.raises(SimInputError) as e:
        make_spec(params={"CHN.retaliation": {"trigger": 99.0}})
    assert (e.value.field, e.value.value, e.value.problem) == ("governments.CHN.retaliation.trigger", 99.0,
                                                               "must be in [0, 10]")  # fmt: skip
    with pytest.raises(SimInputError, match="crisis_threshold=1.5: must be in"):
        make_spec(crisis_threshold=1.5)
    with pytest.raises(SimInputError, match="no such option in configs/rules/thaw/"):
        make_spec(rules={"USA.thaw": "massive_thaw"})
    # A parameter of a rule no longer chosen is skipped, not refused.
    spec = make_spec(rules={"CHN.retaliation": "tit_for_tat"}, params={"CHN.retaliation": {"hostility_gain": 2.0}})
    assert spec.governments[1].retaliation.name == "tit_for_tat"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:.*ComponentsView. .use_state. found despite early return")
def test_mesa_reset_keeps_the_applied_settings():
    """What SolaraViz's Reset does with the page's model_params, on the installed Mesa (3.3 or 3.5)."""
    from mesa.visualization import solara_viz

    from sim.teaching.dashboard.app import build, model_params

    settings = default_settings()
    settings.update(seed=3, rules={**settings["rules"], "CHN.retaliation": "tit_for_tat"})
    settings["params"] = {**rule_parameters(settings["rules"]), "USA.thaw": {"retry_days": 21}}
    model = build(settings)
    params = model_params(3)
    user, fixed = solara_viz.split_model_params(params)
    assert set(user) == {"seed"} and not fixed
    values = {k: v["value"] for k, v in user.items()}
    if hasattr(solara_viz, "_build_model_init_kwargs"):  # Mesa 3.5: it may add a `scenario` argument
        solara_viz._check_model_params(model, params)
        values = solara_viz._build_model_init_kwargs(
            model, values, add_scenario_when_empty=True, require_model_accepts_scenario=True
        )
    else:
        solara_viz._check_model_params(type(model).__init__, params)
    again = type(model)(**values)  # Mesa's reset
    assert again.seed_value == 3 and again.governments["CHN"].retaliation.name == "tit_for_tat"
    assert again.governments["USA"].thaw.retry_days == 21
    for _ in range(60):
        model.step()
        again.step()
    assert [(s.day, s.kind) for s in again.events] == [(s.day, s.kind) for s in model.events]
    with pytest.raises(SimInputError):  # bad settings are refused when applied, not at the next Reset
        DashboardModel.with_defaults(crisis_threshold=2.0)


# -- the page in a real browser ------------------------------------------------


@pytest.fixture
def browser_tools():
    """Playwright's sync API and a Chromium binary, or skip (fail under CI)."""
    chromium = os.environ.get("SIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    missing = "the playwright package" if sync_playwright is None else None
    if not Path(chromium).is_file():
        missing = f"Chromium at {chromium} (apt-get install chromium)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test, but {missing} is missing")
        pytest.skip(f"{missing} is missing")
    return sync_playwright, chromium


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_serving(proc: subprocess.Popen, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"dashboard exited with {proc.returncode}: {proc.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"dashboard not serving at {url} after {timeout} s")


@pytest.fixture
def dashboard(browser_tools):
    """A dashboard server on a free localhost port, stopped with Ctrl-C (SIGINT) afterwards.

    Asks for ``browser_tools`` first so that a skip happens before the server starts.
    """
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "sim.dashboard", "--port", str(port)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_serving(proc, url)
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _day(page) -> int:
    text = page.locator(".sim-tension .sim-status").inner_text()
    return int(re.match(r"Day (\d+) of", text).group(1))


def _wait_for_day_after(page, day: int) -> int:
    page.wait_for_function(
        "d => { const m = document.querySelector('.sim-tension .sim-status')?.innerText.match(/^Day (\\d+) of/);"
        " return m && Number(m[1]) > d; }",
        arg=day,
        timeout=30_000,
    )
    return _day(page)


def _slider_to_max(page, label: str) -> None:
    """Move one of Mesa's control sliders to its top with the keyboard, and wait until it is there."""
    slider = page.locator(".v-input", has_text=label).get_by_role("slider")
    top = slider.get_attribute("aria-valuemax")
    slider.focus()
    slider.press("End")
    page.wait_for_function("([s, top]) => s.getAttribute('aria-valuenow') === top", arg=[slider.element_handle(), top])


@pytest.mark.slow
def test_page_in_a_real_browser(browser_tools, dashboard, tmp_path):
    sync_playwright, chromium = browser_tools
    proc, url = dashboard
    screenshot = tmp_path / "screenshot.png"
    profile = tmp_path / "chromium-profile"  # a fresh Chromium user-data-dir
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(profile), executable_path=chromium, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1600, "height": 1500},
        )  # fmt: skip
        try:
            page = browser.new_page()
            page.set_default_timeout(30_000)
            page.goto(url)
            page.wait_for_selector(".sim-tension img")
            assert _day(page) == 0
            assert "No signals yet" in page.locator(".sim-event-log").inner_text()
            tension_before = page.locator(".sim-tension img").get_attribute("src")

            # Choose China's thaw rule and apply it.
            page.locator(".sim-rule-CHN-thaw .v-input__slot").click()
            page.get_by_role("option", name="time_decay", exact=True).click()
            page.get_by_role("button", name=re.compile("Apply")).click()
            running = page.get_by_text(re.compile(r"^Running: .*CHN \w+ / time_decay\."))
            running.wait_for()

            # Mesa's Reset restarts at day 0 with the rule applied, not the one the page started with.
            page.get_by_role("button", name="Step").click()
            _wait_for_day_after(page, 0)
            page.get_by_role("button", name="Reset").click()
            page.wait_for_function("() => document.querySelector('.sim-tension .sim-status')"
                                   "?.innerText.startsWith('Day 0 ')")  # fmt: skip
            assert running.is_visible()

            # Step twice, then play and pause: the figures and the event log follow.
            day = 0
            for _ in range(2):
                page.get_by_role("button", name="Step").click()
                day = _wait_for_day_after(page, day)
            # Half a second between frames (Mesa's Play Interval at its top), so that Pause
            # lands long before the scenario's end even on a busy machine.
            _slider_to_max(page, "Play Interval")
            page.get_by_role("button", name="▶").click()
            day = _wait_for_day_after(page, day)
            page.get_by_role("button", name="❚❚").click()
            step = page.get_by_role("button", name="Step")
            page.wait_for_function("b => !b.disabled", arg=step.element_handle())  # enabled again once paused
            day = _day(page)
            assert 14 < day < 884
            assert page.locator(".sim-tension img").get_attribute("src") != tension_before
            lines = page.locator(".sim-event-log li")
            assert lines.count() >= 2
            assert "The United States makes a high-level visit to Taiwan" in page.locator(".sim-event-log").inner_text()

            # An out-of-range parameter: a message naming it, the model left alone, the page still working.
            page.get_by_text("China: retaliation parameters").click()
            box = page.locator(".sim-param-CHN-retaliation-trigger input")
            box.fill("99")
            box.press("Enter")
            error = page.locator(".sim-input-error")
            error.wait_for()
            assert "governments.CHN.retaliation.trigger = 99.0: must be in [0, 10]" in error.inner_text()
            assert page.get_by_role("button", name=re.compile("Apply")).is_disabled()
            day_before, n_lines = _day(page), lines.count()
            page.get_by_role("button", name="Step").click()
            assert _wait_for_day_after(page, day_before) > day_before
            assert running.is_visible() and lines.count() >= n_lines

            # Mesa's Render Interval sets the days per Step: a hundred, to show a year in the screenshot.
            _slider_to_max(page, "Render Interval")
            for _ in range(3):
                before = _day(page)
                page.get_by_role("button", name="Step").click()
                assert _wait_for_day_after(page, before) == before + 100
            page.screenshot(path=str(screenshot), full_page=True)
        except Exception:
            # What the page showed when it went wrong, for a failure in CI.
            failure = tmp_path / "failure.png"
            page.screenshot(path=str(failure), full_page=True)
            print(f"screenshot of the failing page: {failure}")
            print(page.locator("nav, .v-navigation-drawer").first.inner_text()[:2000])
            raise
        finally:
            browser.close()
    assert screenshot.stat().st_size > 50_000
    # Ctrl-C stops the server cleanly.
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 0
    assert "Traceback" not in proc.stderr.read()

