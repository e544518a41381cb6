"""A phone pushing as Sensor Logger does, replaying a real recording (see tests/phones/README.md).

The recording: x-io's gait-tracking short walk, a foot-mounted IMU at ~398 Hz (gyroscope in deg/s,
accelerometer in g, gravity included). Pushed like an Android phone: the gyroscope at every row,
the acceleration at every 2nd row, times in UTC epoch nanoseconds, one message per
`batch_period_s` of recording time, sent in real time divided by `speed`; now and then two
consecutive messages are swapped and one message is sent twice.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.paths import SHARED

WALK = SHARED / "imu-samples" / "xio-gait-short_walk.csv"
STANDARD_GRAVITY = 9.80665  # m/s^2 per g, as Sensor Logger assumes (UNITS.md, "Accelerometer")
START_NS = 1_700_000_000_000_000_000  # the first recording's first sample, epoch ns


@dataclass(frozen=True)
class Recording:
    """A recording in the units Sensor Logger reports."""

    time: np.ndarray  # (N,) seconds from the first row, increasing
    gyro: np.ndarray  # (N, 3) rad/s
    accel: np.ndarray  # (N, 3) m/s^2, gravity included


def load_recording(path: Path = WALK, seconds: float | None = None) -> Recording:
    """The recording's rows (a repeated row, same time as the one before, left out), SI units."""
    rows = np.loadtxt(path, delimiter=",", skiprows=1)  # (N, 7): t, gyro deg/s, accel g
    rows = rows[np.concatenate([[True], np.diff(rows[:, 0]) > 0])]
    if seconds is not None:
        rows = rows[rows[:, 0] - rows[0, 0] < seconds]
    return Recording(
        time=rows[:, 0] - rows[0, 0],
        gyro=np.deg2rad(rows[:, 1:4]),
        accel=rows[:, 4:7] * STANDARD_GRAVITY,
    )


def epoch_ns(recording: Recording, start_ns: int) -> np.ndarray:
    """(N,) int64 epoch nanoseconds of the recording's rows."""
    return start_ns + np.round(recording.time * 1e9).astype(np.int64)


def readings(recording: Recording, start_ns: int, acceleration: str) -> list[dict]:
    """Every reading the phone takes, in time order: gyroscope every row, acceleration every 2nd.

    `acceleration`: "totalacceleration" (with gravity, as Android sends it) or
    "accelerometer+gravity" (without gravity, plus the gravity vector: a 0.5 s moving average).
    """
    times = epoch_ns(recording, start_ns)
    found = [(int(t), 0, "gyroscope", v) for t, v in zip(times, recording.gyro, strict=True)]
    accel_rows = np.arange(0, len(times), 2)
    total = recording.accel[accel_rows]  # (M, 3)
    if acceleration == "totalacceleration":
        parts = [("totalacceleration", total)]
    else:
        gravity = _moving_average(total, 0.5 / (2 * float(np.median(np.diff(recording.time)))))
        parts = [("accelerometer", total - gravity), ("gravity", gravity)]
    for order, (name, values) in enumerate(parts, start=1):
        found += [(int(times[r]), order, name, v) for r, v in zip(accel_rows, values, strict=True)]
    found.sort(key=lambda item: (item[0], item[1]))
    return [
        {"name": name, "time": t, "values": dict(zip("xyz", map(float, v), strict=True))}
        for t, _, name, v in found
    ]


def _moving_average(values: np.ndarray, width: float) -> np.ndarray:
    """(N, 3) a centred moving average over about `width` samples (the ends held)."""
    size = max(int(width), 1)
    padded = np.pad(values, ((size // 2, size - 1 - size // 2), (0, 0)), mode="edge")
    kernel = np.ones(size) / size
    return np.stack([np.convolve(padded[:, k], kernel, mode="valid") for k in range(3)], axis=1)


def messages(
    recording: Recording,
    session_id: str,
    start_ns: int = START_NS,
    batch_period_s: float = 0.2,
    acceleration: str = "totalacceleration",
) -> list[dict]:
    """The pushes of one recording, in messageId order, one per `batch_period_s` of its time."""
    found = readings(recording, start_ns, acceleration)
    batch = [(r["time"] - start_ns) // int(batch_period_s * 1e9) for r in found]
    groups: dict[int, list[dict]] = {}
    for number, reading in zip(batch, found, strict=True):
        groups.setdefault(number, []).append(reading)
    return [
        {"messageId": i, "sessionId": session_id, "deviceId": "sim-phone", "payload": group}
        for i, group in enumerate(groups[k] for k in sorted(groups))
    ]


def sending_order(count: int, shuffle_every: int, seed: int) -> list[int]:
    """Message indices as sent: each `shuffle_every`-th pair swapped, one message sent twice."""
    order = list(range(count))
    for first in range(shuffle_every - 1, count - 1, shuffle_every):
        order[first], order[first + 1] = order[first + 1], order[first]
    if count > 2:
        again = int(np.random.default_rng(seed).integers(1, count - 1))
        order.insert(order.index(again) + 1, again)
    return order


def post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, str]:
    """POST `body` to `url`: the answer's code and text (an HTTP error is an answer too)."""
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": content_type}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class SensorLoggerPusher:
    """Pushes a recording to `url` in a thread, as Sensor Logger does during a recording."""

    def __init__(
        self,
        url: str,
        recording: Recording,
        batch_period_s: float = 0.2,
        shuffle_every: int = 5,
        seed: int = 0,
        speed: float = 1.0,
        acceleration: str = "totalacceleration",
    ) -> None:
        self.url, self.recording, self.speed = url, recording, speed
        self.batch_period_s, self.shuffle_every, self.seed = batch_period_s, shuffle_every, seed
        self.acceleration = acceleration
        self.codes: list[int] = []  # the server's answer to each push
        self.sessions: list[tuple[str, int]] = []  # (sessionId, first sample's epoch ns)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start a recording (a new session) and push it in a daemon thread."""
        self.new_session()
        self._thread = threading.Thread(target=self._push, daemon=True)
        self._thread.start()

    def new_session(self) -> None:
        """Push the recording again from its start: a new sessionId, messageIds from 0."""
        start_ns = START_NS + 10**12 * len(self.sessions)  # a later recording starts later
        self.sessions.append((f"sim-session-{len(self.sessions)}", start_ns))

    def stop(self, timeout: float = 30.0) -> None:
        """Stop pushing and wait for the thread."""
        self._stop.set()
        self.join(timeout)

    def join(self, timeout: float = 60.0) -> bool:
        """Wait for the recording to be pushed to its end; True when it was."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is None or not self._thread.is_alive()

    def _push(self) -> None:
        while not self._stop.is_set():
            session = self.sessions[-1]
            self._push_session(session)
            if self.sessions[-1] == session:
                return

    def _push_session(self, session: tuple[str, int]) -> None:
        pushes = messages(
            self.recording, session[0], session[1], self.batch_period_s, self.acceleration
        )
        began = time.monotonic()
        for sent, index in enumerate(sending_order(len(pushes), self.shuffle_every, self.seed)):
            if self.sessions[-1] != session or self._stop.is_set():
                return
            due = began + (sent + 1) * self.batch_period_s / self.speed
            self._stop.wait(max(due - time.monotonic(), 0.0))
            code, _ = post(self.url, json.dumps(pushes[index]).encode())
            self.codes.append(code)
