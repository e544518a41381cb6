"""Baselines a trained model must beat: persistence, and a complementary filter for roll and pitch.

Conventions: body frame with +g on z when level at rest (az = +9.81 m/s^2), accelerometer in
m/s^2, gyroscope in rad/s, ZYX (yaw-pitch-roll) Euler angles in radians.

Complementary filter, one step from sample k - 1 to sample k (dt_k = time[k] - time[k-1]):

    gyro     prev ---(euler_rates(prev, gyro[k-1]) * dt_k)---> predicted     weight alpha
    accel    accel_attitude(accel[k]) ------------------------> measured      weight 1 - alpha
    estimate[k] = alpha * predicted + (1 - alpha) * measured

The gyro path is smooth but drifts with the gyro bias; the accelerometer path is noisy but never
drifts: the blend keeps the best of each.
"""

from __future__ import annotations

import math

import numpy as np

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
    time, ax, ay, az, gx, gy, gz, alpha: float = 0.98, segments=None
) -> tuple[np.ndarray, np.ndarray]:
    """Roll and pitch (rad) per sample, each (N,): gyro integration blended with the
    accelerometer's attitude (see the module docstring). Each segment, a (start, end) row range
    with end excluded, starts afresh from the accelerometer; rows outside every segment are NaN.
    `segments=None` is one segment over all rows."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha}.")
    time = np.asarray(time, dtype=np.float64)
    gyro = [np.asarray(v, dtype=np.float64) for v in (gx, gy, gz)]
    accel_roll, accel_pitch = accel_attitude(ax, ay, az)
    N = time.shape[0]
    if any(v.shape != (N,) for v in (*gyro, accel_roll, accel_pitch)):
        raise ValueError("time and the six IMU channels must be 1-D arrays of the same length.")
    roll, pitch = np.full(N, np.nan), np.full(N, np.nan)
    for start, end in _checked_segments(segments, N):
        rows = slice(start, end)
        if np.any(np.diff(time[rows]) < 0):
            raise ValueError(
                f"Time goes backwards between rows {start} and {end}: sort the samples by time "
                "or split the recording into segments there."
            )
        roll[rows], pitch[rows] = _filter_segment(
            time[rows], accel_roll[rows], accel_pitch[rows], *(g[rows] for g in gyro), alpha
        )
    return roll, pitch


def _checked_segments(segments, length: int) -> list[tuple[int, int]]:
    """Segments as sorted, non-overlapping (start, end) pairs inside [0, length]."""
    if segments is None:
        return [(0, length)] if length else []
    pairs = sorted((int(start), int(end)) for start, end in segments)
    previous_end = 0
    for start, end in pairs:
        if not 0 <= start < end <= length or start < previous_end:
            raise ValueError(
                f"Segments must be non-overlapping (start, end) row ranges with "
                f"0 <= start < end <= {length}; got {pairs}."
            )
        previous_end = end
    return pairs


def _filter_segment(time, accel_roll, accel_pitch, gx, gy, gz, alpha: float):
    """The filter over one segment of (n,) float64 arrays; returns roll, pitch (n,)."""
    if alpha == 0.0:  # no gyro at all: exactly the accelerometer (and no 0 * inf = NaN)
        return accel_roll.copy(), accel_pitch.copy()
    # The recursion is nonlinear in the state (sin, cos, tan of the previous estimate), so it
    # cannot be a cumulative sum; everything that does not depend on the state is vectorised here
    # and the loop runs on plain Python floats, which is far faster than indexing numpy arrays.
    alpha_dt = (alpha * np.diff(time)).tolist()  # (n - 1,) step k uses dt_k
    weight = 1.0 - alpha
    measured_roll = (weight * accel_roll[1:]).tolist()
    measured_pitch = (weight * accel_pitch[1:]).tolist()
    gyro = (gx[:-1].tolist(), gy[:-1].tolist(), gz[:-1].tolist())  # step k uses gyro[k - 1]
    roll, pitch = float(accel_roll[0]), float(accel_pitch[0])
    rolls, pitches = [roll], [pitch]
    add_roll, add_pitch = rolls.append, pitches.append
    sin, cos, tan = math.sin, math.cos, math.tan
    for h, x, y, z, m_roll, m_pitch in zip(
        alpha_dt, *gyro, measured_roll, measured_pitch, strict=True
    ):
        s, c = sin(roll), cos(roll)
        roll, pitch = (
            alpha * roll + h * (x + tan(pitch) * (s * y + c * z)) + m_roll,
            alpha * pitch + h * (c * y - s * z) + m_pitch,
        )
        add_roll(roll)
        add_pitch(pitch)
    return np.array(rolls), np.array(pitches)


def persistence_forecast(values: np.ndarray, horizon: int = 1) -> np.ndarray:
    """The next state equals the last: out[t] = values[t] predicts values[t + horizon].

    `values` is (N, ...) along time; the result is (N - horizon, ...) and lines up with the truth
    `values[horizon:]`."""
    if horizon < 1:
        raise ValueError(f"The forecast horizon must be at least 1 step, not {horizon}.")
    values = np.asarray(values)
    return values[: max(values.shape[0] - horizon, 0)].copy()


def complementary_forecast(
    time,
    ax,
    ay,
    az,
    gx,
    gy,
    gz,
    horizon: int = 1,
    alpha: float = 0.98,
    segments=None,
) -> dict[str, np.ndarray]:
    """The filter's roll and pitch at t used as the forecast for t + horizon: persistence of the
    filtered attitude. Returns {"roll": (N - horizon,), "pitch": (N - horizon,)} in rad, lined up
    with the truth `angle[horizon:]` exactly as `persistence_forecast`, ready for `rmse_table`."""
    estimates = complementary_filter(time, ax, ay, az, gx, gy, gz, alpha, segments)
    return {
        name: persistence_forecast(angle, horizon)
        for name, angle in zip(ANGLE_NAMES, estimates, strict=True)
    }
