"""Time the teaching dashboard in a real browser: page load, Step, and Play's frames.

Run from the repository root (needs the ``dashboard`` extra, ``playwright`` and Debian's
``chromium``)::

    python bench/bench_dashboard.py [--loads 3] [--steps 10] [--play-seconds 8] [--out results/bench]

It starts ``python -m sim.dashboard`` on a free port and drives headless Chromium at
1024x768 (a projector):

* **load**: from ``goto`` to the first drawn tension figure, in a fresh browser page each
  time (median of ``--loads``; the server is warm after the first, as in a class where the
  teacher opened it once before);
* **Step**: from the click on Step (7 days) to the status line showing the new day
  (median and maximum of ``--steps``);
* **Play**: at the default speed (30 days per second) for ``--play-seconds``, the frames
  the page showed per second and the simulated days per second it achieved.

Targets from issue 15: Step "well under a second" (here: median at most 0.5 s), a load
of "a few seconds" (median at most 5 s), Play at the set speed (within 20%). Reports go
to ``<out>/dashboard_time.{md,json}`` and copies tagged with the Python and Mesa versions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench_common import REPO, machine_info, machine_line, publish

STEP_LIMIT_S, LOAD_LIMIT_S, SPEED_TOLERANCE = 0.5, 5.0, 0.2
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "sim.dashboard", "--port", str(port)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"error: the dashboard exited with {proc.returncode}: {proc.stderr.read()[:300]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("error: the dashboard did not answer within 60 s")


def _day(page) -> int:
    return int(re.match(r"Day (\d+) of", page.locator(".sim-status").inner_text()).group(1))


def measure(url: str, loads: int, steps: int, play_seconds: float) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {"load_s": [], "step_s": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            for _ in range(loads):
                page = browser.new_page(viewport={"width": 1024, "height": 768})
                t0 = time.perf_counter()
                page.goto(url)
                page.wait_for_selector(".sim-tension img", timeout=60_000)
                out["load_s"].append(time.perf_counter() - t0)
                page.close()
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            page.goto(url)
            page.wait_for_selector(".sim-tension img", timeout=60_000)
            for _ in range(steps):
                day = _day(page)
                t0 = time.perf_counter()
                page.locator(".sim-step").click()
                page.wait_for_function("d => document.querySelector('.sim-status').innerText.startsWith(`Day ${d} of`)",
                                       arg=day + 7, timeout=30_000)  # fmt: skip
                out["step_s"].append(time.perf_counter() - t0)
            # Play: sample the status line as fast as the page lets us; count the distinct days shown.
            day0 = _day(page)
            page.locator(".sim-play").click()
            page.get_by_role("button", name="❚❚ Pause").wait_for()
            seen, t0 = [day0], time.perf_counter()
            while time.perf_counter() - t0 < play_seconds:
                d = _day(page)
                if d != seen[-1]:
                    seen.append(d)
                time.sleep(0.02)
            elapsed = time.perf_counter() - t0
            page.locator(".sim-play").click()
            out["play"] = {"seconds": elapsed, "frames": len(seen) - 1, "days": seen[-1] - day0,
                           "frames_per_s": (len(seen) - 1) / elapsed, "days_per_s": (seen[-1] - day0) / elapsed}  # fmt: skip
        finally:
            browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--play-seconds", type=float, default=8.0)
    parser.add_argument("--out", default="results/bench")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).is_file():
        raise SystemExit(f"error: {CHROMIUM} is missing (apt-get install chromium)")
    port = _free_port()
    t0 = time.perf_counter()
    proc = _serve(port)
    server_start = time.perf_counter() - t0
    try:
        got = measure(f"http://127.0.0.1:{port}/", args.loads, args.steps, args.play_seconds)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    load, step, play = statistics.median(got["load_s"]), statistics.median(got["step_s"]), got["play"]
    speed_ok = abs(play["days_per_s"] - 30) <= SPEED_TOLERANCE * 30
    report = {"benchmark": "dashboard", "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "machine": machine_info(), "server_start_s": server_start, **got,
              "median_load_s": load, "median_step_s": step, "max_step_s": max(got["step_s"]),
              "met": {"step": step <= STEP_LIMIT_S, "load": load <= LOAD_LIMIT_S, "play_speed": speed_ok}}  # fmt: skip
    verdict = {True: "met", False: "NOT met"}
    md = "\n".join([
        "# The dashboard in Chromium at 1024x768: time", "",
        f"{machine_line(report)}.", "",
        "| measure | value | target |", "|---|---|---|",
        f"| server start (to its first answer) | {server_start:.1f} s | |",
        f"| page load to the first figure (median of {args.loads}) | {load:.2f} s | ≤ {LOAD_LIMIT_S:g} s: {verdict[report['met']['load']]} |",
        f"| Step of 7 days (median of {args.steps}; max {max(got['step_s']):.2f} s) | {step:.2f} s | ≤ {STEP_LIMIT_S:g} s: {verdict[report['met']['step']]} |",
        f"| Play at 30 days/s: frames per second | {play['frames_per_s']:.1f} | |",
        f"| Play at 30 days/s: simulated days per second | {play['days_per_s']:.1f} | 30 ± 20%: {verdict[speed_ok]} |",
        "",
    ])  # fmt: skip
    publish(report, md, Path(args.out), "dashboard_time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
