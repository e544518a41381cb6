"""Sensor Logger's pushes put back in order and turned into `SensorBatch`es.

PUSHING.md: "messageId is incremented for each message sent ... the messages can be received
out-of-order"; "sessionId is the same for all messages in a single recording". So a small window
holds messages by messageId (at most `window_messages`, or `window_s` seconds for the oldest) and
releases them in order; a gap not filled in that time is skipped. A messageId seen again is dropped;
a new sessionId releases what is held, then starts afresh (times from 0 again). Times are epoch
nanoseconds (UNITS.md, "Time"): seconds from the session's first sample, as integers first.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from rnn_core.phone.batches import SensorBatch
from rnn_core.phone.sensor_logger_gravity import AccelerationWithGravity
from rnn_core.phone.sensor_logger_message import XYZ_NAMES, Message, plain

WINDOW_MESSAGES = 10  # messages held while one is missing
WINDOW_S = 0.5  # longest a message is held for a missing one before it
REMEMBERED_IDS = 64  # messageIds released lately: a repeat among them is dropped
ENDED_SESSIONS = 8  # sessionIds of recordings ended: their late messages are dropped


class SessionAssembler:
    """One recording at a time: messages in, samples per sensor out to `sink`, in time order."""

    def __init__(
        self,
        sink: Callable[[SensorBatch], None],
        say: Callable[[str], None],
        window_messages: int = WINDOW_MESSAGES,
        window_s: float = WINDOW_S,
    ) -> None:
        self.sink, self.say = sink, say
        self.window_messages, self.window_s = window_messages, window_s
        self.lock = threading.Lock()  # handler threads and the ticker share this state
        self.ended: deque[str] = deque(maxlen=ENDED_SESSIONS)
        self.counts = {"messages": 0, "repeated": 0, "late": 0, "ended_session": 0}
        self.counts |= {"unknown_readings": 0, "samples_out_of_order": 0, "sink_errors": 0}
        self.session_id: str | None = None
        self._reset()

    def _reset(self) -> None:
        self.pending: dict[int, tuple[Message, float]] = {}  # messageId -> (message, arrived)
        self.released: deque[int] = deque(maxlen=REMEMBERED_IDS)
        self.next_id: int | None = None  # the messageId released next
        self.origin_ns: int | None = None  # the session's first sample, epoch ns
        self.last_ns: dict[str, int] = {}  # per Sensor Logger name: the last sample used
        self.acceleration = AccelerationWithGravity()
        self.samples = {"accel": 0, "gyro": 0}
        self.span_s: dict[str, tuple[float, float]] = {}  # sensor -> (first, last) seconds

    def add(self, message: Message, now: float | None = None) -> None:
        """Take one checked push; release whatever is now in order."""
        now = time.monotonic() if now is None else now
        with self.lock:
            if message.session_id in self.ended:
                self.counts["ended_session"] += 1
                return
            if message.session_id != self.session_id:
                self._new_session(message.session_id, now)
            number = message.message_id
            if number in self.pending or number in self.released:
                self.counts["repeated"] += 1
                return
            if self.next_id is not None and number < self.next_id:
                self.counts["late"] += 1
                return
            self.counts["messages"] += 1
            self.counts["unknown_readings"] += message.unknown
            self.pending[number] = (message, now)
            self._release(now)

    def tick(self, now: float | None = None) -> None:
        """Release messages held past `window_s` (called a few times a second)."""
        with self.lock:
            self._release(time.monotonic() if now is None else now)

    def rates_hz(self) -> dict[str, float]:
        """Samples per second of each sensor in this session, on the phone's clock."""
        rates = {}
        for sensor, (first, last) in self.span_s.items():
            if last > first:
                rates[sensor] = (self.samples[sensor] - 1) / (last - first)
        return rates

    def _new_session(self, session_id: str, now: float) -> None:
        if self.session_id is not None:
            self._release(now, everything=True)
            self.ended.append(self.session_id)
            self.say(
                f"the phone started a new recording (session {plain(session_id)}): its times "
                "start from 0 s again; if unexpected, stop the other recording in Sensor Logger"
            )
        self.session_id = session_id
        self._reset()

    def _release(self, now: float, everything: bool = False) -> None:
        ready: list[Message] = []
        while self.pending:
            if self.next_id is None and 0 in self.pending:
                self.next_id = 0  # a recording's first message
            if self.next_id in self.pending:
                ready.append(self.pending.pop(self.next_id)[0])
                self.released.append(self.next_id)
                self.next_id += 1
                continue
            oldest = min(arrived for _, arrived in self.pending.values())
            full = len(self.pending) >= self.window_messages
            if everything or full or now - oldest >= self.window_s:
                self.next_id = min(self.pending)  # give up on the gap before it
                continue
            break
        if ready:
            self._deliver(ready)

    def _deliver(self, messages: list[Message]) -> None:
        parts = {name: self._in_order(name, messages) for name in XYZ_NAMES}
        if self.origin_ns is None:
            firsts = [int(times[0]) for times, _ in parts.values() if len(times)]
            self.origin_ns = min(firsts) if firsts else None
        accel = self.acceleration.take(parts)
        for sensor, (times_ns, values) in (("accel", accel), ("gyro", parts["gyroscope"])):
            if len(times_ns) and self.origin_ns is not None:
                self._send(sensor, (times_ns - self.origin_ns).astype(np.float64) / 1e9, values)

    def _in_order(self, name: str, messages: list[Message]) -> tuple[np.ndarray, np.ndarray]:
        """This name's samples in time order, each time once, after those already used."""
        arrays = [message.arrays(name) for message in messages]
        times = np.concatenate([t for t, _ in arrays])  # (N,) epoch ns
        values = np.concatenate([v for _, v in arrays])  # (N, 3)
        order = np.argsort(times, kind="stable")
        times, values = times[order], values[order]
        keep = np.ones(len(times), dtype=bool)  # (N,)
        keep[1:] = times[1:] > times[:-1]
        if name in self.last_ns:
            keep &= times > self.last_ns[name]
        self.counts["samples_out_of_order"] += int((~keep).sum())
        times, values = times[keep], values[keep]
        if len(times):
            self.last_ns[name] = int(times[-1])
        return times, values

    def _send(self, sensor: str, seconds: np.ndarray, values: np.ndarray) -> None:
        self.samples[sensor] += len(seconds)
        first = self.span_s.get(sensor, (float(seconds[0]), 0.0))[0]
        self.span_s[sensor] = (first, float(seconds[-1]))
        try:
            self.sink(SensorBatch(sensor, seconds, values))
        except Exception as error:  # the receiver must go on serving the phone
            self.counts["sink_errors"] += 1
            self.say(
                f"the live stream refused a {sensor} batch ({type(error).__name__}): "
                "the receiver goes on; fix the stream's sink"
            )
