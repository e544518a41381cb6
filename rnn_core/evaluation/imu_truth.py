"""Attitude against the ground truth, and whether a split can support a verdict.

With a reference orientation, every attitude filter and the model are scored on the same rows:
roll and pitch RMSE in degrees, and BROAD's heading-free inclination error (the angle between the
true and the estimated vertical), over the test part and over its movement phases. The model's
numbers are its forecasts of those rows; a filter's are its estimate at the row itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnn_core.datasets.imu.reader import ImuRecording
from rnn_core.datasets.imu.table import ImuTable, recording_fingerprint  # noqa: F401 (its path)
from rnn_core.datasets.imu.units import wrap
from rnn_core.evaluation.baselines import ATTITUDE_METHODS, estimate_attitude, inclination_error
from rnn_core.evaluation.imu_scores import roll_defined

DEG = 180.0 / np.pi
ATTITUDE_COLUMNS = (
    "estimator",
    "roll RMSE (deg)",
    "pitch RMSE (deg)",
    "inclination RMSE (deg)",
    "inclination RMSE in motion (deg)",
    "rows",
)
QUIET_SHARE = 0.25  # a part whose rotation is below this share of training's is called quiet


def filter_estimates(recording: ImuRecording, methods=None) -> dict[str, np.ndarray]:
    """Each attitude filter's roll and pitch over the recording: method -> (N, 2) rad."""
    out = {}
    for method in methods or ATTITUDE_METHODS:
        estimate = estimate_attitude(recording, method)
        out[method] = np.column_stack([estimate["roll"], estimate["pitch"]])
    return out


def _row(name: str, estimate, truth, moving, roll_ok) -> tuple:
    """One estimator's scores from (R, 2) estimate and truth in rad, (R,) moving and (R,) rows
    where roll is defined (the roll RMSE leaves out the rest: gimbal lock)."""
    wrapped = wrap(estimate[roll_ok, 0] - truth[roll_ok, 0])
    incline = inclination_error(estimate[:, 0], estimate[:, 1], truth[:, 0], truth[:, 1])
    rms = lambda e: float(np.sqrt(np.mean(e**2)) * DEG) if e.size else float("nan")  # noqa: E731
    return (
        name,
        rms(wrapped),
        rms(estimate[:, 1] - truth[:, 1]),
        rms(incline),
        rms(incline[moving]),
        len(truth),
    )


def scored_rows(table: ImuTable, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R,) bool of `rows` scored against the truth (a truth, filters not settling after a gap),
    and (R,) bool of those where roll is defined (pitch away from +-90 deg)."""
    truth = table.truth[["roll", "pitch"]].to_numpy(np.float64)[rows]  # (R, 2)
    known = np.isfinite(truth).all(axis=1)
    if table.settling is not None:
        known &= ~table.settling[rows]
    return known, known & roll_defined(truth[:, 1])


def attitude_scores(
    table: ImuTable,
    rows: np.ndarray,
    estimates: dict[str, np.ndarray],
    model: np.ndarray | None = None,
) -> pd.DataFrame:
    """ATTITUDE_COLUMNS for each filter (estimates: method -> (N, 2) rad over the recording) and
    the model (model: (len(rows), 2) rad forecasts of those rows), on the rows with a truth
    (scored_rows); roll only where it is defined."""
    truth = table.truth[["roll", "pitch"]].to_numpy(np.float64)[rows]  # (R, 2)
    known, defined = scored_rows(table, rows)
    roll_ok = defined[known]
    moving = table.moving()[rows][known]
    records = []
    if model is not None:
        records.append(_row("the model (forecast)", model[known], truth[known], moving, roll_ok))
    for method, estimate in estimates.items():
        label = ATTITUDE_METHODS[method].label
        records.append(_row(label, estimate[rows][known], truth[known], moving, roll_ok))
    return pd.DataFrame.from_records(records, columns=list(ATTITUDE_COLUMNS))


def rotation_rms(table: ImuTable, part: list[tuple[int, int]]) -> float:
    """RMS rotation rate (rad/s) over a part's row ranges; 0 for an empty part."""
    gyro = table.values[["gx", "gy", "gz"]].to_numpy(np.float64)
    chunks = [gyro[a:b] for a, b in part]
    if not chunks or sum(len(c) for c in chunks) == 0:
        return 0.0
    stacked = np.concatenate(chunks)  # (L, 3)
    return float(np.sqrt(np.mean(np.einsum("ij,ij->i", stacked, stacked))))


def split_warnings(table: ImuTable, parts: dict[str, list[tuple[int, int]]]) -> list[str]:
    """A sentence for each part that moves far less than training (a score there says little)."""
    train = rotation_rms(table, parts.get("train", []))
    warnings = []
    for name in ("validation", "test"):
        level = rotation_rms(table, parts.get(name, []))
        if train > 0 and level < QUIET_SHARE * train:
            warnings.append(
                f"The {name} part hardly moves: its RMS rotation rate is {level * DEG:.3g} deg/s "
                f"against {train * DEG:.3g} deg/s in training ({level / train:.0%}). Scores there "
                "say little about motion, and early stopping on a still validation part ends "
                "training early: move the test part with 'Test part starts at' on 1 · Data."
            )
    return warnings
