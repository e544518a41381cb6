"""A training outlives its page: F5 re-attaches to it, and a server killed mid-training lists it
as interrupted after a restart, with its history up to the last save, and Resume continues it."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from rnn_core.runs import open_store, store_location
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import (
    CONNECTED,
    LAST_STEP_JS,
    assert_no_exception,
    click,
    last_step,
    open_page,
    screenshot,
    set_number,
    wait_idle,
)
from tests.browser.server import served
from tests.browser.test_flows import status, wait_for_growth
from tests.waiting import wait_until
from ui.session.owner import COOKIE

pytestmark = pytest.mark.browser


def browser_owner_key(page) -> str:
    """The owner key of the page's browser, from its cookie."""
    (token,) = [c["value"] for c in page.context.cookies() if c["name"] == COOKIE]
    return hashlib.sha256(token.encode()).hexdigest()


def start_long_training(page, url):
    open_page(page, url, "train")
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')")
    set_number(page, "Number of steps", 100_000)
    click(page, "Start")
    seen = wait_for_growth(page, "Loss")
    assert len(set(seen)) >= 3, seen


def test_a_reload_mid_training_reattaches(page, app_url, browser):
    start_long_training(page, app_url)
    other = browser.new_context().new_page()  # another browser sees nothing of it
    open_page(other, app_url, "runs")
    expect(other.get_by_text("No runs yet")).to_be_visible()
    other.context.close()
    before = last_step(page, "Loss")
    page.reload()
    page.wait_for_selector(CONNECTED, timeout=60_000)
    wait_idle(page)
    expect(status(page, "Training ·")).to_be_visible()
    # the curve goes on past where it was: the same training, never stopped
    page.wait_for_function(f"(t) => ({LAST_STEP_JS})(t) > {before}", arg="Loss", timeout=60_000)
    seen = wait_for_growth(page, "Loss")
    assert len(set(seen)) >= 3, (before, seen)
    store = open_store(store_location())
    runs = store.runs(browser_owner_key(page))
    store.close()
    assert len(runs) == 1 and runs[0].state == "training"  # the same run, never stopped
    screenshot(page, "runs-reattached")
    click(page, "Stop")
    expect(status(page, "Stopped at step")).to_be_visible(timeout=15_000)
    assert_no_exception(page)


def test_a_killed_server_lists_the_run_as_interrupted_and_resume_continues(
    page, tmp_path, monkeypatch
):
    location = str(tmp_path / "store")
    monkeypatch.setenv("RNN_EXPLORER_STORE", location)
    with served(ARTIFACTS / "server-killed.log") as (url, process):
        start_long_training(page, url)
        store, me = open_store(location), browser_owner_key(page)

        def saved_and_more() -> bool:
            runs = store.runs(me)
            return bool(
                runs and runs[0].checkpoint_step and runs[0].steps > runs[0].checkpoint_step
            )

        wait_until(saved_and_more)
        process.kill()  # SIGKILL: nothing is flushed or closed
        process.wait()
        (killed,) = store.runs(me)
        kept_steps = len(store.history(killed.id))
    assert killed.state == "training" and kept_steps >= killed.checkpoint_step
    with served(ARTIFACTS / "server-restarted.log") as (url, _):
        open_page(page, url, "runs")
        expect(page.get_by_text("interrupted").filter(visible=True).first).to_be_visible()
        record = store.get(killed.id)
        assert record.state == "interrupted" and len(store.history(killed.id)) == kept_steps
        screenshot(page, "runs-interrupted")
        click(page, "Resume")
        wait_idle(page)
        expect(page.get_by_role("heading", name="2 · Train")).to_be_visible()
        seen = wait_for_growth(page, "Loss")
        assert len(set(seen)) >= 3, seen
        wait_until(lambda: store.get(killed.id).steps > kept_steps + 5)
        assert store.get(killed.id).state == "training"
        click(page, "Stop")
        expect(status(page, "Stopped at step")).to_be_visible(timeout=15_000)
        assert_no_exception(page)
    store.close()


def test_a_closed_tab_ends_its_training_kept_as_stopped_and_resumable(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    start_long_training(page, app_url)
    me = browser_owner_key(page)
    context.close()  # the tab is gone: no page asks for updates any more
    store = open_store(store_location())
    wait_until(lambda: store.runs(me)[0].state == "stopped")
    (record,) = store.runs(me)
    assert record.checkpoint_step == record.steps > 0  # its last state saved: resumable
    assert "closed tab" in record.message
    store.close()
