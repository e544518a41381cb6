"""The samples as the sensor gave them, kept beside the resampled recording: attitude filters run
here, at the file's own rate and timestamps, as a device runs them.

file rows    |  |  |  |     |  |  |  |        (a short dropout: two samples missing)
filters on   |  |  |  |  :  :  |  |  |  |      (the dropout bridged by interpolated samples)
model grid   |      |      |      |      |    (50 Hz: each filter's vertical interpolated here)

Each filter's estimate is carried to the model's rows as the vertical (the world z axis in the
body frame), interpolated component by component and normalised: it never wraps, so roll
crossing +-180 deg interpolates the short way round.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# A step longer than this many median steps means at least one sample is missing: a dropout.
DROPOUT_FACTOR = 1.5
# A hole up to this long is bridged (interpolated; filters keep their state), whatever the gap
# factor says. 50 ms is 2.5 periods at 50 Hz and ~14 at 286 Hz: within it a body's rotation
# rate barely changes (human motion has little power above 10 Hz), so linear interpolation of
# the gyro loses little, and restarting a filter would cost far more (seconds to settle).
BRIDGE_SECONDS = 0.05

# After a real gap every filter starts afresh from one accelerometer reading, which in motion can
# be tens of degrees off; VQF pulls it in with its accelerometer time constant (tauAcc, 3 s by
# default) and the others at similar rates (the complementary filter's 1 s, Mahony's kp 0.5/s),
# so two time constants of VQF leave under 15 % of the start error: those rows are settling.
SETTLE_SECONDS = 6.0


@dataclass(frozen=True)
class RawSamples:
    """The IMU samples at the file's own timestamps in SI, and where the recording's rows fall."""

    time: np.ndarray  # (M,) seconds on the file's clock, dropouts filled at the median step
    accel: np.ndarray  # (M, 3) m/s^2, +g on z when level
    gyro: np.ndarray  # (M, 3) rad/s
    mag: np.ndarray | None  # (M, 3) uT, when the file has a magnetometer
    segments: tuple[tuple[int, int], ...]  # row ranges [start, end) of M, one per recording segment
    rate: float  # Hz, the file's median rate
    row_time: np.ndarray  # (N,) the file-clock time of each recording row


def bridged(t: np.ndarray, values: np.ndarray, segments, step: float):
    """(times, values) with every dropout inside a segment filled by samples at the median step,
    linearly interpolated, and the segments' new row ranges."""
    times, blocks, out_segments, row = [], [], [], 0
    for s, e in segments:
        ts, block = t[s:e], values[s:e]  # (L,), (L, K)
        steps = np.diff(ts)
        parts = np.maximum(1, np.rint(steps / step).astype(int)) if step > 0 else np.ones(0, int)
        if parts.size and parts.max() > 1:
            start = np.repeat(ts[:-1], parts)  # each sub-step from its left sample
            within = np.arange(parts.sum()) - np.repeat(np.cumsum(parts) - parts, parts)
            grid = np.r_[start + within * np.repeat(steps / parts, parts), ts[-1]]
            block = np.column_stack(
                [np.interp(grid, ts, block[:, k]) for k in range(block.shape[1])]
            )
            ts = grid
        times.append(ts)
        blocks.append(block)
        out_segments.append((row, row + ts.size))
        row += ts.size
    if not times:
        return np.zeros(0), np.zeros((0, values.shape[1])), ()
    if len(blocks) == 1:  # one segment: no copy
        return times[0], blocks[0], tuple(out_segments)
    return np.concatenate(times), np.vstack(blocks), tuple(out_segments)


def grid_times(t: np.ndarray, segments, rate: float) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The file-clock time of each resampled row (N,) and the segments that gave rows: the grid
    timebase.resample lays out (t0 + k / rate in each segment of at least two rows)."""
    grids, kept = [], []
    for s, e in segments:
        if e - s < 2:
            continue
        n = int(math.floor((t[e - 1] - t[s]) * rate + 1e-6)) + 1
        if n < 2:
            continue
        grids.append(t[s] + np.arange(n) / rate)
        kept.append((s, e))
    return (np.concatenate(grids) if grids else np.zeros(0)), kept


def raw_samples(t, imu: np.ndarray, scale: np.ndarray, segments, rate: float, row_rate: float):
    """RawSamples from the file's times (M,) s and IMU columns (M, 6 or 9) in file units with
    their SI factors (6 or 9,): dropouts bridged, the recording's rows placed on the same clock.
    `imu` is scaled in place (the reader passes its own copy; one copy, not two, held at once)."""
    imu *= scale  # (M, 6 or 9) SI
    step = 1.0 / rate
    row_time, kept = grid_times(t, segments, row_rate)
    time, filled, out_segments = bridged(t, imu, kept, step)
    return RawSamples(
        time=time,
        accel=filled[:, 0:3],
        gyro=filled[:, 3:6],
        mag=filled[:, 6:9] if filled.shape[1] == 9 else None,
        segments=out_segments,
        rate=rate,
        row_time=row_time,
    )


def settling(raw: RawSamples, row_segments) -> np.ndarray:
    """(N,) bool: the recording's rows within SETTLE_SECONDS of a segment's start after a gap
    (every segment but the first), where the filters are still settling."""
    out = np.zeros(raw.row_time.size, dtype=bool)
    for a, b in list(row_segments)[1:]:
        out[a:b] = raw.row_time[a:b] < raw.row_time[a] + SETTLE_SECONDS
    return out


def vertical_at(raw: RawSamples, vertical: np.ndarray, row_segments) -> np.ndarray:
    """A filter's vertical (M, 3) at the raw samples carried to the recording's rows (N, 3):
    interpolated inside each segment, normalised (NaN where the filter gave none)."""
    out = np.full((raw.row_time.size, 3), np.nan)
    for (s, e), (a, b) in zip(raw.segments, row_segments, strict=True):
        at = raw.row_time[a:b]
        for k in range(3):
            out[a:b, k] = np.interp(at, raw.time[s:e], vertical[s:e, k])
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norm > 0, norm, 1.0)
