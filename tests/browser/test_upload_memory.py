"""A large upload through the browser, on a server of its own: its health answers throughout, and
once the tab is closed the server's memory comes back within 20 % of where it started (the
upload is read in a capped process of its own, and let go when its session ends)."""

from __future__ import annotations

import threading
import time
import urllib.request

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, BUSY_MACHINE_MS
from tests.browser.helpers import CONNECTED, wait_idle
from tests.browser.server import served
from tests.browser.test_hostile import HEALTH_TIMEOUT_S, _rss_mib

pytestmark = pytest.mark.browser

LARGE_MB = 40  # under the server's 50 MB upload limit
MEMORY_BACK_WITHIN = 1.2  # of what the server held before the large upload
MEMORY_WAIT_S = 120.0  # how long the server may take to let go, polled (not asserted on speed)


def imu_csv(path, megabytes: float):
    """A serial-log IMU recording (millis, raw counts) of about `megabytes` MB, 100 Hz."""
    rows = int(megabytes * 1e6 / 43.7)  # about 43.7 bytes a row
    rng = np.random.default_rng(0)
    millis = 1234 + 10 * np.arange(rows)
    counts = rng.integers(-20_000, 20_000, size=(rows, 6))
    with open(path, "w") as file:
        file.write("millis,ax,ay,az,gx,gy,gz\n")
        np.savetxt(file, np.column_stack([millis, counts]), fmt="%d", delimiter=",")
    return path


class HealthWatch:
    """The server's health check, asked every half second in a thread; failures kept."""

    def __init__(self, url: str) -> None:
        self.url, self.failures, self.asked = url, [], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            self.asked += 1
            try:
                with urllib.request.urlopen(
                    f"{self.url}/_stcore/health", timeout=HEALTH_TIMEOUT_S
                ) as reply:
                    assert reply.status == 200
            except (OSError, AssertionError) as error:
                self.failures.append(repr(error))


def upload_on_data(browser, url: str, path) -> None:
    """Upload `path` on 1 · Data in a session of its own, wait until it is read, close the tab."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(BUSY_MACHINE_MS)
    page = context.new_page()
    page.goto(f"{url}/data")
    page.wait_for_selector(CONNECTED, timeout=BUSY_MACHINE_MS)
    wait_idle(page)
    page.get_by_text("IMU recording", exact=True).click()
    wait_idle(page)
    page.get_by_text("Upload a CSV or zip", exact=True).click()
    wait_idle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    expect(page.get_by_text("Training will use:")).to_be_visible(timeout=4 * BUSY_MACHINE_MS)
    wait_idle(page)
    context.close()


def test_a_large_upload_is_let_go_once_its_tab_closes(browser, tmp_path):
    small, large = imu_csv(tmp_path / "small.csv", 1), imu_csv(tmp_path / "large.csv", LARGE_MB)
    assert large.stat().st_size > (LARGE_MB - 5) * 1e6
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "server-upload-memory.log"
    with served(log) as (url, process), HealthWatch(url) as health:
        upload_on_data(browser, url, small)  # what reading an upload imports and caches
        time.sleep(2)
        before = _rss_mib(process.pid)
        upload_on_data(browser, url, large)
        during = _rss_mib(process.pid)
        deadline = time.monotonic() + MEMORY_WAIT_S
        after = _rss_mib(process.pid)
        while after > MEMORY_BACK_WITHIN * before and time.monotonic() < deadline:
            time.sleep(2)
            after = _rss_mib(process.pid)
    report = f"server memory: {before:.0f} MiB before, {during:.0f} read, {after:.0f} after\n"
    (ARTIFACTS / "upload-memory-report.txt").write_text(report)
    assert after <= MEMORY_BACK_WITHIN * before, report
    assert health.asked > 0 and not health.failures, health.failures
