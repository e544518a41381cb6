"""The phone hub against a simulated phyphox: rows arrive, both filters follow, a recording reads
back in the lab, and disconnecting leaves no thread alive; a reconnect starts afresh."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.niceness import TRAINING_NICENESS
from rnn_core.phone.hub import PHYPHOX, SENSOR_LOGGER, PhoneHub
from rnn_core.phone.phyphox import AddressError
from tests.phones.phyphox_sim import PhyphoxSimulator
from tests.phones.recording import xio_fusion
from tests.phones.sensor_logger_sim import SensorLoggerPusher, load_recording
from tests.waiting import wait_until

OURS = ("phyphox-client", "phone-hub")


def our_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name in OURS and t.is_alive()]


@pytest.fixture
def hub():
    made = PhoneHub()
    yield made
    made.disconnect()


def test_rows_arrive_filters_follow_and_a_recording_reads_back(hub):
    with PhyphoxSimulator(xio_fusion()) as phone:
        hub.connect_phyphox(phone.url)
        assert hub.kind == PHYPHOX
        wait_until(lambda: hub.snapshot(10).rows > 100, 30, "rows")
        hub.record()
        wait_until(lambda: hub.snapshot(10).received > 600, 30, "more samples")
        wait_until(lambda: len(hub.recorder.aligned_rows()[0]) > 50, 30, "recorded rows")
        name, data = hub.stop_recording()
        snap = hub.snapshot(10)
    recent = snap.recent
    assert len(recent.rows) > 50 and recent.rows.accel.shape == (len(recent.rows), 3)
    for method in ("vqf", "complementary"):
        angles = recent.angles[method]  # (M, 2)
        assert angles.shape == (len(recent.rows), 2)
        # computed in order: only the newest rows may still be pending (how far the worker
        # lags on a busy machine is for `python -m bench --live` to measure, not for a test)
        finite = np.isfinite(angles).all(axis=1)  # (M,)
        done = len(finite) if finite.all() else int(np.argmin(finite))
        assert not finite[done:].any() and done >= len(finite) // 2
    assert snap.row_hz and all(hz and hz > 10 for hz in snap.phone_hz.values())
    assert snap.delay_ms is not None and snap.delay_ms[0] <= snap.delay_ms[1]
    assert "streaming from" in snap.sentence and snap.quiet_s < 5
    upload = io.BytesIO(data)
    upload.name = name
    recording = read_imu_csv(upload)
    assert recording.source_format == "phyphox" and recording.raw.time.size > 50


def test_a_bad_address_is_refused_with_a_sentence_and_disturbs_nothing(hub):
    with pytest.raises(AddressError):
        hub.connect_phyphox("file:///etc/passwd")
    assert not hub.connected and not our_threads()


def test_disconnect_stops_every_thread_and_a_reconnect_starts_afresh(hub):
    with PhyphoxSimulator(xio_fusion()) as phone:
        hub.connect_phyphox(phone.url)
        wait_until(lambda: hub.snapshot(10).rows > 20, 30, "rows")
        hub.disconnect()
        assert not our_threads() and not hub.connected
        hub.connect_phyphox(phone.url)
        assert hub.snapshot(10).rows < 20  # a fresh stream
        wait_until(lambda: hub.snapshot(10).rows > 20, 30, "rows again")
        phone.go_down()
        wait_until(lambda: "No answer from phyphox" in hub.snapshot().sentence, 30, "outage")
    hub.disconnect()
    assert not our_threads()


def test_sensor_logger_replaces_phyphox_and_says_its_url(hub):
    with PhyphoxSimulator(xio_fusion()) as phone:
        hub.connect_phyphox(phone.url)
        url = hub.connect_sensor_logger(port=0, host="127.0.0.1")
    assert hub.kind == SENSOR_LOGGER and url.startswith("http://") and url.endswith("/data")
    assert [t.name for t in our_threads()] == ["phone-hub"]  # the phyphox client stopped
    hub.disconnect()
    assert not our_threads()


def test_stopping_a_recording_of_nothing_says_why(hub):
    hub.record()
    with pytest.raises(ValueError, match="Nothing to save"):
        hub.stop_recording()


def niceness(thread: threading.Thread) -> int:
    """A thread's nice value, from /proc (field 19 of its stat, after the name in brackets)."""
    stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="Linux: nice per thread")
def test_the_phones_threads_yield_as_training_does_and_the_pages_do_not(hub):
    with PhyphoxSimulator(xio_fusion()) as phone:
        hub.connect_phyphox(phone.url)
        wait_until(lambda: hub.snapshot(10).rows > 20, 30, "rows")
        threads = our_threads()
        assert sorted(t.name for t in threads) == ["phone-hub", "phyphox-client"]
        assert all(niceness(t) == TRAINING_NICENESS for t in threads)
        assert niceness(threading.current_thread()) == os.getpriority(os.PRIO_PROCESS, 0)


def test_a_sensor_logger_that_stops_pushing_is_said(hub):
    url = hub.connect_sensor_logger(port=0, host="127.0.0.1")
    port = url.rsplit(":", 1)[1].split("/")[0]
    pusher = SensorLoggerPusher(f"http://127.0.0.1:{port}/data", load_recording(seconds=3.0))
    pusher.start()
    wait_until(lambda: hub.snapshot(10).rows > 100, 30, "rows")
    assert "No push" not in hub.snapshot().sentence
    pusher.stop()
    wait_until(lambda: "No push from Sensor Logger" in hub.snapshot().sentence, 30, "silence")
    assert url in hub.snapshot().sentence
    pusher = SensorLoggerPusher(f"http://127.0.0.1:{port}/data", load_recording(seconds=3.0))
    pusher.start()  # the phone records again: a new session, and the stream goes on
    wait_until(lambda: "No push" not in hub.snapshot().sentence, 30, "pushes again")
    pusher.stop()
