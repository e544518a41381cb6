"""Measurements with the app served on localhost and the Train page open in headless Chromium."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.helpers import (
    CHART_POINTS_JS,
    VISIBLE_CHARTS_JS,
    choose,
    click,
    open_page,
    set_number,
)
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, served
from ui.session.settings import SETTINGS

# core cell -> its label in the Train page's Cell choice (the tanh RNN for "rnn")
CELL_LABELS = {
    cell: label
    for label, (cell, nonlinearity) in SETTINGS["cell"].values.items()
    if nonlinearity == "tanh"
}


@dataclass
class PageRun:
    """One training watched in the browser."""

    cell: str
    hidden: int
    bare_steps_per_second: float  # the bare loop, just before and after (mean)
    steps_per_second: float  # steps drawn on the loss chart per second of wall clock
    refreshes_per_second: float  # loss-chart redraws seen in the browser
    bytes_per_refresh: float  # websocket bytes received per redraw


@dataclass
class Startup:
    server_to_home_s: float  # from launching the server to the whole home page on screen
    open_to_home_s: float  # from opening the URL (server already up) to the whole home page
    start_to_first_point_s: float  # from clicking Start to the first point on the loss chart


# Records each redraw of the chart titled `title` that shows a new last point, inside the page,
# with its time and that point's step. Recording in the page itself, rather than asking from here
# every 50 ms, keeps the measurement from costing the browser what it measures, and the steps are
# timed where they are drawn.
REDRAW_RECORDER_JS = f"""(title) => {{
    window.__redraws = [];
    let last = null;  // the last step drawn
    window.__redrawTimer = setInterval(() => {{
        // looked up every time: Streamlit may keep a hidden copy while it draws anew
        const chart = ({VISIBLE_CHARTS_JS})(title)[0];
        const x = chart && chart._fullData && chart._fullData.length && chart._fullData[0].x;
        const key = x && x.length ? x[x.length - 1] : null;  // the last step drawn
        if (key !== null && key !== last) {{
            last = key;
            window.__redraws.push([performance.now(), key]);
        }}
    }}, 50);
}}"""


def _watch(page: Page, seconds: float, received: list[int]) -> tuple[float, float, float]:
    """(steps/s, refreshes/s, bytes per refresh) over about `seconds` of training, from the
    first to the last redraw seen in that time."""
    page.evaluate(REDRAW_RECORDER_JS, "Loss")
    bytes0 = sum(received)
    time.sleep(seconds)
    redraws = page.evaluate("clearInterval(window.__redrawTimer) || window.__redraws")[1:]
    data = sum(received) - bytes0
    if len(redraws) < 2:
        return 0.0, 0.0, float(data)
    (t0, first), (t1, last) = redraws[0], redraws[-1]
    elapsed = (t1 - t0) / 1000
    steps = last - first
    return steps / elapsed, (len(redraws) - 1) / elapsed, data / len(redraws)


def _train_and_watch(
    browser, url: str, cell: str, hidden: int, seconds: float, bare: Callable[[str, int], float]
) -> PageRun:
    """Train from the Train page and watch it. `bare(cell, hidden)`, the bare loop's rate, is
    measured just before Start and just after Stop, with the page open and idle, so that the
    ratio compares the two under the same conditions on this shared machine."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    received: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: received.append(len(p))))
    open_page(page, url, "train")
    choose(page, SETTINGS["cell"].label, CELL_LABELS[cell])
    set_number(page, SETTINGS["hidden"].label, hidden)
    set_number(page, "Number of steps", 100_000)
    before = bare(cell, hidden)
    click(page, "Start")
    page.wait_for_function(f"(t) => ({CHART_POINTS_JS})(t) > 0", arg="Loss", timeout=60_000)
    time.sleep(2.0)  # let the first refreshes settle
    rates = _watch(page, seconds, received)
    click(page, "Stop")
    # stopped before the tab closes: else it trains on until its heartbeat times out, and the
    # next configuration shares the machine (and the live views' redraw rate) with it
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_enabled(timeout=60_000)
    after = bare(cell, hidden)
    context.close()
    return PageRun(cell, hidden, (before + after) / 2, *rates)


def _open_home(browser, url: str) -> Page:
    """A new tab on the home page, once all of it is drawn: its heading and its last widget."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_role("heading", name="RNN Explorer").wait_for(timeout=60_000)
    page.get_by_label("Seed", exact=True).wait_for(timeout=60_000)
    return page


def _startup(browser, url: str, launched: float) -> Startup:
    first = _open_home(browser, url)
    server_to_home = time.monotonic() - launched
    first.close()
    opened = time.monotonic()
    page = _open_home(browser, url)
    open_to_home = time.monotonic() - opened
    open_page(page, url, "train")
    set_number(page, "Number of steps", 50)
    clicked = time.monotonic()
    click(page, "Start")
    page.wait_for_function(f"(t) => ({CHART_POINTS_JS})(t) > 0", arg="Loss", timeout=60_000)
    first_point = time.monotonic() - clicked
    page.close()
    return Startup(server_to_home, open_to_home, first_point)


def measure(
    configs: list[tuple[str, int]],
    seconds: float,
    log_dir: Path,
    bare: Callable[[str, int], float],
):
    """(Startup, [PageRun]) for one freshly started server; `bare(cell, hidden)` measures the
    bare loop's steps per second beside each page run."""
    with sync_playwright() as playwright:
        # the browser is up before the server starts, as a person's is
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        launched = time.monotonic()
        try:
            with served(log_dir / "bench-server.log") as (url, _):
                startup = _startup(browser, url, launched)
                runs = [
                    _train_and_watch(browser, url, cell, h, seconds, bare) for cell, h in configs
                ]
                return startup, runs
        finally:
            browser.close()


def measure_demos(log_dir: Path) -> list[str]:
    """The lecture demos' rows (see `bench.demos`) from one freshly started server, the demos in
    turn, each in a fresh session."""
    from bench.demos import demo_rows

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            with served(log_dir / "bench-demos-server.log") as (url, _):
                return demo_rows(browser, url)
        finally:
            browser.close()
