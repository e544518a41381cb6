"""The export in a real browser: an IMU model trained, exported from Train and from Evaluate (the
build's progress shown meanwhile), each zip downloaded and opened."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rnn_core.export.bundle import MEMBERS
from tests.browser.helpers import (
    assert_no_exception,
    click,
    open_page,
    screenshot,
    set_number,
    wait_idle,
)

pytestmark = pytest.mark.browser

EXPORT = "Export for C++ and ONNX (.zip)"
COMPILE_MS = 600_000  # a C++ build on a busy two-core machine


def export_and_download(page: Page, name: str) -> zipfile.ZipFile:
    """Click the export, see its progress, wait for the download button, download, open."""
    click(page, EXPORT)
    expect(page.get_by_text(re.compile(r"^Exporting: "))).to_be_visible()
    screenshot(page, f"export-{name}-progress")
    button = page.get_by_role("button", name=re.compile(r"^Download the export \("))
    expect(button).to_be_visible(timeout=COMPILE_MS)
    expect(
        page.get_by_text(re.compile(r"^Exported in \d+ s, of which \d+ s compiling"))
    ).to_be_visible()
    button.scroll_into_view_if_needed()
    screenshot(page, f"export-{name}-ready")
    with page.expect_download() as download:
        button.click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert sorted(archive.namelist()) == sorted(MEMBERS)
    assert_no_exception(page)
    return archive


def test_an_imu_model_is_exported_from_train_and_from_evaluate(page, app_url):
    open_page(page, app_url, "data")
    page.get_by_text("IMU recording", exact=True).click()
    wait_idle(page)
    page.get_by_role("link", name="2 · Train").click()
    wait_idle(page)
    expect(page.get_by_role("button", name=EXPORT)).to_have_count(0)  # nothing trained yet
    set_number(page, "Number of steps", 20)
    click(page, "Start")
    expect(page.get_by_text(re.compile(r"Finished 20 steps|Stopped early"))).to_be_visible(
        timeout=120_000
    )
    from_train = export_and_download(page, "train")
    sidecar = json.loads(from_train.read("model.json"))
    assert sidecar["input"]["units"][sidecar["input"]["channels"].index("ax")] == "m/s^2"
    assert sidecar["sample_rate_hz"] > 0 and sidecar["output"]["change_added_back_from"]
    assert from_train.read("history.csv").decode().startswith("step,")

    page.get_by_role("link", name="6 · Evaluate").click()
    wait_idle(page)
    from_evaluate = export_and_download(page, "evaluate")
    assert json.loads(from_evaluate.read("model.json"))["input"] == sidecar["input"]
    assert from_evaluate.read("samples.csv") == from_train.read("samples.csv")
