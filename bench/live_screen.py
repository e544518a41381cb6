"""Sample to screen: how old the newest sample on the Live page's chart is, against the hub's own.

A simulated phyphox (`tests/phones/phyphox_sim.py`, replaying a real recording in real time) runs
in this process; the app is served as `make run` serves it and the Live page opened in headless
Chromium is connected to the phone. Every READ_EVERY_S (or as soon as the busy page answers) this
process reads:

    the newest sample on screen   the last x of the chart "The phone's six channels", with the
                                  page's wall clock at that instant (Date.now())
    the newest sample in a hub    PhoneHub.snapshot() of a second hub in this process, connected
                                  to the same phone, right after: the delay without the page
    the phone's clock             PhyphoxSimulator.experiment_time(); at the page's instant, its
                                  wall clock plus the phone's offset from it (it plays in real time)

Both delays are the phone's clock then minus the newest sample's time. The chart's x axis is the
phone's clock with no offset: phyphox's acc_time / gyr_time buffers reach the stream unchanged
(`rnn_core/phone/phyphox.py` `_take`), the stream's rows lie at k / rate on that clock
(`rnn_core/phone/stream.py`), and `channels_figure` draws `rows.time` as is (its `_ago` only casts
it). The simulator's experiment time is that clock (the recording's times, from 0 when measuring
starts), so no conversion is needed.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

from bench.browser import REDRAW_RECORDER_JS
from rnn_core.phone.hub import PhoneHub
from tests.browser.helpers import LAST_STEP_JS, click, open_page, wait_for_chart, wait_idle
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, served
from tests.phones.phyphox_sim import PhyphoxSimulator
from tests.phones.recording import xio_fusion
from ui.session.live_chart import CHARTS_VARIABLE

CHANNELS = "The phone's six channels"
ADDRESS_LABEL = "The address phyphox shows under 'Allow remote access'"
SECONDS_SHOWN = 10.0  # what the Live page asks the hub for (ui/live/view.py)
READ_EVERY_S = 0.1
SETTLE_S = 1.0  # after the chart first shows: the page's redraws and both hubs in their stride


# The last x of the channels chart and the page's wall clock (ms) when it was read: the instant
# is the page's own, not this process's, which may wait a few hundred ms for a busy renderer.
READ_JS = f"""(title) => [Date.now(), ({LAST_STEP_JS})(title)]"""


@dataclass
class ScreenDelays:
    """Delays (seconds) read over the same seconds on the page and in the baseline hub."""

    screen_s: np.ndarray  # (R,) the phone's clock minus the newest sample on screen
    hub_s: np.ndarray  # (R,) the phone's clock minus the newest row in the hub
    misses: int  # reads that found no chart (a redraw replacing it at that moment)
    read_ms: float  # median time one read of the page took, there and back
    server_cpu: float  # the server process's CPU seconds per wall second while it was read
    browser_cpu: float  # the same for Chromium's processes (and Playwright's driver)
    redraws_per_s: float  # the chart's new last points seen in the page per second


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far, all its threads (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def descendants(root: int) -> list[int]:
    """The processes started by `root`, directly or not."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(stat[1]), []).append(int(entry))  # by parent
    found, todo = [], [root]
    while todo:
        started = children.get(todo.pop(), [])
        found += started
        todo += started
    return found


def browser_cpu_s(server: int) -> float:
    """CPU seconds so far of the processes this one started, the server's tree left out."""
    left_out = {server, *descendants(server)}
    return sum(cpu_s(pid) for pid in descendants(os.getpid()) if pid not in left_out)


def _read(page, phone: PhyphoxSimulator, hub: PhoneHub, offset: float) -> tuple[float, ...]:
    """(screen delay, hub delay, seconds the page read took) read now; the screen delay is NaN
    when no chart was on the page. `offset`: the phone's clock minus the wall clock."""
    asked = time.monotonic()
    wall_ms, shown = page.evaluate(READ_JS, CHANNELS)  # shown: -1 when no chart right now
    took = time.monotonic() - asked
    rows = hub.snapshot(SECONDS_SHOWN).recent.rows
    now = phone.experiment_time()
    hub_delay = now - float(rows.time[-1]) if len(rows) else np.nan
    screen = wall_ms / 1e3 + offset - shown if shown >= 0 else np.nan
    return screen, hub_delay, took


def measure_screen(seconds: float, log_dir: Path, charts: str = "") -> ScreenDelays:
    """Read both delays every READ_EVERY_S (or as fast as the page answers) for `seconds`, the
    Live page connected to a simulated phone through a freshly started server; `charts`:
    "plotly_chart" to serve its charts with st.plotly_chart (RNN_EXPLORER_LIVE_CHARTS), else the
    chart the browser updates in place."""
    os.environ[CHARTS_VARIABLE] = charts  # the served app's environment is this one's
    try:
        return _measure_screen(seconds, log_dir)
    finally:
        os.environ.pop(CHARTS_VARIABLE, None)


def _measure_screen(seconds: float, log_dir: Path) -> ScreenDelays:
    with (
        PhyphoxSimulator(xio_fusion()) as phone,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        hub = PhoneHub()
        try:
            with served(log_dir / "bench-live-server.log") as (url, server):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                open_page(page, url, "live")
                page.get_by_label(ADDRESS_LABEL).fill(phone.url)
                page.keyboard.press("Enter")
                wait_idle(page)
                click(page, "Connect")
                wait_for_chart(page, CHANNELS, timeout_ms=60_000)
                hub.connect_phyphox(phone.url)
                time.sleep(SETTLE_S)
                # the phone plays in real time from a fixed start: its clock is the wall clock
                # shifted (both read here a microsecond apart); the page reads the same clock
                offset = phone.experiment_time() - time.time()
                page.evaluate(REDRAW_RECORDER_JS, CHANNELS)  # notes each new last x, every 50 ms
                reads, began = [], time.monotonic()
                server_cpu, browser_cpu = cpu_s(server.pid), browser_cpu_s(server.pid)
                while (elapsed := time.monotonic() - began) < seconds:
                    reads.append(_read(page, phone, hub, offset))
                    time.sleep(max(0.0, READ_EVERY_S * len(reads) - elapsed))
                wall = time.monotonic() - began
                server_cpu = (cpu_s(server.pid) - server_cpu) / wall
                browser_cpu = (browser_cpu_s(server.pid) - browser_cpu) / wall
                redraws = page.evaluate("clearInterval(window.__redrawTimer) || window.__redraws")
                # no Disconnect: the server, its hub with it, stops here (a busy page takes
                # seconds to let the button be clicked)
        finally:
            hub.disconnect()
            browser.close()
    screen, hub_delay, took = np.array(reads).T  # (3, R) -> three (R,)
    shown = ~np.isnan(screen) & ~np.isnan(hub_delay)
    return ScreenDelays(
        screen_s=screen[shown],
        hub_s=hub_delay[shown],
        misses=int((~shown).sum()),
        read_ms=float(np.median(took)) * 1e3,
        server_cpu=server_cpu,
        browser_cpu=browser_cpu,
        redraws_per_s=_rate(redraws),
    )


def _rate(redraws: list[list[float]]) -> float:
    """Redraws per second from [page ms, last x] at each redraw seen (the first only starts)."""
    if len(redraws) < 2:
        return 0.0
    return (len(redraws) - 1) / ((redraws[-1][0] - redraws[0][0]) / 1e3)
