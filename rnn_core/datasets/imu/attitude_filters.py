"""The attitude filters, one segment at a time: complementary, Madgwick and Mahony written here,
VQF and x-io Fusion called from their libraries (`vqf`, `imufusion`).

Conventions: body frame with +g on z when level at rest (az = +9.81 m/s^2), gyroscope in rad/s.
Each filter returns the vertical ("up", the world z axis) seen in the body frame, (n, 3), which is
what a resting accelerometer reads once normalised: (-sin p, sin r cos p, cos r cos p) in ZYX Euler
angles. Roll and pitch are read off it afterwards; the vertical itself never wraps and stays sound
upside down and near +-90 deg of pitch.

The recursions are nonlinear in the state, so they cannot be cumulative sums: everything that does
not depend on the state is vectorised first and the loops run on plain Python floats (far faster
than indexing numpy arrays). Quaternions are w, x, y, z and rotate body to world.
"""

from __future__ import annotations

import math

import numpy as np

G = 9.80665  # m/s^2 per g, for x-io Fusion's units


def unit_rows(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows scaled to unit length, (n, 3), and whether each row had a length at all, (n,)."""
    norm = np.linalg.norm(vectors, axis=1)  # (n,)
    valid = norm > 0  # False for zero and NaN rows, which become (0, 0, 0)
    return np.where(valid[:, None], vectors / np.where(valid, norm, 1.0)[:, None], 0.0), valid


def complementary_vertical(time, accel, gyro, time_constant: float) -> np.ndarray:
    """The vertical (n, 3) of the complementary filter with time constant tau (s).

    Step k: the previous vertical turned by the gyro over dt_k (the exact rotation about the mean
    of gyro[k-1] and gyro[k]), blended with the normalised accelerometer with weight
    tau / (tau + dt_k) on the prediction, so that it behaves the same at any sample rate. The
    steps are `complementary_steps` over `complementary_columns`, as the live filter runs them."""
    up, valid = unit_rows(accel[:1])
    start = tuple(up[0].tolist()) if valid[0] else (0.0, 0.0, 1.0)  # Python floats, not numpy
    columns = complementary_columns(time, accel, gyro, time_constant)
    out, _ = complementary_steps(start, columns)
    return np.array([*start, *out]).reshape(-1, 3)


def complementary_columns(time, accel, gyro, time_constant: float) -> list[list[float]]:
    """The per-step coefficients of samples 1..n-1 (n >= 1) as 12 float lists of n - 1: the
    blended rotation's 9 entries row by row, then the accelerometer's share (3)."""
    up, valid = unit_rows(accel[1:])  # (n - 1, 3), (n - 1,)
    dt = np.maximum(np.diff(time), 0.0)  # (n - 1,)
    keep = time_constant / (time_constant + dt) if time_constant > 0 else np.zeros_like(dt)
    keep = np.where(valid, keep, 1.0)  # no accelerometer reading: the prediction alone
    # A world-fixed vector seen from the body turns by -omega dt: Rodrigues' rotation matrix
    # c I + s [k]x + (1 - c) k k^T, each entry (n - 1,) scaled by the blend weight, then the
    # accelerometer's share (n - 1,) per axis.
    rotation = -(gyro[1:] + gyro[:-1]) / 2 * dt[:, None]  # (n - 1, 3) rad
    angle = np.linalg.norm(rotation, axis=1)  # (n - 1,)
    kx, ky, kz = (rotation / np.where(angle > 0, angle, 1.0)[:, None]).T  # unit axis
    c, s, d = keep * np.cos(angle), keep * np.sin(angle), keep * (1 - np.cos(angle))
    matrix = (
        (c + d * kx * kx, d * kx * ky - s * kz, d * kx * kz + s * ky),
        (d * kx * ky + s * kz, c + d * ky * ky, d * ky * kz - s * kx),
        (d * kx * kz - s * ky, d * ky * kz + s * kx, c + d * kz * kz),
    )
    blend = (1 - keep)[:, None] * up  # (n - 1, 3)
    return [v.tolist() for v in (*matrix[0], *matrix[1], *matrix[2], *blend.T)]


def complementary_steps(start, columns) -> tuple[list[float], tuple[float, float, float]]:
    """The complementary filter's steps from the vertical `start` (x, y, z floats) over
    `complementary_columns`: the verticals flat (x, y, z per step) and the last one."""
    x, y, z = start
    out: list[float] = []
    extend, hypot = out.extend, math.hypot
    for m00, m01, m02, m10, m11, m12, m20, m21, m22, bx, by, bz in zip(*columns, strict=True):
        x, y, z = (
            m00 * x + m01 * y + m02 * z + bx,
            m10 * x + m11 * y + m12 * z + by,
            m20 * x + m21 * y + m22 * z + bz,
        )
        norm = hypot(x, y, z) or 1.0
        x, y, z = x / norm, y / norm, z / norm
        extend((x, y, z))
    return out, (x, y, z)


def initial_quaternion(up: np.ndarray) -> tuple[float, float, float, float]:
    """The quaternion with zero yaw whose vertical is `up` (3,): where a filter starts."""
    roll = math.atan2(up[1], up[2])
    pitch = math.atan2(-up[0], math.hypot(up[1], up[2]))
    cr, sr = math.cos(roll / 2), math.sin(roll / 2)
    cp, sp = math.cos(pitch / 2), math.sin(pitch / 2)
    return cr * cp, sr * cp, cr * sp, -sr * sp


def vertical_of(quaternions: np.ndarray) -> np.ndarray:
    """The world z axis in the body frame, (n, 3), from body-to-world quaternions (n, 4)."""
    norm = np.linalg.norm(quaternions, axis=1, keepdims=True)
    w, x, y, z = (quaternions / np.where(norm > 0, norm, 1.0)).T
    return np.stack([2 * (x * z - w * y), 2 * (w * x + y * z), w * w - x * x - y * y + z * z], 1)


def _steps(time, accel, gyro, gain: float):
    """The start quaternion and per-step float lists: half the gyro turn 0.5 gyro[k] dt_k (3),
    the gain times dt_k (0 where the accelerometer reads nothing), unit accel[k] (3)."""
    up, valid = unit_rows(accel)
    dt = np.maximum(np.diff(time), 0.0)  # (n - 1,)
    half_turn = 0.5 * gyro[1:] * dt[:, None]  # (n - 1, 3) rad
    gain_dt = np.where(valid[1:], gain * dt, 0.0)
    start = initial_quaternion(up[0]) if valid[0] else (1.0, 0.0, 0.0, 0.0)
    return start, [v.tolist() for v in (*half_turn.T, gain_dt, *up[1:].T)]


def madgwick_vertical(time, accel, gyro, beta: float) -> np.ndarray:
    """The vertical (n, 3) of Madgwick's gradient-descent filter (IMU form), gain beta (rad/s):
    the quaternion rate from the gyro minus beta times the normalised gradient of the gap
    between the estimated and the measured vertical."""
    (a, b, c, d), columns = _steps(time, accel, gyro, beta)
    out = [a, b, c, d]
    extend, hypot = out.extend, math.hypot
    for hx, hy, hz, step, ux, uy, uz in zip(*columns, strict=True):
        # gap f = estimated - measured vertical; s = J^T f / 2, J = d(vertical)/d(q)
        b2, c2 = b + b, c + c
        fx = b2 * d - c2 * a - ux
        fy = b2 * a + c2 * d - uy
        fz = 1.0 - b2 * b - c2 * c - uz
        s0 = b * fy - c * fx
        s1 = d * fx + a * fy - b2 * fz
        s2 = d * fy - a * fx - c2 * fz
        s3 = b * fx + c * fy
        k = hypot(s0, s1, s2, s3)
        if k:
            k = step / k  # the step beta dt along the unit gradient
        a, b, c, d = (
            a - b * hx - c * hy - d * hz - k * s0,
            b + a * hx + c * hz - d * hy - k * s1,
            c + a * hy - b * hz + d * hx - k * s2,
            d + a * hz + b * hy - c * hx - k * s3,
        )
        k = hypot(a, b, c, d)
        a, b, c, d = a / k, b / k, c / k, d / k
        extend((a, b, c, d))
    return vertical_of(np.array(out).reshape(-1, 4))


def mahony_vertical(time, accel, gyro, kp: float, ki: float) -> np.ndarray:
    """The vertical (n, 3) of Mahony's explicit complementary filter on SO(3): the gyro corrected
    by kp e + ki * integral(e), e = measured x estimated vertical (the integral learns the bias)."""
    dt = np.maximum(np.diff(time), 0.0)  # (n - 1,)
    (a, b, c, d), columns = _steps(time, accel, gyro, kp)
    half_dt = (0.5 * dt).tolist()
    ki_dt = (ki * dt).tolist()
    out = [a, b, c, d]
    extend, hypot = out.extend, math.hypot
    ix = iy = iz = 0.0  # the integral of ki e (rad/s)
    for hx, hy, hz, kp_dt, ux, uy, uz, h, i_dt in zip(*columns, half_dt, ki_dt, strict=True):
        if kp_dt or i_dt:
            b2, c2 = b + b, c + c
            vx, vy, vz = b2 * d - c2 * a, b2 * a + c2 * d, 1.0 - b2 * b - c2 * c
            ex, ey, ez = uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx
            ix, iy, iz = ix + i_dt * ex, iy + i_dt * ey, iz + i_dt * ez
            hx += h * (kp * ex + ix)
            hy += h * (kp * ey + iy)
            hz += h * (kp * ez + iz)
        elif h:
            hx, hy, hz = hx + h * ix, hy + h * iy, hz + h * iz
        a, b, c, d = (
            a - b * hx - c * hy - d * hz,
            b + a * hx + c * hz - d * hy,
            c + a * hy - b * hz + d * hx,
            d + a * hz + b * hy - c * hx,
        )
        k = hypot(a, b, c, d)
        a, b, c, d = a / k, b / k, c / k, d / k
        extend((a, b, c, d))
    return vertical_of(np.array(out).reshape(-1, 4))


def _sample_period(time: np.ndarray) -> float:
    """The mean sample period (s) of one segment: the libraries take a fixed one."""
    span = float(time[-1] - time[0]) if time.size > 1 else 0.0
    if span <= 0:
        raise ValueError(
            "A segment's timestamps do not advance: VQF and Fusion need a sample rate."
        )
    return span / (time.size - 1)


def vqf_vertical(time, accel, gyro, mag, tau_acc: float, tau_mag: float) -> np.ndarray:
    """The vertical (n, 3) of VQF (causal, with rest and motion bias estimation), 6D or 9D."""
    from vqf import VQF  # the compiled filter; imported here to keep the module light

    ts = _sample_period(time)
    vqf = VQF(ts, tauAcc=tau_acc, tauMag=tau_mag)
    contiguous = [np.ascontiguousarray(a, dtype=np.float64) for a in (gyro, accel)]
    if mag is None:
        return vertical_of(vqf.updateBatch(*contiguous)["quat6D"])
    result = vqf.updateBatch(*contiguous, np.ascontiguousarray(mag, dtype=np.float64))
    return vertical_of(result["quat9D"])


def fusion_vertical(time, accel, gyro, mag, gains: dict) -> np.ndarray:
    """The vertical (n, 3) of x-io Fusion's AHRS, sample by sample (it has no batch update)."""
    import imufusion  # the compiled filter; imported here to keep the module light

    rate = 1.0 / _sample_period(time)
    ahrs = imufusion.Ahrs()
    ahrs.set_settings(
        imufusion.AhrsSettings(
            sample_rate=rate,
            convention=imufusion.CONVENTION_NWU,
            gain=gains["gain"],
            acceleration_rejection=gains["acceleration_rejection"],
            magnetic_rejection=gains["magnetic_rejection"],
            rejection_timeout=5.0 * rate,  # 5 s of samples, as x-io's examples set it
        )
    )
    gyro_dps = np.ascontiguousarray(np.degrees(gyro))  # Fusion takes deg/s and g
    accel_g = np.ascontiguousarray(accel / G)
    if mag is None:
        update = ahrs.update_no_magnetometer
        quaternions = [
            update(g, a).get_quaternion() for g, a in zip(gyro_dps, accel_g, strict=True)
        ]
    else:
        update = ahrs.update
        mag = np.ascontiguousarray(mag, dtype=np.float64)
        rows = zip(gyro_dps, accel_g, mag, strict=True)
        quaternions = [update(g, a, m).get_quaternion() for g, a, m in rows]
    return vertical_of(np.array(quaternions))  # (n, 4) -> (n, 3)
