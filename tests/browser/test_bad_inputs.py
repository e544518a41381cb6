"""Every bad input answered in the page: each file of tests/bad_inputs/ uploaded to the Data page
ends with a sentence (the reader's error, or what was detected), never an exception box; names
that hold HTML or Markdown show as text; and a sample still reads afterwards. A file over the
upload limit is refused by Streamlit's uploader, and the label says the limit."""

from __future__ import annotations

import tomllib

import pytest
from playwright.sync_api import Page, expect

from rnn_core.datasets import DataError
from rnn_core.datasets.imu.prepare import imu_table, prepare_imu
from rnn_core.datasets.imu.reader import ImuFormatError, detect_columns, read_imu_csv
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import assert_no_exception, screenshot, set_number, wait_idle
from tests.browser.test_imu import upload_recording
from tests.core.test_bad_inputs import BAD_INPUTS, OUTCOMES
from tests.paths import ROOT

pytestmark = pytest.mark.browser

ERROR = "[data-testid='stAlertContentError']"
WINDOW = "Window length (steps the model reads at a time)"
MAP_HINT = "Map the columns by hand above if detection got them wrong."
RERUN_MS = 30_000  # a rerun that draws a 6,000-row chart can take seconds on a busy machine
# what the file's names or labels would become if Markdown or HTML in them were rendered
RENDERED = (
    "script, b, strong, em, del, code, a, img, iframe, .katex, [class*='Colored'], [role=img]"
)


def _detected(page: Page):
    return page.locator("[data-testid='stExpander']").filter(has_text="What was detected")


def _detected_once(page: Page, text: str) -> None:
    """Wait until the one "What was detected" box is the one that says `text`: wait_idle can
    return before a rerun starts, and the previous run's box stays until the new run ends."""
    expect(_detected(page).filter(has_text=text)).to_have_count(1, timeout=RERUN_MS)
    expect(_detected(page)).to_have_count(1, timeout=RERUN_MS)


def _reader_error(path) -> str:
    with pytest.raises(ImuFormatError) as caught:
        read_imu_csv(path)
    return str(caught.value)


def _has_columns(path) -> bool:
    """Whether the file has columns a person could map by hand."""
    try:
        detect_columns(path)
    except ImuFormatError:
        return False
    return True


def _assert_shown_as_text(page: Page) -> None:
    """Nothing from the file became an element: no script, bold, link or colour in the page's
    sentences, and no link anywhere that runs javascript."""
    sentences = page.locator(f"{ERROR}, [data-testid='stExpander']")
    expect(
        sentences.locator("[data-testid='stMarkdownContainer']").locator(RENDERED)
    ).to_have_count(0)
    expect(page.locator("[data-testid='stMain'] script")).to_have_count(0)
    expect(page.locator("a[href^='javascript' i]")).to_have_count(0)


def _still_works(page: Page) -> None:
    """After the bad file, a sample recording reads as before."""
    page.get_by_text("Sample: phone export (phyphox zip)", exact=True).click()
    wait_idle(page)
    _detected_once(page, "Format: phyphox")  # the sample's sentences, not the file's
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Sample rate")
    expect(metric).to_contain_text("50 Hz")
    expect(page.locator(ERROR)).to_have_count(0)
    assert_no_exception(page)


def _window_too_long(page: Page, path, window: int, fragment: str) -> None:
    """A window longer than a part: 2 · Train says prepare's sentence; back to 1 · Data."""
    with pytest.raises(DataError) as caught:
        prepare_imu(imu_table(read_imu_csv(path)), window)
    assert fragment in str(caught.value)
    set_number(page, WINDOW, window)
    page.get_by_role("link", name="2 · Train").click()
    wait_idle(page)
    expect(page.locator(ERROR)).to_have_text(
        f"{caught.value} (The window length is set on 1 · Data.)", timeout=RERUN_MS
    )
    assert_no_exception(page)
    screenshot(page, f"bad-input-{path.stem}-train")
    page.get_by_role("link", name="1 · Data").click()
    wait_idle(page)


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_each_bad_input_ends_with_a_sentence_in_the_page(page, app_url, name):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    path, outcome = BAD_INPUTS / name, OUTCOMES[name]
    upload_recording(page, app_url, path)
    if outcome.error:
        message = _reader_error(path)
        assert outcome.error in message
        # the last error box is the page's; a file that cannot be sniffed has a second one,
        # folded away in "Map the columns by hand"
        expect(page.locator(ERROR).last).to_have_text(message, timeout=RERUN_MS)
        expect(page.locator(ERROR).last).to_be_visible()
        # mapping by hand is offered only when the file has columns to map
        expect(page.get_by_text(MAP_HINT)).to_have_count(1 if _has_columns(path) else 0)
    else:
        recording = read_imu_csv(path)
        _detected_once(page, outcome.detected)
        for sentence in recording.detected:
            expect(_detected(page)).to_contain_text(sentence)
        expect(page.locator(ERROR)).to_have_count(0)
        # below the fold of the page's screenshot, so kept on its own
        _detected(page).screenshot(path=str(ARTIFACTS / f"bad-input-{path.stem}-detected.png"))
    _assert_shown_as_text(page)
    assert_no_exception(page)
    screenshot(page, f"bad-input-{path.stem}")
    if outcome.window:
        _window_too_long(page, path, outcome.window, outcome.window_error)
    _still_works(page)
    assert dialogs == []


def test_a_file_over_the_upload_limit_is_refused_and_the_limit_is_said(page, app_url, tmp_path):
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    limit = config["server"]["maxUploadSize"]  # MB
    big = tmp_path / "too-big.csv"
    row = b"0.0200,-1.9445,0.1811,9.6102,0.9406,-0.0395,0.0100\n"
    big.write_bytes(b"time,ax,ay,az,gx,gy,gz\n" + row * ((limit + 1) * 2**20 // len(row)))
    assert big.stat().st_size > limit * 2**20
    upload_recording(page, app_url, big)
    chip = page.locator("[data-testid='stFileChip']")
    expect(chip).to_have_attribute("aria-invalid", "true")  # Streamlit refused it in the browser
    chip.hover()  # Streamlit says why only in a tooltip on the file
    expect(page.locator("[data-testid='stTooltipErrorContent']")).to_have_text(
        f"File must be {limit:.1f}MB or smaller."
    )
    uploader = page.locator("[data-testid='stFileUploader']")
    expect(uploader.get_by_text(f"up to {limit} MB")).to_be_visible()  # said without hovering
    expect(page.get_by_text("Upload a recording to train on it")).to_be_visible()
    expect(page.locator(ERROR)).to_have_count(0)
    assert_no_exception(page)
    screenshot(page, "bad-input-over-the-upload-limit")
    _still_works(page)
