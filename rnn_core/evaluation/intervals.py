"""Verdicts that hold: an interval of RMSE(model) - RMSE(baseline) from blocks of test windows.

The test windows are cut into contiguous blocks (neighbouring windows share most of their error,
so single windows are not independent), the blocks are resampled with replacement, and the
difference of RMSEs is taken on each resample. "beats" needs the whole 95 % interval below zero,
"worse" the whole of it above; otherwise the difference is within noise. The IMU lab and any
series forecast read their verdicts from here.
"""

from __future__ import annotations

import numpy as np

BLOCKS = 20  # contiguous blocks of test windows for the interval
RESAMPLES = 2000
BEATS, WORSE, WITHIN_NOISE, TOO_FEW = "beats", "worse", "within noise", "too few windows"


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
