"""A series forecast judged against the baselines forecasters use, in the data's units.

Per target: RMSE and MAE of the model and of each baseline, MASE (the MAE divided by the mean
absolute error of the seasonal naive forecast over the training part, Hyndman & Koehler 2006),
and the block-bootstrap verdict of the model against the best baseline (evaluation.intervals):
"beats", "within noise" or "worse". Windows count only where the truth and every forecast are
known. The errors against the horizon give one row per step ahead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnn_core.datasets.prepare import PreparedData
from rnn_core.datasets.series.prepare import SeriesMeta
from rnn_core.evaluation.forecast_baselines import (
    fit_linear_ar,
    persistence,
    seasonal_naive,
    training_seasons,
)
from rnn_core.evaluation.imu import predict_windows
from rnn_core.evaluation.intervals import block_interval, verdict

BASELINES = ("persistence", "seasonal naive", "linear AR")
MAX_SEASON_LAG = 400  # the longest season looked for (two weeks of hours, 400 days, ...)


@dataclass(frozen=True)
class SeriesEvaluation:
    """The model and its baselines on one part of a series, and their scores."""

    truth: np.ndarray  # (W, S, K) data units, NaN where unknown
    forecasts: dict  # "model" and each baseline -> (W, S, K)
    seasons: tuple[int, ...]  # the season (steps) of each target
    scores: pd.DataFrame  # one row per target at the last step (see score_table)
    by_step: pd.DataFrame  # RMSE of the model and each baseline per step ahead and target


def baseline_forecasts(
    data: PreparedData, split: str = "test", seasons: tuple[int, ...] | None = None
) -> tuple[dict, tuple[int, ...]]:
    """{baseline name: (W, S, K)} on a part, and the seasons used: `seasons`, else the task's
    season when it gives one, else each target's from the training part's autocorrelation."""
    meta: SeriesMeta = data.meta
    given = (meta.task.season,) * len(meta.task.targets) if meta.task.season > 0 else None
    seasons = seasons or given or training_seasons(meta, MAX_SEASON_LAG)
    forecasts = {
        "persistence": persistence(meta, split),
        "seasonal naive": seasonal_naive(meta, split, seasons),
        "linear AR": fit_linear_ar(meta, data.seq_len).forecast(meta, split, data.seq_len),
    }
    return forecasts, seasons


def seasonal_scale(meta: SeriesMeta, seasons: tuple[int, ...]) -> np.ndarray:
    """(K,) the MAE of the seasonal naive one-season-ahead forecast over the training pieces."""
    scale = np.full(len(seasons), np.nan)
    for k, m in enumerate(seasons):
        errors = [np.abs(meta.targets[a + m : b, k] - meta.targets[a : b - m, k])
                  for a, b in meta.pieces["train"] if b - a > m]  # fmt: skip
        if errors:
            scale[k] = np.nanmean(np.concatenate(errors))
    return scale


def score_table(
    meta: SeriesMeta, truth: np.ndarray, forecasts: dict, scale: np.ndarray, step: int = -1
) -> pd.DataFrame:
    """One row per target at one step (the last by default): RMSE, MAE and MASE of the model and
    each baseline, the best baseline, the model's interval against it and the verdict, then the
    interval and verdict against each baseline."""
    records = []
    for k, target in enumerate(meta.task.targets):
        columns = {name: f[:, step, k] for name, f in forecasts.items()}  # (W,) each
        known = np.isfinite(truth[:, step, k])
        for values in columns.values():
            known &= np.isfinite(values)
        errors = {name: v[known] - truth[known, step, k] for name, v in columns.items()}
        rmse = {name: float(np.sqrt(np.mean(e**2))) if e.size else np.nan
                for name, e in errors.items()}  # fmt: skip
        mae = {name: float(np.mean(np.abs(e))) if e.size else np.nan for name, e in errors.items()}
        best = min(BASELINES, key=lambda name: rmse[name])
        intervals = {b: block_interval(errors["model"] ** 2, errors[b] ** 2) for b in BASELINES}
        row = {"target": target, "unit": meta.units[k], "steps ahead": meta.task.steps[step]}
        row |= {f"{name} RMSE": rmse[name] for name in ("model", *BASELINES)}
        row |= {f"{name} MAE": mae[name] for name in ("model", *BASELINES)}
        row |= {f"{name} MASE": mae[name] / scale[k] for name in ("model", *BASELINES)}
        row |= {
            "best baseline": best,
            "model − best, 95% interval": intervals[best],
            "verdict": verdict(intervals[best]),
        }
        for b in BASELINES:
            row |= {f"model − {b}, 95% interval": intervals[b], f"vs {b}": verdict(intervals[b])}
        row["windows"] = int(known.sum())
        records.append(row)
    return pd.DataFrame.from_records(records)


def errors_by_step(meta: SeriesMeta, truth: np.ndarray, forecasts: dict) -> pd.DataFrame:
    """RMSE of the model and each baseline for every step ahead and target (its known windows)."""
    records = []
    for s, h in enumerate(meta.task.steps):
        for k, target in enumerate(meta.task.targets):
            known = np.isfinite(truth[:, s, k])
            row = {"steps ahead": h, "target": target, "unit": meta.units[k]}
            for name, f in forecasts.items():
                e = f[known, s, k] - truth[known, s, k]
                row[f"{name} RMSE"] = float(np.sqrt(np.nanmean(e**2))) if e.size else np.nan
            records.append(row)
    return pd.DataFrame.from_records(records)


def evaluate_series(
    model, data: PreparedData, split: str = "test", seasons: tuple[int, ...] | None = None
) -> SeriesEvaluation:
    """The model (a SequenceModel trained on `data`) against the baselines on one part."""
    meta: SeriesMeta = data.meta
    truth = meta.truth(split)  # (W, S, K)
    outputs = predict_windows(model, data.split(split))  # (W, S * K) z-scores
    forecasts, seasons = baseline_forecasts(data, split, seasons)
    model_forecast = data.standardizer.inverse(outputs).astype(np.float64).reshape(truth.shape)
    forecasts = {"model": model_forecast, **forecasts}
    scale = seasonal_scale(meta, seasons)
    return SeriesEvaluation(
        truth,
        forecasts,
        seasons,
        score_table(meta, truth, forecasts, scale),
        errors_by_step(meta, truth, forecasts),
    )
