"""Recording the phone from Record to Stop, written as a file the IMU lab reads unedited.

    record() --add(batch) per sensor, add_rows(rows)--> stop() --> phyphox_zip() / rows_csv()

    phone-2026-12-07-1432.zip          the layout phyphox exports: each sensor on its own clock
      Accelerometer.csv  "Time (s)","Acceleration x (m/s^2)", ... y, z      (gravity included)
      Gyroscope.csv      "Time (s)","Gyroscope x (rad/s)", ... y, z
      meta/device.csv    what wrote it (the lab's reader skips meta/)

The lab merges the gyroscope onto the accelerometer's times and runs its filters at the phone's
own rate, as for any phyphox file. Times start at 0 s at the first sample kept. Each sensor keeps
at most `max_seconds * max_rate_hz` samples (30 min at 500 Hz by default), the rows as many.
"""

from __future__ import annotations

import datetime
import io
import threading
import zipfile

import numpy as np

from rnn_core.phone.batches import SENSORS, SensorBatch
from rnn_core.phone.ring import Rows

HEADERS = {
    "accel": ("Time (s)", *(f"Acceleration {a} (m/s^2)" for a in "xyz")),
    "gyro": ("Time (s)", *(f"Gyroscope {a} (rad/s)" for a in "xyz")),
}
MEMBERS = {"accel": "Accelerometer.csv", "gyro": "Gyroscope.csv"}
ROW_HEADER = ("time (s)", "ax (m/s^2)", "ay (m/s^2)", "az (m/s^2)",
              "gx (rad/s)", "gy (rad/s)", "gz (rad/s)")  # fmt: skip


class _Chunks:
    """Arrays appended as chunks up to a bound (rows), joined on demand."""

    def __init__(self, bound: int) -> None:
        self.bound, self.count, self.parts = bound, 0, []

    def append(self, *arrays) -> bool:
        """Keep the arrays' first rows up to the bound; False when some were left out."""
        room = self.bound - self.count
        size = len(arrays[0])
        self.parts.append(tuple(np.array(a[:room], dtype=np.float64) for a in arrays))
        self.count += min(size, room)
        return size <= room

    def joined(self, widths) -> list[np.ndarray]:
        """Each column group joined: (count,) or (count, width)."""
        if not self.parts:
            return [np.zeros((0, w)) if w else np.zeros(0) for w in widths]
        return [np.concatenate(group) for group in zip(*self.parts, strict=True)]


class Recorder:
    """The raw samples per sensor and the aligned rows from record() to stop(), bounded."""

    def __init__(self, max_seconds: float = 1800.0, max_rate_hz: float = 500.0) -> None:
        self.bound = int(max_seconds * max_rate_hz)
        self.max_seconds, self.max_rate_hz = max_seconds, max_rate_hz
        self._lock = threading.Lock()
        self.recording = False
        self.started: datetime.datetime | None = None
        self._clear()
        self.sentence = "Press Record to keep what the phone sends."

    def _clear(self) -> None:
        self.samples = {name: _Chunks(self.bound) for name in SENSORS}
        self.rows = _Chunks(self.bound)
        self.full = False

    def record(self, now: datetime.datetime | None = None) -> None:
        """Start a new recording (what an earlier one kept is let go)."""
        with self._lock:
            self._clear()
            self.recording, self.started = True, now or datetime.datetime.now()
            self.sentence = "Recording."

    def stop(self) -> None:
        """Stop keeping samples; what was kept stays until the next record()."""
        with self._lock:
            self.recording = False
            counts = ", ".join(f"{c.count:,} {n}" for n, c in self.samples.items())
            self.sentence = f"Stopped: {counts} samples and {self.rows.count:,} rows kept."

    def add(self, batch: SensorBatch) -> None:
        """Keep a batch's samples while recording (thread-safe; a stream's sink may call it)."""
        with self._lock:
            if self.recording and not self.samples[batch.sensor].append(batch.time, batch.values):
                self._reached()

    def add_rows(self, rows: Rows) -> None:
        """Keep the stream's aligned rows while recording (pass each new `stream.rows(since)`)."""
        with self._lock:
            if self.recording and not self.rows.append(rows.time, rows.accel, rows.gyro):
                self._reached()

    def _reached(self) -> None:
        self.full = True
        self.sentence = (
            f"The recording reached its bound ({self.bound:,} samples per sensor: "
            f"{self.max_seconds / 60:g} min at {self.max_rate_hz:g} Hz): later samples are left "
            "out; press Stop and save it, then record again."
        )

    def sensor_samples(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each sensor's kept samples: times (N,) s on the phone's clock and values (N, 3),
        finite, in time order, repeats and times going back left out."""
        with self._lock:
            out = {}
            for name, chunks in self.samples.items():
                time, values = chunks.joined((0, 3))
                finite = np.isfinite(time) & np.isfinite(values).all(axis=1)
                time, values = time[finite], values[finite]
                earlier = np.concatenate([[-np.inf], np.maximum.accumulate(time)[:-1]])
                later = time > earlier  # (N,)
                out[name] = (time[later], values[later])
            return out

    def aligned_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The kept rows: time (M,), accel (M, 3), gyro (M, 3)."""
        with self._lock:
            time, accel, gyro = self.rows.joined((0, 3, 3))
            return time, accel, gyro

    def file_name(self, extension: str = "zip") -> str:
        """phone-YYYY-MM-DD-HHMM.<extension>, from when the recording started."""
        started = self.started or datetime.datetime.now()
        return f"phone-{started:%Y-%m-%d-%H%M}.{extension}"

    def phyphox_zip(self) -> tuple[bytes, str]:
        """The raw samples as phyphox exports them (one CSV per sensor, each on its own times),
        and the file name; ValueError when a sensor has fewer than two samples."""
        samples = self.sensor_samples()
        short = [n for n, (t, _) in samples.items() if t.size < 2]
        if short:
            raise ValueError(
                f"Nothing to save from the {' and '.join(short)}: record while the phone streams "
                "both sensors."
            )
        origin = min(t[0] for t, _ in samples.values())
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, (time, values) in samples.items():
                table = np.column_stack([time - origin, values])  # (N, 4)
                archive.writestr(MEMBERS[name], _csv(HEADERS[name], table))
            archive.writestr(
                "meta/device.csv",
                '"property","value"\n"deviceModel","RNN Explorer live phone stream"\n',
            )
        return buffer.getvalue(), self.file_name("zip")

    def rows_csv(self) -> tuple[bytes, str]:
        """The aligned rows as a plain CSV (time and ax..gz in SI) and the file name."""
        time, accel, gyro = self.aligned_rows()
        table = np.column_stack([time - (time[0] if time.size else 0.0), accel, gyro])  # (M, 7)
        return _csv(ROW_HEADER, table).encode(), self.file_name("csv")


def _csv(header, table: np.ndarray) -> str:
    """A quoted header and rows at full precision (17 significant digits)."""
    out = io.StringIO()
    out.write(",".join(f'"{h}"' for h in header) + "\n")
    np.savetxt(out, table, fmt="%.17g", delimiter=",")
    return out.getvalue()
