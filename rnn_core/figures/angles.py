"""Angles that wrap (roll and yaw at ±180°) drawn as lines: a gap where the angle wraps, not a
vertical stroke across the whole plot from +180 to -180."""

from __future__ import annotations

import numpy as np


def break_at_wraps(
    x: np.ndarray, y: np.ndarray, period: float = 360.0
) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) as float64 with a point (x halfway, y NaN) inserted between every two neighbours
    whose y differ by more than half a `period` (y in the period's unit, e.g. degrees): Plotly
    breaks a line at NaN. Neighbours closer than that, and NaN already there, are left alone."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)  # (N,), (N,)
    with np.errstate(invalid="ignore"):
        jumps = np.flatnonzero(np.abs(np.diff(y)) > period / 2)  # (J,) a NaN neighbour: no jump
    if not len(jumps):
        return x, y
    middle = (x[jumps] + x[jumps + 1]) / 2  # (J,)
    return np.insert(x, jumps + 1, middle), np.insert(y, jumps + 1, np.nan)
