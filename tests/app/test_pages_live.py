"""The Live page against a simulated phyphox: connect, the tiles and charts, a bad address, the
phone gone, Record to Stop and the recording used on 1 · Data; no thread outlives a test."""

from __future__ import annotations

import threading
import time

import pytest

from rnn_core.phone.hub import hub
from tests.app.conftest import no_problems, open_app
from tests.phones.phyphox_sim import PhyphoxSimulator
from tests.phones.recording import xio_fusion

PAGE = "app_pages/live.py"
OURS = ("phyphox-client", "phone-hub")


def our_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name in OURS and t.is_alive()]


@pytest.fixture(autouse=True)
def disconnected():
    hub().disconnect()
    yield
    hub().disconnect()
    assert not our_threads()


@pytest.fixture
def phone():
    with PhyphoxSimulator(xio_fusion()) as simulator:
        yield simulator


def rerun_until(at, condition, timeout: float = 30.0, what: str = "the page"):
    """AppTest does not run `run_every` fragments: rerun until `condition(at)`."""
    deadline = time.monotonic() + timeout
    at.run()
    while not condition(at):
        assert time.monotonic() < deadline, f"waited {timeout:g} s for {what}"
        time.sleep(0.2)
        at.run()


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def connected_page(phone):
    at = open_app().switch_page(PAGE).run()
    at.text_input(key="live.address").set_value(phone.url)
    at.button(key="live.connect").click().run()
    rerun_until(at, lambda a: len(a.get("plotly_chart")) >= 2, what="the charts")
    return at


def said(at) -> str:
    return " ".join(str(w.value) for w in at.warning)


def test_connect_shows_the_tiles_and_both_charts(phone):
    at = connected_page(phone)
    no_problems(at)
    rerun_until(at, lambda a: metric(a, "Samples received") != "0", what="samples")
    assert int(metric(at, "Samples received").replace(",", "")) > 0
    assert metric(at, "Accelerometer").endswith("Hz")
    assert "ms" in metric(at, "Delay p50 / p95")
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert "six channels" in titles[0] and "Roll and pitch" in titles[1]
    at.button(key="live.disconnect").click().run()
    assert not our_threads()
    no_problems(at)


def test_a_bad_address_gets_a_sentence():
    at = open_app().switch_page(PAGE).run()
    at.text_input(key="live.address").set_value("file:///etc/passwd").run()
    at.button(key="live.connect").click().run()
    assert not at.exception
    assert said(at) and not hub().connected


def test_the_phone_gone_is_said_on_the_page(phone):
    at = connected_page(phone)
    phone.go_down()
    rerun_until(at, lambda a: "No answer from phyphox" in said(a), what="the outage sentence")
    assert not at.exception


def test_record_stop_and_use_the_recording_on_data(phone):
    at = connected_page(phone)
    at.button(key="live.record").click().run()
    time.sleep(1.5)
    at.run()
    at.button(key="live.stop").click().run()
    no_problems(at)
    assert at.get("download_button")
    at.button(key="live.use").click().run()
    assert any("1 · Data" in s.value for s in at.success)
    at.switch_page("app_pages/data.py").run()
    no_problems(at)
    assert any(m.label == "Sample rate" for m in at.metric)
    at.switch_page(PAGE).run()
    at.button(key="live.disconnect").click().run()
    assert not our_threads()
