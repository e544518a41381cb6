"""Presenter mode in a real browser: larger root font, no toolbar menu, thicker chart lines."""

import pytest
from playwright.sync_api import expect

from rnn_core.figures.style import BASE_FONT, MIN_LINE
from tests.browser.helpers import assert_no_exception, open_page, screenshot, wait_idle

pytestmark = pytest.mark.browser

ROOT_FONT_JS = "() => getComputedStyle(document.documentElement).fontSize"
# The app's config (toolbarMode = "minimal") already leaves the toolbar empty on localhost, so
# the CSS is checked on stand-ins carrying the test ids of the toolbar's parts.
TOOLBAR_HIDDEN_JS = """() => ['stToolbarActions', 'stMainMenu', 'stAppDeployButton'].every(id => {
    const probe = document.createElement('div');
    probe.dataset.testid = id;
    document.body.appendChild(probe);
    const hidden = getComputedStyle(probe).display === 'none';
    probe.remove();
    return hidden;
})"""
# Plotly's resolved values after Streamlit's chart theme: the visible sine chart's base font
# and its thinnest line.
SINE_CHART_JS = """() => {
    for (const div of document.querySelectorAll('.js-plotly-plot')) {
        const raw = (div.layout && div.layout.title && div.layout.title.text) || '';
        const title = raw.replace(/<[^>]+>/g, '');  // Streamlit's theme wraps it in <b>
        if (div.offsetParent !== null && title === 'Sine series' && div._fullData) {
            return {font: div._fullLayout.font.size,
                    line: Math.min(...div._fullData.map(t => t.line.width))};
        }
    }
    return null;
}"""


def presenter_switch(page):
    return page.get_by_test_id("stSidebar").get_by_text("Presenter mode", exact=True)


def test_presenter_mode_enlarges_the_page_and_hides_the_toolbar(page, app_url):
    open_page(page, app_url, "data")
    assert page.evaluate(ROOT_FONT_JS) == "16px" and not page.evaluate(TOOLBAR_HIDDEN_JS)
    page.wait_for_function(f"() => ({SINE_CHART_JS})() !== null", timeout=30_000)
    before = page.evaluate(SINE_CHART_JS)
    assert before["font"] < BASE_FONT, before

    presenter_switch(page).click()
    wait_idle(page)
    page.wait_for_function(f"() => ({ROOT_FONT_JS})() === '20px'", timeout=15_000)
    assert page.evaluate(TOOLBAR_HIDDEN_JS)
    expect(page.get_by_test_id("stMainMenu")).to_be_hidden()
    page.wait_for_function(f"() => ({SINE_CHART_JS})()?.font === {BASE_FONT}", timeout=15_000)
    after = page.evaluate(SINE_CHART_JS)
    assert after["line"] >= max(2 * before["line"], MIN_LINE), (before, after)
    assert_no_exception(page)
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()  # the chart in the picture
    screenshot(page, "presenter-data")

    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "true")  # presenter mode folds it
    page.get_by_test_id("stExpandSidebarButton").click()  # one click opens it
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has_text="2 · Train").click()
    expect(page.get_by_role("heading", name="2 · Train")).to_be_visible()
    wait_idle(page)
    assert page.evaluate(ROOT_FONT_JS) == "20px"  # the setting lasts across pages
    screenshot(page, "presenter-train")

    presenter_switch(page).click()
    wait_idle(page)
    page.wait_for_function(f"() => ({ROOT_FONT_JS})() === '16px'", timeout=15_000)
    assert not page.evaluate(TOOLBAR_HIDDEN_JS)
