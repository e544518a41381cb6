"""The live stream: two sensors on their own clocks and rates aligned onto one steady time base.

    accel   x   x   x   x   x   x   x   x   x   x      400 Hz, jittered, arriving in batches
    gyro      o           o           o           o    100 Hz, out of step, maybe late
    rows    |           |           |           |      k / rate on the phone's clock, linearly
                                                        interpolated, emitted only once BOTH
                                                        sensors have a sample at or past the row

A sensor silent for more than `gap_periods` of its own periods opens a gap: no row inside it,
alignment restarts after it, and the rows after it belong to a new `segment` (filters restart).
Samples whose time goes back or repeats, or that are not finite, are dropped and counted. Rows go
into a ring of `seconds_kept * rate` rows allocated once (`rnn_core.phone.ring`).

The delay of a row is the local monotonic time it was emitted minus its phone time mapped onto
that clock; the mapping's offset is the smallest (arrival - phone time) seen. The two clocks share
no origin, so the fastest batch's network latency hides inside that offset: the delay is what a row
waits beyond it (for its later sensor, for a slower batch), which is what the person feels change.
"""

from __future__ import annotations

import math
import threading
import time as clock_module
from collections import deque
from dataclasses import dataclass

import numpy as np

from rnn_core.phone.batches import SENSORS, SensorBatch
from rnn_core.phone.ring import RowRing, Rows

NICE_RATES = (25.0, 50.0, 100.0, 200.0)  # Hz: the default rate is the nearest to the slower sensor
MIN_STEPS = 16  # steps of each sensor measured before a default rate is chosen
RECENT_STEPS = 64  # steps in the window that measures each sensor's rate
NAMES = {"accel": "accelerometer", "gyro": "gyroscope"}


def nice_stream_rate(rate: float) -> float:
    """The nearest of NICE_RATES to `rate` (Hz) on a log scale: 90 -> 100, 60 -> 50, 400 -> 200."""
    return min(NICE_RATES, key=lambda nice: abs(math.log(rate / nice)))


@dataclass(frozen=True)
class StreamStatus:
    """The stream's figures at one moment, and its latest sentence."""

    rate_hz: float | None  # the rows' rate; None while the default is still being measured
    rate_given: bool  # True when the caller fixed the rate, False when it was measured
    received: dict[str, int]  # samples received per sensor
    dropped: dict[str, int]  # samples dropped per sensor (time back or repeated, not finite)
    gaps: dict[str, int]  # gaps per sensor (silent longer than gap_periods periods)
    measured_hz: dict[str, float | None]  # each sensor's rate from its recent steps
    rows_emitted: int  # rows since the last reset
    rows_held: int  # rows in the ring now (at most its capacity)
    capacity: int | None  # the ring's rows (seconds_kept * rate), once the rate is known
    delay_s: float | None  # the last row's delay: emitted (local clock) minus its phone time
    clock_offset_s: float | None  # local monotonic time minus phone time, minimum latency
    sentence: str  # what happened last, in words


class _Sensor:
    """One sensor's accepted samples not yet used up by rows, and its counters."""

    def __init__(self) -> None:
        self.time = np.zeros(0)  # (P,) pending times, increasing
        self.values = np.zeros((0, 3))  # (P, 3)
        self.last = -math.inf  # the last accepted time
        self.steps: deque[float] = deque(maxlen=RECENT_STEPS)  # recent steps (s), gaps left out
        self.received = self.dropped = self.gaps = 0

    def period(self) -> float | None:
        """The median of the recent steps (s), or None before two samples."""
        return float(np.median(self.steps)) if self.steps else None


class LiveStream:
    """Accelerometer and gyroscope batches in (any thread), rows on one time base out.

    rate_hz: the rows' rate (None: the slower sensor's, rounded); seconds_kept: the ring's span;
    gap_periods: the silence, in a sensor's periods, that opens a gap; max_lag_s: how far one
    sensor may run ahead of the other before its oldest unused samples are let go; clock: the
    local monotonic clock (seconds) the delays are measured on."""

    def __init__(
        self,
        rate_hz: float | None = None,
        seconds_kept: float = 30.0,
        *,
        gap_periods: float = 5.0,
        max_lag_s: float = 10.0,
        clock=clock_module.monotonic,
    ) -> None:
        if rate_hz is not None and not (math.isfinite(rate_hz) and rate_hz > 0):
            raise ValueError(f"The stream's rate must be a positive number of Hz, not {rate_hz}.")
        if not seconds_kept > 0:
            raise ValueError(f"Keep a positive number of seconds, not {seconds_kept}.")
        self.given_rate, self.seconds_kept, self.gap_periods = rate_hz, seconds_kept, gap_periods
        self.max_lag_s = max_lag_s  # pending samples a sensor keeps while the other is late
        self.clock = clock
        self._lock = threading.Lock()
        self._start()

    def _start(self) -> None:
        """Everything from scratch: a new phone session."""
        self.rate = self.given_rate
        self.ring = RowRing(self._capacity()) if self.rate else None
        self.sensors = {name: _Sensor() for name in SENSORS}
        self.next_k: int | None = None  # the next row's time is next_k / rate
        self.open_gaps: list[float] = []  # ends (phone s) of gaps that rows have not passed yet
        self.gap_spans: list[tuple[float, float]] = []  # (start, end) of those gaps
        self.segment = 0  # segments passed by the rows so far
        self.offset: float | None = None
        self.delay: float | None = None
        self.sentence = "Waiting for the phone's accelerometer and gyroscope."

    def _capacity(self) -> int:
        return max(1, int(round(self.seconds_kept * self.rate)))

    def reset(self) -> None:
        """Forget every sample, row and counter (a new phone session; the given rate stays)."""
        with self._lock:
            self._start()

    def add(self, batch: SensorBatch) -> None:
        """Take one sensor's batch (thread-safe) and emit every row both sensors now cover."""
        now = self.clock()
        with self._lock:
            self._accept(batch, now)
            self._emit(now)

    def _accept(self, batch: SensorBatch, now: float) -> None:
        """Counts the batch, drops bad samples, opens gaps, and queues the rest."""
        sensor = self.sensors[batch.sensor]
        time = np.asarray(batch.time, dtype=np.float64)  # (N,)
        values = np.asarray(batch.values, dtype=np.float64)  # (N, 3)
        sensor.received += time.size
        finite = np.isfinite(time) & np.isfinite(values).all(axis=1)  # (N,)
        earlier = np.concatenate([[sensor.last], np.where(finite, time, -np.inf)[:-1]])
        keep = finite & (time > np.maximum.accumulate(earlier))  # after every earlier sample
        dropped = int(time.size - keep.sum())
        if dropped:
            sensor.dropped += dropped
            self.sentence = (
                f"Dropped {dropped} {NAMES[batch.sensor]} sample(s) whose time went back or "
                "repeated, or that were not finite: if the phone started a new session, reset "
                "the stream."
            )
        time, values = time[keep], values[keep]
        if not time.size:
            return
        started = math.isfinite(sensor.last)
        steps = np.diff(np.concatenate([[sensor.last], time]) if started else time)  # (S,)
        ends = time if started else time[1:]  # (S,) the sample each step arrives at
        period = float(np.median([*sensor.steps, *steps])) if len(sensor.steps) + steps.size else 0
        long = steps > self.gap_periods * period if period > 0 else np.zeros(steps.size, bool)
        for index in np.flatnonzero(long):
            after = float(ends[index])
            self._open_gap(batch.sensor, after - float(steps[index]), after, period)
        sensor.steps.extend(steps[~long].tolist())
        sensor.time = np.concatenate([sensor.time, time])
        sensor.values = np.concatenate([sensor.values, values])
        sensor.last = float(time[-1])
        arrival = now - sensor.last
        self.offset = arrival if self.offset is None else min(self.offset, arrival)

    def _open_gap(self, name: str, before: float, after: float, period: float) -> None:
        """Remembers a silence from `before` to `after` (phone s): no row falls inside it."""
        self.sensors[name].gaps += 1
        self.open_gaps.append(after)
        self.gap_spans.append((before, after))
        self.sentence = (
            f"The {NAMES[name]} was silent {after - before:.3g} s (more than "
            f"{self.gap_periods:g} periods of {period * 1e3:.3g} ms) after {before:.6g} s on the "
            "phone's clock: alignment restarts after the gap, nothing is interpolated across it."
        )

    def _choose_rate(self) -> bool:
        """Fixes the default rate once both sensors are measured; False while still measuring."""
        if self.rate:
            return True
        if any(len(s.steps) < MIN_STEPS for s in self.sensors.values()):
            return False
        measured = {name: 1.0 / s.period() for name, s in self.sensors.items()}
        slower = min(measured, key=measured.get)
        self.rate = nice_stream_rate(measured[slower])
        self.ring = RowRing(self._capacity())
        self.sentence = (
            f"Rows at {self.rate:g} Hz: the slower sensor ({NAMES[slower]}, "
            f"{measured[slower]:.4g} Hz) rounded to the nearest of "
            f"{', '.join(f'{r:g}' for r in NICE_RATES)} Hz; give a rate to choose another."
        )
        return True

    def _emit(self, now: float) -> None:
        """Interpolates the rows both sensors now cover into the ring."""
        accel, gyro = self.sensors["accel"], self.sensors["gyro"]
        if not (accel.time.size and gyro.time.size) or not self._choose_rate():
            return
        first = max(accel.time[0], gyro.time[0])
        end = min(accel.last, gyro.last)
        if self.next_k is None:
            self.next_k = math.ceil(first * self.rate - 1e-9)
        last_k = math.floor(end * self.rate + 1e-9)
        if last_k < self.next_k:
            return
        times = np.arange(self.next_k, last_k + 1) / self.rate  # (M,) candidate rows
        inside = (times >= first) & (times <= end)  # never extrapolated
        for before, after in self.gap_spans:
            inside &= (times <= before) | (times >= after)
        times = times[inside]
        self.next_k = last_k + 1
        if times.size:
            rows_accel = _interpolated(times, accel)  # (M, 3)
            rows_gyro = _interpolated(times, gyro)  # (M, 3)
            ends = np.array(self.open_gaps)  # (G,)
            segment = self.segment + (times[:, None] >= ends[None, :]).sum(axis=1)  # (M,)
            self.ring.write(times, rows_accel, rows_gyro, segment)
            self.delay = now - (float(times[-1]) + self.offset)
        self._forget(self.next_k / self.rate)

    def _forget(self, next_time: float) -> None:
        """Drops the samples no future row needs and the gaps the rows have passed."""
        passed = [i for i, end in enumerate(self.open_gaps) if end < next_time]
        self.segment += len(passed)
        self.open_gaps = [e for i, e in enumerate(self.open_gaps) if i not in passed]
        self.gap_spans = [s for i, s in enumerate(self.gap_spans) if i not in passed]
        for sensor in self.sensors.values():
            bracket = max(int(np.searchsorted(sensor.time, next_time, "right")) - 1, 0)
            # a sensor far ahead of a late or silent one keeps only max_lag_s of pending samples
            oldest = int(np.searchsorted(sensor.time, sensor.last - self.max_lag_s))
            keep = max(bracket, oldest)
            sensor.time, sensor.values = sensor.time[keep:], sensor.values[keep:]

    def rows(self, since: int | None = None) -> Rows:
        """Copies of the held rows numbered `since` and later (all held when None), oldest first."""
        with self._lock:
            return self.ring.since(since) if self.ring else _no_rows()

    def latest(self, seconds: float) -> Rows:
        """Copies of the held rows of the last `seconds` (phone time), oldest first."""
        with self._lock:
            return self.ring.last_seconds(seconds) if self.ring else _no_rows()

    def status(self) -> StreamStatus:
        """The counters, rates and delay now."""
        with self._lock:
            periods = {name: s.period() for name, s in self.sensors.items()}
            return StreamStatus(
                rate_hz=self.rate,
                rate_given=self.given_rate is not None,
                received={name: s.received for name, s in self.sensors.items()},
                dropped={name: s.dropped for name, s in self.sensors.items()},
                gaps={name: s.gaps for name, s in self.sensors.items()},
                measured_hz={n: 1.0 / p if p else None for n, p in periods.items()},
                rows_emitted=self.ring.written if self.ring else 0,
                rows_held=min(self.ring.written, self.ring.capacity) if self.ring else 0,
                capacity=self.ring.capacity if self.ring else None,
                delay_s=self.delay,
                clock_offset_s=self.offset,
                sentence=self.sentence,
            )


def _interpolated(times: np.ndarray, sensor: _Sensor) -> np.ndarray:
    """The sensor's x, y, z linearly interpolated at `times` (M,) -> (M, 3)."""
    return np.column_stack([np.interp(times, sensor.time, sensor.values[:, i]) for i in range(3)])


def _no_rows() -> Rows:
    empty = np.zeros(0)
    return Rows(empty, np.zeros((0, 3)), np.zeros((0, 3)), empty.astype(np.int64),
                empty.astype(np.int64))  # fmt: skip
