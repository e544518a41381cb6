"""Rows on a uniform grid: one row per step, a missing step kept as a masked row (NaN), never
filled; a gap longer than `gap_factor` steps splits the series into segments.

    times (h)  0 1 2 _ 4 5 ........ 30 31        step 1 h, one missing step, one long gap
    grid rows  0 1 2 3 4 5 | 30 31               row 3 all NaN (masked); segments [0, 6) [6, 8)
"""

from __future__ import annotations

import numpy as np

from rnn_core.datasets.imu.timebase import find_segments, jitter_beyond, median_step, resolution


def on_grid(
    seconds: np.ndarray, values: np.ndarray, gap_factor: float
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]], dict]:
    """(time (M,) s from the first row, values (M, K) with NaN where a step is missing, segments,
    facts): each row goes to the nearest step of its segment's grid, rows on one step averaged."""
    segments, step, gaps = find_segments(seconds, gap_factor)
    steps = np.diff(seconds)
    facts = {"step": step, "gaps": gaps, "jitter": 0.0, "missing_steps": 0, "resolution": 0.0}
    if step <= 0:
        return seconds, values, segments, facts
    ordinary = steps[steps <= 1.5 * step]
    facts["resolution"] = resolution(ordinary)
    facts["jitter"] = jitter_beyond(ordinary, step, facts["resolution"])
    times, blocks, out_segments, row = [], [], [], 0
    for start, end in segments:
        t = seconds[start:end]
        index = np.rint((t - t[0]) / step).astype(np.int64)  # (L,) the step of each row
        count = int(index[-1]) + 1
        sums = np.zeros((count, values.shape[1]))
        hits = np.zeros((count, values.shape[1]))
        present = np.isfinite(values[start:end])  # (L, K)
        np.add.at(sums, index, np.where(present, values[start:end], 0.0))
        np.add.at(hits, index, present)
        with np.errstate(invalid="ignore"):
            blocks.append(np.where(hits > 0, sums / np.maximum(hits, 1), np.nan))
        facts["missing_steps"] += count - np.unique(index).size
        times.append(t[0] + step * np.arange(count))
        out_segments.append((row, row + count))
        row += count
    return np.concatenate(times), np.vstack(blocks), out_segments, facts


def rate_words(step: float, kind: str) -> str:
    """A step as a person says it: '1 h (0.000278 Hz)', '10 ms (100 Hz)', '1 row'."""
    if kind == "row index":
        return "1 row"
    return f"{duration_words(step)} ({1 / step:.4g} Hz)"


def duration_words(seconds: float) -> str:
    """A length of time in the unit that reads best: '88.04 d', '1 h', '15 min', '10 ms'."""
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min"), (1, "s"), (1e-3, "ms")):
        if seconds >= size:
            return f"{seconds / size:.4g} {unit}"
    return f"{seconds * 1e6:.4g} us"


__all__ = ["duration_words", "median_step", "on_grid", "rate_words"]
