"""A real hand-held IMU recording, as a phone's sensors would give it: two sensors, two clocks.

x-io Technologies' Fusion sample (../shared/imu-samples/xio-fusion-sensor_data.csv, MIT licence:
LICENSE-xio-fusion.md beside it): ~99 Hz, gyroscope in deg/s, accelerometer in g. Here the
gyroscope keeps every row and the accelerometer every second row with its own times, as phones
often run the two at different rates; units become SI (rad/s, m/s^2 with g = 9.80665).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from tests.paths import SHARED

XIO_FUSION = SHARED / "imu-samples" / "xio-fusion-sensor_data.csv"
G = 9.80665  # m/s^2 per g
GYRO = ["Gyroscope X (deg/s)", "Gyroscope Y (deg/s)", "Gyroscope Z (deg/s)"]
ACCEL = ["Accelerometer X (g)", "Accelerometer Y (g)", "Accelerometer Z (g)"]


@dataclass(frozen=True)
class Recording:
    """Two sensors on their own time axes, seconds from the recording's start, SI units."""

    gyro_time: np.ndarray  # (N,) seconds
    gyro: np.ndarray  # (N, 3) rad/s
    accel_time: np.ndarray  # (M,) seconds, M = ceil(N / 2): every second row
    accel: np.ndarray  # (M, 3) m/s^2, gravity included


@cache
def xio_fusion() -> Recording:
    """The x-io Fusion recording: gyroscope every row, accelerometer every second row."""
    table = pd.read_csv(XIO_FUSION)
    time = table["Time (s)"].to_numpy(dtype=float)
    time = time - time[0]
    gyro = np.deg2rad(table[GYRO].to_numpy(dtype=float))
    accel = table[ACCEL].to_numpy(dtype=float) * G
    return Recording(gyro_time=time, gyro=gyro, accel_time=time[::2], accel=accel[::2])


def phone_number(value: float) -> str:
    """A number as phyphox writes it in /get: 8 significant digits, Java's "0.#######E0"
    (RemoteServer.java: DecimalFormat, Locale.ENGLISH); NaN and infinities as null."""
    if not np.isfinite(value):
        return "null"
    mantissa, exponent = f"{value:.7E}".split("E")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E{int(exponent)}"


def as_sent(values: np.ndarray) -> np.ndarray:
    """`values` (any shape) as a client reads them back from phyphox's 8 significant digits."""
    flat = [float(phone_number(v)) for v in np.asarray(values, dtype=float).ravel()]
    return np.array(flat).reshape(np.shape(values))
