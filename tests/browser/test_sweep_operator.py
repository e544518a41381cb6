"""Where sweeps run is the operator's choice, in a real browser on a server of its own started
with RAY_ADDRESS set to an address Ray refuses: the Sweep page has no address box, says which
cluster the operator set, and a Start ends every run with a sentence while the server's health
check keeps answering."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, BUSY_MACHINE_MS
from tests.browser.helpers import (
    assert_no_exception,
    health_answers,
    open_page,
    screenshot,
)
from tests.browser.server import served

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def operator_server():
    """The app on a server whose operator set a Ray address that cannot be used."""
    pytest.importorskip("ray")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_ADDRESS", "head-node")  # no port: Ray refuses it
        ARTIFACTS.mkdir(exist_ok=True)
        with served(ARTIFACTS / "server-sweep-operator.log") as (url, process):
            yield url, process


def test_the_operators_cluster_is_said_and_its_failure_is_a_sentence(page: Page, operator_server):
    url, process = operator_server
    open_page(page, url, "sweep")
    where = page.get_by_text("Runs train on the Ray cluster at head-node")
    expect(where).to_be_visible(timeout=BUSY_MACHINE_MS)  # the first page imports torch
    expect(page.get_by_label("Ray cluster address")).to_have_count(0)
    page.get_by_role("button", name="Start", exact=True).click()
    said = page.locator("[data-testid='stAlertContentError']").filter(
        has_text="could not be reached"
    )
    deadline = time.monotonic() + 120  # a hang guard, not a timing
    while not said.count():
        assert time.monotonic() < deadline, "no sentence about the cluster"
        health_answers(url)
        assert process.poll() is None, "the server ended"
        time.sleep(1)
    expect(said.first).to_contain_text(
        "The Ray cluster at head-node could not be reached: Invalid address format"
    )
    assert_no_exception(page)
    screenshot(page, "sweep-operator-cluster-unreachable")
    health_answers(url)
    assert process.poll() is None
