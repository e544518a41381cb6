"""Roll and pitch from an IMU by the filters IMU engineers use, behind one call.

    estimate_attitude(recording, "vqf") -> {"roll": (N,), "pitch": (N,)} in rad

Methods (ATTITUDE_METHODS): the complementary filter, Madgwick and Mahony written here
(rnn_core.datasets.imu.attitude_filters), VQF (`vqf` package) and x-io Fusion (`imufusion` package).
All are causal: the estimate at a sample uses no later sample. Each segment of a recording starts
afresh; rows outside every segment are NaN.

Conventions: body frame with +g on z when level at rest (az = +9.81 m/s^2), accelerometer in
m/s^2, gyroscope in rad/s, magnetometer in uT, ZYX Euler roll and pitch in radians, read off the
vertical v in the body frame: roll = atan2(v_y, v_z), pitch = atan2(-v_x, hypot(v_y, v_z)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_core.datasets.imu import attitude_filters as hand
from rnn_core.datasets.imu.samples import vertical_at


@dataclass(frozen=True)
class Gain:
    """One knob of a filter: its name, default, bounds (inclusive) and a line of help."""

    name: str
    default: float
    minimum: float
    maximum: float
    help: str


@dataclass(frozen=True)
class AttitudeMethod:
    """A filter as a page offers it: a label, whether it can use a magnetometer, its gains."""

    label: str
    uses_magnetometer: bool
    gains: tuple[Gain, ...]

    def defaults(self) -> dict[str, float]:
        """The gains at their defaults, name -> value."""
        return {gain.name: gain.default for gain in self.gains}


ATTITUDE_METHODS: dict[str, AttitudeMethod] = {
    "complementary": AttitudeMethod(
        "Complementary filter",
        False,
        (
            Gain(
                "time_constant",
                1.0,
                0.0,
                100.0,
                "Seconds over which the gyro is trusted before the accelerometer pulls the "
                "vertical back; 0 is the accelerometer alone.",
            ),
        ),
    ),
    "madgwick": AttitudeMethod(
        "Madgwick (2011)",
        False,
        (
            Gain(
                "beta",
                0.041,
                0.0,
                10.0,
                "Gradient-descent gain in rad/s (0.041, Madgwick's own choice): larger follows "
                "the accelerometer faster and lets more of its noise and motion through.",
            ),
        ),
    ),
    "mahony": AttitudeMethod(
        "Mahony (2008)",
        False,
        (
            Gain(
                "kp",
                0.5,
                0.0,
                100.0,
                "Proportional gain in 1/s: the accelerometer's pull on the vertical.",
            ),
            Gain(
                "ki",
                0.003,
                0.0,
                10.0,
                "Integral gain in 1/s^2: learns a constant gyro bias over tens of seconds; 0 "
                "turns it off.",
            ),
        ),
    ),
    "vqf": AttitudeMethod(
        "VQF (Laidig & Seel 2022)",
        True,
        (
            Gain(
                "tau_acc",
                3.0,
                0.01,
                100.0,
                "Time constant in seconds of the accelerometer correction (VQF's tauAcc).",
            ),
            Gain(
                "tau_mag",
                9.0,
                0.01,
                100.0,
                "Time constant in seconds of the magnetometer correction (tauMag); heading "
                "only, so it leaves roll and pitch alone.",
            ),
        ),
    ),
    "fusion": AttitudeMethod(
        "x-io Fusion (Madgwick 2022)",
        True,
        (
            Gain(
                "gain",
                0.5,
                0.0,
                10.0,
                "Fusion's gain: how strongly the accelerometer (and magnetometer) correct "
                "the gyro.",
            ),
            Gain(
                "acceleration_rejection",
                0.0,
                0.0,
                180.0,
                "Degrees of disagreement beyond which an accelerometer reading is taken for "
                "motion and ignored; 0 (Fusion's default) turns rejection off, which suits "
                "fast rotation.",
            ),
            Gain(
                "magnetic_rejection",
                0.0,
                0.0,
                180.0,
                "Degrees beyond which a magnetometer reading is taken for a disturbance and "
                "ignored; 0 (Fusion's default) turns rejection off.",
            ),
        ),
    ),
}


def checked_gains(method: str, gains: dict) -> dict[str, float]:
    """The method's gains, defaults filled in; ValueError for an unknown method, gain or value."""
    if method not in ATTITUDE_METHODS:
        raise ValueError(
            f"Unknown attitude method {method!r}: choose one of {', '.join(ATTITUDE_METHODS)}."
        )
    spec = ATTITUDE_METHODS[method]
    known = {gain.name: gain for gain in spec.gains}
    unknown = sorted(set(gains) - set(known))
    if unknown:
        raise ValueError(
            f"{spec.label} has no gain {', '.join(map(repr, unknown))}: its gains are "
            f"{', '.join(known)}."
        )
    values = spec.defaults()
    for name, value in gains.items():
        gain = known[name]
        value = float(value)
        if not gain.minimum <= value <= gain.maximum:  # also refuses NaN
            raise ValueError(
                f"{spec.label}'s {name} must be between {gain.minimum:g} and "
                f"{gain.maximum:g}, not {value:g}."
            )
        values[name] = value
    return values


def checked_segments(segments, length: int) -> list[tuple[int, int]]:
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


def roll_pitch(vertical: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ZYX roll and pitch (rad), each (n,), from the vertical in the body frame (n, 3)."""
    x, y, z = np.asarray(vertical, dtype=np.float64).T
    return np.arctan2(y, z), np.arctan2(-x, np.hypot(y, z))


def vertical(roll, pitch) -> np.ndarray:
    """The vertical in the body frame (..., 3) from ZYX roll and pitch (rad)."""
    roll, pitch = np.asarray(roll, dtype=np.float64), np.asarray(pitch, dtype=np.float64)
    cos_pitch = np.cos(pitch)
    return np.stack([-np.sin(pitch), np.sin(roll) * cos_pitch, np.cos(roll) * cos_pitch], -1)


def inclination_error(roll_est, pitch_est, roll_true, pitch_true) -> np.ndarray:
    """BROAD's heading-free error (rad), (N,): the angle between true and estimated vertical."""
    estimated, true = vertical(roll_est, pitch_est), vertical(roll_true, pitch_true)
    # atan2 of |cross| and dot stays accurate for small angles, where arccos(dot) does not.
    cross = np.linalg.norm(np.cross(estimated, true), axis=-1)
    return np.arctan2(cross, np.sum(estimated * true, axis=-1))


def _segment_vertical(method, time, accel, gyro, mag, gains) -> np.ndarray:
    """The vertical (n, 3) of one segment by one method."""
    if method == "complementary":
        return hand.complementary_vertical(time, accel, gyro, gains["time_constant"])
    if method == "madgwick":
        return hand.madgwick_vertical(time, accel, gyro, gains["beta"])
    if method == "mahony":
        return hand.mahony_vertical(time, accel, gyro, gains["kp"], gains["ki"])
    if time.size < 2:  # one row: nothing to filter, the accelerometer alone
        return hand.unit_rows(accel)[0]
    if method == "vqf":
        return hand.vqf_vertical(time, accel, gyro, mag, gains["tau_acc"], gains["tau_mag"])
    return hand.fusion_vertical(time, accel, gyro, mag, gains)


def estimate_attitude_arrays(
    time, accel, gyro, mag=None, method: str = "complementary", segments=None, **gains
) -> dict[str, np.ndarray]:
    """Roll and pitch (rad), each (N,), by `method` from time (N,) s, accel (N, 3) m/s^2,
    gyro (N, 3) rad/s and optionally mag (N, 3) uT (used by the methods that take one)."""
    values = checked_gains(method, gains)
    if mag is not None and not ATTITUDE_METHODS[method].uses_magnetometer:
        takers = ", ".join(k for k, m in ATTITUDE_METHODS.items() if m.uses_magnetometer)
        raise ValueError(
            f"{ATTITUDE_METHODS[method].label} does not use a magnetometer: leave it out, or "
            f"choose one that does ({takers})."
        )
    time = np.asarray(time, dtype=np.float64)
    accel, gyro = (np.asarray(a, dtype=np.float64) for a in (accel, gyro))
    mag = None if mag is None else np.asarray(mag, dtype=np.float64)
    N = time.shape[0]
    if time.shape != (N,) or any(a is not None and a.shape != (N, 3) for a in (accel, gyro, mag)):
        raise ValueError("time must be (N,) and accel, gyro and mag (N, 3), all of one length N.")
    up = np.full((N, 3), np.nan)
    for start, end in checked_segments(segments, N):
        rows = slice(start, end)
        if np.any(np.diff(time[rows]) < 0):
            raise ValueError(
                f"Time goes backwards between rows {start} and {end}: sort the samples by time "
                "or split the recording into segments there."
            )
        channels = [a[rows] for a in (accel, gyro, mag) if a is not None]
        if not all(np.isfinite(a).all() for a in channels):
            raise ValueError(
                f"The IMU channels have missing values between rows {start} and {end}: fill "
                "them, or split the recording into segments around them."
            )
        segment_mag = None if mag is None else mag[rows]
        up[rows] = _segment_vertical(
            method, time[rows], accel[rows], gyro[rows], segment_mag, values
        )
    roll, pitch = roll_pitch(up)
    return {"roll": roll, "pitch": pitch}


def estimate_attitude(recording, method: str, *, use_mag: bool = False, **gains):
    """Roll and pitch (rad), {"roll": (N,), "pitch": (N,)}, of a recording (.time, .channels with
    ax..gz and maybe mx..mz, .segments) by one of ATTITUDE_METHODS: run on the samples as read
    (recording.raw, at the file's rate) when the recording carries them, then taken at its rows."""
    channels, raw = recording.channels, getattr(recording, "raw", None)
    if use_mag:
        checked_gains(method, {})
        if not ATTITUDE_METHODS[method].uses_magnetometer:
            raise ValueError(
                f"{ATTITUDE_METHODS[method].label} does not use a magnetometer: "
                "turn the magnetometer off for it."
            )
        if not {"mx", "my", "mz"} <= set(channels.columns) or (raw is not None and raw.mag is None):
            raise ValueError(
                "The recording has no magnetometer (columns mx, my, mz): turn the magnetometer off."
            )
    if raw is not None:
        mag = raw.mag if use_mag else None
        at_raw = estimate_attitude_arrays(
            raw.time, raw.accel, raw.gyro, mag, method, raw.segments, **gains
        )
        up = vertical_at(raw, vertical(at_raw["roll"], at_raw["pitch"]), recording.segments)
        roll, pitch = roll_pitch(up)  # (N,) each
        return {"roll": roll, "pitch": pitch}
    mag = channels[["mx", "my", "mz"]].to_numpy(dtype=np.float64) if use_mag else None
    return estimate_attitude_arrays(
        recording.time,
        channels[["ax", "ay", "az"]].to_numpy(dtype=np.float64),
        channels[["gx", "gy", "gz"]].to_numpy(dtype=np.float64),
        mag,
        method,
        recording.segments,
        **gains,
    )


def filter_rate(recording) -> str:
    """At which rate the attitude filters run on a recording, for a sentence: "285.7 Hz, the
    file's rate" (or the recording's own rate when it carries no raw samples)."""
    raw = getattr(recording, "raw", None)
    if raw is None:
        return f"{recording.sample_rate:.4g} Hz, the recording's rate"
    return f"{raw.rate:.4g} Hz, the file's rate"
