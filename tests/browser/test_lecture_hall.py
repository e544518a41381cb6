"""The lecture hall, in Chromium: in presenter mode (`?present=1`) the sidebar starts folded and
each demo's page opens with its point, the deciding number and the chart that shows it, on the
first screen at 1280 x 720 and 1024 x 768, its main chart at least 85 % of the window wide, and
no table breaks a word or a number. Each demo runs once, from Home, in a fresh session; pictures
of the first screen at both sizes are kept in test-artifacts/lecture/."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, BUSY_MACHINE_MS
from tests.browser.helpers import (
    BOX_JS,
    VISIBLE_CHARTS_JS,
    assert_no_exception,
    chart_box,
    demo_trained,
    open_page,
    wait_idle,
)
from tests.browser.test_presets import (
    LAST_POINTS_JS,
    POINT_TIMEOUT_MS,
)
from tests.browser.test_presets import POINTS as PRESET_POINTS
from tests.browser.test_readable import BROKEN_TOKENS_JS
from tests.browser.test_readable import POINT_TIMEOUT_MS as BUSY_POINT_MS
from ui.session.demos import PRESETS

pytestmark = pytest.mark.browser

SIZES = ((1280, 720), (1024, 768))
SHOTS = ARTIFACTS / "lecture"
WIDE_ENOUGH = 0.85  # of the window's width, the main chart at least

# What makes each demo's point: (how to find it, its name in a message), every one of which must
# lie wholly inside the first screen; and the main chart (a title, or a CSS selector).
CHART = "chart:"


def locator_box(page: Page, selector: str) -> dict | None:
    """The box of the first visible element the Playwright `selector` finds."""
    found = page.locator(selector).filter(visible=True)
    return found.first.evaluate(BOX_JS) if found.count() else None


def metric_box(label: str) -> str:
    return f"[data-testid='stMetric']:has-text('{label}')"


DECIDING = {
    "lstm-sine": [metric_box("Validation loss"), CHART + "Loss"],
    "vanishing": [
        metric_box("RNN:"),
        metric_box("LSTM:"),
        CHART + "‖∂L/∂hₜ‖, loss on the last step",
    ],
    "exploding": [CHART + "Loss, every cell"],
    "adding": [CHART + "Loss, every cell"],
    "brackets": ["[data-testid='stSelectbox']:has-text('Colour the text by')"],
    "imu": [
        "[data-testid='stAlert']:has-text('On roll, the model is worse than gyro propagation')",
        "[data-testid='stAlert']:has-text('On pitch, the model cannot be told from gyro')",
    ],  # the chart of the ratios under them starts on the first screen (see MAIN)
    "correct-vqf": ["[data-testid='stAlert']:has-text('Pooled over the 5 unseen test')"],
}
MAIN = {
    "lstm-sine": CHART + "Loss",
    "vanishing": CHART + "‖∂L/∂hₜ‖, loss on the last step",
    "exploding": CHART + "Loss, every cell",
    "adding": CHART + "Loss, every cell",
    "brackets": ".st-key-text-colored",  # the text coloured by the counting unit
    "imu": CHART + "Model RMSE ÷ best baseline's (below 1: better)",
    "correct-vqf": "[data-testid='stDataFrame']",  # VQF alone and corrected, per unseen trial
}


def point_imu_shown_first(page: Page) -> str:
    """The IMU demo's verdicts, first on the page (the same ones are folded under it)."""
    demo_trained(page, POINT_TIMEOUT_MS)
    alerts = page.get_by_test_id("stAlert").filter(visible=True)
    verdict = alerts.filter(has_text="On roll, the model is worse than gyro propagation")
    expect(verdict).to_be_visible(timeout=POINT_TIMEOUT_MS)
    said = "On pitch, the model cannot be told from gyro propagation"
    expect(alerts.filter(has_text=said)).to_be_visible(timeout=POINT_TIMEOUT_MS)
    return verdict.inner_text().strip()


POINTS = {
    **PRESET_POINTS,
    "imu": point_imu_shown_first,
}  # the IMU verdicts stand twice in presenter mode


def box_of(page: Page, what: str) -> dict | None:
    """The box of a deciding element or main chart named as in DECIDING and MAIN (a chart is
    waited for: it may be drawn again after the window changed size)."""
    if what.startswith(CHART):
        title = what.removeprefix(CHART)
        page.wait_for_function(
            f"(t) => ({VISIBLE_CHARTS_JS})(t).length > 0", arg=title, timeout=30_000
        )
        return chart_box(page, title)
    return locator_box(page, what)


def training_ended(page: Page, key: str, timeout_ms: float = BUSY_POINT_MS) -> None:
    """Wait, as long as a loaded two-core machine may need, until the demo's training has ended
    (the shared point checks then find it at once): the Train page's own state sentence, the
    banner's line on another page, the runs' last validation point on Compare."""
    preset = PRESETS[key]
    if preset.action == "train":
        said = r"^Finished [0-9,]+ steps" if preset.page == "app_pages/train.py" else None
        done = page.get_by_text(re.compile(said or r"^Trained [0-9,]+ steps$"))
        expect(done.first).to_be_visible(timeout=timeout_ms)
    elif preset.action == "compare":
        steps = preset.settings["compare.steps"]  # a first run there: the others are close
        page.wait_for_function(
            f"""() => Object.entries(({LAST_POINTS_JS})('Loss, every cell')).filter(
                ([name, p]) => name.endsWith(' validation') && p[0] >= {steps}).length >= 1""",
            timeout=timeout_ms,
        )


def first_screen(page: Page, key: str, width: int, height: int) -> dict:
    """At this size, scrolled to the top: where the demo's deciding elements and main chart lie."""
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    wait_idle(page)
    page.wait_for_timeout(800)  # the charts lay out again at the new width
    found = {what: box_of(page, what) for what in DECIDING[key]}
    main = box_of(page, MAIN[key])
    page.screenshot(path=str(SHOTS / f"{key}-{width}x{height}.png"))
    return {"deciding": found, "main": main}


def open_demo(page: Page, url: str, key: str) -> None:
    """A fresh session on Home in presenter mode, then a click on the demo's link."""
    open_page(page, url, "?present=1")
    link = page.get_by_test_id("stMain").get_by_role("link", name=PRESETS[key].title)
    link.click()
    banner = page.get_by_test_id("stAlert").filter(has_text=PRESETS[key].title)
    expect(banner).to_be_visible(timeout=BUSY_MACHINE_MS)


@pytest.fixture(scope="module")
def hall(browser):
    """One window at the first size for every demo (each opens its own session)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    context.set_default_timeout(BUSY_MACHINE_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("key", list(PRESETS))
def test_each_demo_makes_its_point_on_the_first_screen(hall, app_url, key):
    page = hall
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    open_demo(page, app_url, key)
    folded = page.get_by_test_id("stSidebar")
    expect(folded).to_have_attribute("data-collapsed", "true")  # folded in presenter mode
    try:
        training_ended(page, key)
        POINTS[key](page)
    except Exception:  # an assertion, or Playwright's timeout: keep what the page showed
        page.screenshot(path=str(SHOTS / f"FAILED-{key}.png"), full_page=True)
        raise
    wait_idle(page)
    measured = {}
    for width, height in SIZES:
        where = first_screen(page, key, width, height)
        measured[f"{width}x{height}"] = where
        for what, box in where["deciding"].items():
            assert box is not None, (key, width, what)
            assert box["top"] >= 0 and box["bottom"] <= height, (key, width, what, box)
        main = where["main"]
        assert main is not None and main["width"] >= WIDE_ENOUGH * width, (key, width, main)
        assert main["top"] < height, (key, width, main)  # it starts on the first screen
        assert page.evaluate(BROKEN_TOKENS_JS) == [], (key, width)
        assert_no_exception(page)
    (SHOTS / f"{key}.json").write_text(json.dumps(measured, indent=1))
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})


def test_presenter_mode_starts_with_the_sidebar_folded_and_one_click_opens_it(browser, app_url):
    context = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    page = context.new_page()  # its own window: the browser remembers a sidebar opened by hand
    open_page(page, app_url, "train?present=1")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    page.get_by_test_id("stExpandSidebarButton").click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    expect(sidebar.get_by_text("Presenter mode", exact=True)).to_be_visible()
    context.close()
