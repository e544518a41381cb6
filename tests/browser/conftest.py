"""Fixtures for browser tests: the app served on localhost and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, ROOT, served

ARTIFACTS = ROOT / "test-artifacts"
# How long an action or an expectation may wait: generous, so that a busy machine (a first page
# importing torch while other jobs run) is slow, not failing. Speed is held by `python -m bench`.
BUSY_MACHINE_MS = 120_000
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def app_url():
    """The app, served for the whole test session (one server a worker under `pytest -n`)."""
    ARTIFACTS.mkdir(exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    with served(ARTIFACTS / f"server{'-' + worker if worker else ''}.log") as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from Debian's package (Playwright's own download is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the test item, so a fixture can see a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(browser, request):
    """A fresh browser context (its own Streamlit session) and page; a screenshot on failure.
    Every request the page made must have gone to this machine: the app works offline."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(BUSY_MACHINE_MS)
    hosts: set[str] = set()
    context.on("request", lambda sent: hosts.add(urlsplit(sent.url).hostname or ""))
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()
    assert hosts <= {"127.0.0.1", ""}, f"requests left this machine: {hosts}"
