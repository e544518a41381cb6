"""A phone's IMU from phyphox's remote access: polled the way phyphox's own web page polls it.

The protocol (phyphox-docs docs/remote-interface/openapi.yaml; phyphox-android RemoteServer.java;
phyphox-webinterface index.html): `/config` lists the experiment's buffers; `/get?t=full&x=full`
reads whole buffers, then `/get?t=T&x=T%7Ct` reads only the values whose time is above T (the
threshold form, with the time buffer as reference); `status.session` changes when the user switches
experiments, `status.measuring` says whether play is pressed; a cleared measurement is answered
once in full (the server's forceFullUpdate). The server is single-threaded: one request at a time,
a fresh connection each (`Connection: close`), every 30 ms while measuring, 250 ms while not.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnn_core.niceness import yield_this_thread
from rnn_core.phone.batches import SensorBatch
from rnn_core.phone.phyphox_address import AddressError, PhoneAddress, parse_address
from rnn_core.phone.phyphox_wire import (
    MAX_BODY_BYTES,
    Answer,
    BadAnswer,
    PhoneUnreachable,
    TooBig,
    buffer_names,
    fetch,
    get_query,
    parse_json,
    read_get,
)

__all__ = ["STOCK_BUFFERS", "AddressError", "PhyphoxClient", "PhyphoxStatus", "parse_address"]

# per sensor: its time buffer, then x, y, z (phyphox's stock accelerometer and gyroscope names)
STOCK_BUFFERS = {
    "accel": ("acc_time", "accX", "accY", "accZ"),
    "gyro": ("gyr_time", "gyrX", "gyrY", "gyrZ"),
}
IDLE_PERIOD_S = 0.25  # phyphox's page polls every 250 ms while the phone is not measuring
MAX_BACKOFF_S = 2.0  # retries after a failure wait 0.1, 0.2, ... up to this
RATE_WINDOW = 200  # the rate estimate spans the last this-many sample times of a sensor


@dataclass(frozen=True)
class PhyphoxStatus:
    """Where the client stands, for a page to show."""

    connected: bool  # the last request was answered
    measuring: bool  # phyphox's play is pressed (status.measuring of the last answer)
    last_sentence: str  # the last thing said to the user ("" if nothing yet)
    samples: dict[str, int]  # sensor -> samples handed to the sink
    rate_hz: dict[str, float | None]  # sensor -> rate from the recent sample times (None: too few)
    requests: int  # HTTP requests made
    errors: int  # failed requests and refused answers


class _Axis:
    """One sensor's buffers and what was read of them: the threshold of the next read."""

    def __init__(self, sensor: str, names: tuple[str, str, str, str]) -> None:
        self.sensor, self.names = sensor, names  # names: time, x, y, z
        self.last_time: float | None = None  # the newest time read (None: read the buffer in full)
        self.recent: deque[float] = deque(maxlen=RATE_WINDOW)  # recent sample times, seconds
        self.samples = 0

    def reset(self) -> None:
        """Forget the threshold: the next read is full (a cleared or new measurement)."""
        self.last_time = None
        self.recent.clear()

    def rate_hz(self) -> float | None:
        """Samples per second over the recent times (None: fewer than two or no time between)."""
        if len(self.recent) < 2 or self.recent[-1] <= self.recent[0]:
            return None
        return (len(self.recent) - 1) / (self.recent[-1] - self.recent[0])


class PhyphoxClient:
    """Polls phyphox's remote access on a daemon thread and hands each sensor's new rows to `sink`.

    `address` is what the user typed ("192.168.1.20:8080", "http://192.168.1.20", "phone.local");
    anything else raises AddressError with a sentence. `say` receives sentences for the user: each
    says what happened and what to change, and is said once until something else happens.
    """

    def __init__(
        self,
        address: str,
        sink: Callable[[SensorBatch], None],
        say: Callable[[str], None],
        period_s: float = 0.03,
        timeout_s: float = 2.0,
        buffers: dict[str, tuple[str, str, str, str]] = STOCK_BUFFERS,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.address: PhoneAddress = parse_address(address)
        self._sink, self._say = sink, say
        self._period_s, self._timeout_s, self._max_bytes = period_s, timeout_s, max_body_bytes
        self._wanted = dict(buffers)
        self._axes: dict[str, _Axis] | None = None  # None: read /config first
        self._session: str | None = None
        self._measuring: bool | None = None  # None: no answer yet
        self._connected = False
        self._from_now = False  # the history is too big to read: start from the newest time
        self._requests = self._errors = 0
        self._samples = dict.fromkeys(self._wanted, 0)
        self._last_sentence = ""
        self._http = threading.Lock()  # one request at a time, the poller's or start_measuring's
        self._state = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start polling on a daemon thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="phyphox-client", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop polling and wait for the thread to end (at most one request's timeout or so)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=4 * self._timeout_s + 5)

    def start_measuring(self) -> bool:
        """Press phyphox's play from here (`/control?cmd=start`); whether phyphox started."""
        try:
            answer = parse_json(self._get("/control?cmd=start"), "/control")
        except (PhoneUnreachable, BadAnswer) as e:
            self._tell(f"Could not start phyphox's measurement ({e}): press play in phyphox.")
            return False
        started = isinstance(answer, dict) and answer.get("result") is True
        if not started:
            self._tell(
                "phyphox refused to start the measurement (a sensor or Bluetooth device it needs "
                "may be missing): start it on the phone with the play button."
            )
        return started

    def status(self) -> PhyphoxStatus:
        """Connected, measuring, the last sentence, samples and rate per sensor, counters."""
        with self._state:
            axes = self._axes or {}
            return PhyphoxStatus(
                connected=self._connected,
                measuring=bool(self._measuring),
                last_sentence=self._last_sentence,
                samples=dict(self._samples),
                rate_hz={s: (axes[s].rate_hz() if s in axes else None) for s in self._wanted},
                requests=self._requests,
                errors=self._errors,
            )

    # the polling thread

    def _run(self) -> None:
        yield_this_thread()  # it yields to the pages as training does
        backoff = 0.0
        while not self._stopping.is_set():
            try:
                wait = self._step()
                backoff = 0.0
            except PhoneUnreachable as e:
                backoff = self._failed(backoff)
                wait = backoff
                with self._state:
                    self._connected = False
                self._tell(
                    f"No answer from phyphox at {self.address.url} ({e}): check that phyphox "
                    "shows this address under 'Allow remote access', that the phone is on the same "
                    "network with its screen on; retrying by itself."
                )
            except BadAnswer as e:
                backoff = self._failed(backoff)
                wait = backoff
                if (
                    isinstance(e, TooBig)
                    and self._axes
                    and any(a.last_time is None for a in self._axes.values())
                ):
                    self._from_now = True  # the whole buffers are too big: read from now on
                self._tell(str(e))
            except Exception as e:  # a sink that raised, or a bug: said, and polling goes on
                backoff = self._failed(backoff)
                wait = backoff
                self._tell(f"Reading phyphox failed ({type(e).__name__}: {e}); retrying.")
            self._stopping.wait(wait)

    def _failed(self, backoff: float) -> float:
        with self._state:
            self._errors += 1
        return min(MAX_BACKOFF_S, max(0.1, 2 * backoff))

    def _step(self) -> float:
        """One round: /config if needed, then one /get; how long to wait before the next."""
        if self._axes is None:
            self._read_config()
            if not self._axes:
                return MAX_BACKOFF_S  # nothing to read yet: look at /config again later
        answer = read_get(self._get(get_query(self._reads())))
        self._arrived()
        if self._session is not None and answer.session != self._session:
            with self._state:
                self._session, self._axes = answer.session, None
            self._tell(
                "phyphox switched to another experiment: reading its buffers again and streaming "
                "its data from its start."
            )
            return 0.0
        self._session = answer.session
        self._note_measuring(answer.measuring)
        for axis in list(self._axes.values()):
            self._take(axis, answer)
        if self._axes and all(a.last_time is not None for a in self._axes.values()):
            self._from_now = False
        return self._period_s if answer.measuring else IDLE_PERIOD_S

    def _reads(self) -> list[tuple[str, str]]:
        """The /get parameters: per sensor, full reads first, then the threshold form."""
        reads = []
        for axis in self._axes.values():
            t, *xyz = axis.names
            if axis.last_time is None and self._from_now:
                reads.append((t, ""))  # the last time only (updateMode single)
            elif axis.last_time is None:
                reads += [(name, "full") for name in axis.names]
            else:
                threshold = repr(axis.last_time)
                reads += [(t, threshold)] + [(name, f"{threshold}|{t}") for name in xyz]
        return reads

    def _read_config(self) -> None:
        """Which sensors the experiment has all buffers for; a sentence naming what is missing."""
        names = buffer_names(parse_json(self._get("/config"), "/config"))
        self._arrived()
        axes, missing = {}, []
        for sensor, wanted in self._wanted.items():
            absent = [name for name in wanted if name not in names]
            if absent:
                missing.append(f"{' '.join(absent)} ({sensor})")
            else:
                axes[sensor] = _Axis(sensor, wanted)
        with self._state:
            self._axes, self._session = axes, None
        if missing:
            has = ", ".join(names[:40]) + (", ..." if len(names) > 40 else "") or "no buffers"
            self._tell(
                f"The phyphox experiment lacks the buffers {'; '.join(missing)}; it has: {has}. "
                "Open a phyphox experiment that records the accelerometer (acc_time accX accY "
                "accZ) and the gyroscope (gyr_time gyrX gyrY gyrZ)."
            )

    def _note_measuring(self, measuring: bool) -> None:
        with self._state:
            changed, self._measuring = measuring != self._measuring, measuring
        if not measuring:  # said once: _tell repeats nothing
            self._tell(
                "phyphox is not measuring: press the play button in phyphox on the phone "
                "(or start it from here)."
            )
        elif measuring and changed:
            self._tell(f"phyphox is measuring: streaming from {self.address.url}.")

    def _take(self, axis: _Axis, answer: Answer) -> None:
        """Hand the new rows of `axis` (time above the last read, all finite) to the sink."""
        entries = [answer.buffers.get(name) for name in axis.names]
        if any(entry is None for entry in entries):
            with self._state:
                self._axes = None  # a buffer went away: read /config again
            gone = [n for n, e in zip(axis.names, entries, strict=True) if e is None]
            raise BadAnswer(
                f"phyphox no longer serves the buffers {' '.join(gone)}: reading its experiment "
                "again; open one with the accelerometer and gyroscope if this repeats."
            )
        mode, t = entries[0]
        if mode == "single":  # from now on: start after the newest time
            if t.size and np.isfinite(t[-1]):
                axis.last_time = float(t[-1])
            return
        n = min(len(e[1]) for e in entries)  # phyphox pairs by index: the shortest decides
        t = t[:n]  # (n,) seconds
        values = np.column_stack([e[1][:n] for e in entries[1:]]) if n else np.empty((0, 3))
        known = t[np.isfinite(t)]
        if (
            mode == "full"
            and axis.last_time is not None
            and (not known.size or known[-1] < axis.last_time)
        ):
            axis.reset()  # times went back: the measurement was cleared or restarted
            self._tell("phyphox's measurement was cleared or restarted: streaming its new data.")
        keep = np.isfinite(t)
        if axis.last_time is not None:
            keep &= t > axis.last_time
        if keep.any():
            axis.last_time = float(t[keep].max())
        keep &= np.isfinite(values).all(axis=1)  # non-finite rows dropped (null: NaN)
        kept_t = t[keep]
        rising = np.concatenate([[True], np.diff(kept_t) > 0]) if kept_t.size else kept_t > 0
        batch = SensorBatch(axis.sensor, kept_t[rising].copy(), values[keep][rising].copy())
        if len(batch.time):
            axis.recent.extend(batch.time.tolist())
            with self._state:
                self._samples[axis.sensor] += len(batch.time)
            self._sink(batch)

    # requests and sentences

    def _get(self, path: str) -> bytes:
        with self._http:
            with self._state:
                self._requests += 1
            return fetch(
                self.address.host, self.address.port, path, self._timeout_s, self._max_bytes
            )

    def _arrived(self) -> None:
        """An answer came: say so once after silence (the first time, or after an outage)."""
        with self._state:
            was, self._connected = self._connected, True
        if not was:
            self._tell(f"Connected to phyphox at {self.address.url}.")

    def _tell(self, sentence: str) -> None:
        with self._state:
            if sentence == self._last_sentence:
                return
            self._last_sentence = sentence
        self._say(sentence)
