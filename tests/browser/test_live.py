"""The Live page in a real browser: a simulated phyphox (in this process; the served app reaches
it on 127.0.0.1) connected, the tiles counting, the charts moving, a recording made and used on
1 · Data, and the phone gone said on the page; then a recording trained on with the IMU preset,
and the model following the phone on a projector (presenter mode, 1440 x 900): its forecast and
its hidden state on the first screen."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import (
    VISIBLE_CHARTS_JS,
    assert_no_exception,
    chart_box,
    click,
    go_to,
    last_step,
    open_page,
    set_number,
    wait_for_chart,
    wait_idle,
)
from tests.phones.phyphox_sim import PhyphoxSimulator
from tests.phones.recording import xio_fusion

pytestmark = pytest.mark.browser

CHANNELS = "The phone's six channels"
FORECAST = "Next-step forecast (dotted) and what happened"
HIDDEN = "Hidden state, live (a row per unit)"


def channels_end(page) -> float:
    """The channels chart's last x once it is on the page: a redraw five times a second replaces
    the chart for a moment, when a read finds none (-1)."""
    deadline = time.monotonic() + 30.0
    while (end := last_step(page, CHANNELS)) < 0:
        assert time.monotonic() < deadline, "the channels chart was not drawn"
        time.sleep(0.05)
    return end


def connect(page, url: str) -> None:
    """Type phyphox's address on the Live page and connect."""
    page.get_by_label("The address phyphox shows under 'Allow remote access'").fill(url)
    page.keyboard.press("Enter")
    wait_idle(page)
    click(page, "Connect")


def streaming_seen(page) -> None:
    """The tiles count samples and the channels chart moves with the phone."""
    received = page.locator("[data-testid='stMetric']").filter(has_text="Samples received")
    expect(received).to_contain_text(re.compile(r"[1-9][0-9,]*"), timeout=30_000)
    wait_for_chart(page, CHANNELS)
    first = channels_end(page)
    time.sleep(2.0)
    later = channels_end(page)
    assert later > first >= 0, (first, later)


def record_and_use(page, seconds: float) -> None:
    """Record `seconds` of the phone, stop, see the download, and use it on 1 · Data."""
    click(page, "Record")
    time.sleep(seconds)
    click(page, "Stop recording")
    expect(page.get_by_role("button", name=re.compile(r"^Download phone-"))).to_be_visible()
    click(page, "Use this recording on 1 · Data")
    expect(page.get_by_text("is the session's IMU recording")).to_be_visible()
    assert_no_exception(page)


def test_a_phone_streams_records_and_goes_away(page, app_url):
    with PhyphoxSimulator(xio_fusion()) as phone:
        open_page(page, app_url, "live")
        connect(page, phone.url)
        try:
            streaming_seen(page)
            record_and_use(page, 2.0)

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


X_VALUES_JS = f"""(title) => {{ const div = ({VISIBLE_CHARTS_JS})(title)[0];
    return div ? div._fullData.map((t) => Array.from(t.x)) : []; }}"""


def drawn_boxes(page, titles) -> dict:
    """The boxes of the charts with these titles at a moment all are drawn (a redraw replaces
    one for a moment now and then)."""
    deadline = time.monotonic() + 30.0
    while None in (boxes := {title: chart_box(page, title) for title in titles}).values():
        assert time.monotonic() < deadline, boxes
        time.sleep(0.05)
    return boxes


def test_a_recording_trained_on_follows_the_phone_on_a_projector(page, app_url):
    with PhyphoxSimulator(xio_fusion()) as phone:
        open_page(page, app_url, "live")
        connect(page, phone.url)
        wait_for_chart(page, CHANNELS)
        record_and_use(page, 8.0)
        go_to(page, "1 · Data")
        click(page, "Use the IMU preset")
        wait_idle(page)
        go_to(page, "2 · Train")
        set_number(page, "Number of steps", 30)
        click(page, "Start")
        expect(page.get_by_text(re.compile(r"Finished 30 steps|Stopped early"))).to_be_visible(
            timeout=120_000
        )
        go_to(page, "Live from a phone")
        page.set_viewport_size({"width": 1440, "height": 900})
        page.get_by_text("Presenter mode").click()  # the sidebar's switch: it folds away
        wait_idle(page)
        try:
            wait_for_chart(page, FORECAST, timeout_ms=60_000)
            wait_for_chart(page, HIDDEN)
            wait_idle(page)
            time.sleep(0.8)  # the charts lay out at the window's width
            boxes = drawn_boxes(page, (FORECAST, HIDDEN))
            page.screenshot(path=str(ARTIFACTS / "live-presenter-1440.png"))
            for title, box in boxes.items():
                assert box["top"] >= 0 and box["bottom"] <= 900, (title, box)  # first screen
            xs = page.evaluate(X_VALUES_JS, FORECAST)  # each trace's x, as Plotly drew it
            assert xs and all(len(x) > 10 and np.all(np.diff(x) > 0) for x in xs), [
                (len(x), np.flatnonzero(np.diff(x) <= 0)[:5].tolist(), x[:3], x[-3:]) for x in xs
            ]  # one line forward in time, never drawn back over itself
            first = last_step(page, FORECAST)
            time.sleep(1.5)
            assert last_step(page, FORECAST) > first  # the forecast follows the phone
            assert_no_exception(page)
        finally:
            page.get_by_text("The phone's connection").click()  # folded in presenter mode
            click(page, "Disconnect")
            wait_idle(page)
