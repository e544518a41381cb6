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
from rnn_core.evaluation.metrics import WRAPPED_ANGLES, display_unit

# Roll is undefined at +-90 deg of pitch (gimbal lock: roll and yaw turn about the same axis) and
# ill-conditioned near it: a vertical 1 deg off there moves roll by tens of degrees. Rows whose
# pitch is within this of +-90 deg are left out of roll scores, for the model and every baseline.
GIMBAL_MARGIN_DEG = 5.0
BLOCKS = 20  # contiguous blocks of test windows for the interval
RESAMPLES = 2000
BEATS, WORSE, WITHIN_NOISE, TOO_FEW = "beats", "worse", "within noise", "too few windows"
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


def block_interval(
    model_sq: np.ndarray, base_sq: np.ndarray, blocks: int = BLOCKS, seed: int = 0
) -> tuple[float, float] | None:
    """95 % interval of RMSE(model) - RMSE(baseline) from squared errors (W,) in time order, by
    resampling contiguous blocks; None when there are too few windows for `blocks` blocks."""
    count = len(model_sq)
    if count < 5 * blocks:
        return None
    edges = np.linspace(0, count, blocks + 1).astype(int)  # (blocks + 1,)
    sums_model = np.add.reduceat(model_sq, edges[:-1])  # (blocks,)
    sums_base = np.add.reduceat(base_sq, edges[:-1])
    sizes = np.diff(edges)
    picks = np.random.default_rng(seed).integers(0, blocks, size=(RESAMPLES, blocks))
    n = sizes[picks].sum(axis=1)  # (R,)
    diff = np.sqrt(sums_model[picks].sum(axis=1) / n) - np.sqrt(sums_base[picks].sum(axis=1) / n)
    low, high = np.percentile(diff, [2.5, 97.5])
    return float(low), float(high)


def verdict(interval: tuple[float, float] | None) -> str:
    """BEATS, WORSE, WITHIN_NOISE or TOO_FEW from an interval of model - baseline."""
    if interval is None:
        return TOO_FEW
    if interval[1] < 0:
        return BEATS
    return WORSE if interval[0] > 0 else WITHIN_NOISE


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
