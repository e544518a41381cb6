"""A simulated IMU on a rigid body turning smoothly, with its true roll, pitch and yaw.

Angles are sums of slow sines (random phases) times smooth envelopes, so their rates are exact:

    roll, pitch, yaw (Z-Y-X)  ->  body rates    p = roll' - yaw' sin(pitch)
                                                q = pitch' cos(roll) + yaw' sin(roll) cos(pitch)
                                                r = -pitch' sin(roll) + yaw' cos(roll) cos(pitch)
    gyroscope     = (p, q, r) + bias + noise                                  rad/s
    accelerometer = R^T (linear acceleration + (0, 0, g)) + noise             m/s^2, +g on z level
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnn_core.datasets.windows import DataError

G = 9.80665  # m/s^2
LABEL_LEVELS = {  # label -> (slow tilt, fast shake, linear acceleration) envelope levels
    "still": (0.0, 0.0, 0.0),
    "tilt": (1.0, 0.0, 1.0),
    "shake": (0.2, 1.0, 3.0),
}
_RAMP_S = 2.0  # seconds a raised-cosine step between two labelled blocks takes


@dataclass(frozen=True)
class SimulatorConfig:
    """Knobs of the simulated recording; the same seed gives the same recording."""

    duration_s: float = 180.0  # seconds recorded
    rate_hz: float = 50.0  # samples per second
    seed: int = 0  # drives phases, label blocks and noise
    gyro_bias: tuple[float, float, float] = (0.01, -0.02, 0.015)  # rad/s, constant per axis
    gyro_noise: float = 0.005  # rad/s, white noise std per sample
    accel_noise: float = 0.05  # m/s^2, white noise std per sample
    linear_accel_std: float = 0.3  # m/s^2, smooth linear acceleration per world axis
    labels: bool = False  # add a "label" column: still / tilt / shake blocks
    tilt_deg: float = 30.0  # largest |roll| and |pitch| of the slow motion (0: no turning)
    yaw_deg: float = 90.0  # largest |yaw| swing of the slow motion


def simulator_problems(config: SimulatorConfig) -> list[str]:
    """Sentences that say what to change; empty when the config is usable."""
    problems = []
    if not config.duration_s > 0 or not config.rate_hz > 0:
        problems.append("Duration and rate must be positive.")
    elif config.duration_s * config.rate_hz < 2:
        problems.append("Record at least 2 samples: raise the duration or the rate.")
    if not 0 <= config.tilt_deg < 60:
        problems.append("Keep the tilt between 0 and 60 degrees (pitch near 90 is singular).")
    if min(config.gyro_noise, config.accel_noise, config.linear_accel_std, config.yaw_deg) < 0:
        problems.append("Noise, linear acceleration and yaw swing must not be negative.")
    if len(config.gyro_bias) != 3:
        problems.append("Give the gyroscope bias as three numbers (x, y, z) in rad/s.")
    return problems


def _sines(rng, t, amplitude, low_hz, high_hz, count=3):
    """(value, rate) of a sum of `count` sines with random frequencies and phases; |value| <= A."""
    freqs = rng.uniform(low_hz, high_hz, count)  # (K,)
    phases = rng.uniform(0, 2 * np.pi, count)  # (K,)
    weights = rng.uniform(0.5, 1.0, count)
    amps = amplitude * weights / weights.sum()  # (K,), they add up to the amplitude
    angle = 2 * np.pi * freqs[:, None] * t[None, :] + phases[:, None]  # (K, N)
    value = (amps[:, None] * np.sin(angle)).sum(axis=0)
    rate = (amps[:, None] * 2 * np.pi * freqs[:, None] * np.cos(angle)).sum(axis=0)
    return value, rate


def _blocks(rng, duration: float) -> list[tuple[float, str]]:
    """(start s, label) of consecutive blocks of 8-20 s, each label unlike the one before."""
    names, blocks, start, previous = list(LABEL_LEVELS), [], 0.0, None
    while start < duration:
        label = rng.choice([n for n in names if n != previous])
        blocks.append((start, str(label)))
        start, previous = start + rng.uniform(8.0, 20.0), label
    return blocks


def _envelopes(t, blocks) -> tuple[np.ndarray, np.ndarray]:
    """Levels (3, N) and their time derivatives (3, N): raised-cosine steps between blocks."""
    levels = np.array([LABEL_LEVELS[label] for _, label in blocks])  # (B, 3)
    value = np.repeat(levels[0][:, None], t.size, axis=1)  # (3, N)
    rate = np.zeros_like(value)
    for (start, _), jump in zip(blocks[1:], np.diff(levels, axis=0), strict=True):
        x = np.clip((t - start) / _RAMP_S + 0.5, 0.0, 1.0)  # (N,), 0 -> 1 around the start
        value += jump[:, None] * (1 - np.cos(np.pi * x)) / 2
        rate += jump[:, None] * np.pi * np.sin(np.pi * x) / (2 * _RAMP_S)
    return value, rate


def _body_rates(angles: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Body angular rates (N, 3) from Z-Y-X Euler angles (3, N) and their rates (3, N)."""
    roll, pitch, _ = angles
    d_roll, d_pitch, d_yaw = rates
    p = d_roll - d_yaw * np.sin(pitch)
    q = d_pitch * np.cos(roll) + d_yaw * np.sin(roll) * np.cos(pitch)
    r = -d_pitch * np.sin(roll) + d_yaw * np.cos(roll) * np.cos(pitch)
    return np.column_stack([p, q, r])


def body_from_world(angles: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """R^T v for each row: world vectors (N, 3) seen in the body frame of Z-Y-X angles (3, N)."""
    (cr, cp, cy), (sr, sp, sy) = np.cos(angles), np.sin(angles)
    rotation = np.stack(  # (N, 3, 3) body-to-world R = Rz(yaw) Ry(pitch) Rx(roll)
        [
            np.stack([cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr], axis=-1),
            np.stack([sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr], axis=-1),
            np.stack([-sp, cp * sr, cp * cr], axis=-1),
        ],
        axis=1,
    )
    return np.einsum("nji,nj->ni", rotation, vectors)


def simulate(config: SimulatorConfig) -> pd.DataFrame:
    """time (s), ax ay az (m/s^2), gx gy gz (rad/s), true roll pitch yaw (rad)[, label]."""
    problems = simulator_problems(config)
    if problems:
        raise DataError(" ".join(problems))
    rng = np.random.default_rng(config.seed)
    t = np.arange(int(round(config.duration_s * config.rate_hz))) / config.rate_hz  # (N,)
    blocks = _blocks(rng, config.duration_s) if config.labels else [(0.0, "tilt")]
    envelope, d_envelope = _envelopes(t, blocks)  # (3, N) each: tilt, shake, linear
    tilt, shake = math.radians(config.tilt_deg), math.radians(config.tilt_deg / 5)
    angles, rates = np.zeros((3, t.size)), np.zeros((3, t.size))
    for axis, slow_amplitude in enumerate((tilt, tilt, math.radians(config.yaw_deg))):
        slow, d_slow = _sines(rng, t, slow_amplitude, 0.02, 0.12)
        fast, d_fast = _sines(rng, t, shake if axis < 2 else 0.0, 1.0, 2.5, count=2)
        angles[axis] = envelope[0] * slow + envelope[1] * fast
        rates[axis] = d_envelope[0] * slow + envelope[0] * d_slow
        rates[axis] += d_envelope[1] * fast + envelope[1] * d_fast
    linear = np.zeros((t.size, 3))
    for axis in range(3):
        smooth, _ = _sines(rng, t, config.linear_accel_std * 2, 0.1, 0.6)
        quick, _ = _sines(rng, t, config.linear_accel_std * 2, 2.0, 4.0, count=2)
        linear[:, axis] = envelope[2] * smooth + envelope[1] * quick
    specific_force = linear + np.array([0.0, 0.0, G])  # (N, 3), world frame
    accel = body_from_world(angles, specific_force)
    accel += config.accel_noise * rng.standard_normal(accel.shape)
    gyro = _body_rates(angles, rates) + np.asarray(config.gyro_bias)
    gyro += config.gyro_noise * rng.standard_normal(gyro.shape)
    yaw = (angles[2] + np.pi) % (2 * np.pi) - np.pi
    frame = pd.DataFrame({"time": t})
    frame[["ax", "ay", "az"]] = accel
    frame[["gx", "gy", "gz"]] = gyro
    frame["roll"], frame["pitch"], frame["yaw"] = angles[0], angles[1], yaw
    if config.labels:
        starts = np.array([start for start, _ in blocks])
        names = np.array([label for _, label in blocks])
        frame["label"] = names[np.searchsorted(starts, t, side="right") - 1]
    return frame
