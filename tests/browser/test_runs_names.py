"""The Runs page at 1440 x 900 in Chromium with runs of every origin: the filters' labels, the
chosen runs' chips and the charts' axis titles are whole, text in bits per character. The
screenshot is kept as test-artifacts/runs-names-1440.png for a person to look at."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from rnn_core.runs import open_store, store_location
from tests.app.test_runs_names import six_runs
from tests.browser.helpers import assert_no_exception, open_page, screenshot, wait_idle
from ui.session.owner import COOKIE

pytestmark = pytest.mark.browser

# Widget labels and the multiselect's chips whose text runs past their box: what they hold.
CUT_JS = """() => {
    const cut = [];
    for (const box of document.querySelectorAll(
            '[data-testid="stWidgetLabel"], [data-baseweb="tag"] span')) {
        if (box.offsetParent === null || !box.innerText.trim()) continue;
        if (box.scrollWidth > box.clientWidth + 1) cut.push(box.innerText);
    }
    return cut;
}"""

# How much wider the runs table is than its place, in pixels (it then scrolls, its last columns
# cut).
TABLE_SCROLLS_JS = """() => {
    const grid = document.querySelector('[data-testid="stDataFrame"] .dvn-scroller');
    return grid.scrollWidth - grid.clientWidth;
}"""

# The axis titles of the visible charts titled "Training loss".
LOSS_AXES_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .filter((div) => div.offsetParent !== null && div.layout && div.layout.title
        && div.layout.title.text.replace(/<[^>]+>/g, '') === 'Training loss')
    .map((div) => div._fullLayout.yaxis.title.text)"""


def pick(page, name: str) -> None:
    """Add the run called `name` to "Runs to compare"."""
    page.locator("[data-testid='stMultiSelect']").filter(has_text="Runs to compare").click()
    page.get_by_role("option").filter(has_text=name).first.click()
    page.keyboard.press("Escape")
    wait_idle(page)


def test_runs_of_every_origin_read_whole_at_1440(page, app_url):
    page.set_viewport_size({"width": 1440, "height": 900})
    open_page(page, app_url, "runs")
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')")
    (token,) = [c["value"] for c in page.context.cookies() if c["name"] == COOKIE]
    store = open_store(store_location())
    six_runs(hashlib.sha256(token.encode()).hexdigest(), store)
    store.close()
    open_page(page, app_url, "runs")
    pick(page, "Train · LSTM · lr 0.01 · hidden 32")
    pick(page, "Compare 1 · GRU · clip 1")
    page.wait_for_function(f"() => ({LOSS_AXES_JS})().length === 2", timeout=60_000)
    assert sorted(page.evaluate(LOSS_AXES_JS)) == [  # the newest run, chosen first, and these
        "loss (MSE, standardized, log scale)",  # the import's and the comparison's
        "loss (bits/char, log scale)",  # the text run's
    ]
    assert page.evaluate(TABLE_SCROLLS_JS) <= 1  # every column in view, none cut
    for label in ("Filter", "Origin", "Sweep or comparison", "Runs to compare"):
        expect(page.get_by_text(label, exact=True).first).to_be_visible()
    assert page.evaluate(CUT_JS) == []
    assert_no_exception(page)
    screenshot(page, "runs-names-1440")
    page.get_by_text("Training loss", exact=True).last.scroll_into_view_if_needed()
    screenshot(page, "runs-names-1440-charts")
