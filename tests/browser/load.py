"""The load scenario: ten browser sessions on one server, some training, the others switching
pages and changing knobs, timed. `tests/browser/test_sessions.py` asserts what must hold on any
machine; `python -m bench --load` reports the latencies against the same scenario with nobody
training."""

from __future__ import annotations

import os
import statistics
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.helpers import (
    CHART_POINTS_JS,
    assert_no_exception,
    click,
    open_page,
    set_number,
    wait_idle,
)
from ui.session.status import MAX_REFRESH_S

# RNN_LOAD_SESSIONS / RNN_LOAD_TRAINING raise the load for a capacity measurement by hand.
SESSIONS = int(os.environ.get("RNN_LOAD_SESSIONS", 10))
TRAINING = int(os.environ.get("RNN_LOAD_TRAINING", 4))  # one runs per core, the rest queue
ROUNDS = 10  # of interactions by the idle sessions: 60, so that p95 is not merely the slowest
HEADINGS = {"Home": "RNN Explorer", "1 · Data": "1 · Data"}


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (training processes, the fork server), from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent]
        found += children
        frontier += children
    return found


def rss_mib(pids: list[int]) -> float:
    """Resident memory of these processes together, MiB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def training_processes(server_pid: int) -> list[int]:
    """Training processes: the children of the fork server (which is itself not one)."""
    out = []
    for pid in descendants(server_pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            parent = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
            parent_cmdline = Path(f"/proc/{parent}/cmdline").read_bytes()
        except OSError:
            continue
        if b"forkserver" in parent_cmdline and b"forkserver" in cmdline:
            out.append(pid)
    return out


class HealthProbe(threading.Thread):
    """GET /_stcore/health every 0.2 s and keep each answer's latency."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.latencies, self.failures = url, [], 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=5) as reply:
                    reply.read()
                self.latencies.append(time.monotonic() - started)
            except OSError:
                self.failures += 1
            self._halt.wait(0.2)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _go_to(page, name: str) -> None:
    """Switch page from the sidebar and wait until the new page is drawn (its heading, and the
    Data page's chart, or no chart on Home)."""
    page.get_by_test_id("stSidebarNavLink").filter(has_text=name).click()
    expect(page.get_by_role("heading", name=HEADINGS[name])).to_be_visible(timeout=60_000)
    wait_idle(page)
    points = "> 0" if name == "1 · Data" else "=== -1"
    page.wait_for_function(f"(t) => ({CHART_POINTS_JS})(t) {points}", arg="Sine series")


@dataclass
class LoadResult:
    """What one run of the scenario measured."""

    health: list[float]  # seconds per health probe
    health_failures: int
    interactions: list[float]  # seconds per timed interaction of the browsing sessions
    idle_mib: float  # the server and its processes before any session
    busy_mib: float  # with every session open
    after_mib: float  # after every session closed
    running: int  # training processes seen while busy
    queued_shown: int  # "in the queue" shown on the last training page
    ended_after_s: float  # until every training ended once the sessions closed
    left: int  # training processes still there after that wait

    def report(self) -> str:
        """One line for a person."""
        return (
            f"health p95 {p95(self.health):.3f} s over {len(self.health)} probes "
            f"({self.health_failures} failed); interaction p95 {p95(self.interactions):.3f} s "
            f"over {len(self.interactions)} {self.interactions}; memory idle "
            f"{self.idle_mib:.0f} MiB, busy {self.busy_mib:.0f} MiB, after "
            f"{self.after_mib:.0f} MiB; {self.running} training processes running, queued "
            f"shown {self.queued_shown}; all ended {self.ended_after_s:.1f} s after the "
            "sessions closed"
        )


def ten_sessions_against(
    url: str, server, browser, sessions: int = SESSIONS, training: int = TRAINING
) -> LoadResult:
    """Open `sessions` tabs on a freshly started server, `training` of them training, time the
    others' interactions, then close every tab and wait for the trainings to end."""
    contexts = []
    try:
        idle_mib = rss_mib([server.pid, *descendants(server.pid)])
        probe = HealthProbe(url)
        probe.start()
        pages = []
        for k in range(sessions):
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            contexts.append(context)
            page = context.new_page()
            # every idle tab draws a chart once before the clock runs: a first chart loads Plotly
            # into the tab, a cost of the browser's machine, not of the server
            open_page(page, url, "train" if k < training else "data")
            if k >= training and k % 2:
                _go_to(page, "Home")
            pages.append(page)
        for page in pages[:training]:
            set_number(page, "Number of steps", 100_000)
            click(page, "Start")
            wait_idle(page)
        for page in pages[:training]:  # everyone settles into training or waiting
            page.wait_for_function(f"(t) => ({CHART_POINTS_JS})(t) >= 0", arg="Loss")
        time.sleep(MAX_REFRESH_S + 1)  # every live view has re-read its redraw rate
        interactions = []
        for round_ in range(ROUNDS):
            for k, page in enumerate(pages[training:], start=training):
                started = time.monotonic()
                if k % 2 == 0:  # a rerun with a new chart, timed until the chart shows it
                    samples = 410 + 10 * round_
                    set_number(page, "Samples per series", samples)
                    page.wait_for_function(
                        f"(t) => ({CHART_POINTS_JS})(t) === {samples}", arg="Sine series"
                    )
                else:  # a page switch, timed until the other page is drawn
                    _go_to(page, "1 · Data" if round_ % 2 == 0 else "Home")
                interactions.append(round(time.monotonic() - started, 3))
        busy_mib = rss_mib([server.pid, *descendants(server.pid)])
        running = len(training_processes(server.pid))
        for page in pages:
            assert_no_exception(page)
        queued = (
            pages[training - 1].get_by_text("in the queue", exact=False).count() if training else 0
        )
        probe.stop()

        closed_at = time.monotonic()
        for context in contexts:
            context.close()
        contexts.clear()
        while training_processes(server.pid) and time.monotonic() - closed_at < 45:
            time.sleep(0.5)
        return LoadResult(
            health=probe.latencies,
            health_failures=probe.failures,
            interactions=interactions,
            idle_mib=idle_mib,
            busy_mib=busy_mib,
            after_mib=rss_mib([server.pid, *descendants(server.pid)]),
            running=running,
            queued_shown=queued,
            ended_after_s=time.monotonic() - closed_at,
            left=len(training_processes(server.pid)),
        )
    finally:
        for context in contexts:
            context.close()
