"""Measurements with the app served on localhost and the Train page open in headless Chromium."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.helpers import (
    CHART_POINTS_JS,
    chart_points,
    choose,
    click,
    open_page,
    set_number,
)
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, wait_healthy

CELL_LABELS = {"rnn": "RNN (tanh)", "lstm": "LSTM", "gru": "GRU"}


@dataclass
class PageRun:
    """One training watched in the browser."""

    cell: str
    hidden: int
    steps_per_second: float  # wall clock, read off the page's step counter
    refreshes_per_second: float  # loss-chart redraws seen in the browser
    bytes_per_refresh: float  # websocket bytes received per redraw


@dataclass
class Startup:
    server_to_home_s: float  # from launching the server to the home page's heading on screen
    open_to_home_s: float  # from opening the URL (server already up) to the heading
    start_to_first_point_s: float  # from clicking Start to the first point on the loss chart


def _step_count(page: Page) -> int:
    text = page.get_by_test_id("stMetric").first.inner_text()
    return int(text.split()[-1].replace(",", ""))


def _watch(page: Page, seconds: float, received: list[int]) -> tuple[float, float, float]:
    """(steps/s, refreshes/s, bytes per refresh) over `seconds` of training."""
    steps0, bytes0, started = _step_count(page), sum(received), time.monotonic()
    last, refreshes = chart_points(page, "Loss"), 0
    while time.monotonic() - started < seconds:
        time.sleep(0.05)
        now = chart_points(page, "Loss")
        refreshes += now != last
        last = now
    elapsed = time.monotonic() - started
    steps = _step_count(page) - steps0
    data = sum(received) - bytes0
    return steps / elapsed, refreshes / elapsed, data / max(refreshes, 1)


def _train_and_watch(browser, url: str, cell: str, hidden: int, seconds: float) -> PageRun:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    received: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: received.append(len(p))))
    open_page(page, url, "train")
    choose(page, "Cell", CELL_LABELS[cell])
    set_number(page, "Hidden size", hidden)
    set_number(page, "Number of steps", 100_000)
    click(page, "Start")
    page.wait_for_function(f"(t) => ({CHART_POINTS_JS})(t) > 0", arg="Loss", timeout=60_000)
    time.sleep(2.0)  # let the first refreshes settle
    rates = _watch(page, seconds, received)
    click(page, "Stop")
    # stopped before the tab closes: else it trains on until its heartbeat times out, and the
    # next configuration shares the machine (and the live views' redraw rate) with it
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_enabled(timeout=60_000)
    context.close()
    return PageRun(cell, hidden, *rates)


def _startup(browser, url: str, launched: float) -> Startup:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_role("heading", name="RNN Explorer").wait_for(timeout=60_000)
    server_to_home = time.monotonic() - launched
    page.close()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    opened = time.monotonic()
    page.goto(url)
    page.get_by_role("heading", name="RNN Explorer").wait_for(timeout=60_000)
    open_to_home = time.monotonic() - opened
    open_page(page, url, "train")
    set_number(page, "Number of steps", 50)
    clicked = time.monotonic()
    click(page, "Start")
    page.wait_for_function(f"(t) => ({CHART_POINTS_JS})(t) > 0", arg="Loss", timeout=60_000)
    first_point = time.monotonic() - clicked
    page.close()
    return Startup(server_to_home, open_to_home, first_point)


def measure(configs: list[tuple[str, int]], seconds: float, log_dir: Path):
    """(Startup, [PageRun]) for one freshly started server."""
    port = free_port()
    launched = time.monotonic()
    process = start_server(port, log_dir / "bench-server.log")
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            startup = _startup(browser, url, launched)
            runs = [_train_and_watch(browser, url, cell, h, seconds) for cell, h in configs]
            browser.close()
        return startup, runs
    finally:
        process.terminate()
        process.wait(timeout=20)
