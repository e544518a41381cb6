"""Time: a raw time column to seconds, rows in order, repeats merged, gaps cut, uniform resampling.

raw time  0  10  10  20  30 ......... 900  910      (ms, one repeat, one gap)
seconds   0 .01 .01 .02 .03 ......... .90  .91
merged    0 .01     .02 .03 ......... .90  .91      (the repeated row averaged in)
segments  [0 ............... 4)       [4 ...... 6)  (a step > 5 median steps splits)
resampled each segment on its own grid t0 + k / rate, rows laid end to end
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from rnn_core.datasets.imu.parse import ImuFormatError
from rnn_core.datasets.imu.samples import BRIDGE_SECONDS, DROPOUT_FACTOR

TIME_SCALE = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
_UNIT_WORDS = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
MAX_ROWS = 50_000_000


def median_step(steps: np.ndarray) -> float:
    """The median of the steps, from at most ~200,000 evenly spread ones (0 when there are none)."""
    if steps.size == 0:
        return 0.0
    return float(np.median(steps[:: max(1, steps.size // 200_000)]))


def unit_by_values(values: np.ndarray) -> tuple[str, str]:
    """The unit of a numeric time column from its values: Unix-time size, else the median step."""
    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    steps = np.diff(finite)
    steps = steps[steps > 0]
    if finite.size and steps.size:
        first = abs(float(finite[0]))
        for unit, scale in TIME_SCALE.items():
            if 1e9 <= first * scale <= 4.1e9:  # a Unix time between 2001 and 2100
                return unit, f"its values look like Unix time in {_UNIT_WORDS[unit]}"
        step = median_step(steps)
        # the unit whose rate is nearest 30 Hz (in decades) wins: 20 -> ms (50 Hz), 0.01 -> s
        unit = min(TIME_SCALE, key=lambda u: abs(math.log10(1 / (step * TIME_SCALE[u])) - 1.5))
        rate = 1 / (step * TIME_SCALE[unit])
        return unit, f"no unit in its name; a median step of {step:g} is {rate:.4g} Hz so"
    return "s", "too few distinct values to tell; assumed"


def iso_seconds(raw: pd.Series) -> np.ndarray | None:
    """Seconds from the first row of ISO date-time strings ("2024-05-01T12:00:00.125Z"), or None."""
    if pd.api.types.is_numeric_dtype(raw):
        return None
    present = raw.dropna().astype(str).str.strip()
    if not present.size or not _ISO.match(present.iloc[0]):
        return None
    stamps = pd.to_datetime(raw, format="ISO8601", utc=True, errors="coerce")
    if stamps.notna().sum() == 0:
        return None
    return ((stamps - stamps.dropna().iloc[0]) / pd.Timedelta(seconds=1)).to_numpy(np.float64)


def time_seconds(values: np.ndarray, unit: str | None) -> tuple[np.ndarray, str, str]:
    """Seconds from the first row (NaN where missing), the unit used, and why it was chosen.

    Integer nanoseconds are subtracted before they become floats, so no precision is lost.
    """
    why = "as given"
    if unit is None:
        unit, why = unit_by_values(values)
    finite = np.flatnonzero(np.isfinite(values)) if values.dtype.kind == "f" else [0]
    if len(finite) == 0:
        return np.full(len(values), np.nan), unit, why
    seconds = values - values[finite[0]]  # integers stay exact until here
    seconds = seconds.astype(np.float64, copy=False)
    seconds *= TIME_SCALE[unit]
    return seconds, unit, why


def order_rows(
    t: np.ndarray, lines: np.ndarray, gap_factor: float, name: str
) -> tuple[np.ndarray | None, list[str]]:
    """A sorting order when a few rows are out of time order; refuse a time that jumps back far."""
    steps = np.diff(t)
    back = np.flatnonzero(steps < 0)
    if back.size == 0:
        return None, []
    forward = steps[steps > 0]
    typical = median_step(forward)
    far = back[-steps[back] > gap_factor * typical]
    if far.size or back.size > 0.2 * len(steps):
        i = int(far[0] if far.size else back[0])
        raise ImuFormatError(
            f"Time goes back at line {int(lines[i + 1]):,} of {name} (from {t[i]:.6g} s to "
            f"{t[i + 1]:.6g} s after the start): the file may hold more than one recording or "
            "its clock restarted. Split it into one file per recording, or map another time column."
        )
    return np.argsort(t, kind="stable"), [
        f"{back.size:,} row(s) were slightly out of time order (jitter): sorted by time."
    ]


def merge_repeats(
    t: np.ndarray, values: np.ndarray, labels: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, list[str]]:
    """Rows that share a timestamp become one row: values averaged, the first label kept."""
    if t.size < 2 or np.all(t[1:] != t[:-1]):
        return t, values, labels, []
    starts = np.flatnonzero(np.r_[True, np.diff(t) != 0])
    counts = np.diff(np.r_[starts, t.size])[:, None]
    merged = np.add.reduceat(values, starts, axis=0) / counts if values.size else values[starts]
    repeats = t.size - starts.size
    note = f"{repeats:,} row(s) repeated the previous timestamp: merged (values averaged)."
    return t[starts], merged, None if labels is None else labels[starts], [note]


def find_segments(
    t: np.ndarray, gap_factor: float, bridge: float = 0.0
) -> tuple[list[tuple[int, int]], float, list]:
    """Row ranges [start, end) without gaps, the median step, and the gaps as (at s, length s).
    A gap is a step longer than gap_factor median steps and than `bridge` seconds."""
    steps = np.diff(t)
    step = median_step(steps)
    limit = max(gap_factor * step, bridge)
    cuts = np.flatnonzero(steps > limit) + 1 if step > 0 else np.array([], int)
    edges = [0, *cuts.tolist(), t.size]
    gaps = [(float(t[c - 1]), float(t[c] - t[c - 1])) for c in cuts]
    return list(zip(edges[:-1], edges[1:], strict=True)), step, gaps


def resolution(steps: np.ndarray) -> float:
    """The timestamps' resolution (s) as the steps show it: the smallest difference between two
    step lengths that each make up at least 1 % of the steps; 0 when no such pair exists (the
    times are written finely enough that their rounding cannot be seen)."""
    lengths, counts = np.unique(np.round(steps, 9), return_counts=True)
    common = lengths[counts >= 0.01 * steps.size]
    return float(np.min(np.diff(common))) if common.size > 1 else 0.0


def jitter_beyond(steps: np.ndarray, step: float, quantum: float) -> float:
    """RMS of each step's departure from the median step beyond the timestamps' resolution, as a
    share of the median step: rounding every time to `quantum` moves a step by less than one
    quantum, so that much is the writing, not the clock."""
    if steps.size == 0 or step <= 0:
        return 0.0
    beyond = np.maximum(np.abs(steps - step) - quantum, 0.0)
    return float(np.sqrt(np.mean(beyond**2)) / step)


def rate_sentence(steps: np.ndarray, step: float, source_rate: float, rate: float) -> str:
    """The file's rate, its timestamps' resolution and the jitter beyond it, and the output rate."""
    ordinary = steps[steps <= DROPOUT_FACTOR * step]
    quantum = resolution(ordinary)
    jitter = jitter_beyond(ordinary, step, quantum)
    written = (
        f"timestamps written to {quantum * 1e3:.3g} ms, jitter beyond that {jitter:.1%}"
        if quantum >= 1e-6
        else f"jitter {jitter:.1%}"
    )
    return (
        f"Sample rate: {source_rate:.4g} Hz in the file (median step {step * 1e3:.4g} ms, "
        f"{written}); resampled to a uniform {rate:g} Hz (linear interpolation in each segment). "
        f"Attitude filters run on the file's own samples at {source_rate:.4g} Hz."
    )


def dropout_sentences(steps: np.ndarray, step: float, gap_factor: float) -> list[str]:
    """A sentence on the short dropouts bridged inside segments, when there are any."""
    limit = max(gap_factor * step, BRIDGE_SECONDS)
    holes = np.flatnonzero((steps > DROPOUT_FACTOR * step) & (steps <= limit))
    if holes.size == 0:
        return []
    longest = int(holes[np.argmax(steps[holes])])
    missing = int(np.sum(np.rint(steps[holes] / step) - 1))
    return [
        f"{holes.size:,} short dropout(s) of up to {limit * 1e3:.3g} ms ({missing:,} missing "
        f"sample(s), the longest {steps[longest] * 1e3:.3g} ms): bridged by linear "
        "interpolation, and the attitude filters keep their state across them (no split)."
    ]


def nice_rate(rate: float) -> float:
    """A rate rounded sensibly: whole Hz from 10 Hz, 0.1 Hz from 1 Hz, else 2 significant digits."""
    if rate >= 10:
        return float(round(rate))
    return round(rate, 1) if rate >= 1 else float(f"{rate:.2g}")


def _box(block: np.ndarray, width: int) -> np.ndarray:
    """A centred moving average over `width` rows (shorter at the ends): the anti-alias filter.
    NaN cells (holes in a reference) are left out of each mean; all-NaN stays NaN."""
    n = block.shape[0]
    missing = np.isnan(block)  # (n, K)
    zero = np.zeros((1, block.shape[1]))
    sums = np.vstack([zero, np.cumsum(np.where(missing, 0.0, block), axis=0)])  # (n + 1, K)
    start = np.clip(np.arange(n) - width // 2, 0, n)
    end = np.clip(start + width, 0, n)
    if not missing.any():
        return (sums[end] - sums[start]) / (end - start)[:, None]
    counts = np.vstack([zero, np.cumsum(~missing, axis=0)])  # (n + 1, K)
    present = counts[end] - counts[start]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(present > 0, (sums[end] - sums[start]) / present, np.nan)


def _interpolate(ts: np.ndarray, block: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Linear interpolation of block (L, K) at the grid times (n,), all columns at once.

    Done in chunks of 32k rows, so the temporaries stay small and in cache.
    """
    out = np.empty((grid.size, block.shape[1]))  # (n, K)
    for start in range(0, grid.size, 1 << 15):
        at = grid[start : start + (1 << 15)]
        left = np.clip(np.searchsorted(ts, at, side="right") - 1, 0, len(ts) - 2)
        weight = ((at - ts[left]) / (ts[left + 1] - ts[left]))[:, None]  # (c, 1)
        low = block[left]  # (c, K)
        chunk = block[left + 1]
        chunk -= low
        chunk *= weight
        chunk += low
        out[start : start + at.size] = chunk
    return out


def resample(
    t: np.ndarray,
    values: np.ndarray,
    labels: np.ndarray | None,
    segments: list[tuple[int, int]],
    rate: float,
    smooth: int = 1,
) -> tuple[np.ndarray, np.ndarray | None, list[tuple[int, int]], int]:
    """Values (M, K) on a uniform grid per segment (linear interpolation), the labels there
    (nearest previous row), the new segments, and how many one-row pieces were dropped."""
    expected = sum(int((t[e - 1] - t[s]) * rate) + 1 for s, e in segments)
    if expected > MAX_ROWS:
        raise ImuFormatError(
            f"Resampling at {rate:g} Hz would make {expected:,} rows: choose a lower rate "
            f"(at most {MAX_ROWS:,} rows)."
        )
    pieces, label_pieces, out_segments, dropped, row = [], [], [], 0, 0
    for s, e in segments:
        ts = t[s:e]
        n = int(math.floor((ts[-1] - ts[0]) * rate + 1e-6)) + 1
        if e - s < 2 or n < 2:
            dropped += 1
            continue
        grid = ts[0] + np.arange(n) / rate  # (n,)
        block = values[s:e] if smooth < 2 else _box(values[s:e], smooth)  # (L, K)
        if n == e - s and np.allclose(grid, ts, rtol=0, atol=1e-9 / rate):
            pieces.append(block)  # already on the grid: nothing to interpolate
        else:
            pieces.append(_interpolate(ts, block, grid))
        if labels is not None:
            nearest = np.clip(np.searchsorted(ts, grid + 1e-9 / rate, side="right") - 1, 0, None)
            label_pieces.append(labels[s:e][nearest])
        out_segments.append((row, row + n))
        row += n
    if not pieces:
        return np.empty((0, values.shape[1])), None, [], dropped
    out_labels = np.concatenate(label_pieces) if labels is not None else None
    out = pieces[0] if len(pieces) == 1 else np.vstack(pieces)
    return out, out_labels, out_segments, dropped
