"""Several recordings uploaded at once in a real browser: each gets a role, a short training runs
on the training recording, and Evaluate scores the model on the unseen test recording and pooled."""

import re

import pytest
from playwright.sync_api import expect

from tests.app.test_pages_imu_sets import TRIALS, cut_trial
from tests.browser.helpers import (
    assert_no_exception,
    click,
    open_page,
    screenshot,
    set_number,
    wait_idle,
)

pytestmark = pytest.mark.browser


def test_three_recordings_upload_as_a_set_train_and_are_scored_per_recording(
    page, app_url, tmp_path
):
    paths = []
    for trial in TRIALS:
        name, data = cut_trial(trial)
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    open_page(page, app_url, "data")
    page.get_by_text("IMU recording", exact=True).click()
    wait_idle(page)
    page.get_by_text("Upload several recordings (CSVs, or a zip of CSVs)", exact=True).click()
    wait_idle(page)
    uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    uploader.set_input_files([str(p) for p in paths])
    wait_idle(page)
    said = "IMU set: 3 recordings (1 train, 1 validation, 1 test; next-state forecast)"
    expect(page.get_by_text(said, exact=False)).to_be_visible(timeout=60_000)
    set_number(page, "Window length (steps the model reads at a time)", 20)
    screenshot(page, "imu-set-data")
    page.get_by_role("link", name="2 · Train").click()
    wait_idle(page)
    set_number(page, "Number of steps", 20)
    click(page, "Start")
    expect(page.get_by_text(re.compile(r"Finished 20 steps|Stopped early"))).to_be_visible(
        timeout=120_000
    )
    page.get_by_role("link", name="6 · Evaluate").click()
    wait_idle(page)
    table = page.locator("[data-testid='stTable']").filter(has_text="gyro propagation RMSE")
    expect(table).to_be_visible(timeout=60_000)
    expect(table).to_contain_text(f"{TRIALS[2]}.csv")
    expect(table).to_contain_text("all test recordings")
    expect(table).not_to_contain_text(f"{TRIALS[0]}.csv")  # trained on: never scored
    expect(page.get_by_text(f"Trained on: {TRIALS[0]}.csv", exact=False)).to_be_visible()
    pooled = page.get_by_text(re.compile(r"^Pooled over the 1 test recording\(s\): On "))
    expect(pooled.first).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "imu-set-evaluate")
