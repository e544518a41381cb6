"""A deep link that is the first request after the server starts still gets the app's navigation."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import assert_no_exception, open_page, screenshot
from tests.browser.server import free_port, start_server, wait_healthy

pytestmark = pytest.mark.browser


def test_first_request_to_train_runs_under_app_navigation(page):
    port = free_port()
    process = start_server(port, ARTIFACTS / "server-deep-link.log")
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url)
        open_page(page, url, "train")
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_text("2 · Train")).to_be_visible()
        expect(nav.get_by_text("app", exact=True)).to_have_count(0)  # no pages-folder listing
        expect(page.get_by_role("heading", name="2 · Train")).to_be_visible()
        expect(page.get_by_role("dialog")).to_have_count(0)  # no "Page not found"
        expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
        assert_no_exception(page)
        screenshot(page, "deep-link-train")
    finally:
        process.terminate()
        process.wait(timeout=20)
