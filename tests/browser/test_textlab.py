"""The Text lab in a real browser: a bracket LSTM, its depth unit coloured over the text."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    assert_no_exception,
    click,
    open_page,
    screenshot,
    set_number,
    wait_idle,
)

pytestmark = pytest.mark.browser


def test_bracket_lstm_depth_unit_and_samples(page, app_url):
    open_page(page, app_url, "data")
    page.locator("label").filter(has_text="Text").first.click()
    wait_idle(page)
    set_number(page, "Window length (steps the model reads at a time)", 100)
    page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has_text="2 · Train").click()
    wait_idle(page)
    set_number(page, "Batch size", 32)
    set_number(page, "Number of steps", 400)
    click(page, "Start")
    expect(page.get_by_text("Finished 400 steps")).to_be_visible(timeout=90_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has_text="5 · Text lab").click()
    wait_idle(page)
    page.get_by_role("tab", name="Read the cells").click()
    colored = page.locator("[data-testid='stHtml'] span")
    expect(colored.first).to_be_visible()
    assert colored.count() >= 200  # one span per character of the excerpt
    assert_no_exception(page)
    screenshot(page, "textlab-cells")
    page.get_by_role("tab", name="Sample").click()
    click(page, "Generate")
    expect(page.get_by_text("⟫", exact=False).first).to_be_visible(timeout=30_000)
    assert_no_exception(page)
    screenshot(page, "textlab-sample")
