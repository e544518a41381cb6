"""Units and frames from the data itself: gravity tells the accelerometer unit and which way is up,
the tilt the accelerometer sees tells the gyroscope unit; quaternions become roll, pitch and yaw.

Gyroscope check: the gravity direction u = a / |a| seen in the body turns with the body rate w,
du/dt = -w x u (while linear acceleration is small). Fitting du/dt = -k (w x u) over the recording
gives k, the size of one gyroscope unit in rad/s: 1 for rad/s, 0.01745 for deg/s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnn_core.datasets.imu.parse import ImuFormatError

G = 9.80665  # m/s^2, standard gravity
GRAVITY_IN = {  # what gravity reads in each accelerometer unit
    "m/s^2": G,
    "g": 1.0,
    "mg": 1000.0,
    "counts (±2 g, 16384 LSB/g)": 16384.0,
    "counts (±4 g, 8192 LSB/g)": 8192.0,
    "counts (±8 g, 4096 LSB/g)": 4096.0,
    "counts (±16 g, 2048 LSB/g)": 2048.0,
}
DEG = math.pi / 180
GYRO_IN_RAD = {  # rad/s per unit
    "rad/s": 1.0,
    "deg/s": DEG,
    "counts (±250 deg/s, 131 LSB per deg/s)": DEG / 131,
    "counts (±500 deg/s, 65.5 LSB per deg/s)": DEG / 65.5,
    "counts (±1000 deg/s, 32.8 LSB per deg/s)": DEG / 32.8,
    "counts (±2000 deg/s, 16.4 LSB per deg/s)": DEG / 16.4,
}
MAG_IN_UT = {"uT": 1.0, "nT": 1e-3, "T": 1e6, "mT": 1e3, "gauss": 100.0, "mgauss": 0.1}


@dataclass(frozen=True)
class Rest:
    """What the accelerometer reads while the sensor is still."""

    gravity: float  # median |a| at rest, in the file's unit
    z_share: float  # median a_z / |a| at rest: +1 when z points up, -1 when it reads -g
    rest_share: float  # share of half-second blocks that are still


def at_rest(accel: np.ndarray, rate: float) -> Rest:
    """Gravity's size and direction from half-second blocks where |a| barely changes."""
    stride = max(1, len(accel) // 100_000)  # a long recording is looked at every stride-th row
    accel, rate = accel[::stride], rate / stride
    norm = np.sqrt(np.einsum("ij,ij->i", accel, accel))  # (N,)
    width = max(2, int(round(0.5 * rate)))
    blocks = len(norm) // width
    if blocks >= 4:
        size = norm[: blocks * width].reshape(blocks, width)  # (B, W)
        mean, spread = size.mean(axis=1), size.std(axis=1)
        z = accel[: blocks * width, 2].reshape(blocks, width).mean(axis=1)
        still = (spread <= 0.03 * mean) & (mean > 0)
        if still.sum() >= max(2, 0.05 * blocks):
            share = float(np.median(z[still] / mean[still]))
            return Rest(float(np.median(mean[still])), share, float(still.mean()))
    moving = norm > 0
    z_share = float(np.median(accel[moving, 2] / norm[moving])) if moving.any() else 0.0
    return Rest(float(np.median(norm)), z_share, 0.0)


def accel_unit(rest: Rest, hint: tuple[str, str] | None, name: str) -> tuple[float, str, str]:
    """(m/s^2 per file unit, unit, sentence): by the header when it says, else by gravity's size."""
    where = "at rest" if rest.rest_share > 0 else "(median; no still part found)"
    reads = f"gravity reads {rest.gravity:.4g} {where}"
    if hint is not None:
        unit, why = hint
        misfit = rest.gravity > 0 and abs(math.log(rest.gravity / GRAVITY_IN[unit])) > math.log(1.3)
        warning = f", which does not fit {unit}: check the unit" if misfit else ""
        return G / GRAVITY_IN[unit], unit, f"Accelerometer: {unit}, {why} ({reads}{warning})."
    if not rest.gravity > 0.2:
        raise ImuFormatError(
            f"The accelerometer in {name} reads almost nothing ({rest.gravity:.3g}) even at rest: "
            "gravity seems to be removed (linear acceleration). Export the acceleration including "
            "gravity (phyphox 'Acceleration with g', Sensor Logger TotalAcceleration)."
        )
    unit = min(GRAVITY_IN, key=lambda u: abs(math.log(rest.gravity / GRAVITY_IN[u])))
    sure = abs(math.log(rest.gravity / GRAVITY_IN[unit])) <= math.log(1.3)
    hedge = "" if sure else " (unsure: far from every usual unit; choose the unit by hand)"
    sentence = f"Accelerometer: {unit}, because {reads}{hedge}."
    return G / GRAVITY_IN[unit], unit, sentence


def turn_fit(
    gyro: np.ndarray,
    accel: np.ndarray,
    rate: float,
    segments: list[tuple[int, int]],
    block_s: float = 0.1,
    offset: int = 0,
    centre: tuple[float, np.ndarray] | None = None,
) -> tuple[float, float, int]:
    """(k, correlation, samples) of du/dt = -k (w x u) on block means of block_s seconds.

    Only calm blocks count: |a| within 10 % of gravity and changing by less than half of it per
    second, so footsteps and shakes (linear acceleration) do not pass for turns. centre is
    (gravity, gyroscope bias), the medians, when the caller has them already.
    """
    factor = max(1, int(round(rate * block_s)))
    dt = factor / rate
    gravity, bias = centre or _centre(gyro, accel)
    sums, count = np.zeros(3), 0
    for start, end in segments:
        start = min(start + offset, end)
        n = (end - start) // factor
        if n < 5:
            continue
        a = accel[start : start + n * factor].reshape(n, factor, 3).mean(axis=1)  # (n, 3)
        w = gyro[start : start + n * factor].reshape(n, factor, 3).mean(axis=1) - bias  # (n, 3)
        norm = np.linalg.norm(a, axis=1) / gravity  # (n,)
        u = a / np.where(norm > 0, norm, 1.0)[:, None] / gravity  # (n, 3)
        du = (u[2:] - u[:-2]) / (2 * dt)  # (n - 2, 3)
        v = -np.cross(w[1:-1], u[1:-1])  # (n - 2, 3)
        jerk = np.abs(norm[2:] - norm[:-2]) / (2 * dt)  # (n - 2,)
        calm = (np.abs(norm[1:-1] - 1) < 0.1) & (jerk < 0.5)
        du, v = du[calm], v[calm]
        sums += [np.sum(du * v), np.sum(v * v), np.sum(du * du)]
        count += int(calm.sum())
    if sums[1] <= 0 or sums[2] <= 0:
        return 0.0, 0.0, count
    return sums[0] / sums[1], sums[0] / math.sqrt(sums[1] * sums[2]), count


def _centre(gyro: np.ndarray, accel: np.ndarray) -> tuple[float, np.ndarray]:
    """(median |a|, median gyroscope per axis) from at most ~100,000 evenly spread rows."""
    step = max(1, len(accel) // 100_000)
    gravity = float(np.median(np.linalg.norm(accel[::step], axis=1))) if len(accel) else 0.0
    bias = np.median(gyro[::step], axis=0) if len(gyro) else np.zeros(3)
    return max(gravity, 1e-12), bias


def _spread(segments: list[tuple[int, int]], limit: int = 100_000, piece: int = 10_000) -> list:
    """Pieces of the segments, evenly spread, holding about `limit` rows: enough for a fit."""
    total = sum(end - start for start, end in segments)
    if total <= limit:
        return segments
    stride = piece * total // limit
    return [(s, min(s + piece, end)) for start, end in segments for s in range(start, end, stride)]


def gyro_unit(
    gyro: np.ndarray,
    accel: np.ndarray,
    rate: float,
    segments: list[tuple[int, int]],
    hint: tuple[str, str] | None,
    counts: bool,
) -> tuple[float, str, str]:
    """(rad/s per file unit, unit, sentence): header, else the turn fit, else magnitude (unsure)."""
    if hint is not None:
        return GYRO_IN_RAD[hint[0]], hint[0], f"Gyroscope: {hint[0]}, {hint[1]}."
    choices = [u for u in GYRO_IN_RAD if u.startswith("counts") == counts]
    unit, sentence = _by_turning(gyro, accel, rate, segments, choices)
    if unit is None and counts:
        unit = choices[0]
        sentence = (
            f"Gyroscope: {unit}, the MPU6050 default; unsure, the tilt seen by the accelerometer "
            "could not confirm it: choose the range by hand if it differs."
        )
    elif unit is None:
        spread = np.linalg.norm(gyro[:: max(1, len(gyro) // 100_000)], axis=1)
        peak = float(np.percentile(spread, 99)) if len(spread) else 0.0
        if not peak > 0:
            sentence = (
                "Gyroscope: reads zero almost throughout; kept as rad/s (nothing tells its unit)."
            )
            return 1.0, "rad/s", sentence
        unit = "deg/s" if peak > 20 else "rad/s"
        sentence = f"Gyroscope: {unit} by magnitude: 99 % of rates are below {peak:.3g}" + (
            f", which in rad/s would be {peak / (2 * math.pi):.2g} turns per second."
            if peak > 20
            else " (unsure: too little tilting to confirm it; choose the unit by hand if wrong)."
        )
    return GYRO_IN_RAD[unit], unit, sentence


def _by_turning(gyro, accel, rate, segments, choices) -> tuple[str | None, str]:
    """The unit three turn fits (two block phases, two block sizes) agree on, or None."""
    half, centre = max(1, int(round(rate * 0.05))), _centre(gyro, accel)
    segments = _spread(segments)
    fits = [turn_fit(gyro, accel, rate, segments, 0.1, shift, centre) for shift in (0, half)]
    fits.append(turn_fit(gyro, accel, rate, segments, 0.05, 0, centre))

    def nearest(k: float) -> str:
        return min(choices, key=lambda u: abs(math.log(k / GYRO_IN_RAD[u])))

    valid = [fit for fit in fits if fit[0] > 0 and fit[1] >= 0.3 and fit[2] >= 50]
    if len(valid) < len(fits) or len({nearest(fit[0]) for fit in valid}) > 1:
        return None, ""
    k, correlation, samples = fits[0]
    unit = nearest(k)
    hedge = "" if abs(math.log(k / GYRO_IN_RAD[unit])) < math.log(2) else "; far, unsure"
    return unit, (
        f"Gyroscope: {unit}, because it turns with the tilt the accelerometer sees: one unit "
        f"fits {k:.4g} rad/s (correlation {correlation:.2f}, {samples:,} samples{hedge})."
    )


def mag_unit(mag: np.ndarray, hint: tuple[str, str] | None) -> tuple[float, str, str]:
    """(uT per file unit, unit, sentence): header, else the unit putting |m| nearest 45 uT."""
    if hint is not None:
        return MAG_IN_UT[hint[0]], hint[0], f"Magnetometer: {hint[0]}, {hint[1]}."
    size = float(np.median(np.linalg.norm(mag, axis=1)))
    if not size > 0:
        return 1.0, "uT", "Magnetometer: reads zero; kept as uT."
    unit = min(MAG_IN_UT, key=lambda u: abs(math.log(size * MAG_IN_UT[u] / 45)))
    return MAG_IN_UT[unit], unit, f"Magnetometer: {unit}, since |m| = {size:.3g} (Earth ~25-65 uT)."


def angle_unit(angles: np.ndarray, hint: tuple[str, str] | None) -> tuple[float, str, str]:
    """(rad per file unit, unit, sentence) for roll / pitch / yaw columns."""
    if hint is not None:
        return (DEG if hint[0] == "deg" else 1.0), hint[0], f"Angles: {hint[0]}, {hint[1]}."
    largest = float(np.nanmax(np.abs(angles))) if angles.size else 0.0
    if largest > 2 * math.pi + 0.1:
        return DEG, "deg", f"Angles: degrees, since they reach {largest:.3g} (beyond 2 pi)."
    hedge = ", unsure: so small they could be degrees" if largest < 0.5 else ""
    return 1.0, "rad", f"Angles: radians, since they stay within ±{largest:.3g}{hedge}."


def align_quaternions(q: np.ndarray) -> np.ndarray:
    """q and -q are one rotation: flip signs so neighbours agree, before interpolating. (N, 4)"""
    if len(q) < 2:
        return q
    flips = np.cumsum(np.einsum("ij,ij->i", q[1:], q[:-1]) < 0) % 2  # (N - 1,)
    return q * np.r_[1.0, 1.0 - 2.0 * flips][:, None]


def euler_from_quaternion(q: np.ndarray) -> np.ndarray:
    """Roll, pitch, yaw (N, 3) in radians (Z-Y-X order) from quaternions (N, 4) as w, x, y, z."""
    norm = np.linalg.norm(q, axis=1, keepdims=True)
    w, x, y, z = (q / np.where(norm > 0, norm, 1.0)).T
    roll = np.arctan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y))
    pitch = np.arcsin(np.clip(2 * (w * y - z * x), -1.0, 1.0))
    yaw = np.arctan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))
    return np.column_stack([roll, pitch, yaw])


def wrap(angle: np.ndarray) -> np.ndarray:
    """Angles in radians wrapped to [-pi, pi)."""
    return (angle + math.pi) % (2 * math.pi) - math.pi
