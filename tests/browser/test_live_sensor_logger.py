"""The Live page in a real browser with Sensor Logger: the receiver started from the page, its URL
read off the page as a lecturer reads it, a simulated phone pushing a real recording to it (out
of order now and then), the tiles counting, the charts moving, a recording made and used on
1 · Data, and the phone that stops pushing said on the page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_exception, click, open_page, wait_idle
from tests.browser.test_live import record_and_use, streaming_seen
from tests.phones.sensor_logger_sim import SensorLoggerPusher, load_recording

pytestmark = pytest.mark.browser


def test_sensor_logger_pushes_out_of_order_records_and_stops(page, app_url):
    open_page(page, app_url, "live")
    page.get_by_text("Sensor Logger (HTTP push to this server)").click()
    wait_idle(page)
    click(page, "Start receiving")
    expect(page.get_by_text("Type this URL into Sensor Logger")).to_be_visible()
    shown = page.locator("[data-testid='stCode'] code").first.inner_text().strip()
    assert re.fullmatch(r"http://[0-9.]+:[0-9]+/data", shown), shown
    port = urlsplit(shown).port  # the phone reaches the machine's LAN address; here, loopback
    pusher = SensorLoggerPusher(f"http://127.0.0.1:{port}/data", load_recording(), seed=3)
    pusher.start()
    try:
        streaming_seen(page)
        lost = page.locator("[data-testid='stMetric']").filter(has_text="Lost or dropped")
        # shuffled pushes are put back in order: none lost
        expect(lost).to_have_text(re.compile(r"Lost or dropped\s*0$"))
        rates = page.locator("[data-testid='stMetric']").filter(has_text="Gyroscope")
        expect(rates).to_contain_text(re.compile(r"(39\d|40\d) Hz"))  # the walk's 400 Hz

        record_and_use(page, 2.0)
        assert set(pusher.codes) == {200}

        pusher.stop()
        expect(page.get_by_text(re.compile("No push from Sensor Logger for")).first).to_be_visible(
            timeout=30_000
        )
        assert_no_exception(page)
    finally:
        pusher.stop()
        click(page, "Disconnect")
        wait_idle(page)
