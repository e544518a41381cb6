"""Two real servers on one SQLite store: a training on the first is listed by the second as
training on another server, never interrupted, and cannot be resumed there; every step of it
is kept as the first trained it; once stopped, the second may resume it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rnn_core.runs import open_store
from tests.browser.conftest import ARTIFACTS, BUSY_MACHINE_MS
from tests.browser.helpers import assert_no_exception, click, open_page, screenshot
from tests.browser.server import served
from tests.browser.test_flows import status
from tests.browser.test_runs_reload import browser_owner_key, start_long_training
from tests.waiting import wait_until

pytestmark = pytest.mark.browser


def test_a_second_server_lists_the_firsts_training_and_refuses_to_resume_it(
    page, tmp_path, monkeypatch
):
    location = str(tmp_path / "store")
    monkeypatch.setenv("RNN_EXPLORER_STORE", location)
    # servers of one address share Streamlit's cookie secret (README, "Several servers on one
    # store"): cookies ignore ports, and with two secrets the second server's page stayed blank
    monkeypatch.setenv("STREAMLIT_SERVER_COOKIE_SECRET", "c" * 40)
    with (
        served(ARTIFACTS / "server-first.log") as (first_url, _),
        served(ARTIFACTS / "server-second.log") as (second_url, _),
    ):
        start_long_training(page, first_url)
        store, me = open_store(location), browser_owner_key(page)
        wait_until(lambda: bool(store.runs(me)) and store.runs(me)[0].steps > 20)
        (record,) = store.runs(me)
        # the same browser (cookies are per host, not per port): the same owner on both servers
        other = page.context.new_page()
        open_page(other, second_url, "runs")
        elsewhere = other.get_by_text("training on another server").first
        expect(elsewhere).to_be_visible(timeout=BUSY_MACHINE_MS)
        expect(other.get_by_role("button", name="Resume")).to_be_disabled()
        screenshot(other, "runs-two-servers")
        assert store.get(record.id).state == "training"  # the second server left it alone
        steps = store.get(record.id).steps
        wait_until(lambda: store.get(record.id).steps > steps + 20)  # the first trains on
        click(page, "Stop")
        expect(status(page, "Stopped at step")).to_be_visible(timeout=15_000)
        wait_until(lambda: store.get(record.id).state == "stopped")
        history = store.history(record.id)
        assert history["step"].tolist() == list(range(1, len(history) + 1))  # none lost
        other.reload()
        open_page(other, second_url, "runs")
        resume = other.get_by_role("button", name="Resume")
        expect(resume).to_be_enabled(timeout=BUSY_MACHINE_MS)
        assert_no_exception(other)
        store.close()
