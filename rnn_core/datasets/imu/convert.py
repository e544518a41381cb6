"""Resampled columns in file units -> SI channels: accelerometer and gyroscope units told by the
data, the frame turned so gravity reads +9.81 on z at rest, magnetometer in uT, angles in radians.

Frame: a file whose accelerometer reads -g on z at rest (PX4's FRD body in a NED world, iOS Core
Motion) reports gravity's direction rather than the upward specific force. Negating the
accelerometer alone gives the convention used here (+g on z when level) and keeps the file's own
roll, pitch and yaw valid: for a body-to-world rotation R, NED reads R^T (0, 0, -g) and this
frame R^T (0, 0, +g).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnn_core.datasets.imu.formats import CHANNELS, OPTIONAL
from rnn_core.datasets.imu.units import (
    G,
    accel_unit,
    at_rest,
    euler_from_quaternion,
    gyro_unit,
    mag_unit,
    wrap,
)

_QUAT = ("qw", "qx", "qy", "qz")
_EULER = ("roll", "pitch", "yaw")
_MAG = OPTIONAL[:3]


def to_si(
    values: np.ndarray,
    keys: tuple[str, ...],
    rate: float,
    segments: list[tuple[int, int]],
    units: dict,
    name: str,
) -> tuple[pd.DataFrame, list[str], str, bool, dict[str, float]]:
    """(channels in SI, sentences, the accelerometer's file unit, whether orientation is known,
    the factor that took each sensor channel to SI).

    values is (N, K) in file units, except roll / pitch / yaw already in (unwrapped) radians;
    it is scaled in place when its columns are already in the output's order (no copy).
    """
    index = {key: i for i, key in enumerate(keys)}
    accel = _columns(values, [index[k] for k in CHANNELS[:3]])  # (N, 3)
    gyro = _columns(values, [index[k] for k in CHANNELS[3:]])  # (N, 3)
    rest = at_rest(accel, rate)
    accel_scale, accel_name, accel_note = accel_unit(rest, units.get("accel"), name)
    counts = accel_name.startswith("counts")
    gyro_scale, _, gyro_note = gyro_unit(gyro, accel, rate, segments, units.get("gyro"), counts)
    notes = [accel_note, gyro_note]
    if rest.z_share < -0.7:
        accel_scale = -accel_scale
        notes.append(
            f"Frame: the accelerometer reads {rest.z_share * rest.gravity * -accel_scale:.3g} "
            f"m/s^2 on z at rest (gravity's direction, as PX4 NED / iOS report it): negated it so "
            f"a level sensor reads +{G:.2f} on z; the gyroscope and orientation are unchanged."
        )
    scale = dict.fromkeys(CHANNELS[:3], accel_scale) | dict.fromkeys(CHANNELS[3:], gyro_scale)
    if all(k in index for k in OPTIONAL[:3]):
        mag = values[:: max(1, len(values) // 100_000), [index[k] for k in OPTIONAL[:3]]]
        mag_scale, _, mag_note = mag_unit(mag, units.get("mag"))
        scale |= dict.fromkeys(OPTIONAL[:3], mag_scale)
        notes.append(mag_note)
    names = [k for k in (*CHANNELS, *OPTIONAL) if k in index and (k in scale or k not in _MAG)]
    table = values if names == list(keys) else values[:, [index[k] for k in names]]  # (N, C)
    table *= np.array([scale.get(k, 1.0) for k in names])
    table, names, orientation_notes = _orientation(table, names)
    frame = pd.DataFrame(table, columns=names, copy=False)
    oriented = "roll" in names and "pitch" in names
    return frame, notes + orientation_notes, accel_name, oriented, scale


def _columns(values: np.ndarray, columns: list[int]) -> np.ndarray:
    """The columns as a view when they are consecutive, else as a copy."""
    if columns == list(range(columns[0], columns[0] + len(columns))):
        return values[:, columns[0] : columns[0] + len(columns)]
    return values[:, columns]


def _orientation(table: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str], list[str]]:
    """Unit quaternions, wrapped angles, and roll / pitch / yaw from the quaternion when missing.
    Rows where the reference dropped out stay NaN."""
    notes, column = [], {key: i for i, key in enumerate(names)}
    for key in _EULER:
        if key in column:
            table[:, column[key]] = wrap(table[:, column[key]])
    if all(k in column for k in _QUAT):
        q = table[:, [column[k] for k in _QUAT]]  # (N, 4), NaN where the reference has a hole
        norm = np.linalg.norm(q, axis=1)  # (N,)
        known = np.isfinite(norm)
        if not known.any() or np.median(norm[known]) < 0.5:
            notes.append("Orientation: the quaternion is all zeros (unknown): left it out.")
            keep = [i for i, k in enumerate(names) if k not in _QUAT]
            return table[:, keep], [names[i] for i in keep], notes
        off = np.abs(norm[known] - 1.0)
        if off.max() > 1e-3:
            notes.append(
                f"Orientation: the quaternions were not of unit length (norms "
                f"{norm[known].min():.4g} to {norm[known].max():.4g}): normalised them."
            )
        q /= np.where(norm > 0, norm, 1.0)[:, None]
        table[:, [column[k] for k in _QUAT]] = q
        missing = [k for k in _EULER if k not in column]
        if missing:
            euler = euler_from_quaternion(q)[:, [_EULER.index(k) for k in missing]]
            table, names = _with_angles(table, names, missing, euler)
            notes.append(f"Orientation: {', '.join(missing)} from the quaternion (by name).")
    if "roll" in names and "pitch" in names:
        notes.append("Orientation: roll and pitch from the file, kept as ground truth.")
        notes += truth_notes(table, names)
    return table, names, notes


def truth_notes(table: np.ndarray, names: list[str]) -> list[str]:
    """Sentences on the truth: how much is missing, and whether it agrees with gravity at rest."""
    at = {key: i for i, key in enumerate(names)}
    roll, pitch = table[:, at["roll"]], table[:, at["pitch"]]
    missing = ~(np.isfinite(roll) & np.isfinite(pitch))
    notes = []
    if missing.any():
        notes.append(
            f"Ground truth: missing in {missing.mean():.1%} of the rows ({int(missing.sum()):,}), "
            "where the reference dropped out; those rows keep their IMU data, and a window whose "
            "target has no truth gives no loss and no score."
        )
    disagreement = rest_disagreement(table[:, [at[k] for k in CHANNELS]], roll, pitch)
    if disagreement is not None and disagreement > FRAME_MISMATCH_DEG:
        notes.append(
            f"Ground truth: at rest its vertical differs from the accelerometer's by "
            f"{disagreement:.0f}° (median): its frame may not be the sensor's (a world frame with "
            "z down, or a reference on another body): check the frame before trusting the truth "
            "scores."
        )
    return notes


FRAME_MISMATCH_DEG = 20.0


def rest_disagreement(imu: np.ndarray, roll: np.ndarray, pitch: np.ndarray) -> float | None:
    """Median angle (deg) between the truth's vertical and the accelerometer's direction over
    rows at rest (|a| near g, |w| small); None when there are too few such rows. imu (N, 6) SI."""
    accel, gyro = imu[:, :3], imu[:, 3:]  # (N, 3) each
    size = np.linalg.norm(accel, axis=1)
    still = (
        (np.abs(size - G) < 0.05 * G)
        & (np.linalg.norm(gyro, axis=1) < 0.05)
        & np.isfinite(roll)
        & np.isfinite(pitch)
    )
    if still.sum() < 20:
        return None
    r, p = roll[still], pitch[still]
    vertical = np.column_stack([-np.sin(p), np.sin(r) * np.cos(p), np.cos(r) * np.cos(p)])
    cosine = np.einsum("ij,ij->i", vertical, accel[still] / size[still, None])
    return float(np.degrees(np.median(np.arccos(np.clip(cosine, -1.0, 1.0)))))


def _with_angles(table, names, missing, euler) -> tuple[np.ndarray, list[str]]:
    """Insert the angle columns where OPTIONAL orders them (before the quaternion)."""
    names = [*names, *missing]
    order = [*range(6), *sorted(range(6, len(names)), key=lambda i: OPTIONAL.index(names[i]))]
    return np.hstack([table, euler])[:, order], [names[i] for i in order]
