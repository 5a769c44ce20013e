"""The teaching dashboard (``python -m sim.dashboard``): its model factory, and the page in a real browser.

The browser test starts the server as a user would, drives the page in
headless Chromium through Playwright (change a rule, play, pause, type bad values,
step, play to the end, at 1024x768 and 1366x768) and saves screenshots under the test's ``tmp_path`` (the README's
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


def test_a_bad_setting_is_refused_when_the_model_is_made():
    with pytest.raises(SimInputError, match="crisis_threshold=2.0: must be in"):
        DashboardModel(crisis_threshold=2.0)


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


PAGE_SIZES = {"projector": (1024, 768), "laptop": (1366, 768)}
# What a class must see without scrolling: the controls, the tension plot, the channel
# timeline and the latest events.
MUST_SEE = (".sim-play", ".sim-step", ".sim-reset", ".sim-apply", ".sim-tension img", ".sim-channels img",
            ".sim-event-log", ".sim-just-happened")  # fmt: skip


def _day(page) -> int:
    text = page.locator(".sim-status").inner_text()
    return int(re.match(r"Day (\d+) of", text).group(1))


def _wait_for_day_after(page, day: int, timeout: float = 30_000) -> int:
    page.wait_for_function(
        "d => { const m = document.querySelector('.sim-status')?.innerText.match(/^Day (\\d+) of/);"
        " return m && Number(m[1]) > d; }",
        arg=day,
        timeout=timeout,
    )
    return _day(page)


def _assert_fits(page, size: str) -> None:
    """Everything a class must see lies inside the window; the page itself does not scroll."""
    width, height = PAGE_SIZES[size]
    for selector in MUST_SEE:
        box = page.locator(selector).first.bounding_box()
        assert box is not None, (size, selector)
        right, bottom = box["x"] + box["width"], box["y"] + box["height"]
        assert box["x"] >= 0 and box["y"] >= 0 and right <= width + 1 and bottom <= height + 1, (size, selector, box)
    scroll = page.evaluate("() => [document.documentElement.scrollHeight, window.innerHeight]")
    assert scroll[0] <= scroll[1] + 1, (size, scroll)
    text = page.locator("body").inner_text()
    assert "PAGE 0" not in text.upper() and "runs on Solara" not in text


def _type_into(page, field: str, text: str) -> None:
    """Replace the field's text with ``text``, as a user would, and wait until the field shows it.

    Playwright's ``fill`` selects the text and types over it; if the page re-renders the
    field in between (a Details panel that just opened, a loaded machine) the selection is
    lost and the text is appended ('0.5-1'). Select-all and type again until it took.
    """
    box = page.locator(f"{field} input")
    for _ in range(5):
        box.fill(text)
        if box.input_value() == text:
            return
        box.press("ControlOrMeta+a")
    raise AssertionError(f"{field}: the input shows {box.input_value()!r} after typing {text!r}")


def _error_below(page, field: str) -> str:
    """The message shown on one field, checked to lie just below the field's own box."""
    error = page.locator(f"{field} .sim-field-error")
    error.wait_for()
    box, err = page.locator(f"{field} input").bounding_box(), error.bounding_box()
    assert 0 <= err["y"] - (box["y"] + box["height"]) < 60 and abs(err["x"] - box["x"]) < 40, (box, err)
    return error.inner_text()


@pytest.mark.slow
def test_page_in_a_real_browser(browser_tools, dashboard, tmp_path):
    """A teacher at a projector: load, change a rule, Apply, Play, Pause, a bad value, Step, play to the end."""
    sync_playwright, chromium = browser_tools
    proc, url = dashboard
    shots = tmp_path / "screenshots"
    shots.mkdir()
    profile = tmp_path / "chromium-profile"  # a fresh Chromium user-data-dir
    with sync_playwright() as p:
        width, height = PAGE_SIZES["projector"]
        browser = p.chromium.launch_persistent_context(
            str(profile), executable_path=chromium, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": width, "height": height},
        )  # fmt: skip
        page = browser.new_page()
        page.set_default_timeout(30_000)
        try:
            page.goto(url)
            page.wait_for_selector(".sim-tension img")
            assert _day(page) == 0
            assert "No signals yet" in page.locator(".sim-event-log").inner_text()
            _assert_fits(page, "projector")
            tension_before = page.locator(".sim-tension img").get_attribute("src")
            page.screenshot(path=str(shots / "1-loaded.png"))

            # Choose China's thaw rule and apply it.
            page.locator(".sim-rule-CHN-thaw .v-input__slot").click()
            page.get_by_role("option", name="time_decay", exact=True).click()
            page.locator(".sim-apply").click()
            running = page.get_by_text(re.compile(r"^Running: .*CHN \w+ / time_decay\."))
            running.wait_for()

            # Play: the day counter advances at least twice while playing; Pause stops it.
            page.locator(".sim-play").click()
            page.get_by_role("button", name="❚❚ Pause").wait_for()
            seen = [_wait_for_day_after(page, 0)]
            seen.append(_wait_for_day_after(page, seen[-1]))
            seen.append(_wait_for_day_after(page, seen[-1]))
            assert seen == sorted(set(seen)) and seen[-1] < 884, seen
            page.locator(".sim-play").click()
            page.get_by_role("button", name="▶ Play").wait_for()
            step = page.locator(".sim-step")
            page.wait_for_function("b => !b.disabled", arg=step.element_handle())
            paused = _day(page)
            step.click()  # a Step from a paused run adds exactly the step size (7 days)
            page.wait_for_function("d => document.querySelector('.sim-status').innerText.startsWith(`Day ${d} of`)",
                                   arg=paused + 7)  # fmt: skip
            assert page.locator(".sim-tension img").get_attribute("src") != tension_before
            log = page.locator(".sim-event-log").inner_text()
            assert page.locator(".sim-event-log li").count() >= 2
            assert "The United States makes a high-level visit to Taiwan" in log
            assert "What just happened" in page.locator(".sim-just-happened").inner_text()
            page.screenshot(path=str(shots / "2-paused.png"))

            # A bad value is marked on its own field at once, nothing is applied, the run goes on.
            page.get_by_text("China: retaliation parameters").click()
            trigger = ".sim-param-CHN-retaliation-trigger"
            _type_into(page, trigger, "-1")
            page.locator(f"{trigger} input").press("Enter")
            message = _error_below(page, trigger)
            assert "governments.CHN.retaliation.trigger = -1.0: must be in [0, 10]" in message, message
            assert page.locator(".sim-apply").is_disabled()
            _type_into(page, ".sim-threshold", "abc")
            page.locator(".sim-threshold input").press("Tab")  # checked on blur too
            assert "'abc' is not a number" in _error_below(page, ".sim-threshold")
            page.screenshot(path=str(shots / "3-bad-values.png"))
            day = _day(page)
            step.click()
            assert _wait_for_day_after(page, day) == day + 7
            assert running.is_visible()
            _type_into(page, trigger, "0.5")  # fixed: the mark goes
            page.locator(f"{trigger} input").press("Enter")
            page.locator(f"{trigger} .sim-field-error").wait_for(state="detached")

            # The laptop size fits too.
            page.set_viewport_size({"width": PAGE_SIZES["laptop"][0], "height": PAGE_SIZES["laptop"][1]})
            _assert_fits(page, "laptop")

            # Play to the end at the top speed: it stops there, the counters agree, Play is disabled.
            speed = page.locator(".sim-speed").get_by_role("slider")
            speed.focus()
            speed.press("End")
            page.get_by_text("Speed: 120 days per second").wait_for()
            page.locator(".sim-play").click()
            page.get_by_text(re.compile(r"^Day 884 of 884 .*end of the scenario")).wait_for(timeout=120_000)
            page.wait_for_function("() => document.querySelector('.sim-play').disabled"
                                   " && document.querySelector('.sim-step').disabled")  # the buttons follow the text
            assert page.get_by_role("button", name="▶ Play").is_visible()
            page.screenshot(path=str(shots / "4-end.png"))
            page.locator(".sim-reset").click()
            page.wait_for_function("() => document.querySelector('.sim-status').innerText.startsWith('Day 0 of')")
            assert running.is_visible()  # Reset keeps the settings applied
        except Exception:
            # What the page showed when it went wrong, for a failure in CI.
            failure = shots / "failure.png"
            page.screenshot(path=str(failure), full_page=True)
            print(f"screenshot of the failing page: {failure}")
            raise
        finally:
            browser.close()
    assert all((shots / f).stat().st_size > 30_000 for f in ("1-loaded.png", "2-paused.png", "4-end.png"))
    # Ctrl-C stops the server cleanly.
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 0
    assert "Traceback" not in proc.stderr.read()
