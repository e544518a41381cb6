"""One CSV's mapped columns as raw numbers on a clean time line (seconds, in order, no repeats).

CSV bytes + mapping -> Raw (time s, values in file units, labels, file line of each row)
                    -> without missing cells -> in time order -> repeated stamps merged
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from rnn_core.datasets.imu.formats import CHANNELS, Proposal, propose
from rnn_core.datasets.imu.parse import (
    ImuFormatError,
    Layout,
    numeric_columns,
    read_table,
    sniff,
)
from rnn_core.datasets.imu.timebase import (
    TIME_SCALE,
    iso_seconds,
    merge_repeats,
    order_rows,
    time_seconds,
)

MISSING_SHARE = 0.05  # rows with empty / NaN / inf cells are dropped up to this share, else refused
# A reference orientation (optical motion capture drops out for a few % of samples) and a motion
# flag may have holes: their rows keep the IMU data, and the hole stays NaN (no truth there).
SPARSE_KEYS = ("roll", "pitch", "yaw", "qw", "qx", "qy", "qz", "motion")
SPARSE_MISSING_SHARE = 0.9  # a sparse column emptier than this is left out


@dataclass(frozen=True)
class Raw:
    """Mapped columns of one recording, still in the file's units."""

    time: np.ndarray | None  # (N,) seconds from the first row; None when the file has no time
    values: np.ndarray  # (N, K) float64
    keys: tuple[str, ...]  # canonical key of each value column ("ax", "qw", ...)
    columns: tuple[str, ...]  # the file's name of each value column
    labels: np.ndarray | None  # (N,) str
    lines: np.ndarray  # (N,) the file line of each row, for messages
    notes: tuple[str, ...] = ()
    time_origin: float = 0.0  # the raw first time value (file unit), to align zip members
    time_scale: float = 1.0  # seconds per raw time unit


@dataclass(frozen=True)
class CsvSource:
    """A CSV whose layout and column proposal are known; its columns are read on demand."""

    data: bytes
    name: str
    layout: Layout
    proposal: Proposal

    @property
    def names(self) -> tuple[str, ...]:
        """The column names as the file spells them."""
        return self.layout.names

    @classmethod
    def open(cls, data: bytes, name: str) -> CsvSource:
        """Sniff the layout and propose a mapping from the header (no data read yet)."""
        layout = sniff(data, name)
        return cls(data, name, layout, propose(layout.names))

    def read(self, mapping: dict[str, str], time_unit: str | None) -> Raw:
        """The mapped columns as numbers (time in seconds), with a sentence about the time."""
        wanted = list(dict.fromkeys(mapping.values()))
        frame = read_table(self.data, self.layout, wanted, self.name)
        if frame.empty:
            raise ImuFormatError(
                f"{self.name} has a header but no data rows: export the recording with its data."
            )
        keys = [k for k in mapping if k not in ("time", "label")]
        ends = self.data.rstrip(b" \t").endswith((b"\n", b"\r"))
        values, cut = numeric_columns(
            frame, [mapping[k] for k in keys], self.layout, ends, self.name
        )
        time, origin, scale, notes = None, 0.0, 1.0, []
        if "time" in mapping:
            frame = frame.iloc[: len(values)]
            time, origin, scale, sentence = self._time(frame, mapping["time"], time_unit, ends)
            cut |= len(time) < len(values)  # the cut-off cell was the time's
            values = values[: len(time)]
            notes.append(sentence)
        if cut:
            notes.insert(0, "The last line was cut off (not a full row): dropped it.")
        frame = frame.iloc[: len(values)]
        lines = frame.index.to_numpy() + self.layout.first_data_line + 1
        labels = _labels(frame[mapping["label"]]) if "label" in mapping else None
        columns = tuple(mapping[k] for k in keys)
        return Raw(time, values, tuple(keys), columns, labels, lines, tuple(notes), origin, scale)

    def _time(self, frame, column, unit, ends) -> tuple[np.ndarray, float, float, str]:
        """Seconds of the time column, its raw origin and scale, and a sentence."""
        seconds = iso_seconds(frame[column])
        if seconds is not None:
            return seconds, 0.0, 1.0, f"Time: column '{column}', ISO date-time strings."
        raw = frame[column]
        if not pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
            raw = pd.Series(numeric_columns(frame, [column], self.layout, ends, self.name)[0][:, 0])
        values = raw.to_numpy()[: len(frame)]
        seconds, unit_used, why = time_seconds(values, unit)
        finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
        origin = float(finite[0]) if finite.size else 0.0
        sentence = f"Time: column '{column}' in {_UNIT_NAMES[unit_used]} ({why})."
        if unit is not None:
            sentence = f"Time: column '{column}' in {_UNIT_NAMES[unit_used]}."
        return seconds, origin, TIME_SCALE[unit_used], sentence


_UNIT_NAMES = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}


def _labels(column: pd.Series) -> np.ndarray:
    """Label cells as strings: whole-number ids without '.0', missing ones as ''."""
    if pd.api.types.is_float_dtype(column) and np.all(np.mod(column.dropna(), 1) == 0):
        column = column.astype("Int64")
    return column.astype("string").fillna("").to_numpy(dtype=object).astype(str)


def drop_missing(raw: Raw, name: str) -> Raw:
    """Drop rows with empty, NaN or infinite cells when they are few; refuse when they are many.

    Blank lines go without a word. An optional column (magnetometer, orientation) that is mostly
    empty is left out instead.
    """
    finite_time = raw.time is None or np.isfinite(raw.time).all()
    if finite_time and np.isfinite(raw.values).all():
        return raw
    bad = ~np.isfinite(raw.values)  # (N, K)
    if raw.time is not None:
        bad = np.column_stack([bad, ~np.isfinite(raw.time)])  # (N, K + 1)
    blank = bad.all(axis=1)  # (N,) blank lines
    keep_cols, notes = _usable_columns(raw, bad[~blank], raw.lines[~blank], name)
    dense = keep_cols & ~np.isin(raw.keys, SPARSE_KEYS)  # holes here drop the row
    used = [*np.flatnonzero(dense), *([len(raw.keys)] if raw.time is not None else [])]
    drop = bad[:, used].any(axis=1)  # (N,)
    if (drop & ~blank).any():
        notes.append(
            f"Dropped {int((drop & ~blank).sum()):,} row(s) with empty, NaN or infinite values "
            f"(the first at line {int(raw.lines[np.argmax(drop & ~blank)]):,})."
        )
    keep = ~drop
    return replace(
        raw,
        time=None if raw.time is None else raw.time[keep],
        values=raw.values[keep][:, keep_cols],
        keys=tuple(np.asarray(raw.keys)[keep_cols]),
        columns=tuple(np.asarray(raw.columns)[keep_cols]),
        labels=None if raw.labels is None else raw.labels[keep],
        lines=raw.lines[keep],
        notes=tuple(notes),
    )


def _usable_columns(raw: Raw, bad: np.ndarray, lines: np.ndarray, name: str):
    """(which value columns to keep, sentences): refuse a mostly empty required column."""
    keys, columns = [*raw.keys, "time"], [*raw.columns, "time"]
    notes, keep_cols = list(raw.notes), np.ones(len(raw.keys), bool)
    for k in np.flatnonzero(bad.sum(axis=0) > MISSING_SHARE * len(bad)):
        share = bad[:, k].mean()
        if keys[k] in SPARSE_KEYS and share <= SPARSE_MISSING_SHARE:
            continue  # holes in the truth stay holes (NaN), see SPARSE_KEYS
        if keys[k] in CHANNELS or keys[k] == "time":
            raise ImuFormatError(
                f"Column '{columns[k]}' of {name} has {int(bad[:, k].sum()):,} empty, NaN or "
                f"infinite cells ({share:.0%} of rows, the first at line "
                f"{int(lines[np.argmax(bad[:, k])]):,}): fill them or export the recording again."
            )
        keep_cols[k] = False
        notes.append(f"Column '{columns[k]}' is {share:.0%} empty or not finite: left it out.")
    return keep_cols, notes


def in_time_order(raw: Raw, gap_factor: float, name: str) -> Raw:
    """Rows sorted when a few are out of order (refused when time jumps back), repeats merged."""
    if raw.time is None:
        return raw
    order, notes = order_rows(raw.time, raw.lines, gap_factor, name)
    if order is not None:
        labels = None if raw.labels is None else raw.labels[order]
        raw = replace(raw, time=raw.time[order], values=raw.values[order], labels=labels,
                      lines=raw.lines[order])  # fmt: skip
    time, values, labels, merged = merge_repeats(raw.time, raw.values, raw.labels)
    if not merged:
        return replace(raw, notes=(*raw.notes, *notes))
    starts = np.flatnonzero(np.r_[True, np.diff(raw.time) != 0])
    return replace(
        raw,
        time=time,
        values=values,
        labels=labels,
        lines=raw.lines[starts],
        notes=(*raw.notes, *notes, *merged),
    )
