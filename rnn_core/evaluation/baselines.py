"""Baselines a trained model must beat: persistence, and the attitude filters for roll and pitch.

Conventions: body frame with +g on z when level at rest (az = +9.81 m/s^2), accelerometer in
m/s^2, gyroscope in rad/s, ZYX (yaw-pitch-roll) Euler angles in radians.

The filters (complementary, Madgwick, Mahony, VQF, x-io Fusion) live in
rnn_core.datasets.imu.attitude and are public here: estimate_attitude, estimate_attitude_arrays,
ATTITUDE_METHODS, inclination_error.

Complementary filter, one step from sample k - 1 to sample k (dt_k = time[k] - time[k-1]), on the
vertical v (the world z axis seen in the body frame, what a resting accelerometer reads):

    gyro     v[k-1] turned by the body rotation over dt_k --> predicted  weight tau / (tau + dt_k)
    accel    accel[k] / |accel[k]| ----------------------> measured   the rest
    v[k] = the blend, normalised; roll = atan2(v_y, v_z), pitch = atan2(-v_x, hypot(v_y, v_z))

The gyro path is smooth but drifts with the gyro bias; the accelerometer path is noisy but never
drifts: the blend keeps the best of each. The time constant tau (s) makes it the same filter at
any sample rate, and the vertical never wraps: it is sound upside down and near +-90 deg of pitch.
"""

from __future__ import annotations

import numpy as np

from rnn_core.datasets.imu.attitude import (
    ATTITUDE_METHODS,
    AttitudeMethod,
    Gain,
    estimate_attitude,
    estimate_attitude_arrays,
    inclination_error,
)

__all__ = [
    "ANGLE_NAMES",
    "ATTITUDE_METHODS",
    "AttitudeMethod",
    "Gain",
    "accel_attitude",
    "complementary_filter",
    "estimate_attitude",
    "estimate_attitude_arrays",
    "euler_rates",
    "inclination_error",
    "persistence_forecast",
]

ANGLE_NAMES = ("roll", "pitch")


def euler_rates(roll, pitch, gx, gy, gz) -> tuple[np.ndarray, np.ndarray]:
    """Roll and pitch rates (rad/s) from body rates (rad/s): the exact ZYX kinematics, which the
    small-angle sum (roll_dot = gx, pitch_dot = gy) only matches near level; singular at +-90 deg
    of pitch (gimbal lock)."""
    roll, pitch = np.asarray(roll, dtype=np.float64), np.asarray(pitch, dtype=np.float64)
    sin_roll, cos_roll = np.sin(roll), np.cos(roll)
    roll_rate = gx + np.tan(pitch) * (sin_roll * gy + cos_roll * gz)
    pitch_rate = cos_roll * gy - sin_roll * gz
    return np.asarray(roll_rate, dtype=np.float64), np.asarray(pitch_rate, dtype=np.float64)


def accel_attitude(ax, ay, az) -> tuple[np.ndarray, np.ndarray]:
    """Roll and pitch (rad) that put gravity where the accelerometer sees it (exact at rest)."""
    ax, ay, az = (np.asarray(v, dtype=np.float64) for v in (ax, ay, az))
    roll = np.arctan2(ay, az)
    pitch = np.arctan2(-ax, np.hypot(ay, az))
    return roll, pitch


def complementary_filter(
    time, ax, ay, az, gx, gy, gz, time_constant: float = 1.0, segments=None
) -> tuple[np.ndarray, np.ndarray]:
    """Roll and pitch (rad) per sample, each (N,), of the complementary filter with time constant
    tau in seconds (see the module docstring). Each segment, a (start, end) row range with end
    excluded, starts afresh from the accelerometer; rows outside every segment are NaN.
    `segments=None` is one segment over all rows."""
    accel, gyro = np.column_stack([ax, ay, az]), np.column_stack([gx, gy, gz])  # (N, 3) each
    estimate = estimate_attitude_arrays(
        time, accel, gyro, None, "complementary", segments, time_constant=time_constant
    )
    return estimate["roll"], estimate["pitch"]


def persistence_forecast(values: np.ndarray, horizon: int = 1) -> np.ndarray:
    """The next state equals the last: out[t] = values[t] predicts values[t + horizon].

    `values` is (N, ...) along time; the result is (N - horizon, ...) and lines up with the truth
    `values[horizon:]`."""
    if horizon < 1:
        raise ValueError(f"The forecast horizon must be at least 1 step, not {horizon}.")
    values = np.asarray(values)
    return values[: max(values.shape[0] - horizon, 0)].copy()
