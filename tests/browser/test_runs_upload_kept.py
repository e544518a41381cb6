"""A run trained on an upload keeps its file: a new browser session of the same owner opens it
on Runs without the file, Train and Evaluate work on it, and Resume continues it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rnn_core.runs import open_store, store_location
from rnn_core.runs.blobs import digest_of
from tests.browser.helpers import (
    assert_no_exception,
    click,
    go_to,
    open_page,
    screenshot,
    set_number,
    wait_idle,
)
from tests.browser.test_flows import status
from tests.browser.test_imu import upload_recording
from tests.browser.test_runs_reload import browser_owner_key
from tests.paths import SHARED
from tests.waiting import wait_until
from ui.session.owner import COOKIE

pytestmark = pytest.mark.browser

WALK = SHARED / "imu-samples" / "xio-gait-short_walk.csv"  # a real recording, 1.2 MB
NOT_HELD = "not part of a link"  # what a page says when the session lacks the upload


def test_an_upload_run_opens_in_a_new_session_of_the_same_owner_without_the_file(
    page, browser, app_url
):
    upload_recording(page, app_url, WALK)
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')")
    expect(page.locator("[data-testid='stMetric']").filter(has_text="Sample rate")).to_be_visible()
    go_to(page, "2 · Train")
    set_number(page, "Number of steps", 30)
    click(page, "Start")
    expect(status(page, re.compile(r"Finished 30 steps|Stopped early"))).to_be_visible(
        timeout=120_000
    )
    store, me = open_store(store_location()), browser_owner_key(page)
    wait_until(lambda: bool(store.runs(me)) and store.runs(me)[0].state == "finished")
    (record,) = store.runs(me)
    steps = record.steps
    assert record.settings["data"]["digest"] == digest_of(WALK.read_bytes())

    # the same browser later: its cookie, a new session that never saw the file
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies([c for c in page.context.cookies() if c["name"] == COOKIE])
    again = context.new_page()
    open_page(again, app_url, "runs")
    assert browser_owner_key(again) == me
    # the run's Open button (select boxes on the page have "Open" buttons of their own)
    again.get_by_test_id("stBaseButton-secondary").filter(has_text=re.compile("Open$")).click()
    wait_idle(again)
    expect(again.get_by_text("Opened: Data and Train now show")).to_be_visible()
    expect(again.get_by_text(NOT_HELD)).to_have_count(0)
    go_to(again, "2 · Train")
    expect(again.get_by_text(NOT_HELD)).to_have_count(0)
    expect(again.get_by_role("button", name="Start")).to_be_enabled()
    assert_no_exception(again)
    go_to(again, "6 · Evaluate")
    table = again.locator("[data-testid='stTable']").filter(has_text="gyro propagation RMSE")
    expect(table).to_be_visible(timeout=60_000)
    assert_no_exception(again)
    screenshot(again, "runs-upload-kept-evaluate")
    go_to(again, "Runs")
    click(again, "Resume")
    wait_idle(again)
    expect(again.get_by_role("heading", name="2 · Train")).to_be_visible()
    wait_until(lambda: store.get(record.id).steps > steps, timeout=120.0)
    expect(status(again, re.compile(r"Finished|Stopped early"))).to_be_visible(timeout=120_000)
    assert_no_exception(again)
    screenshot(again, "runs-upload-kept-resumed")
    assert len(store.history(record.id)) == store.get(record.id).steps > steps
    store.close()
    context.close()
