"""Many people at once: sessions never see each other's data or models, and a server with ten
browser sessions, several training, keeps answering, stays bounded in memory and ends every
training within 30 seconds of its session closing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rnn_core.live.slots import max_concurrent_trainings
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import (
    CHART_POINTS_JS,
    CONNECTED,
    assert_no_exception,
    click,
    open_page,
    set_number,
    wait_idle,
)
from tests.browser.load import ROUNDS, SESSIONS, TRAINING, ten_sessions_against
from tests.browser.server import served

pytestmark = pytest.mark.browser


def test_two_sessions_never_see_each_others_data_or_model(browser, app_url):
    first = browser.new_context(viewport={"width": 1400, "height": 1000})
    second = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        a, b = first.new_page(), second.new_page()
        open_page(a, app_url, "data")
        a.get_by_text("Text", exact=True).click()
        wait_idle(a)
        a.get_by_text("Paste text", exact=True).click()
        wait_idle(a)
        a.get_by_label("Your text").fill("only session A has this text " * 40)
        a.get_by_label("Your text").press("Control+Enter")
        wait_idle(a)
        expect(a.get_by_text("Training will use: Pasted text")).to_be_visible()
        a.get_by_role("link", name="2 · Train").click()
        wait_idle(a)
        set_number(a, "Number of steps", 30)
        click(a, "Start")
        a.wait_for_function(f"(t) => ({CHART_POINTS_JS})(t) > 0", arg="Loss", timeout=60_000)

        open_page(b, app_url, "train")
        expect(b.get_by_text("Sine: 8 series × 400 samples at 20 Hz")).to_be_visible()
        expect(b.get_by_text("Press Start to train")).to_be_visible()
        assert b.get_by_text("Pasted text").count() == 0
        open_page(b, app_url, "data")
        expect(b.get_by_text("Training will use: Sine")).to_be_visible()
        open_page(b, app_url, "inside")
        expect(b.get_by_text("There is no model yet")).to_be_visible()
        assert_no_exception(a)
        assert_no_exception(b)
    finally:
        first.close()
        second.close()


def test_a_reload_mid_training_leaves_a_working_page(page, app_url):
    open_page(page, app_url, "train")
    set_number(page, "Number of steps", 100_000)
    click(page, "Start")
    page.wait_for_function(f"(t) => ({CHART_POINTS_JS})(t) > 0", arg="Loss", timeout=60_000)
    page.reload()
    page.wait_for_selector(CONNECTED, timeout=60_000)
    wait_idle(page)
    expect(page.get_by_role("heading", name="2 · Train")).to_be_visible()
    assert_no_exception(page)
    set_number(page, "Number of steps", 20)  # the new session trains as any other
    click(page, "Start")
    expect(page.get_by_text("Finished 20 steps")).to_be_visible(timeout=60_000)
    assert_no_exception(page)


def test_ten_sessions_at_once_keep_answering_and_end_their_trainings(browser):
    with served(ARTIFACTS / "load-server.log") as (url, server):
        found = ten_sessions_against(url, server, browser)
    report = found.report()
    (ARTIFACTS / "load-report.txt").write_text(report + "\n")
    print(report)
    # What must hold whatever the machine: every probe and interaction answered (a timeout
    # raises), bounded trainings and memory, every training ended after its tab closed. The
    # latencies go to the report and to `python -m bench --load`: a busy machine makes them
    # slow, not wrong.
    assert found.health_failures == 0, report
    assert len(found.interactions) == (SESSIONS - TRAINING) * ROUNDS, report
    assert 1 <= found.running <= max_concurrent_trainings(), report
    assert not found.left and found.ended_after_s <= 30, report
    assert found.busy_mib - found.idle_mib < 2048, report
