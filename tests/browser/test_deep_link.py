"""Deep links that are the first requests after the server starts still get the app's navigation,
and several at once are each drawn whole."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import assert_no_exception, open_page, screenshot, wait_idle
from tests.browser.server import served

pytestmark = pytest.mark.browser


def test_first_request_to_train_runs_under_app_navigation(page):
    with served(ARTIFACTS / "server-deep-link.log") as (url, _):
        open_page(page, url, "train")
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_text("2 · Train")).to_be_visible()
        expect(nav.get_by_text("app", exact=True)).to_have_count(0)  # no pages-folder listing
        # the page waits for torch and the app's modules (seconds on a busy machine)
        expect(page.get_by_role("heading", name="2 · Train")).to_be_visible(timeout=60_000)
        wait_idle(page)
        expect(page.get_by_role("dialog")).to_have_count(0)  # no "Page not found"
        expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
        assert_no_exception(page)
        screenshot(page, "deep-link-train")


def test_deep_links_as_a_fresh_servers_first_requests_all_draw(browser):
    """Three deep links as a fresh server's first requests: app.py's navigation routes each;
    three at once each wait for the one preload and are drawn whole."""
    pages = {"train": "2 · Train", "inside": "3 · Inside the cell", "data": "1 · Data"}
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in pages]
    try:
        with served(ARTIFACTS / "server-deep-links.log") as (url, _):
            opened = [context.new_page() for context in contexts]
            for page, path in zip(opened, pages, strict=True):
                page.goto(f"{url}/{path}", wait_until="commit")  # all three before any is drawn
            for page, heading in zip(opened, pages.values(), strict=True):
                expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=60_000)
                wait_idle(page)
                assert_no_exception(page)
            expect(opened[0].get_by_role("button", name="Start", exact=True)).to_be_enabled()
    finally:
        for context in contexts:
            context.close()
