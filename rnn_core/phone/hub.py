"""The one phone hub of a server process: one way in, one stream, the filters and the recorder,
shared by every browser session that watches (a phone streams to one place, not one per tab).

    way in (PhyphoxClient | SensorLoggerReceiver) --sink--> LiveStream + Recorder (raw samples)
    worker thread, every TICK_S: the stream's new rows --> LiveAttitude per filter --> AngleRing
                                                      --> Recorder.add_rows, delays kept
    snapshot(seconds) --> copies of the last seconds: rows, roll/pitch per filter, the figures

Everything is bounded: the stream's ring, the angle ring (MAX_ROWS rows), the recent delays, the
recorder's bound. Connecting another way in stops the previous one and starts a fresh stream.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from rnn_core.niceness import yield_this_thread
from rnn_core.phone.batches import SensorBatch
from rnn_core.phone.live_filters import LIVE_METHODS, LiveAttitude
from rnn_core.phone.phyphox import PhyphoxClient, parse_address
from rnn_core.phone.recorder import Recorder
from rnn_core.phone.ring import Rows
from rnn_core.phone.sensor_logger import SensorLoggerReceiver
from rnn_core.phone.stream import NICE_RATES, LiveStream

TICK_S = 0.05  # the worker's period: 20 passes a second
SECONDS_KEPT = 30.0  # the stream's span, and the angles'
MAX_ROWS = int(SECONDS_KEPT * max(NICE_RATES))  # the angle ring's rows (the fastest row rate)
RECENT_DELAYS = 200  # the delays the percentiles cover
QUIET_S = 1.0  # no new row for this long: the phone has stopped, or the network lost it
PHYPHOX, SENSOR_LOGGER = "phyphox", "Sensor Logger"


@dataclass(frozen=True)
class HubRows:
    """Rows with each filter's roll and pitch, oldest first: copies."""

    rows: Rows  # time (M,), accel (M, 3), gyro (M, 3), number (M,), segment (M,)
    angles: dict[str, np.ndarray]  # filter -> (M, 2) roll, pitch in degrees (NaN: not yet run)


@dataclass(frozen=True)
class HubSnapshot:
    """What a page shows at one moment: the last seconds and the figures."""

    way_in: str | None  # PHYPHOX, SENSOR_LOGGER, or None when nothing is connected
    address: str  # the phone's address (phyphox) or the URL to type into the phone
    recent: HubRows
    phone_hz: dict[str, float | None]  # sensor -> the phone's rate measured from its samples
    row_hz: float | None  # the rows' rate (None while still measured)
    received: int  # samples received, both sensors
    dropped: int  # samples dropped by the stream, and pushes or requests refused or lost
    rows: int  # rows made since connecting
    delay_ms: tuple[float, float] | None  # p50, p95 of the recent rows' delay
    sentence: str  # the last thing the way in or the stream said
    quiet_s: float | None  # seconds since the last new row (None: none since connecting)
    recording: bool
    recording_sentence: str
    figures: dict = field(default_factory=dict)  # the way in's own counters


class AngleRing:
    """Roll and pitch per filter for the newest MAX_ROWS row numbers, allocated once."""

    def __init__(self, capacity: int = MAX_ROWS) -> None:
        self.capacity = capacity
        self.numbers = np.full(capacity, -1, dtype=np.int64)  # (C,) the row held in each slot
        self.angles = np.full((len(LIVE_METHODS), capacity, 2), np.nan)  # (F, C, 2) degrees

    def reset(self) -> None:
        """Forget every row."""
        self.numbers[:] = -1
        self.angles[:] = np.nan

    def write(self, numbers: np.ndarray, angles: np.ndarray) -> None:
        """Rows `numbers` (M,) and their angles (F, M, 2)."""
        numbers, angles = numbers[-self.capacity :], angles[:, -self.capacity :]
        slots = numbers % self.capacity
        self.numbers[slots] = numbers
        self.angles[:, slots] = angles

    def read(self, numbers: np.ndarray) -> dict[str, np.ndarray]:
        """Each filter's angles (M, 2) for rows `numbers` (M,); NaN for rows not held."""
        slots = numbers % self.capacity
        held = self.numbers[slots] == numbers  # (M,)
        found = np.where(held[None, :, None], self.angles[:, slots], np.nan)  # (F, M, 2)
        return {method: found[i] for i, method in enumerate(LIVE_METHODS)}


class PhoneHub:
    """One way in at a time, its stream followed by the filters on a worker thread."""

    def __init__(self, rate_hz: float | None = None, tick_s: float = TICK_S) -> None:
        self.tick_s = tick_s
        self.stream = LiveStream(rate_hz, SECONDS_KEPT)
        self.recorder = Recorder()
        self.angles = AngleRing()
        self.filters: dict[str, LiveAttitude] = {}
        self.delays: deque[float] = deque(maxlen=RECENT_DELAYS)  # seconds
        self.way_in: PhyphoxClient | SensorLoggerReceiver | None = None
        self.kind: str | None = None
        self.address = ""
        self.generation = 0  # counts fresh streams: row numbers restart with each
        self._next: int | None = None  # the next row number the filters take
        self._last_rows: float | None = None  # monotonic time the last new rows were followed
        self._switch = threading.Lock()  # one connect or disconnect at a time (never the worker)
        self._lock = threading.RLock()  # the way in, the filters, the angles, the delays
        self._said = threading.Lock()  # the sentence (the way in's threads say it)
        self._sentence = ""
        self._stopping = threading.Event()
        self._worker: threading.Thread | None = None

    # ways in

    def connect_phyphox(self, address: str) -> None:
        """Poll phyphox at `address` (AddressError with a sentence when it is no address);
        whatever was connected before is stopped first."""
        parse_address(address)  # refused before anything connected is disturbed
        with self._switch:
            self._stop()
            with self._lock:
                self._fresh()
                client = PhyphoxClient(address, self._sink, self._say)
                self.way_in, self.kind, self.address = client, PHYPHOX, client.address.url
            client.start()
            self._start_worker()

    def connect_sensor_logger(self, port: int = 0, host: str = "0.0.0.0") -> str:
        """Receive Sensor Logger's pushes on `port` (0: any free one; OSError when taken);
        whatever was connected before is stopped first. The URL to type into the phone."""
        with self._switch:
            self._stop()
            with self._lock:
                self._fresh()
                receiver = SensorLoggerReceiver(self._sink, self._say, host=host, port=port)
                self.way_in, self.kind = receiver, SENSOR_LOGGER
                self.address = receiver.address_for_phone()
            receiver.start()
            self._start_worker()
            return self.address

    def disconnect(self) -> None:
        """Stop the way in and the worker, waiting for their threads; the rows stay to look at."""
        with self._switch:
            self._stop()

    def _stop(self) -> None:
        """Stop the way in and the worker (the caller holds `_switch`, not `_lock`)."""
        with self._lock:
            way_in, self.way_in, self.kind = self.way_in, None, None
            worker, self._worker = self._worker, None
        if way_in is not None:
            way_in.stop()
        self._stopping.set()
        if worker is not None:
            worker.join(timeout=5.0)
        if self.recorder.recording:
            self.recorder.stop()

    @property
    def connected(self) -> bool:
        """Whether a way in is running."""
        return self.way_in is not None

    def _fresh(self) -> None:
        """A new phone session: the stream, the filters, the angles and the delays forgotten."""
        self.stream.reset()
        self.generation += 1
        self.angles.reset()
        self.filters, self._next, self._last_rows = {}, None, None
        self.delays.clear()
        with self._said:
            self._sentence = ""

    def _sink(self, batch: SensorBatch) -> None:
        self.stream.add(batch)
        self.recorder.add(batch)

    def _say(self, sentence: str) -> None:
        with self._said:
            self._sentence = sentence

    # the worker

    def _start_worker(self) -> None:
        self._stopping = threading.Event()
        worker = threading.Thread(
            target=self._work, args=(self._stopping,), name="phone-hub", daemon=True
        )
        with self._lock:
            self._worker = worker
        worker.start()

    def _work(self, stopping: threading.Event) -> None:
        yield_this_thread()  # the filters yield to the pages as training does
        while not stopping.wait(self.tick_s):
            try:
                self.follow()
            except Exception as e:  # a bug must not kill the worker silently
                self._say(f"Following the phone's rows failed ({type(e).__name__}: {e}).")

    def follow(self) -> int:
        """Run the filters over the stream's new rows (the worker calls it); how many."""
        with self._lock:
            rows = self.stream.rows(self._next)
            if not len(rows):
                return 0
            status = self.stream.status()
            if not self.filters:
                period = 1.0 / status.rate_hz
                self.filters = {m: LiveAttitude(m, period) for m in LIVE_METHODS}
            angles = np.stack(  # (F, M, 2)
                [
                    np.column_stack(self.filters[m].update(
                        rows.time, rows.accel, rows.gyro, rows.segment))
                    for m in LIVE_METHODS
                ]
            )  # fmt: skip
            self.angles.write(rows.number, angles)
            self.recorder.add_rows(rows)
            if status.delay_s is not None:
                self.delays.append(status.delay_s)
            self._next = int(rows.number[-1]) + 1
            self._last_rows = time.monotonic()
            return len(rows)

    # what pages read

    def rows_since(self, number: int | None, limit: int = MAX_ROWS) -> HubRows:
        """The rows numbered `number` and later that the filters have run over (at most the
        newest `limit`), with their angles."""
        with self._lock:
            rows = self.stream.rows(number)
            done = rows.number < (self._next or 0)  # (M,)
            rows = rows[np.flatnonzero(done)[-limit:]]
            return HubRows(rows, self.angles.read(rows.number))

    def snapshot(self, seconds: float = 10.0) -> HubSnapshot:
        """Copies of the last `seconds` (phone time) and the status figures now."""
        with self._lock:
            rows = self.stream.latest(seconds)
            recent = HubRows(rows, self.angles.read(rows.number))
            status = self.stream.status()
            delays = np.array(self.delays) * 1e3  # (D,) ms
            figures = self._way_in_figures()
            kind, address = self.kind, self.address
            quiet = None if self._last_rows is None else time.monotonic() - self._last_rows
        with self._said:
            sentence = self._sentence
        if kind == SENSOR_LOGGER and quiet is not None and quiet > QUIET_S:
            sentence = (  # a pushing phone that stops says nothing: the silence is the news
                f"No push from Sensor Logger for {quiet:.0f} s: check that the phone is still "
                f"recording with HTTP Push on to {address}. The charts go on when pushes come "
                "again."
            )
        refused = figures.get("refused", 0)
        return HubSnapshot(
            way_in=kind,
            address=address,
            recent=recent,
            phone_hz=dict(status.measured_hz),
            row_hz=status.rate_hz,
            received=sum(status.received.values()),
            dropped=sum(status.dropped.values()) + refused,
            rows=status.rows_emitted,
            delay_ms=tuple(np.percentile(delays, [50, 95]).tolist()) if delays.size else None,
            sentence=sentence or status.sentence,
            quiet_s=quiet,
            recording=self.recorder.recording,
            recording_sentence=self.recorder.sentence,
            figures=figures,
        )

    def _way_in_figures(self) -> dict:
        """The way in's own counters: requests and errors (phyphox), refusals (Sensor Logger)."""
        if isinstance(self.way_in, PhyphoxClient):
            status = self.way_in.status()
            return {"requests": status.requests, "refused": status.errors}
        if isinstance(self.way_in, SensorLoggerReceiver):
            status = self.way_in.status()
            return {"messages": status["messages"], "refused": sum(status["dropped"].values())}
        return {}

    # recording

    def record(self) -> None:
        """Start keeping what the phone sends (an earlier recording is let go)."""
        self.recorder.record()

    def stop_recording(self) -> tuple[str, bytes]:
        """Stop, and the recording as a phyphox zip: (file name, bytes); ValueError with a
        sentence when a sensor sent too little."""
        self.recorder.stop()
        data, name = self.recorder.phyphox_zip()
        return name, data


_HUB: PhoneHub | None = None
_HUB_LOCK = threading.Lock()


def hub() -> PhoneHub:
    """The server process's one hub, made on first use."""
    global _HUB
    with _HUB_LOCK:
        if _HUB is None:
            _HUB = PhoneHub()
        return _HUB
