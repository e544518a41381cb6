"""The real flows in a real browser: every page loads; training runs, pauses and stops live."""

import time

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    assert_no_exception,
    chart_points,
    choose,
    click,
    open_page,
    screenshot,
    set_number,
    wait_for_chart,
    wait_idle,
)

pytestmark = pytest.mark.browser


PAGES = [
    ("", "RNN Explorer"),
    ("data", "1 · Data"),
    ("train", "2 · Train"),
    ("inside", "3 · Inside the cell"),
    ("gradients", "4 · Gradients through time"),
    ("textlab", "5 · Text lab"),
    ("evaluate", "6 · Evaluate"),
    ("compare", "7 · Compare the cells"),
    ("sweep", "8 · Sweep"),
    ("runs", "Runs"),
]


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_every_page_loads(page, app_url, path, heading):
    open_page(page, app_url, path)
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert_no_exception(page)
    screenshot(page, f"page-{path or 'home'}")


def status(page, text):
    """The training status box in the page (not the sidebar's line), when it shows `text`."""
    return page.get_by_test_id("stAlertContainer").filter(has_text=text)


def wait_for_growth(page, title, timeout=30.0):
    """Sample the chart's point count until it has grown at least twice while training. A
    reading of -1 (no chart drawn at that instant: Plotly is replacing it during a redraw) is
    left out."""
    seen = [chart_points(page, title)]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(set(seen)) < 3:
        time.sleep(0.3)
        points = chart_points(page, title)
        if points >= 0:
            seen.append(points)
    return seen


def test_lstm_on_a_sine_trains_live_pauses_and_stops(page, app_url):
    open_page(page, app_url, "train")
    set_number(page, "Number of steps", 100_000)
    click(page, "Start")
    seen = wait_for_growth(page, "Loss")
    assert len(set(seen)) >= 3 and seen[-1] > max(seen[0], 0), seen
    assert wait_for_chart(page, "One-step forecast along series 0") > 0
    screenshot(page, "train-sine-running")
    click(page, "Pause")
    expect(status(page, "Paused")).to_be_visible()
    time.sleep(1.0)  # the step in flight lands and is drawn
    held = chart_points(page, "Loss")
    time.sleep(1.0)
    assert chart_points(page, "Loss") == held
    click(page, "Resume")
    expect(status(page, "Training ·")).to_be_visible()
    click(page, "Stop")
    expect(status(page, "Stopped at step")).to_be_visible(timeout=15_000)
    assert_no_exception(page)
    screenshot(page, "train-sine-stopped")


def test_gru_on_text_writes_samples(page, app_url):
    open_page(page, app_url, "data")
    page.locator("label").filter(has_text="Text").first.click()
    wait_idle(page)
    expect(page.get_by_text("Training will use: Nested brackets")).to_be_visible()
    screenshot(page, "data-text")
    page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has_text="2 · Train").click()
    wait_idle(page)
    choose(page, "Cell", "GRU")
    set_number(page, "Number of steps", 60)
    click(page, "Start")
    expect(page.get_by_text("Finished 60 steps")).to_be_visible(timeout=60_000)
    # a rerun may show the old and the new sample for a moment: either one is the sample
    expect(page.get_by_text("A sample from the model").first).to_be_visible()
    expect(page.get_by_text("Validation loss (bits/char)")).to_be_visible()
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_enabled()
    assert chart_points(page, "Loss") == 60
    assert_no_exception(page)
    screenshot(page, "train-text-finished")
