"""A 2 x 2 x 3 sweep in a real browser: typed values, three seeds, the live table, and the
heatmap read back from the page, each cell the mean the table gives for its setting."""

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

# The heatmap on screen: its columns, rows and the text written in each cell.
HEATMAP_JS = """() => {
    for (const div of document.querySelectorAll('.js-plotly-plot')) {
        const trace = (div._fullData || []).find((t) => t.type === 'heatmap');
        if (div.offsetParent !== null && trace) return {x: trace.x, y: trace.y, text: trace.text};
    }
    return null;
}"""


def type_values(page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")


def test_a_two_by_two_sweep_of_three_seeds_fills_its_heatmap(page, app_url):
    open_page(page, app_url, "train")
    set_number(page, "Number of steps", 20)
    page.get_by_role("link", name="8 · Sweep").click()  # same session: Train's steps stay
    expect(page.get_by_role("heading", name="8 · Sweep")).to_be_visible()
    wait_idle(page)
    type_values(page, "Values of learning rate", "0.003, 0.03")
    type_values(page, "Values of hidden size", "4, 8")
    set_number(page, "Seeds per setting", 3)
    expect(page.get_by_text("12 runs: 4 settings × 3 seeds.")).to_be_visible()
    click(page, "Start")
    expect(page.get_by_text("12 of 12 runs ended")).to_be_visible()
    expect(page.get_by_role("button", name="Train with the best setting")).to_be_visible()
    heat = page.evaluate(HEATMAP_JS)
    assert heat["x"] == ["0.003", "0.03"] and heat["y"] == ["4", "8"]
    rows = page.locator("[data-testid='stTable'] tbody tr")
    expect(rows).to_have_count(4)
    for k in range(4):
        cells = rows.nth(k).locator("td").all_inner_texts()
        rate, hidden, seeds, final = cells[0], cells[1], cells[2], cells[3]
        assert seeds == "3"
        mean = final.split(" ± ")[0]
        assert heat["text"][heat["y"].index(hidden)][heat["x"].index(rate)] == mean
    assert_no_exception(page)
    page.set_viewport_size({"width": 1440, "height": 900})
    screenshot(page, "sweep-2x2x3")
