"""The Live page in a real browser: a simulated phyphox (in this process; the served app reaches
it on 127.0.0.1) connected, the tiles counting, the charts moving, a recording made and used on
1 · Data, and the phone gone said on the page."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import (
    assert_no_exception,
    click,
    go_to,
    last_step,
    open_page,
    wait_for_chart,
    wait_idle,
)
from tests.phones.phyphox_sim import PhyphoxSimulator
from tests.phones.recording import xio_fusion

pytestmark = pytest.mark.browser

CHANNELS = "The phone's six channels"


def channels_end(page) -> float:
    """The channels chart's last x once it is on the page: a redraw five times a second replaces
    the chart for a moment, when a read finds none (-1)."""
    deadline = time.monotonic() + 30.0
    while (end := last_step(page, CHANNELS)) < 0:
        assert time.monotonic() < deadline, "the channels chart was not drawn"
        time.sleep(0.05)
    return end


def test_a_phone_streams_records_and_goes_away(page, app_url):
    with PhyphoxSimulator(xio_fusion()) as phone:
        open_page(page, app_url, "live")
        page.get_by_label("The address phyphox shows under 'Allow remote access'").fill(phone.url)
        page.keyboard.press("Enter")
        wait_idle(page)
        click(page, "Connect")
        try:
            received = page.locator("[data-testid='stMetric']").filter(has_text="Samples received")
            expect(received).to_contain_text(re.compile(r"[1-9][0-9,]*"), timeout=30_000)
            wait_for_chart(page, CHANNELS)
            first = channels_end(page)
            time.sleep(2.0)
            later = channels_end(page)
            assert later > first >= 0, (first, later)  # the chart moves with the phone

            click(page, "Record")
            time.sleep(2.0)
            click(page, "Stop recording")
            expect(page.get_by_role("button", name=re.compile(r"^Download phone-"))).to_be_visible()
            click(page, "Use this recording on 1 · Data")
            expect(page.get_by_text("is the session's IMU recording")).to_be_visible()
            assert_no_exception(page)

            page.set_viewport_size({"width": 1440, "height": 900})
            page.get_by_role("heading", name="Live from a phone").scroll_into_view_if_needed()
            wait_for_chart(page, CHANNELS)
            time.sleep(0.5)
            page.screenshot(path=str(ARTIFACTS / "live-1440.png"))

            phone.go_down()
            expect(page.get_by_text(re.compile("No answer from phyphox")).first).to_be_visible(
                timeout=30_000
            )
            assert_no_exception(page)
        finally:
            click(page, "Disconnect")
            wait_idle(page)
    go_to(page, "1 · Data")
    expect(page.locator("[data-testid='stMetric']").filter(has_text="Sample rate")).to_be_visible()
    assert_no_exception(page)
