"""A growing, thread-safe table of training records, read back decimated in constant work; and the
mean of one of its columns over seeds."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from rnn_core.vocabulary import HISTORY_COLUMNS as COLUMNS


class History:
    """Columns of float64 that grow by doubling; one row per optimizer step."""

    def __init__(self, capacity: int = 1024) -> None:
        self._data = np.full((capacity, len(COLUMNS)), np.nan)  # (capacity, C)
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._size

    def __getstate__(self) -> dict:
        with self._lock:
            return {"data": self._data[: self._size].copy(), "size": self._size}

    def __setstate__(self, state: dict) -> None:
        self._data = np.full((max(1024, 2 * state["size"]), len(COLUMNS)), np.nan)
        self._data[: state["size"]] = state["data"]
        self._size = state["size"]
        self._lock = threading.Lock()

    def rows_since(self, start: int) -> np.ndarray:
        """Rows from index `start` to the end, (k, C), a copy."""
        with self._lock:
            return self._data[start : self._size].copy()

    def extend(self, rows: np.ndarray) -> None:
        """Append rows (k, C) as they are."""
        with self._lock:
            needed = self._size + len(rows)
            if needed > len(self._data):
                grown = np.full((max(needed, 2 * len(self._data)), len(COLUMNS)), np.nan)
                grown[: self._size] = self._data[: self._size]
                self._data = grown
            self._data[self._size : needed] = rows
            self._size = needed

    def append(self, **values: float) -> None:
        """Add one row; columns not given are NaN."""
        with self._lock:
            if self._size == len(self._data):
                grown = np.full((2 * len(self._data), len(COLUMNS)), np.nan)
                grown[: self._size] = self._data
                self._data = grown
            row = self._data[self._size]
            for name, value in values.items():
                row[COLUMNS.index(name)] = value
            self._size += 1

    def set_last(self, name: str, value: float) -> None:
        """Fill one column of the latest row (the validation loss arrives after the step)."""
        with self._lock:
            self._data[self._size - 1, COLUMNS.index(name)] = value

    def last(self, name: str) -> float:
        """The latest value of a column, NaN when empty."""
        with self._lock:
            return float(self._data[self._size - 1, COLUMNS.index(name)]) if self._size else np.nan

    def frame(self, max_points: int | None = None) -> pd.DataFrame:
        """The table as a DataFrame; with max_points, rows evenly thinned (last row and every
        validation row kept) so a chart's cost does not grow with the history."""
        with self._lock:
            data = self._data[: self._size].copy() if max_points is None else self._thin(max_points)
        return pd.DataFrame(data, columns=list(COLUMNS))

    def _thin(self, max_points: int) -> np.ndarray:
        """Rows picked at a fixed stride plus the validation rows, at most ~2 * max_points."""
        n = self._size
        if n <= max_points:
            return self._data[:n].copy()
        stride = -(-n // max_points)  # ceil
        picked = np.arange(0, n, stride)
        val_rows = np.flatnonzero(~np.isnan(self._data[:n, COLUMNS.index("val_loss")]))
        if len(val_rows) > max_points:
            val_rows = val_rows[:: -(-len(val_rows) // max_points)]
        rows = np.union1d(np.union1d(picked, val_rows), [n - 1])
        return self._data[rows].copy()


def mean_over_seeds(
    histories: Sequence[pd.DataFrame], column: str = "val_loss", every: bool = False
) -> pd.DataFrame:
    """`column` over the histories (one per seed) at each step where any of them measured it, or
    with `every` only where all of them did: mean, sample std (NaN where one seed has it), min,
    max and how many seeds it covers (columns step, mean, std, min, max, count)."""
    columns = ["step", "mean", "std", "min", "max", "count"]
    frames = [h.dropna(subset=[column]).set_index("step")[column] for h in histories]
    frames = [f[~f.index.duplicated(keep="last")] for f in frames]  # a resumed run's last
    if not any(len(f) for f in frames) or (every and not all(len(f) for f in frames)):
        return pd.DataFrame(columns=columns, dtype=float)
    frames = [f for f in frames if len(f)]
    table = pd.concat(frames, axis=1).sort_index()  # (steps, seeds), NaN where one has no value
    values = table.to_numpy(dtype=float)
    count = np.sum(~np.isnan(values), axis=1)
    keep = count == len(frames) if every else count > 0
    values, count = values[keep], count[keep]
    with warnings.catch_warnings():  # a step that one seed measured has no spread: NaN, said
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(values, axis=1)
        std = np.where(count > 1, np.nanstd(values, axis=1, ddof=1), np.nan)
    return pd.DataFrame(
        {
            "step": table.index.to_numpy(dtype=float)[keep],
            "mean": mean,
            "std": std,
            "min": np.nanmin(values, axis=1) if len(values) else values[:, 0],
            "max": np.nanmax(values, axis=1) if len(values) else values[:, 0],
            "count": count,
        }
    )


def mean_and_spread(mean: float, std: float) -> str:
    """'0.0123 ± 0.0004', the spread left out for one seed, '–' before any."""
    if not np.isfinite(mean):
        return "–"
    return f"{mean:.4g} ± {std:.2g}" if np.isfinite(std) else f"{mean:.4g}"
