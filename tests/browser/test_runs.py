"""Runs in a real browser: whose they are (a cookie per browser), a shared link, a zip carried
from one browser to another."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

import pandas as pd
import pytest
from playwright.sync_api import expect

from rnn_core.runs import open_store, store_location
from rnn_core.runs.compare import run_settings
from tests.browser.helpers import (
    assert_no_exception,
    click,
    open_page,
    screenshot,
    wait_for_chart,
    wait_idle,
)
from tests.core.test_import_bounds import CONFIG, TRAINING, trained_state
from tests.core.test_run_store import rows
from ui.session.owner import COOKIE

pytestmark = pytest.mark.browser


def owner_of(page) -> str:
    """The owner key of the page's browser context, from its cookie."""
    (token,) = [c["value"] for c in page.context.cookies() if c["name"] == COOKIE]
    return hashlib.sha256(token.encode()).hexdigest()


def trained_run(owner: str, name: str) -> str:
    """A run of `owner`, as a finished training leaves it."""
    store = open_store(store_location())
    record = store.create_run(
        owner,
        name=name,
        source="Sine waves",
        cell="GRU",
        parameters=1000,
        seed=3,
        settings=run_settings({"seed": 3, "cell": "GRU"}, asdict(CONFIG), asdict(TRAINING), 3),
    )
    store.append_rows(record.id, rows(1, 41))
    store.save_state(record.id, 40, trained_state())  # an import checks it against the settings
    store.set_state(record.id, "finished", "Finished after 40 steps.")
    store.close()
    return record.id


@pytest.fixture
def other(browser):
    """A second browser context: another browser, as far as the app can tell."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def test_a_browser_keeps_its_owner_across_reloads(page, other, app_url):
    open_page(page, app_url, "runs")
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')")
    first = owner_of(page)
    page.reload()
    open_page(page, app_url, "runs")
    assert owner_of(page) == first
    open_page(other, app_url, "runs")
    other.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')")
    assert owner_of(other) != first


def test_runs_are_private_and_a_shared_link_opens_one_read_only(page, other, app_url):
    open_page(page, app_url, "runs")
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')")
    trained_run(owner_of(page), "mine, private")
    open_page(page, app_url, "runs")
    expect(page.get_by_text("mine, private").filter(visible=True).first).to_be_visible()
    open_page(other, app_url, "runs")
    expect(other.get_by_text("No runs yet")).to_be_visible()
    click(page, "Share a read-only link")
    wait_idle(page)
    link = page.locator("[data-testid='stCode']").inner_text().strip()
    assert "?run=" in link and "&share=" in link
    other.goto(link)
    open_page(other, app_url, "runs" + link.split("/runs", 1)[1])
    expect(other.get_by_text("Opened from a shared link: read-only.")).to_be_visible()
    expect(other.get_by_role("heading", name="mine, private")).to_be_visible()
    expect(other.get_by_role("button", name="Delete")).to_have_count(0)
    expect(other.get_by_role("button", name="Rename")).to_have_count(0)
    assert_no_exception(other)
    screenshot(other, "runs-shared")


def test_a_downloaded_zip_imports_with_the_same_curves(page, other, app_url, tmp_path):
    open_page(page, app_url, "runs")
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')")
    run_id = trained_run(owner_of(page), "carried over")
    open_page(page, app_url, "runs")
    wait_for_chart(page, "Training loss")
    page.set_viewport_size({"width": 1440, "height": 900})
    wait_idle(page)
    screenshot(page, "runs-page")
    with page.expect_download() as download:
        click(page, "Download (.zip)")
    path = tmp_path / "run.zip"
    download.value.save_as(path)
    open_page(other, app_url, "runs")
    other.get_by_text("Import a run (.zip)").click()
    other.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    expect(other.get_by_text("Imported “carried over”.")).to_be_visible()
    assert_no_exception(other)
    store = open_store(store_location())
    (imported,) = store.runs(owner_of(other))
    pd.testing.assert_frame_equal(store.history(imported.id), store.history(run_id))
    store.close()
