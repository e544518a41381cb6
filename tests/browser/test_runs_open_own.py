"""A run opens with its own settings, in a real browser: a sweep run (hidden 16 at learning rate
0.03, where Train's defaults are 32 at 0.01) and a Compare GRU run, each opened on Runs, show
their own knobs on Train, and Start continues each past its saved step instead of from 0. And
what happened is said: after a server was killed, Train says its run was interrupted and links
to Runs, where Resume says the step it goes back to."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from rnn_core.runs import open_store, store_location
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import (
    assert_no_exception,
    click,
    go_to,
    open_page,
    screenshot,
    wait_idle,
)
from tests.browser.server import served
from tests.browser.test_flows import status
from tests.browser.test_runs_reload import browser_owner_key, start_long_training
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

# One link sets the whole session: 10 steps on Train (what a sweep's runs train), a sweep of
# learning rate 0.03 x hidden size 16 over two seeds, a Compare of one GRU of 8 units.
SETTINGS = {
    "amount": 10,
    "sweep.values1": "0.03",
    "sweep.values2": "16",
    "sweep.seeds": 2,
    "compare.cells": "GRU",
    "compare.hidden": 8,
    "compare.steps": 10,
}


def open_newest(page, cell: str, pick: bool) -> None:
    """On Runs, show the runs of one cell and open the newest of them (`pick`: the runs picked
    before are filtered out, so it is picked by hand, first in the list); then go to Train."""
    go_to(page, "Runs")
    box = page.get_by_label("Filter", exact=True)
    box.fill(cell)
    box.press("Enter")
    if pick:
        expect(page.get_by_text("Choose runs above to see their curves.")).to_be_visible()
        page.get_by_test_id("stMultiSelect").filter(has_text="Runs to compare").click()
        page.get_by_role("option").first.click()
        page.keyboard.press("Escape")
    wait_idle(page)
    open_button = page.locator("[data-testid^='stBaseButton']").filter(has_text=re.compile("Open$"))
    expect(open_button).to_be_visible()
    open_button.click()
    expect(page.get_by_text("Opened: Data and Train now show")).to_be_visible()
    go_to(page, "2 · Train")


def knob(page, label: str) -> str:
    return page.get_by_label(label, exact=True).input_value()


def continues(page, store, run_id: str) -> None:
    """Start goes on from the opened run's step 10 to step 20, in the same stored run."""
    expect(status(page, "Ready · step 10")).to_be_visible()
    click(page, "Start")
    expect(status(page, "Finished 10 steps more, at step 20.")).to_be_visible()
    wait_until(lambda: store.get(run_id).steps == 20 and store.get(run_id).state == "finished")


def test_a_sweep_run_and_a_compare_gru_run_open_with_their_own_knobs_and_continue(page, app_url):
    open_page(page, app_url, "sweep?" + urlencode(SETTINGS))
    click(page, "Start")
    expect(page.get_by_text("2 of 2 runs ended")).to_be_visible()
    go_to(page, "7 · Compare")
    click(page, "Train them all")
    store, me = open_store(store_location()), browser_owner_key(page)
    wait_until(lambda: [r.state for r in store.runs(me)] == ["finished"] * 3)
    runs = store.runs(me)
    (gru,) = [r for r in runs if r.cell == "GRU"]
    newest_sweep_run = [r for r in runs if r.cell == "LSTM"][0]

    open_newest(page, "GRU", pick=False)
    expect(page.get_by_role("combobox", name="Cell", exact=True)).to_have_value("GRU")
    assert (knob(page, "Hidden size"), knob(page, "Number of steps")) == ("8", "10")
    continues(page, store, gru.id)
    screenshot(page, "runs-open-own-gru")

    open_newest(page, "LSTM", pick=True)
    assert (knob(page, "Hidden size"), knob(page, "Learning rate")) == ("16", "0.03")
    expect(page.get_by_text(f"seed {newest_sweep_run.seed} · change").first).to_be_visible()
    continues(page, store, newest_sweep_run.id)
    assert len(store.runs(me)) == 3  # each run went on: none was started anew
    store.close()
    assert_no_exception(page)


def test_an_open_train_page_says_its_run_was_interrupted_and_resume_says_from_where(
    page, tmp_path, monkeypatch
):
    location = str(tmp_path / "store")
    monkeypatch.setenv("RNN_EXPLORER_STORE", location)
    with served(ARTIFACTS / "server-said-killed.log") as (url, process):
        start_long_training(page, url)
        store, me = open_store(location), browser_owner_key(page)

        def saved_and_more() -> bool:
            runs = store.runs(me)
            return bool(
                runs and runs[0].checkpoint_step and runs[0].steps > runs[0].checkpoint_step
            )

        wait_until(saved_and_more)
        process.kill()  # SIGKILL: the steps since the last save are lost
        process.wait()
        (killed,) = store.runs(me)
    with served(ARTIFACTS / "server-said-restarted.log") as (url, _):
        open_page(page, url, "train")  # the same browser: its cookie, its runs
        saved, reached = killed.checkpoint_step, killed.steps
        expect(
            page.get_by_text(
                f"was interrupted at step {reached:,} when the server stopped; its last save "
                f"is step {saved:,}: Resume on Runs continues it from there."
            )
        ).to_be_visible()
        wait_idle(page)
        screenshot(page, "train-interrupted")
        page.get_by_role("link", name="Go to Runs").click()
        expect(page.get_by_role("heading", name="Runs")).to_be_visible()
        wait_idle(page)
        click(page, "Resume")
        expect(page.get_by_role("heading", name="2 · Train")).to_be_visible()
        expect(
            page.get_by_text(
                f"Resumed. Continues from step {saved:,}, its last save; steps {saved + 1:,}–"
                f"{reached:,} are trained again"
            )
        ).to_be_visible()
        wait_until(lambda: store.get(killed.id).steps > saved + 5)
        click(page, "Stop")
        expect(status(page, "Stopped at step")).to_be_visible(timeout=15_000)
        assert_no_exception(page)
    store.close()
