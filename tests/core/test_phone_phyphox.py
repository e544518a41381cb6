"""phyphox's remote access: the client against a simulated phone replaying a real recording.

Every sample arrives once, in order, on its own sensor's clock and equal to the recording (SI units,
as phyphox sends them: 8 significant digits); outages, a paused phone, a switched or cleared
experiment, a missing buffer and refused answers are said in sentences and survived.
"""

from __future__ import annotations

import socket
import threading

import numpy as np
import pytest

from rnn_core.phone.phyphox import AddressError, PhyphoxClient, parse_address
from tests.phones.phyphox_sim import PhyphoxSimulator
from tests.phones.recording import as_sent, xio_fusion
from tests.waiting import wait_until


class Phone:
    """A client of `url` recording what it hands over and what it says."""

    def __init__(self, url: str, **options) -> None:
        self.batches, self.said, self.lock = [], [], threading.Lock()
        self.client = PhyphoxClient(url, self._sink, self._say, **options)

    def _sink(self, batch) -> None:
        with self.lock:
            self.batches.append(batch)

    def _say(self, sentence: str) -> None:
        with self.lock:
            self.said.append(sentence)

    def __enter__(self) -> Phone:
        self.client.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.client.stop()

    def got(self, sensor: str) -> tuple[np.ndarray, np.ndarray]:
        """All times (N,) and values (N, 3) handed over for `sensor`, in order."""
        with self.lock:
            batches = [b for b in self.batches if b.sensor == sensor]
        if not batches:
            return np.empty(0), np.empty((0, 3))
        return np.concatenate([b.time for b in batches]), np.concatenate(
            [b.values for b in batches]
        )

    def newest(self, sensor: str) -> float:
        times, _ = self.got(sensor)
        return float(times[-1]) if len(times) else -1.0

    def heard(self, words: str) -> bool:
        with self.lock:
            return any(words in s for s in self.said)


def assert_exact_prefix(phone: Phone, start: int = 0) -> None:
    """Both sensors: what arrived (from batch `start` on) is the recording's beginning exactly."""
    rec = xio_fusion()
    with phone.lock:
        batches = phone.batches[start:]
    for sensor, times, values in (
        ("gyro", rec.gyro_time, rec.gyro),
        ("accel", rec.accel_time, rec.accel),
    ):
        got_t = np.concatenate([b.time for b in batches if b.sensor == sensor])
        got_v = np.concatenate([b.values for b in batches if b.sensor == sensor])
        k = len(got_t)
        assert k > 10, sensor
        np.testing.assert_array_equal(got_t, as_sent(times[:k]))  # none lost, none repeated
        np.testing.assert_array_equal(got_v, as_sent(values[:k]))
        np.testing.assert_allclose(got_v, values[:k], rtol=1e-7, atol=1e-9)  # SI units


def streaming(phone: Phone, beyond: float = 1.0) -> None:
    wait_until(
        lambda: min(phone.newest("gyro"), phone.newest("accel")) > beyond, 60, "samples to arrive"
    )


def test_both_sensors_arrive_exactly_on_their_own_clocks_serially():
    rec = xio_fusion()
    with PhyphoxSimulator(rec) as sim, Phone(sim.url) as phone:
        streaming(phone, beyond=3.0)
        for _ in range(5):  # play pressed from here while polling: still one request at a time
            assert phone.client.start_measuring()
        status = phone.client.status()
    # polling has stopped: what the client counted is what it handed over, from the same moment
    counted = phone.client.status()
    assert_exact_prefix(phone)
    accel_t, _ = phone.got("accel")
    np.testing.assert_array_equal(accel_t, as_sent(rec.gyro_time[: 2 * len(accel_t) : 2]))
    for sensor, times in (("gyro", phone.got("gyro")[0]), ("accel", accel_t)):
        recorded = (len(times) - 1) / (times[-1] - times[0])
        assert counted.rate_hz[sensor] == pytest.approx(recorded, rel=0.03)
        assert counted.samples[sensor] == len(times)
    assert status.connected and status.measuring and status.errors == 0
    assert sim.overlaps == 0 and set(sim.connection_headers) == {"close"}
    assert sim.paths[0] == "/config"
    gets = [p for p in sim.paths if p.startswith("/get")]
    assert "acc_time=full" in gets[0] and "accX=" in gets[-1] and "%7Cacc_time" in gets[-1]


def test_the_simulator_sees_overlapping_requests():
    with PhyphoxSimulator(xio_fusion(), measuring=False) as sim:
        first = socket.create_connection(("127.0.0.1", sim.port))
        second = socket.create_connection(("127.0.0.1", sim.port))
        for connection in (first, second):
            connection.sendall(b"GET /time HTTP/1.0\r\n\r\n")
            connection.recv(4096)
            connection.close()
        assert sim.overlaps == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_wrong_address_is_said_and_retried_until_the_phone_answers():
    port = free_port()
    with Phone(f"127.0.0.1:{port}") as phone:
        wait_until(lambda: phone.heard("No answer from phyphox"), 30, "the sentence")
        assert phone.client.status().errors >= 1 and not phone.client.status().connected
        with PhyphoxSimulator(xio_fusion(), port=port):
            streaming(phone, beyond=0.5)
    assert_exact_prefix(phone)


def test_a_phone_gone_and_back_resumes_without_repeats():
    with PhyphoxSimulator(xio_fusion()) as sim, Phone(sim.url) as phone:
        streaming(phone, beyond=0.5)
        sim.go_down()
        wait_until(lambda: phone.heard("No answer from phyphox"), 30, "the outage sentence")
        sim.come_back()
        resumed = sim.experiment_time()
        streaming(phone, beyond=resumed + 0.3)
        assert phone.client.status().connected
    assert_exact_prefix(phone)


def test_a_switched_experiment_is_said_and_read_from_its_start():
    with PhyphoxSimulator(xio_fusion()) as sim, Phone(sim.url) as phone:
        streaming(phone, beyond=0.5)
        sim.switch_experiment(measuring=False)
        wait_until(lambda: phone.heard("switched to another experiment"), 30, "the sentence")
        wait_until(lambda: phone.heard("not measuring"), 30, "the not-measuring sentence")
        with phone.lock:
            start = len(phone.batches)
        assert phone.client.start_measuring()
        wait_until(lambda: phone.newest("gyro") < 0.5 and phone.newest("accel") < 0.5, 30, "reset")
        wait_until(lambda: len(phone.batches) > start + 10, 30, "the new experiment's samples")
    assert_exact_prefix(phone, start)


def test_a_cleared_measurement_is_read_from_its_new_start():
    with PhyphoxSimulator(xio_fusion()) as sim, Phone(sim.url) as phone:
        streaming(phone, beyond=0.8)
        sim.clear()
        wait_until(lambda: phone.heard("cleared or restarted"), 30, "the sentence")
        with phone.lock:
            start = len(phone.batches)
        sim.start_measuring()
        wait_until(lambda: len(phone.batches) > start + 10, 30, "the new measurement's samples")
    assert_exact_prefix(phone, start)


def test_a_missing_buffer_is_named_with_what_the_experiment_has():
    with (
        PhyphoxSimulator(xio_fusion(), names={"gyrZ": None, "gyr_time": "t"}) as sim,
        Phone(sim.url) as phone,
    ):
        wait_until(lambda: phone.heard("lacks the buffers"), 30, "the sentence")
        wait_until(lambda: phone.newest("accel") > 0.3, 30, "the accelerometer still streaming")
    sentence = next(s for s in phone.said if "lacks the buffers" in s)
    assert "gyr_time gyrZ (gyro)" in sentence and "it has: acc_time, accX" in sentence
    assert "gyrX" in sentence and "t," in sentence and not phone.got("gyro")[0].size


def test_a_phone_not_measuring_is_said_and_started_from_here():
    with PhyphoxSimulator(xio_fusion(), measuring=False) as sim, Phone(sim.url) as phone:
        wait_until(lambda: phone.heard("press the play button"), 30, "the sentence")
        assert not phone.client.status().measuring and not phone.got("gyro")[0].size
        assert phone.client.start_measuring()
        streaming(phone, beyond=0.3)
        assert any(p == "/control?cmd=start" for p in sim.paths)
    assert_exact_prefix(phone)


@pytest.mark.parametrize(
    ("body", "length", "words"),
    [
        (b'{"buffer": {', True, "not valid JSON"),
        (b'{"buffer": {}, "status": {"session": "x", "measuring": NaN}}', True, "not valid JSON"),
        (b'{"buffer": {"accX": "rm -rf"}, "status": {}}', True, "not what phyphox sends"),
        (b" " * 70_000, True, "was refused"),  # declared too long: refused unread
        (b" " * 70_000, False, "was refused"),  # undeclared: refused at the bound while reading
    ],
    ids=["cut-short", "nan-literal", "not-numbers", "too-big-declared", "too-big-undeclared"],
)
def test_a_malformed_or_oversized_answer_is_refused_and_streaming_goes_on(body, length, words):
    with PhyphoxSimulator(xio_fusion()) as sim, Phone(sim.url, max_body_bytes=65_536) as phone:
        streaming(phone, beyond=0.3)
        sim.inject(body, length=length)
        wait_until(lambda: phone.heard(words), 30, "the sentence")
        errors = phone.client.status().errors
        streaming(phone, beyond=sim.experiment_time() + 0.2)
    assert errors >= 1
    assert_exact_prefix(phone)


def test_non_finite_values_are_dropped():
    sim = PhyphoxSimulator(xio_fusion(), measuring=False)
    with sim, Phone(sim.url) as phone:
        wait_until(lambda: phone.heard("press the play button"), 30, "the sentence")
        sim.inject(
            b'{"buffer": {"acc_time": {"size": 0, "updateMode": "full", "buffer": [0.1, 0.2, 0.3]},'
            b'"accX": {"size": 0, "updateMode": "full", "buffer": [1, null, 3]},'
            b'"accY": {"size": 0, "updateMode": "full", "buffer": [1, 2, 3]},'
            b'"accZ": {"size": 0, "updateMode": "full", "buffer": [1, 2, 1e999]}},'
            b'"status": {"session": "%s", "measuring": false}}' % sim.session.encode()
        )
        wait_until(lambda: phone.got("accel")[0].size, 30, "the finite row")
    times, values = phone.got("accel")
    np.testing.assert_array_equal(times, [0.1])
    np.testing.assert_array_equal(values, [[1.0, 1.0, 1.0]])


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("192.168.1.20:8080", "http://192.168.1.20:8080"),
        ("http://192.168.1.20", "http://192.168.1.20:80"),
        ("phone.local", "http://phone.local:80"),
        (" HTTP://phone.local:8081/ ", "http://phone.local:8081"),
        ("[fe80::1]:8080", "http://[fe80::1]:8080"),
    ],
)
def test_the_address_forms_phyphox_shows_are_accepted(typed, url):
    assert parse_address(typed).url == url


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("file:///etc/passwd", "file: addresses are not a phone"),
        ("http://user:pw@host", "no user name or password"),
        ("host/path", "path or query"),
        ("javascript:alert(1)", "javascript: addresses are not a phone"),
        ("https://192.168.1.20:8080", "plain http"),
        ("192.168.1.20:99999", "port"),
        ("phone local", "spaces"),
        ("", "No phone address"),
    ],
)
def test_anything_but_http_host_port_is_refused_with_a_sentence(typed, words):
    with pytest.raises(AddressError, match=words) as refused:
        PhyphoxClient(typed, print, print)
    assert "e.g. 192.168.1.20:8080" in str(refused.value)
