"""What a phone sends, as the live stream reads it: one sensor's samples on the phone's own clock.

Every way in (phyphox's remote access polled, Sensor Logger's pushes) turns what the phone sent
into `SensorBatch`es in SI units; the live stream (`rnn_core.phone.stream`) aligns them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SENSORS = ("accel", "gyro")  # accelerometer (m/s^2, gravity included) and gyroscope (rad/s)


@dataclass(frozen=True)
class SensorBatch:
    """Samples of one sensor, in the order the phone took them."""

    sensor: str  # one of SENSORS
    time: np.ndarray  # (N,) seconds on the phone's clock (its own origin), increasing
    values: np.ndarray  # (N, 3) x, y, z in SI units: m/s^2 for "accel", rad/s for "gyro"

    def __post_init__(self) -> None:
        if self.sensor not in SENSORS:
            raise ValueError(f"unknown sensor {self.sensor!r}: one of {', '.join(SENSORS)}")
        if self.time.ndim != 1 or self.values.shape != (len(self.time), 3):
            raise ValueError("a batch is N times and N rows of x, y, z")
