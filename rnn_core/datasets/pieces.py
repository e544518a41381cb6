"""Rows of a table cut into parts and pieces: a temporal split with a movable test block, cut
again at every gap, and the windows that fit inside one piece. IMU recordings and any series
share it.

    rows      0 ............................................. N
    parts     train        | validation | test    | train         (test_at places the test block)
    pieces    train [0, a) [b, c) ...  (a part cut again where a segment ends: a gap)
    windows   starts s whose rows s .. s+T-1 and target row s+T-1+reach lie in one piece
"""

from __future__ import annotations

import numpy as np

SPLIT_FRACTIONS = (0.7, 0.15, 0.15)


def part_bounds(
    rows: int, fractions: tuple[float, float, float] = SPLIT_FRACTIONS, test_at: float | None = None
) -> dict[str, list[tuple[int, int]]]:
    """Row ranges of each part before gaps: train | validation | test by `fractions`, or with
    `test_at` (a share of the rows) the test block there, validation just before it (after it
    when there is no room), and training the rest, on either side."""
    share_val, share_test = fractions[1], fractions[2]
    if test_at is None:
        test_at = fractions[0] + share_val
    test_at = min(max(test_at, 0.0), 1.0 - share_test)
    cut = lambda share: int(round(rows * share))  # noqa: E731 - a row index from a share
    test = (cut(test_at), cut(test_at + share_test))  # each edge rounded once, then shared
    if test_at >= share_val - 1e-9:
        val = (cut(test_at - share_val), test[0])
    else:
        val = (test[1], cut(test_at + share_test + share_val))
    lo, hi = min(test[0], val[0]), max(test[1], val[1])
    train = [r for r in ((0, lo), (hi, rows)) if r[1] > r[0]]
    return {"train": train, "validation": [val], "test": [test]}


def split_pieces(
    segments,
    rows: int,
    fractions: tuple[float, float, float] = SPLIT_FRACTIONS,
    test_at: float | None = None,
) -> dict[str, list[tuple[int, int]]]:
    """Row ranges of each part (see part_bounds), cut again at every gap."""
    return {
        name: [
            (max(a, lo), min(b, hi))
            for lo, hi in ranges
            for a, b in segments
            if min(b, hi) > max(a, lo)  # the part of segment [a, b) inside [lo, hi)
        ]
        for name, ranges in part_bounds(rows, fractions, test_at).items()
    }


def take(values: np.ndarray, part: list[tuple[int, int]]) -> np.ndarray:
    """The rows of a part's pieces, one after the other: a view when there is one piece."""
    if len(part) == 1:
        return values[part[0][0] : part[0][1]]
    return np.concatenate([values[a:b] for a, b in part]) if part else values[:0]


def contiguous(rows: np.ndarray) -> bool:
    """True when rows are consecutive (one slice can take them without a copy)."""
    return len(rows) > 0 and int(rows[-1]) - int(rows[0]) == len(rows) - 1


def joined_rows(part: list[tuple[int, int]]) -> np.ndarray:
    """The recording rows of a part's pieces, one after the other: (L,)."""
    if not part:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(a, b) for a, b in part])


def window_starts(part: list[tuple[int, int]], seq_len: int, reach: int) -> np.ndarray:
    """Starts (into the joined rows) of windows whose inputs and target lie in one piece."""
    starts, offset = [], 0
    for a, b in part:
        count = (b - a) - (seq_len - 1 + reach)  # starts s with s + T - 1 + reach < b - a
        if count > 0:
            starts.append(offset + np.arange(count))
        offset += b - a
    return np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)
