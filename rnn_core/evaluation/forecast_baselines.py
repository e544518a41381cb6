"""The baselines forecasters use, on the windows of a prepared series (all in data units):

    persistence      y(t + h) = y(t)                                  the last value
    seasonal naive   y(t + h) = y(t + h - m * ceil(h / m))            the last season's value
    linear AR        y(t + h) = b + sum_j w_j x(t - j)                the model's own window,
                     fitted by least squares on the training windows  (numpy.linalg.lstsq)

The season m is the shortest lag (2 .. max_lag) where the autocorrelation of the training part
peaks about as high as anywhere, unless a person gives it; each forecast is (W, S, K): windows,
steps ahead, targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_core.datasets.series.prepare import SeriesMeta

MIN_SEASON_ACF = 0.2  # a peak below this is no season: the seasonal naive is then persistence
PEAK_TOLERANCE = 0.9  # a peak this close to the highest counts as high (24 h before 48 h, 72 h)


def persistence(meta: SeriesMeta, split: str) -> np.ndarray:
    """The last value of each window, held for every step: (W, S, K)."""
    last = meta.targets[meta.last_rows[split]]  # (W, K)
    return np.repeat(last[:, None], len(meta.task.steps), axis=1)


def seasonal_naive(meta: SeriesMeta, split: str, seasons: tuple[int, ...]) -> np.ndarray:
    """Each target's value one season (or as many as needed) before its step: (W, S, K)."""
    steps = np.asarray(meta.task.steps)  # (S,)
    out = np.empty((len(meta.last_rows[split]), len(steps), len(seasons)))
    for k, m in enumerate(seasons):
        back = steps - m * np.ceil(steps / m).astype(int)  # (S,) <= 0: at or before the window
        rows = meta.last_rows[split][:, None] + back  # (W, S)
        out[:, :, k] = np.where(rows >= 0, meta.targets[np.maximum(rows, 0), k], np.nan)
    return out


def autocorrelation(values: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample autocorrelation at lags 0..max_lag of a series with NaN holes (pairs with a hole
    left out): (max_lag + 1,)."""
    x = values - np.nanmean(values)
    variance = np.nanmean(x**2)
    out = np.ones(max_lag + 1)
    for lag in range(1, max_lag + 1):
        out[lag] = np.nanmean(x[lag:] * x[:-lag]) / variance if lag < len(x) else np.nan
    return out


def find_season(values: np.ndarray, max_lag: int) -> int:
    """The shortest lag in 2..max_lag whose autocorrelation peak is within PEAK_TOLERANCE of the
    highest (a season's multiples peak nearly as high), or 1 (no season) when no peak reaches
    MIN_SEASON_ACF."""
    acf = autocorrelation(values, max_lag)
    peaks = [
        lag
        for lag in range(2, max_lag)
        if acf[lag] >= acf[lag - 1] and acf[lag] >= acf[lag + 1] and acf[lag] >= MIN_SEASON_ACF
    ]
    if not peaks:
        return 1
    highest = max(acf[lag] for lag in peaks)
    return min(lag for lag in peaks if acf[lag] >= PEAK_TOLERANCE * highest)


def training_seasons(meta: SeriesMeta, max_lag: int) -> tuple[int, ...]:
    """The season of each target, from the autocorrelation of its training rows (gaps as NaN)."""
    seasons = []
    for k in range(meta.targets.shape[1]):
        rows = np.full(len(meta.time), np.nan)
        for a, b in meta.pieces["train"]:
            rows[a:b] = meta.targets[a:b, k]
        first, last = meta.pieces["train"][0][0], meta.pieces["train"][-1][1]
        seasons.append(find_season(rows[first:last], min(max_lag, (last - first) // 2)))
    return tuple(seasons)


@dataclass(frozen=True)
class LinearAR:
    """y(t + h) = window (T * F values) @ weights + intercept, fitted on the training windows."""

    weights: np.ndarray  # (T * F + 1, S * K): the last row is the intercept

    def forecast(self, meta: SeriesMeta, split: str, seq_len: int) -> np.ndarray:
        """Forecasts of every window of a part: (W, S, K)."""
        design = window_design(meta, split, seq_len)  # (W, T * F + 1)
        W, S, K = len(design), len(meta.task.steps), meta.targets.shape[1]
        return (design @ self.weights).reshape(W, S, K)


def window_design(meta: SeriesMeta, split: str, seq_len: int) -> np.ndarray:
    """Each window's inputs in data units, flattened, with a 1 for the intercept: (W, T*F + 1)."""
    last = meta.last_rows[split]  # (W,)
    rows = last[:, None] - (seq_len - 1) + np.arange(seq_len)  # (W, T)
    flat = meta.inputs[rows].reshape(len(last), -1)  # (W, T * F)
    return np.column_stack([flat, np.ones(len(last))])


def fit_linear_ar(meta: SeriesMeta, seq_len: int) -> LinearAR:
    """Least squares on the training windows, each output on the windows where it is known."""
    design = window_design(meta, "train", seq_len)  # (W, T*F + 1)
    truth = meta.truth("train").reshape(len(design), -1)  # (W, S * K)
    weights = np.zeros((design.shape[1], truth.shape[1]))
    for j in range(truth.shape[1]):
        known = np.isfinite(truth[:, j])
        weights[:, j] = np.linalg.lstsq(design[known], truth[known, j], rcond=None)[0]
    return LinearAR(weights)
