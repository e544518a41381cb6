"""Forecast scores that hold: RMSE per target beside persistence and gyro propagation, with an
interval from blocks of test windows, at rest and in motion apart.

A verdict is made from the interval, never from two numbers alone: the test windows are cut into
contiguous blocks (neighbouring windows share most of their error, so single windows are not
independent), the blocks are resampled with replacement, and the model's RMSE minus the best
baseline's is taken on each resample. "beats" needs the whole 95 % interval below zero, "worse"
the whole of it above; otherwise the difference is within noise and the page says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rnn_core.datasets.imu.units import wrap
from rnn_core.evaluation.baselines import euler_rates
from rnn_core.evaluation.intervals import (  # noqa: F401 - re-exported for the IMU pages
    BEATS,
    BLOCKS,
    RESAMPLES,
    TOO_FEW,
    WITHIN_NOISE,
    WORSE,
    block_interval,
    verdict,
)
from rnn_core.evaluation.metrics import WRAPPED_ANGLES, display_unit

# Roll is undefined at +-90 deg of pitch (gimbal lock: roll and yaw turn about the same axis) and
# ill-conditioned near it: a vertical 1 deg off there moves roll by tens of degrees. Rows whose
# pitch is within this of +-90 deg are left out of roll scores, for the model and every baseline.
GIMBAL_MARGIN_DEG = 5.0
SCORE_COLUMNS = (
    "target",
    "unit",
    "model RMSE",
    "persistence RMSE",
    "gyro propagation RMSE",
    "best baseline",
    "model − best, 95% interval",
    "verdict",
    "model RMSE at rest",
    "model RMSE in motion",
    "baseline RMSE at rest",
    "baseline RMSE in motion",
    "windows with truth",
)


def gyro_propagation(
    roll: np.ndarray, pitch: np.ndarray, gyro: np.ndarray, dt: float, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """Roll and pitch (rad) `horizon` steps of dt ahead: the attitude carried forward with the last
    gyro reading held constant, by the exact Euler-rate kinematics (a filter's predict step).
    roll, pitch (W,), gyro (W, 3) rad/s."""
    roll, pitch = np.asarray(roll, np.float64), np.asarray(pitch, np.float64)
    gx, gy, gz = np.asarray(gyro, np.float64).T  # (W,) each
    for _ in range(horizon):
        roll_rate, pitch_rate = euler_rates(roll, pitch, gx, gy, gz)
        roll, pitch = roll + dt * roll_rate, pitch + dt * pitch_rate
    return roll, pitch


def roll_defined(pitch: np.ndarray) -> np.ndarray:
    """(N,) bool: pitch (rad) more than GIMBAL_MARGIN_DEG away from +-90 deg (NaN is False)."""
    with np.errstate(invalid="ignore"):
        return np.abs(np.asarray(pitch, np.float64)) < np.radians(90.0 - GIMBAL_MARGIN_DEG)


def _errors(target: str, prediction: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Prediction minus truth in display units, wrapped for angles that wrap; (W,)."""
    error = prediction - truth
    if target in WRAPPED_ANGLES:
        error = wrap(error)
    return error * display_unit(target)[1]


def _rmse(squared: np.ndarray) -> float:
    return float(np.sqrt(squared.mean())) if squared.size else float("nan")


def forecast_scores(
    targets: Sequence[str],
    truth: np.ndarray,
    model: np.ndarray,
    baselines: dict[str, np.ndarray],
    moving: np.ndarray,
) -> pd.DataFrame:
    """One row per target (SCORE_COLUMNS): RMSE in display units of the model and each baseline
    over the windows whose target has a truth, the best baseline, the interval and verdict, and
    the RMSE at rest and in motion. truth, model and each baseline (W, K) SI; moving (W,) bool."""
    records = []
    for k, target in enumerate(targets):
        known = np.isfinite(truth[:, k])  # (W,)
        sq = {
            name: _errors(target, pred[known, k], truth[known, k]) ** 2
            for name, pred in {"model": model, **baselines}.items()
        }
        base_rmse = {name: _rmse(sq[name]) for name in baselines}
        best = min(base_rmse, key=lambda name: base_rmse[name])
        interval = block_interval(sq["model"], sq[best])
        still, moves = ~moving[known], moving[known]
        records.append(
            (
                target,
                display_unit(target)[0],
                _rmse(sq["model"]),
                base_rmse.get("persistence", np.nan),
                base_rmse.get("gyro propagation", np.nan),
                best,
                "–" if interval is None else f"[{interval[0]:+.3g}, {interval[1]:+.3g}]",
                verdict(interval),
                _rmse(sq["model"][still]),
                _rmse(sq["model"][moves]),
                _rmse(sq[best][still]),
                _rmse(sq[best][moves]),
                int(known.sum()),
            )
        )
    return pd.DataFrame.from_records(records, columns=list(SCORE_COLUMNS))
