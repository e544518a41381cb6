"""Small Playwright helpers that know how Streamlit draws its widgets."""

from __future__ import annotations

import re
import time
import urllib.request

from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS

HEALTH_TIMEOUT_S = 5.0  # a health check that takes longer counts as not answering

CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"


def open_page(page: Page, url: str, path: str = "") -> None:
    """Load a page and wait for Streamlit to connect and finish its first run."""
    page.goto(f"{url}/{path}")
    page.wait_for_selector(CONNECTED, timeout=60_000)
    wait_idle(page)


def wait_idle(page: Page) -> None:
    """Wait until no script run is in progress and no element is still a loading skeleton."""
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
              && !document.querySelector('[data-testid="stSkeleton"]')""",
        timeout=60_000,
    )


def health_answers(url: str) -> float:
    """Seconds the server's health check took; fails when it does not answer in
    HEALTH_TIMEOUT_S."""
    began = time.monotonic()
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=HEALTH_TIMEOUT_S) as reply:
        assert reply.status == 200
    return time.monotonic() - began


def go_to(page: Page, link: str) -> None:
    """Click the sidebar's navigation link named exactly `link` (its page's title, such as
    "2 · Train" or "Runs"), wait for that page's heading, then for its run to end."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=link)).to_be_visible()
    wait_idle(page)


def demo_trained(page: Page, timeout_ms: int = 240_000) -> None:
    """Wait until a demo's (a preset's) banner says its training has ended (the page is then
    redrawn). Generous: a demo's training on a shared, loaded two-core machine."""
    done = page.get_by_text(re.compile(r"^Trained [0-9,]+ steps$"))
    expect(done).to_be_visible(timeout=timeout_ms)


def assert_no_exception(page: Page) -> None:
    """No Streamlit exception box is on the page."""
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


# The Plotly charts on screen titled `title` (Streamlit keeps hidden copies too).
VISIBLE_CHARTS_JS = """(title) => [...document.querySelectorAll('.js-plotly-plot')].filter(
    (div) => div.offsetParent !== null
        && ((div.layout && div.layout.title && div.layout.title.text) || '')
            .replace(/<[^>]+>/g, '') === title
)"""

CHART_POINTS_JS = f"""(title) => {{
    let points = -1;
    for (const div of ({VISIBLE_CHARTS_JS})(title)) {{
        const full = div._fullData;  // Plotly's decoded traces (x arrives base64-packed)
        if (full && full.length) points = Math.max(points, full[0].x.length);
    }}
    return points;
}}"""


# The box of an element on screen (window coordinates), or null when there is none.
BOX_JS = """(el) => { const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width}; }"""


def chart_box(page: Page, title: str) -> dict | None:
    """The box of the visible Plotly chart with this title."""
    return page.evaluate(
        f"""(t) => {{ const div = ({VISIBLE_CHARTS_JS})(t)[0];
            return div ? ({BOX_JS})(div) : null; }}""",
        title,
    )


def chart_points(page: Page, title: str) -> int:
    """Points in the first trace of the visible Plotly chart with this title (-1 when absent)."""
    return page.evaluate(CHART_POINTS_JS, title)


LAST_STEP_JS = f"""(title) => {{
    let step = -1;
    for (const div of ({VISIBLE_CHARTS_JS})(title)) {{
        const full = div._fullData;
        const x = full && full.length ? full[0].x : [];
        if (x.length) step = Math.max(step, Number(x[x.length - 1]));
    }}
    return step;
}}"""


def last_step(page: Page, title: str) -> float:
    """The x of the last point of the first trace of the visible chart with this title (-1 when
    absent): unlike the number of points, it only grows while a run trains (long histories are
    thinned)."""
    return page.evaluate(LAST_STEP_JS, title)


def wait_for_chart(page: Page, title: str, timeout_ms: int = 30_000) -> int:
    """Wait until the chart with this title shows at least one point; returns the count."""
    page.wait_for_function(f"(t) => ({CHART_POINTS_JS})(t) > 0", arg=title, timeout=timeout_ms)
    return chart_points(page, title)


def set_number(page: Page, label: str, value: int) -> None:
    """Type a value into a number input and commit it."""
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    wait_idle(page)


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a selectbox."""
    page.locator("[data-testid='stSelectbox']").filter(has_text=label).click()
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_idle(page)


def click(page: Page, name: str) -> None:
    """Click a button by its label."""
    page.get_by_role("button", name=name, exact=True).click()


def screenshot(page: Page, name: str) -> None:
    """Keep a full-page screenshot under test-artifacts/ for a person to look at."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def upload_on_data(page: Page, url: str, source: str, path) -> None:
    """On the Data page: the source (`IMU recording`, `Time series (CSV)`), its upload choice,
    and the file given to the uploader."""
    open_page(page, url, "data")
    page.get_by_text(source, exact=True).click()
    wait_idle(page)
    page.get_by_text("Upload a CSV or zip", exact=True).click()
    wait_idle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    wait_idle(page)
