"""The stream's rows in a bounded ring: arrays allocated once, the oldest rows overwritten.

slot:    0    1    2    3    4        capacity 5, 7 rows written: rows 5 and 6 took the
row:     5    6    2    3    4        slots of rows 0 and 1; reading returns 2 3 4 5 6
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rows:
    """Aligned rows, oldest first: copies, safe to keep in another thread."""

    time: np.ndarray  # (M,) seconds on the phone's clock, on the stream's steady time base
    accel: np.ndarray  # (M, 3) m/s^2, gravity included
    gyro: np.ndarray  # (M, 3) rad/s
    number: np.ndarray  # (M,) int64: each row's place in the stream since its reset (0, 1, ...)
    segment: np.ndarray  # (M,) int64: which stretch between gaps the row belongs to (0, 1, ...)

    def __len__(self) -> int:
        return int(self.time.size)

    def __getitem__(self, index) -> Rows:
        """The rows at `index` (a slice or an index array), every field alike."""
        return Rows(self.time[index], self.accel[index], self.gyro[index], self.number[index],
                    self.segment[index])  # fmt: skip


class RowRing:
    """The newest `capacity` rows; writing never allocates, reading copies."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("A ring holds at least one row: keep more seconds or a higher rate.")
        self.capacity = capacity
        self.time = np.zeros(capacity)  # (C,)
        self.accel = np.zeros((capacity, 3))  # (C, 3)
        self.gyro = np.zeros((capacity, 3))  # (C, 3)
        self.segment = np.zeros(capacity, dtype=np.int64)  # (C,)
        self.written = 0  # rows written since the start: the next row's number

    def write(self, time, accel, gyro, segment) -> None:
        """Append rows (M,), (M, 3), (M, 3), (M,); only the newest `capacity` of them stay."""
        count = len(time)
        skip = max(0, count - self.capacity)  # rows overwritten within this very write
        start = self.written + skip
        slots = np.arange(start, self.written + count) % self.capacity  # (M - skip,)
        self.time[slots] = time[skip:]
        self.accel[slots] = accel[skip:]
        self.gyro[slots] = gyro[skip:]
        self.segment[slots] = segment[skip:]
        self.written += count

    def since(self, number: int | None = None) -> Rows:
        """Copies of the held rows numbered `number` and later (all held rows when None)."""
        first = max(self.written - self.capacity, 0 if number is None else number, 0)
        numbers = np.arange(first, self.written, dtype=np.int64)  # (M,)
        slots = numbers % self.capacity
        return Rows(
            self.time[slots],  # fancy indexing copies
            self.accel[slots],
            self.gyro[slots],
            numbers,
            self.segment[slots],
        )

    def last_seconds(self, seconds: float) -> Rows:
        """Copies of the held rows within `seconds` of the newest row's time."""
        held = self.since(None)
        if not len(held):
            return held
        keep = held.time >= held.time[-1] - seconds  # (M,) times increase: a tail
        return held[int(np.argmax(keep)) :]
