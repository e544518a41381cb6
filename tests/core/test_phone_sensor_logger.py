"""The Sensor Logger receiver: a real recording pushed as the app does arrives whole and in order,
and whatever else reaches the port is refused with a sentence while the server goes on serving."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import numpy as np
import pytest

from rnn_core.phone.sensor_logger import SensorLoggerReceiver
from rnn_core.phone.sensor_logger_message import parse_message
from rnn_core.phone.sensor_logger_session import REMEMBERED_IDS, SessionAssembler
from tests.phones.sensor_logger_sim import (
    SensorLoggerPusher,
    epoch_ns,
    load_recording,
    messages,
    post,
    sending_order,
)

TIMEOUT_S = 30.0


class Collected:
    """What the receiver delivered and said, kept across its threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches, self.sentences = [], []

    def sink(self, batch) -> None:
        with self.lock:
            self.batches.append(batch)

    def say(self, sentence: str) -> None:
        with self.lock:
            self.sentences.append(sentence)

    def stream(self, sensor: str) -> tuple[np.ndarray, np.ndarray]:
        """(N,) seconds and (N, 3) values of `sensor`, in the order delivered."""
        with self.lock:
            found = [b for b in self.batches if b.sensor == sensor]
        if not found:
            return np.zeros(0), np.zeros((0, 3))
        return np.concatenate([b.time for b in found]), np.concatenate([b.values for b in found])


@pytest.fixture
def phone_server():
    collected = Collected()
    receiver = SensorLoggerReceiver(collected.sink, collected.say, host="127.0.0.1")
    receiver.start()
    yield receiver, collected
    receiver.stop()


def url_of(receiver) -> str:
    return f"http://127.0.0.1:{receiver.port}/data"


def wait_until(condition, timeout: float = TIMEOUT_S) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def expected(recording, start_ns: int):
    """What the receiver should deliver: gyro every row, accel every 2nd, seconds from row 0."""
    seconds = (epoch_ns(recording, start_ns) - start_ns).astype(np.float64) / 1e9  # (N,)
    return {
        "gyro": (seconds, recording.gyro),
        "accel": (seconds[::2], recording.accel[::2]),
    }


def rate(seconds: np.ndarray) -> float:
    return (len(seconds) - 1) / (seconds[-1] - seconds[0])


def small_push(number: int, session: str = "s1", start_ns: int = 10**18, rows: int = 4) -> bytes:
    """A push of `rows` gyroscope readings 10 ms apart, the `number`-th of its session."""
    payload = [
        {"name": "gyroscope", "time": start_ns + (number * rows + k) * 10**7, "values": xyz}
        for k, xyz in enumerate([{"x": 0.1, "y": 0.2, "z": 0.3}] * rows)
    ]
    message = {"messageId": number, "sessionId": session, "deviceId": "d", "payload": payload}
    return json.dumps(message).encode()


def test_a_pushed_walk_arrives_whole_and_in_order(phone_server):
    receiver, collected = phone_server
    recording = load_recording(seconds=8.0)
    pusher = SensorLoggerPusher(url_of(receiver), recording, speed=4.0)
    pusher.start()
    assert pusher.join(TIMEOUT_S)
    want = expected(recording, pusher.sessions[0][1])
    total = sum(len(want[s][0]) for s in want)
    assert wait_until(lambda: sum(receiver.status()["samples"].values()) == total)
    assert set(pusher.codes) == {200}
    for sensor, (seconds, values) in want.items():
        got_seconds, got_values = collected.stream(sensor)
        assert np.array_equal(got_seconds, seconds), sensor  # none lost, none repeated, in order
        assert np.array_equal(got_values, values), sensor  # exactly, after conversion
        assert receiver.status()["rate_hz"][sensor] == pytest.approx(rate(seconds), rel=0.03)
    assert rate(want["gyro"][0]) == pytest.approx(2 * rate(want["accel"][0]), rel=0.01)
    status = receiver.status()
    assert status["dropped"]["repeated"] == 1 and status["held"] == 0
    assert status["sender"] == "127.0.0.1"


def test_accelerometer_and_gravity_make_acceleration_with_gravity(phone_server):
    receiver, collected = phone_server
    recording = load_recording(seconds=3.0)
    pushes = messages(recording, "ios", acceleration="accelerometer+gravity")
    for index in sending_order(len(pushes), shuffle_every=4, seed=1):
        assert post(url_of(receiver), json.dumps(pushes[index]).encode())[0] == 200
    seconds, values = expected(recording, 1_700_000_000_000_000_000)["accel"]
    assert wait_until(lambda: len(collected.stream("accel")[0]) == len(seconds))
    got_seconds, got_values = collected.stream("accel")
    assert np.array_equal(got_seconds, seconds)
    np.testing.assert_allclose(got_values, values, rtol=0, atol=1e-12)


def test_a_body_over_the_bound_is_refused_and_the_server_goes_on(phone_server):
    receiver, collected = phone_server
    receiver.max_body = 2_000
    code, text = post(url_of(receiver), b'{"payload": "' + b"x" * 5_000 + b'"}')
    assert code == 413 and "bound" in text and "batch period" in text
    assert receiver.status()["dropped"]["oversized"] == 1
    assert "bound" in receiver.status()["last_sentence"]
    assert post(url_of(receiver), small_push(0))[0] == 200
    assert wait_until(lambda: receiver.status()["samples"]["gyro"] == 4)


def bad_body(change):
    message = json.loads(small_push(0))
    change(message)
    return json.dumps(message).encode()


def _set(path, value):
    def change(message):
        target = message
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


BAD_POSTS = {
    "not JSON": (b"{messageId: 0,", "application/json", 400),
    "a list": (b"[1, 2]", "application/json", 400),
    "NaN": (small_push(0).replace(b"0.1", b"NaN"), "application/json", 400),
    "Infinity": (small_push(0).replace(b"0.1", b"-Infinity"), "application/json", 400),
    "1e400": (small_push(0).replace(b"0.1", b"1e400"), "application/json", 400),
    "text value": (bad_body(_set(["payload", 0, "values", "x"], "1")), "application/json", 400),
    "no z": (bad_body(lambda m: m["payload"][1]["values"].pop("z")), "application/json", 400),
    "bool id": (bad_body(_set(["messageId"], True)), "application/json", 400),
    "negative id": (bad_body(_set(["messageId"], -1)), "application/json", 400),
    "no session": (bad_body(lambda m: m.pop("sessionId")), "application/json", 400),
    "payload text": (bad_body(_set(["payload"], "x")), "application/json", 400),
    "time text": (bad_body(_set(["payload", 2, "time"], "1")), "application/json", 400),
    "not UTF-8": (b'{"a": "\xff"}', "application/json", 400),
    "text/plain": (small_push(0), "text/plain", 415),
}


@pytest.mark.parametrize("name", sorted(BAD_POSTS))
def test_a_bad_post_is_refused_and_the_next_good_one_taken(phone_server, name):
    receiver, _ = phone_server
    body, content_type, code = BAD_POSTS[name]
    answer, text = post(url_of(receiver), body, content_type)
    assert answer == code and ":" in text
    assert receiver.status()["last_sentence"] == text.strip()
    assert post(url_of(receiver), small_push(0))[0] == 200
    assert wait_until(lambda: receiver.status()["samples"]["gyro"] == 4)


@pytest.mark.parametrize(("method", "path", "code"), [("GET", "/data", 405), ("POST", "/x", 404)])
def test_other_methods_and_paths_are_refused(phone_server, method, path, code):
    receiver, _ = phone_server
    request = urllib.request.Request(
        f"http://127.0.0.1:{receiver.port}{path}",
        data=small_push(0) if method == "POST" else None,
        headers={"Content-Type": "application/json"},
        method=method,
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == code
    assert post(url_of(receiver), small_push(0))[0] == 200
    assert receiver.status()["dropped"]["wrong_request"] == 1


def test_too_many_readings_and_unknown_sensors(phone_server):
    receiver, _ = phone_server
    receiver.max_entries = 3
    code, text = post(url_of(receiver), small_push(0))
    assert code == 400 and "batch period" in text
    receiver.max_entries = 10
    message = json.loads(small_push(0, rows=2))
    message["payload"] += [{"name": "location", "time": 1, "values": {"latitude": "x"}}] * 2
    assert post(url_of(receiver), json.dumps(message).encode())[0] == 200
    assert wait_until(lambda: receiver.status()["samples"]["gyro"] == 2)
    assert receiver.status()["unknown_readings"] == 2


def test_a_new_session_starts_afresh_with_a_sentence(phone_server):
    receiver, collected = phone_server
    for number in range(3):
        assert post(url_of(receiver), small_push(number, "first"))[0] == 200
    assert post(url_of(receiver), small_push(0, "second", start_ns=2 * 10**18))[0] == 200
    assert wait_until(lambda: receiver.status()["samples"]["gyro"] == 4)
    assert "new recording" in collected.sentences[-1]
    assert collected.batches[-1].time[0] == 0.0  # times start again from the first sample
    assert post(url_of(receiver), small_push(3, "first"))[0] == 200  # the old one, late
    assert receiver.status()["dropped"]["ended_session"] == 1
    assert receiver.status()["session_id"] == "second"


def test_the_reorder_window_is_bounded():
    delivered = []
    assembler = SessionAssembler(delivered.append, lambda _: None, window_messages=10)
    numbers = np.random.default_rng(0).permutation(2_000)
    for now, number in enumerate(numbers):
        assembler.add(parse_message(small_push(int(number), rows=1)), now=now * 1e-4)
        assert len(assembler.pending) <= 10 and len(assembler.released) <= REMEMBERED_IDS
    assembler.tick(now=1e9)
    assert not assembler.pending
    times = np.concatenate([b.time for b in delivered])
    assert np.all(np.diff(times) > 0)  # in time order; the late ones dropped, counted
    counts = assembler.counts
    assert len(times) + counts["late"] == 2_000 and counts["samples_out_of_order"] == 0


def test_a_repeated_message_is_dropped_and_a_gap_released_in_time():
    delivered = []
    assembler = SessionAssembler(delivered.append, lambda _: None, window_s=0.5)
    for number, now in [(0, 0.0), (0, 0.1), (2, 0.2)]:
        assembler.add(parse_message(small_push(number)), now=now)
    assert assembler.counts["repeated"] == 1 and list(assembler.pending) == [2]
    assembler.tick(now=0.65)
    assert list(assembler.pending) == [2]  # held 0.45 s: message 1 may still come
    assembler.tick(now=0.75)  # message 1 never came
    assert not assembler.pending and sum(len(b.time) for b in delivered) == 8


def test_the_address_for_the_phone_names_the_port_and_path(phone_server):
    receiver, _ = phone_server
    address = receiver.address_for_phone()
    assert address.startswith("http://") and address.endswith(f":{receiver.port}/data")


def test_the_pusher_starts_a_new_recording(phone_server):
    receiver, collected = phone_server
    recording = load_recording(seconds=1.0)
    pusher = SensorLoggerPusher(url_of(receiver), recording, speed=2.0)
    pusher.start()
    assert wait_until(lambda: receiver.status()["messages"] >= 2)
    pusher.new_session()
    assert pusher.join(TIMEOUT_S)
    want = expected(recording, pusher.sessions[1][1])
    assert wait_until(lambda: receiver.status()["samples"]["gyro"] == len(want["gyro"][0]))
    assert receiver.status()["session_id"] == "sim-session-1"
    assert any("new recording" in sentence for sentence in collected.sentences)
