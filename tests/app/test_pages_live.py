"""The Live page against a simulated phyphox: connect, the tiles and charts, a bad address, the
phone gone, Record to Stop and the recording used on 1 · Data; no thread outlives a test."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from rnn_core.evaluation.metrics import display_unit
from rnn_core.phone.hub import hub
from tests.app.conftest import (
    chart_values,
    live_figures,
    no_problems,
    open_app,
    train_until_done,
)
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
    rerun_until(at, lambda a: len(live_figures(a)) >= 2, what="the charts")
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
    titles = [figure["layout"]["title"]["text"] for figure in live_figures(at)]
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


def trace_values(figure: dict, name: str) -> np.ndarray:
    return chart_values(next(t["y"] for t in figure["data"] if t.get("name") == name))


@pytest.mark.slow
def test_a_model_trained_on_a_recording_follows_the_phone(phone):
    """Record, use it on Data with the IMU preset, train from Train's own button, come back:
    the forecast beside what happened, its running RMSE the closed form of the pairs shown,
    the hidden state's heatmap the forecaster's state, and what happened the hub's own rows."""
    at = connected_page(phone)
    at.button(key="live.record").click().run()
    time.sleep(8.0)
    at.run()
    at.button(key="live.stop").click().run()
    at.button(key="live.use").click().run()
    no_problems(at)
    at.switch_page("app_pages/data.py").run()
    at.button(key="btn.imu_preset").click().run()
    no_problems(at)
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(20).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    at.switch_page(PAGE).run()
    titles = lambda a: " ".join(f["layout"]["title"]["text"] for f in live_figures(a))  # noqa: E731
    rerun_until(at, lambda a: "Hidden state" in titles(a), what="the forecast and heatmap")
    no_problems(at)
    following = at.session_state["live.forecaster"]
    targets = following.forecaster.targets
    charts = live_figures(at)
    forecast = next(c for c in charts if "Next-step forecast" in c["layout"]["title"]["text"])
    hidden = next(c for c in charts if "Hidden state" in c["layout"]["title"]["text"])
    name = targets[0]
    actual = trace_values(forecast, f"{name} · what happened")
    predicted = trace_values(forecast, f"{name} · forecast")
    times = chart_values(forecast["data"][0]["x"])
    factor = display_unit(name)[1]
    rows = hub().rows_since(None)
    by_time = dict(zip(rows.rows.time.tolist(), range(len(rows.rows)), strict=True))
    index = [by_time[t] for t in times[-50:] if t in by_time]
    assert len(index) >= 25  # the newest pairs are still in the hub's ring
    if name in ("roll", "pitch"):
        held = rows.angles["vqf"][index, ("roll", "pitch").index(name)]  # degrees
    else:
        axis = "xyz".index(name[1])
        held = (rows.rows.accel if name[0] == "a" else rows.rows.gyro)[index, axis] * factor
    shown_actual = actual[-50:][[t in by_time for t in times[-50:]]]
    np.testing.assert_allclose(shown_actual, held, rtol=1e-9, atol=1e-9)
    error = (predicted - actual)[-following.forecaster.error_rows :]
    title = forecast["layout"]["annotations"][0]["text"]  # "roll · RMSE 1.23 deg"
    shown_rmse = title.split("RMSE ")[1].split()[0]
    assert shown_rmse == f"{float(np.sqrt(np.mean(error**2))):.3g}"  # the closed form, as shown
    last_state = chart_values(hidden["data"][0]["z"])[:, -1]  # (U,) newest column
    np.testing.assert_allclose(last_state, following.states[-1][1], rtol=1e-6, atol=1e-6)
    at.button(key="live.disconnect").click().run()
    assert not our_threads()
