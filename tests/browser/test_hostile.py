"""Hostile inputs through the browser, on a server of its own: links with knobs at and past their
bounds, Markdown in a link's names and values, an edited checkpoint, a crafted checkpoint (a
standardizer of self-nested lists) and crafted run zips, a link that needs an upload and a refused
upload. Each ends with a sentence, no traceback or server path, no request to another machine
(the `page` fixture), a health check that keeps answering (sampled all along while the crafted
files are read), and server memory back within 20 % of where it was once the pages are closed."""

from __future__ import annotations

import io
import json
import threading
import time
from dataclasses import asdict
from urllib.parse import urlencode

import pytest
import torch
from playwright.sync_api import Page, expect

from rnn_core.checkpoint import save_checkpoint
from rnn_core.models import ModelConfig, build_model
from rnn_core.runs import open_store
from rnn_core.runs.archive import run_zip
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import (
    CONNECTED,
    HEALTH_TIMEOUT_S,
    assert_no_exception,
    health_answers,
    screenshot,
    wait_idle,
)
from tests.browser.server import served
from tests.core.test_import_bounds import parts, stored_real_run, zipped
from tests.core.test_untrusted import self_nested
from tests.paths import ROOT
from ui.session.plain import WORD_JOINER
from ui.sources.imu import SAMPLE_FILES, UPLOAD

pytestmark = pytest.mark.browser

ALERT = "[data-testid='stAlert']"
RERUN_MS = 30_000
LIMIT_MIB = 2000  # the server's memory limit per training, so that the refusals do not depend
# on this machine's memory
MAX_CELLS = ["LSTM", "GRU", "RNN (tanh)", "RNN (relu)"]
CASES = {
    "units-per-layer-past-the-bound": (
        "train",
        {"layers": "2", "layer_sizes": "12000,1"},
        "'12000' is not a whole number from 1 to 512",
    ),
    "units-per-layer-far-past-the-bound": (
        "train",
        {"layers": "2", "layer_sizes": "100000,1"},
        "'100000' is not a whole number from 1 to 512",
    ),
    "every-train-knob-at-its-bound": (
        "train",
        {"hidden": "512", "layers": "4", "batch": "4096", "amount": "100000"},
        "lower the batch size or the window length",
    ),
    "compare-at-its-bounds": (
        "compare",
        {
            "compare.cells": MAX_CELLS,
            "compare.hidden": "512",
            "compare.layers": "4",
            "compare.batch": "1024",
            "compare.steps": "20000",
            "compare.unclipped": "true",
        },
        "lower the batch size or the window length",
    ),
    "markdown-in-a-name-and-a-value": (
        "train",
        {"[click here](https://example.com)": "1", "cell": "![p](https://example.com/p.png)"},
        "is not a setting of this app",
    ),
    "a-very-long-value": ("train", {"cell": "y" * 20_000}, "is not one of"),
    "a-link-that-needs-an-upload-on-train": (
        "train",
        {"source_kind": "IMU recording", "imu.choice": UPLOAD},
        "not part of a link",
    ),
    "a-link-that-needs-an-upload-on-compare": (
        "compare",
        {"source_kind": "IMU recording", "imu.choice": UPLOAD},
        "not part of a link",
    ),
}

REFUSED = {  # cases whose Start must stay disabled (a link's bad value just keeps its default)
    "every-train-knob-at-its-bound",
    "compare-at-its-bounds",
    "a-link-that-needs-an-upload-on-train",
    "a-link-that-needs-an-upload-on-compare",
}


@pytest.fixture(scope="module")
def server(monkeypatch_module):
    """The app on a server of its own, whose process's memory the tests read."""
    monkeypatch_module.setenv("RNN_EXPLORER_TRAINING_MIB", str(LIMIT_MIB))
    ARTIFACTS.mkdir(exist_ok=True)
    with served(ARTIFACTS / "server-hostile.log") as (url, process):
        yield url, process.pid


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _no_traceback_or_path(page: Page) -> None:
    assert_no_exception(page)
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "Traceback" not in text
    assert str(ROOT) not in text and "site-packages" not in text


def _nothing_rendered_from_outside(page: Page) -> None:
    """No link, image or element made from the input inside the page's alerts, and no link to
    another machine anywhere."""
    made = page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].map((e) => e.outerHTML.slice(0, 300))""",
        f"{ALERT} a, {ALERT} img, {ALERT} script, {ALERT} iframe",
    )
    assert made == []
    expect(page.locator("a[href*='example.com']")).to_have_count(0)
    expect(page.locator("img[src*='example.com']")).to_have_count(0)


def _open(page: Page, url: str, path: str, params: dict) -> None:
    page.goto(f"{url}/{path}?{urlencode(params, doseq=True)}")
    page.wait_for_selector(CONNECTED, timeout=60_000)
    wait_idle(page)


def _start_button(page: Page, path: str):
    name = "Start" if path == "train" else "Train them all"
    return page.get_by_role("button", name=name, exact=True)


def _edited_checkpoint(tmp_path, hidden: int):
    model = build_model(ModelConfig(input_size=8, output_size=5, hidden_size=8), seed=0)
    payload = torch.load(io.BytesIO(save_checkpoint(model, None)), weights_only=True)
    payload["config"] = {**asdict(model.config), "hidden_size": hidden}
    path = tmp_path / f"edited-{hidden}.pt"
    torch.save(payload, path)
    return path


def _new_page(browser, hosts: set[str]) -> tuple:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.on("request", lambda sent: hosts.add(sent.url.split("/")[2].split(":")[0]))
    return context, context.new_page()


def _every_case(browser, url: str, tmp_path, hosts: set[str], report: list[str]) -> None:
    """Each case in a fresh session, checked as it ends."""
    for name, (path, params, sentence) in CASES.items():
        context, page = _new_page(browser, hosts)
        _open(page, url, path, params)
        expect(page.locator(ALERT).filter(has_text=sentence).first).to_be_visible(timeout=RERUN_MS)
        for alert in page.locator(ALERT).all():
            assert len(alert.inner_text()) < 600, name  # long values are shortened
        if name in REFUSED:
            expect(_start_button(page, path)).to_be_disabled()
        _no_traceback_or_path(page)
        _nothing_rendered_from_outside(page)
        if name == "markdown-in-a-name-and-a-value":  # the marks show as the characters they are
            shown = page.locator("[data-testid='stMain']").inner_text().replace(WORD_JOINER, "")
            assert "“[click here](https://example.com)”" in shown
            assert "'![p](https://example.com/p.png)'" in shown
        screenshot(page, f"hostile-{name}")
        report.append(f"{name}: health check {health_answers(url):.3f} s")
        context.close()
    _edited_checkpoints(browser, url, tmp_path, hosts, report)
    with HealthSampler(url) as health:
        _crafted_checkpoint(browser, url, tmp_path, hosts)
        _crafted_run_zips(browser, url, tmp_path, hosts)
    report.append(f"crafted files: slowest health check {health.slowest:.3f} s")
    assert health.slowest < HEALTH_TIMEOUT_S and not health.failures, health.failures
    _refused_upload(browser, url, hosts)


def _edited_checkpoints(browser, url: str, tmp_path, hosts: set[str], report: list[str]) -> None:
    """A saved model whose hidden size was edited is refused on Evaluate with a sentence."""
    context, page = _new_page(browser, hosts)
    for hidden in (1_000_000, 12_000):
        _open(page, url, "evaluate", {"source_kind": "IMU recording"})
        uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']")
        uploader.set_input_files(str(_edited_checkpoint(tmp_path, hidden)))
        wait_idle(page)
        refusal = page.locator(ALERT).filter(has_text="hidden_size must be between 1 and 512")
        expect(refusal).to_be_visible(timeout=RERUN_MS)
        _no_traceback_or_path(page)
        report.append(f"checkpoint hidden {hidden}: health check {health_answers(url):.3f} s")
    context.close()


class HealthSampler:
    """The health check asked every half second in a thread while the block runs: the slowest
    answer, and what failed."""

    def __init__(self, url: str) -> None:
        self.url, self.slowest, self.failures = url, 0.0, []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.wait(0.5):
            try:
                self.slowest = max(self.slowest, health_answers(self.url))
            except Exception as error:  # noqa: BLE001 (a failure is what is recorded)
                self.failures.append(repr(error)[:200])

    def __enter__(self) -> HealthSampler:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._done.set()
        self._thread.join(timeout=HEALTH_TIMEOUT_S + 1)


def _upload(page: Page, path) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    wait_idle(page)


def _crafted_checkpoint(browser, url: str, tmp_path, hosts: set[str]) -> None:
    """A 28 KB-class saved model whose standardizer is a list nested in itself 40 times (2**40
    numbers through shared references) is refused on Evaluate without being expanded."""
    model = build_model(ModelConfig(input_size=8, output_size=5, hidden_size=8), seed=0)
    payload = torch.load(io.BytesIO(save_checkpoint(model, None)), weights_only=True)
    payload["standardizer"] = {"mean": self_nested(40), "std": self_nested(40)}
    path = tmp_path / "crafted-standardizer.pt"
    torch.save(payload, path)
    assert path.stat().st_size < 60_000
    context, page = _new_page(browser, hosts)
    _open(page, url, "evaluate", {"source_kind": "IMU recording"})
    _upload(page, path)
    refusal = page.locator(ALERT).filter(has_text="standardizer's mean must be a flat list")
    expect(refusal).to_be_visible(timeout=RERUN_MS)
    _no_traceback_or_path(page)
    screenshot(page, "hostile-crafted-checkpoint")
    context.close()


def _crafted_zips(tmp_path) -> dict[str, tuple]:
    """Run zips, each crafted from a real one, and the sentence that refuses each."""
    store = open_store(str(tmp_path / "crafted-runs"))
    real = run_zip(store, stored_real_run(store))
    store.close()
    members = parts(real)
    summary = json.loads(members["settings.json"])
    summary["settings"]["link"] = "hidden=32"
    many_rows = "step,loss,val_loss,grad_norm,lr,seconds\n" + "1,1,,1,1,1\n" * 2_000_000
    return {
        "string-link": (
            {**members, "settings.json": json.dumps(summary).encode()},
            "its link's settings must be a table",
        ),
        "two-million-rows": ({**members, "history.csv": many_rows.encode()}, "larger than"),
    }


def _crafted_run_zips(browser, url: str, tmp_path, hosts: set[str]) -> None:
    """Crafted run zips are refused on Runs with a sentence, and nothing is stored."""
    context, page = _new_page(browser, hosts)
    _open(page, url, "runs", {})
    page.get_by_text("Import a run (.zip)").click()
    for name, (members, sentence) in _crafted_zips(tmp_path).items():
        path = tmp_path / f"{name}.zip"
        path.write_bytes(zipped(members))
        _upload(page, path)
        refusal = page.locator(ALERT).filter(has_text=sentence)
        expect(refusal).to_be_visible(timeout=RERUN_MS)
        _no_traceback_or_path(page)
        screenshot(page, f"hostile-crafted-zip-{name}")
    expect(page.get_by_text("No runs yet")).to_be_visible()
    context.close()


def _refused_upload(browser, url: str, hosts: set[str]) -> None:
    """After a refused upload, Train says so and offers no Start (no sample stands in)."""
    context, page = _new_page(browser, hosts)
    _open(page, url, "data", {})
    page.get_by_text("IMU recording", exact=True).click()
    wait_idle(page)
    page.get_by_text("Upload a CSV or zip", exact=True).click()
    wait_idle(page)
    bad = ROOT / "tests" / "bad_inputs" / "binary.csv"
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(bad))
    # the Data page has read and refused the file before the user moves on
    refused = page.locator(ALERT).filter(has_text="looks like binary data", visible=True)
    expect(refused.first).to_be_visible(timeout=RERUN_MS)
    wait_idle(page)
    page.get_by_role("link", name="2 · Train").click()
    wait_idle(page)
    expect(page.locator(ALERT).filter(has_text="The chosen file cannot be used")).to_be_visible(
        timeout=RERUN_MS
    )
    expect(_start_button(page, "train")).to_be_disabled()
    _no_traceback_or_path(page)
    screenshot(page, "hostile-refused-upload-train")
    page.get_by_role("link", name="1 · Data").click()  # a good file now: no warning stays above
    wait_idle(page)
    _upload(page, ROOT / "data" / SAMPLE_FILES[1])
    expect(page.get_by_text("Training will use:")).to_be_visible(timeout=RERUN_MS)
    wait_idle(page)
    for missing in ("cannot be used", "choose its data on 1 · Data"):
        expect(page.locator(ALERT).filter(has_text=missing)).to_have_count(0)
    screenshot(page, "hostile-accepted-upload-data")
    context.close()


def test_hostile_inputs_end_in_sentences_and_the_server_stays_well(browser, server, tmp_path):
    """Every case twice: the first round loads what the pages import and cache; the server's
    memory after the second must be within 20 % of what it held between the two."""
    url, pid = server
    report: list[str] = []
    hosts: set[str] = set()
    _every_case(browser, url, tmp_path, hosts, report)
    before = _rss_mib(pid)
    _every_case(browser, url, tmp_path, hosts, report)
    assert hosts <= {"127.0.0.1", ""}, f"requests left this machine: {hosts}"
    after = _rss_mib(pid)
    for _ in range(30):  # what the closed sessions held is let go
        if after <= 1.2 * before:
            break
        time.sleep(1)
        after = _rss_mib(pid)
    report.append(f"server memory: {before:.0f} MiB between the rounds, {after:.0f} MiB after")
    (ARTIFACTS / "hostile-report.txt").write_text("\n".join(report) + "\n")
    assert after <= 1.2 * before, (before, after)
