"""An upload in a real browser: right after it, the page reads the file, and no banner says that
nothing was uploaded; the x-io walk's short dropouts are bridged and said so."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_exception, screenshot
from tests.browser.test_imu import upload_recording
from tests.paths import SHARED

pytestmark = pytest.mark.browser


def test_right_after_an_upload_no_banner_says_nothing_was_uploaded(page, app_url):
    upload_recording(page, app_url, SHARED / "imu-samples" / "xio-gait-short_walk.csv")
    expect(page.get_by_text("Format: x-io", exact=False)).to_be_visible()
    expect(page.get_by_text("short dropout(s)", exact=False)).to_be_visible()
    expect(page.get_by_text("has not been uploaded", exact=False)).to_have_count(0)
    expect(page.get_by_text("Nothing trains until", exact=False)).to_have_count(0)
    assert_no_exception(page)
    screenshot(page, "imu-upload-no-stale-banner")
