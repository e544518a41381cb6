"""The IMU lab in a real browser: a phyphox zip and an Arduino log uploaded as they are, the
preset trained, the RMSE table read on Evaluate; a BROAD trial scored against its ground truth;
a broken file and a stranger's .pt refused."""

import re

import pytest
from playwright.sync_api import Page, expect

from rnn_core.datasets.imu.reader import read_imu_csv
from tests.browser.helpers import (
    CHART_POINTS_JS,
    assert_no_exception,
    click,
    open_page,
    screenshot,
    set_number,
    upload_on_data,
    wait_idle,
)
from tests.paths import ROOT, SHARED

pytestmark = pytest.mark.browser

DATA = ROOT / "data"


def upload_recording(page: Page, app_url: str, path) -> None:
    """On the Data page: IMU recording, Upload, and the file given to the uploader."""
    upload_on_data(page, app_url, "IMU recording", path)


@pytest.mark.parametrize(
    ("path", "format_name"),
    [
        (DATA / "imu-sim-phyphox.zip", "phyphox"),
        (DATA / "imu-sim-arduino.csv", "arduino"),
        (SHARED / "imu-samples" / "xio-gait-short_walk.csv", "x-io"),  # a real recording
    ],
)
def test_an_export_uploads_as_it_is_and_shows_rate_and_units(page, app_url, path, format_name):
    upload_recording(page, app_url, path)
    recording = read_imu_csv(path)
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Sample rate")
    expect(metric).to_contain_text(f"{recording.sample_rate:g} Hz")
    expect(page.get_by_text(f"Format: {format_name}", exact=False)).to_be_visible()
    units = [s for s in recording.detected if s.startswith(("Accelerometer:", "Gyroscope:"))]
    assert len(units) == 2
    for sentence in units:
        expect(page.get_by_text(sentence, exact=True)).to_be_visible()
    assert_no_exception(page)
    screenshot(page, f"imu-upload-{format_name}")


def test_upload_train_the_preset_and_read_rmse_in_degrees(page, app_url):
    upload_recording(page, app_url, DATA / "imu-sim-phyphox.zip")
    click(page, "Use the IMU preset")
    wait_idle(page)
    page.get_by_role("link", name="2 · Train").click()
    wait_idle(page)
    expect(page.get_by_label("Units per layer", exact=True)).to_have_value("64, 32")
    set_number(page, "Number of steps", 150)
    click(page, "Start")
    page.wait_for_function(f"(t) => ({CHART_POINTS_JS})(t) > 0", arg="Loss", timeout=60_000)
    expect(page.get_by_text(re.compile(r"Finished 150 steps|Stopped early"))).to_be_visible(
        timeout=90_000
    )
    page.get_by_role("link", name="6 · Evaluate").click()
    wait_idle(page)
    table = page.locator("[data-testid='stTable']").filter(has_text="gyro propagation RMSE")
    expect(table).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"^On (\w+, )*roll(, \w+)*, the model "))).to_be_visible()
    expect(page.get_by_role("button", name="Download the model (.pt)")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "imu-evaluate")


def test_a_broad_trial_is_scored_against_its_ground_truth(page, app_url):
    trial = SHARED / "imu-samples" / "broad-07_undisturbed_fast_rotation_B.csv"
    upload_recording(page, app_url, trial)
    expect(page.get_by_text(re.compile(r"Ground truth: missing in \d"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Movement phases: column 'movement'"))).to_be_visible()
    set_number(page, "Resample to (Hz, 0 = the file's own rate)", 50)
    expect(page.get_by_text(re.compile(r"The test part hardly moves"))).to_be_visible()
    slider = page.get_by_role("slider", name="Test part starts at (% of the recording)")
    slider.focus()
    for _ in range(45):  # 85 % -> 40 %, where the trial moves
        slider.press("ArrowLeft")
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"The test part hardly moves"))).to_have_count(0)
    click(page, "Use the IMU preset")
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"windows of 20 steps = 0.4 s at 50 Hz"))).to_be_visible()
    page.get_by_role("link", name="2 · Train").click()
    wait_idle(page)
    set_number(page, "Number of steps", 100)
    click(page, "Start")
    expect(page.get_by_text(re.compile(r"Finished 100 steps|Stopped early"))).to_be_visible(
        timeout=120_000
    )
    page.get_by_role("link", name="6 · Evaluate").click()
    wait_idle(page)
    expect(page.get_by_text("Attitude against the ground truth")).to_be_visible(timeout=60_000)
    attitude = page.locator("[data-testid='stTable']").filter(has_text="inclination")
    expect(attitude).to_be_visible(timeout=60_000)
    text = attitude.inner_text()
    for name in ("VQF", "Madgwick", "Mahony", "Fusion", "Complementary", "the model"):
        assert name in text, text
    expect(page.get_by_text(re.compile(r"^On (\w+, )*pitch(, \w+)*, the model "))).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "imu-evaluate-broad-scores")
    attitude.scroll_into_view_if_needed()
    screenshot(page, "imu-evaluate-broad-truth")


def test_a_broken_file_gets_a_sentence(page, app_url, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text("time,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n0.01,1,2,oops,4,5,6\n")
    upload_recording(page, app_url, broken)
    expect(page.locator("[data-testid='stAlertContentError']")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "imu-broken-file")


def test_a_file_that_is_not_a_saved_model_is_refused(page, app_url, tmp_path):
    open_page(page, app_url, "data")
    page.get_by_text("IMU recording", exact=True).click()
    wait_idle(page)
    stranger = tmp_path / "stranger.pt"
    stranger.write_bytes(b"not a model at all")
    open_page(page, app_url, "evaluate")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(stranger))
    wait_idle(page)
    expect(page.locator("[data-testid='stAlertContentError']")).to_be_visible()
    assert_no_exception(page)
