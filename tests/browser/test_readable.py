"""Read at a glance, in Chromium: on every page and demo no metric label or value is cut, no table
breaks a word or a number (at 1440 and 1024 px, normal and in presenter mode), the live
loss charts' curves use most of their height, axis titles carry the tiles' unit, presenter
mode's charts are at least as wide as normal mode's, and no legend lies over an annotation.
Screenshots of each page, normal and in presenter mode, at 1440 x 900 and 1024 x 768, are kept
in test-artifacts/readable/ for a person to look at."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import (
    VISIBLE_CHARTS_JS,
    assert_no_exception,
    demo_trained,
    open_page,
    wait_idle,
)
from tests.browser.test_presets import click_preset, wait_for_validation_at

pytestmark = pytest.mark.browser

SIZES = ((1440, 900), (1024, 768))
SHOTS = ARTIFACTS / "readable"
POINT_TIMEOUT_MS = 240_000  # a demo's training on a shared, loaded two-core machine
ADDING_SHOWN_AT = 600  # steps of the adding demo's runs before its pictures
MOST_OF_THE_HEIGHT = 0.6  # of a log axis's range that the curves span, at least

# Every metric label and value, table, page or demo link (the sidebar's and Home's) whose
# text runs past its box: what it holds.
CUT_METRICS_JS = """() => {
    const cut = [];
    for (const box of document.querySelectorAll(
            '[data-testid="stMetricLabel"], [data-testid="stMetricValue"], '
            + '[data-testid="stTable"], [data-testid="stPageLink"], '
            + '[data-testid="stSidebarNav"] a')) {
        if (box.offsetParent === null || !box.innerText.trim()) continue;  // hidden: folded
        if (box.closest('[data-testid="stSidebar"][data-collapsed="true"]')) continue;  // folded
        for (const el of [box, ...box.querySelectorAll('*')]) {
            const scrolls = ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
            if (!scrolls && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
                cut.push(box.innerText);
                break;
            }
        }
    }
    return cut;
}"""

# Every word or number in a visible table cell drawn on more than one line: broken inside itself
# ("param s", "0.0002 / 204"). A table too wide for its column scrolls sideways instead.
BROKEN_TOKENS_JS = """() => {
    const broken = [];
    for (const cell of document.querySelectorAll(
            '[data-testid="stTable"] th, [data-testid="stTable"] td')) {
        if (cell.offsetParent === null) continue;
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const words = /\\S+/g;
            let m;
            while ((m = words.exec(node.textContent)) !== null) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
                if (lines.size > 1) broken.push(m[0]);
            }
        }
    }
    return broken;
}"""

# The visible chart titled `title`: its y range and the span of its data (log10 on a log
# axis), its axis title, its width on screen.
CHART_JS = f"""(title) => {{
    for (const div of ({VISIBLE_CHARTS_JS})(title)) {{
        const axis = div._fullLayout.yaxis;
        const log = axis.type === 'log';
        let low = Infinity, high = -Infinity;
        for (const trace of div._fullData) {{
            for (const y of trace.y || []) {{
                if (!Number.isFinite(y) || (log && y <= 0)) continue;
                const v = log ? Math.log10(y) : y;
                low = Math.min(low, v); high = Math.max(high, v);
            }}
        }}
        return {{range: axis.range, low, high, log, ytitle: axis.title.text,
                 width: div.getBoundingClientRect().width}};
    }}
    return null;
}}"""

# Pairs (legend item, annotation text) of every visible chart whose boxes intersect.
LEGEND_OVER_ANNOTATION_JS = """() => {
    const hits = [];
    const overlap = (a, b) => a.left < b.right && b.left < a.right
        && a.top < b.bottom && b.top < a.bottom;
    for (const div of document.querySelectorAll('.js-plotly-plot')) {
        if (div.offsetParent === null) continue;
        const legend = div.querySelector('.legend');
        if (!legend) continue;
        const box = legend.getBoundingClientRect();
        for (const note of div.querySelectorAll('.annotation')) {
            if (overlap(box, note.getBoundingClientRect())) hits.push(note.textContent);
        }
    }
    return hits;
}"""

WIDTHS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .filter((div) => div.offsetParent !== null)
    .map((div) => Math.round(div.getBoundingClientRect().width))"""


@pytest.fixture(autouse=True, scope="module")
def fresh_measures():
    """measures.txt holds this run's figures only."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "measures.txt").unlink(missing_ok=True)


def presenter(page: Page, on: bool) -> None:
    """Turn presenter mode on or off from the sidebar, if it is not already so."""
    wanted = "20px" if on else "16px"
    if page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == wanted:
        return
    sidebar = page.get_by_test_id("stSidebar")
    if sidebar.get_attribute("data-collapsed") == "true":  # presenter mode folds it away
        page.get_by_test_id("stExpandSidebarButton").click()
    sidebar.get_by_text("Presenter mode", exact=True).click()
    page.wait_for_function(
        f"() => getComputedStyle(document.documentElement).fontSize === '{wanted}'",
        timeout=15_000,
    )
    wait_idle(page)


CHARTS_DRAWN_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .filter((box) => box.offsetParent !== null)
    .every((box) => box.querySelector('.js-plotly-plot .main-svg') !== null)"""


def settle(page: Page) -> None:
    """Wait for the run to end and for every visible chart to be drawn (a resize redraws them;
    on a busy machine that can take seconds), then give the layout a moment."""
    wait_idle(page)
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=30_000)
    page.wait_for_timeout(700)


def check_readable(page: Page, where: str) -> None:
    """Nothing cut, no word or number broken in a table, no legend over an annotation, no
    exception: on the page as it is now."""
    assert_no_exception(page)
    assert page.evaluate(CUT_METRICS_JS) == [], where
    assert page.evaluate(BROKEN_TOKENS_JS) == [], where
    assert page.evaluate(LEGEND_OVER_ANNOTATION_JS) == [], where


def shoot(page: Page, name: str) -> dict[tuple[int, int, bool], list[int]]:
    """Screenshots of the page at both sizes, normal and in presenter mode (the whole page: the
    window grows to the content's height); checks each view; the visible charts' widths per view.
    Leaves the page in normal mode at the first size."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    widths = {}
    for on in (False, True):
        presenter(page, on)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            settle(page)
            check_readable(page, f"{name} at {width}x{height}, presenter {on}")
            widths[width, height, on] = page.evaluate(WIDTHS_JS)
            tall = page.evaluate(
                "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
            )
            page.set_viewport_size({"width": width, "height": min(max(height, tall), 6000)})
            settle(page)
            mode = "presenter" if on else "normal"
            page.screenshot(path=str(SHOTS / f"{name}-{mode}-{width}x{height}.png"))
            page.set_viewport_size({"width": width, "height": height})
    presenter(page, False)
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    settle(page)
    return widths


def note(line: str) -> None:
    """Keep a measured figure in test-artifacts/readable/measures.txt (reported, not asserted)."""
    with open(SHOTS / "measures.txt", "a") as out:
        out.write(line + "\n")


def assert_presenter_charts_as_wide(widths: dict, name: str = "") -> None:
    """Each chart in presenter mode at least as wide as in normal mode, at each size."""
    for width, height in SIZES:
        normal, shown = widths[width, height, False], widths[width, height, True]
        note(f"{name} {width}x{height}: chart widths normal {normal} px, presenter {shown} px")
        assert len(shown) == len(normal) and min(shown) >= min(normal) - 2, (width, normal, shown)


def assert_loss_chart_fits(page: Page, title: str, unit: str) -> None:
    """The chart's curves span most of its (log) y range and its axis title names `unit`."""
    page.wait_for_function(f"(t) => ({CHART_JS})(t) !== null", arg=title, timeout=30_000)
    chart = page.evaluate(CHART_JS, title)
    assert chart is not None and chart["log"], chart
    low, high = chart["range"]
    assert low <= chart["low"] and chart["high"] <= high, chart  # every curve in view
    used = (chart["high"] - chart["low"]) / (high - low)
    note(f"{title!r}: curves use {used:.0%} of the y range; axis title {chart['ytitle']!r}")
    assert used >= MOST_OF_THE_HEIGHT, chart
    assert f"({unit}" in chart["ytitle"], chart


def tile_unit(page: Page, label: str) -> str:
    """The unit in parentheses of the metric whose label starts with `label`."""
    text = page.get_by_test_id("stMetricLabel").filter(has_text=label).first.inner_text()
    return re.search(r"\(([^)]+)\)", text).group(1)


def test_home_data_and_train_read_at_a_glance(page, app_url):
    open_page(page, app_url)
    shoot(page, "home")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="1 · Data").click()
    expect(page.get_by_role("heading", name="1 · Data")).to_be_visible(timeout=60_000)
    shoot(page, "data")

    click_preset(page, "lstm-sine")
    expect(page.get_by_text("Finished 300 steps.")).to_be_visible(timeout=POINT_TIMEOUT_MS)
    settle(page)
    unit = tile_unit(page, "Validation loss")
    assert unit == "MSE"
    assert_loss_chart_fits(page, "Loss", unit)
    widths = shoot(page, "demo-lstm-sine-train")
    assert_presenter_charts_as_wide(widths, "Train")

    page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has_text="3 · Inside").click()
    expect(page.get_by_role("heading", name="3 · Inside the cell")).to_be_visible(timeout=60_000)
    shoot(page, "inside")
    for tab in ("One step, by hand", "Gate saturation", "Hidden-state path"):
        page.get_by_role("tab", name=tab).click()
        shoot(page, "inside-" + tab.split(",")[0].lower().replace(" ", "-"))
    page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has_text="4 · Gradients").click()
    expect(page.get_by_role("heading", name="4 · Gradients through time")).to_be_visible(
        timeout=60_000
    )
    shoot(page, "gradients")


def test_compare_demos_read_at_a_glance(page, app_url):
    open_page(page, app_url)
    click_preset(page, "exploding")
    warning = page.get_by_test_id("stAlert").filter(has_text="no clipping")
    expect(warning).to_contain_text("Train them all", timeout=POINT_TIMEOUT_MS)
    expect(page.get_by_text("Train them all").first).to_be_visible(timeout=60_000)
    page.wait_for_function(
        "() => ![...document.querySelectorAll('[data-testid=\"stAlert\"]')]"
        ".some((a) => a.innerText.includes('Training'))",
        timeout=POINT_TIMEOUT_MS,
    )
    settle(page)
    steps = re.search(r"diverged after (\d+) steps", warning.inner_text()).group(1)
    table = page.get_by_test_id("stTable").first
    expect(table).to_contain_text(steps)  # the table's count of steps, the sentence's too
    assert_loss_chart_fits(page, "Loss, every cell", "MSE")
    widths = shoot(page, "demo-exploding-compare")
    assert_presenter_charts_as_wide(widths, "Compare")

    click_preset(page, "adding")
    wait_for_validation_at(page, ADDING_SHOWN_AT, 2)  # the LSTM has left the baseline by then
    settle(page)
    assert_loss_chart_fits(page, "Loss, every cell", "MSE")
    shoot(page, "demo-adding-compare")

    click_preset(page, "vanishing")
    expect(page.get_by_test_id("stMetric")).to_have_count(3, timeout=POINT_TIMEOUT_MS)
    shoot(page, "demo-vanishing-gradients")


def test_text_and_imu_demos_read_at_a_glance(page, app_url):
    open_page(page, app_url)
    click_preset(page, "brackets")
    demo_trained(page, POINT_TIMEOUT_MS)
    settle(page)
    # the demo opens on the tab where its point is made
    expect(page.get_by_role("tab", name="Read the cells")).to_have_attribute(
        "aria-selected", "true"
    )
    shoot(page, "demo-brackets-textlab")
    page.get_by_role("tab", name="Next character").click()
    shoot(page, "textlab-next-character")

    page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has_text="2 · Train").click()
    expect(page.get_by_role("heading", name="2 · Train")).to_be_visible(timeout=60_000)
    settle(page)
    unit = tile_unit(page, "Validation loss")
    assert unit == "bits/char" and tile_unit(page, "Train loss") == unit
    assert_loss_chart_fits(page, "Loss", unit)
    shoot(page, "train-text")

    click_preset(page, "imu")
    demo_trained(page, POINT_TIMEOUT_MS)
    settle(page)
    shoot(page, "demo-imu-evaluate")
    page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has_text="2 · Train").click()
    expect(page.get_by_role("heading", name="2 · Train")).to_be_visible(timeout=60_000)
    settle(page)
    forecast = page.evaluate(
        f"""() => ({VISIBLE_CHARTS_JS})('One-step forecast along series 0')
            .map((div) => div._fullLayout.xaxis.title.text)"""
    )
    assert forecast in ([], ["time (s)"]), forecast  # seconds, as on Data and Evaluate
    shoot(page, "train-imu")
