"""Your own time series, in a real browser: a CSV uploaded on 1 · Data (two months of hourly load
with gaps between day blocks), what was detected, training on Train with the baselines on the loss
chart, and Evaluate's verdicts against them; normal and presenter mode at 1440 x 900."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import (
    assert_no_exception,
    click,
    go_to,
    set_number,
    upload_on_data,
)
from tests.browser.test_flows import status
from tests.browser.test_readable import check_readable, presenter, settle
from tests.paths import ROOT

pytestmark = pytest.mark.browser

GAPPED = ROOT / "tests" / "data" / "series" / "pjm-east-2016-11-and-2017-03.csv"
VERDICT = re.compile(r"PJME_MW \(MW\), 1 step ahead: the model (beats|is worse than|cannot be)")


def shots(page: Page, name: str) -> None:
    """Check the page reads (nothing cut or overlapping), then keep its first screen at the
    window's size and the whole page (the window grown to the content's height)."""
    settle(page)
    check_readable(page, name)
    size = page.viewport_size
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(size["height"], tall), 6000)})
    settle(page)
    page.screenshot(path=str(ARTIFACTS / f"{name}-whole.png"))
    page.set_viewport_size(size)
    settle(page)


def test_an_uploaded_series_trains_and_evaluate_gives_its_verdicts(page, app_url):
    page.set_viewport_size({"width": 1440, "height": 900})
    upload_on_data(page, app_url, "Time series (CSV)", GAPPED)
    expect(page.locator("[data-testid='stMetric']").filter(has_text="Segments")).to_contain_text(
        "4"
    )
    expect(
        page.get_by_text(re.compile(r"gap\(s\) longer than 5 steps \(the longest 88.04 d\)"))
    ).to_be_visible()
    set_number(page, "Window length (steps the model reads at a time)", 24)
    expect(page.get_by_text(re.compile(r"Training will use: Series: pjm-east"))).to_be_visible()
    assert_no_exception(page)
    shots(page, "series-data-1440")

    go_to(page, "2 · Train")
    set_number(page, "Number of steps", 150)
    click(page, "Start")
    expect(status(page, re.compile(r"Finished 150 steps|Stopped early"))).to_be_visible(
        timeout=180_000
    )
    for name in ("persistence", "seasonal naive", "linear AR"):
        expect(page.get_by_text(f"{name} (validation)").first).to_be_attached()
    assert_no_exception(page)
    shots(page, "series-train-1440")

    go_to(page, "6 · Evaluate")
    expect(page.get_by_text(VERDICT).first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("series-test-predictions.csv").or_(
        page.get_by_role("button", name=re.compile("predictions"))
    ).first).to_be_visible()  # fmt: skip
    assert_no_exception(page)
    shots(page, "series-evaluate-1440")

    presenter(page, True)
    expect(page.get_by_text(VERDICT).first).to_be_in_viewport()  # the point on the first screen
    assert_no_exception(page)
    shots(page, "series-evaluate-presenter")
    presenter(page, False)
