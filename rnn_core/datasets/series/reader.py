"""A time-series CSV (or a zip of one) read as numbers on a uniform grid, with what was detected.

file -> text and layout (the IMU reader's parse: zip, encoding, delimiter, decimal mark, header)
     -> the time column (timecolumn) -> numeric columns, text columns left out, missing cells NaN
     -> rows in time order -> one row per step, missing steps masked, split at gaps (grid)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnn_core.bounds import MAX_SERIES_BYTES, MAX_SERIES_COLUMNS, MAX_SERIES_ROWS, mib_text
from rnn_core.datasets.imu.archive import csv_members
from rnn_core.datasets.imu.parse import (
    ImuFormatError,
    is_zip,
    load_input,
    read_table,
    sniff,
    to_utf8,
)
from rnn_core.datasets.series.grid import duration_words, on_grid, rate_words
from rnn_core.datasets.series.timecolumn import TimeColumn, find_time
from rnn_core.datasets.windows import DataError

GAP_FACTOR = 5.0  # a step longer than this many median steps splits the series
_NUMERIC_SHARE = 0.5  # a column is numeric when at least this share of its filled cells are numbers
_UNIT = re.compile(r"(?:\s\(\s*([^\)]+?)\s*\)|\[\s*([^\]]+?)\s*\])\s*$")  # "Load (MW)", "Load [MW]"
_SUFFIX_UNITS = ("MW", "MWh", "kW", "kWh", "GW", "W", "degC", "C", "K", "hPa", "Pa", "mm")


class SeriesFormatError(DataError):
    """A series file that cannot be used; the message says what is wrong and what to change."""

    def __init__(self, message: str) -> None:
        # messages start with the file's name, which is "the file" for bytes without one: a
        # name is kept as written, "the file" opens a sentence
        super().__init__("The" + message[3:] if message.startswith("the ") else message)


@dataclass(frozen=True)
class Detected:
    """What the reader found, for a page to print (`sentences`) and for tests to check."""

    delimiter: str
    decimal: str
    time_column: str | None
    time_kind: str  # see TimeColumn.kind
    start: str  # the first time as read
    step_seconds: float  # the median step (1 for the row index)
    jitter: float  # RMS departure of steps from the median beyond the timestamps' resolution
    gaps: tuple[tuple[float, float], ...]  # (at s from the start, length s) of each split
    missing_steps: int  # grid steps no row fell on (masked)
    missing_cells: dict  # column -> cells without a number (masked)
    left_out: tuple[str, ...]  # columns that are not numbers (text, labels)
    sentences: tuple[str, ...]

    @property
    def rate_hz(self) -> float | None:
        """Steps per second; None for the row index."""
        return None if self.time_kind == "row index" else 1.0 / self.step_seconds


@dataclass(frozen=True)
class SeriesTable:
    """Numeric columns on a uniform grid: NaN where a cell or a whole step is missing."""

    name: str
    time: np.ndarray  # (M,) seconds from the first row (row numbers for the row index)
    values: np.ndarray  # (M, K) float64, NaN where missing
    columns: tuple[str, ...]
    units: tuple[str, ...]  # the unit each column's name gives, "" when it gives none
    segments: tuple[tuple[int, int], ...]  # row ranges [start, end) without a gap
    detected: Detected

    @property
    def mask(self) -> np.ndarray:
        """(M, K) bool: True where a value was read."""
        return np.isfinite(self.values)

    def column(self, name: str) -> np.ndarray:
        """One column's values (M,)."""
        return self.values[:, self.columns.index(name)]


def read_series_csv(
    path_or_file, time_column: str | None = None, missing_codes: tuple[float, ...] = ()
) -> SeriesTable:
    """Read a time-series CSV or zip; SeriesFormatError with a sentence when it cannot be used.
    `missing_codes`: numbers the file writes for a missing value (-200, -999), masked as such."""
    try:
        data, name = load_input(path_or_file)
        if len(data) > MAX_SERIES_BYTES:
            raise SeriesFormatError(
                f"{name} is {mib_text(len(data))}: keep series files under "
                f"{mib_text(MAX_SERIES_BYTES)} (cut it to the part you need)."
            )
        if is_zip(data):
            data, name = _one_member(data, name)
        text, notes = to_utf8(data, name)
        layout = sniff(text, name)
        frame = read_table(text, layout, list(layout.names), name)
    except ImuFormatError as error:
        raise SeriesFormatError(str(error)) from None
    if time_column is not None and time_column not in layout.names:
        raise SeriesFormatError(
            f"{name} has no column '{time_column}': choose among {', '.join(layout.names)}."
        )
    try:
        time = find_time(frame, layout.names, time_column)
    except ValueError as error:
        raise SeriesFormatError(str(error)) from None
    columns, values, left_out, missing = _numbers(frame, layout, time.columns, name)
    sentences = [*notes, *layout.notes, time.sentence]
    if missing_codes:
        coded = np.isin(values, np.asarray(missing_codes, dtype=np.float64))  # (N, K)
        values[coded] = np.nan
        missing = {c: n + int(coded[:, k].sum()) for k, (c, n) in enumerate(missing.items())}
        codes = ", ".join(f"{c:g}" for c in missing_codes)
        sentences.append(f"{int(coded.sum()):,} cell(s) written as {codes}: read as missing.")
    return _table(name, layout, time, columns, values, left_out, missing, sentences)


def _one_member(data: bytes, name: str) -> tuple[bytes, str]:
    """The one CSV inside a zip, or a sentence."""
    members = csv_members(data, name)
    if len(members) != 1:
        raise SeriesFormatError(
            f"{name} holds {len(members)} CSV files ({', '.join(sorted(members))}): zip one "
            "series, or upload its CSV itself."
        )
    return next(iter(members.values())), next(iter(members))


def _numbers(frame: pd.DataFrame, layout, time_names: tuple[str, ...], name: str):
    """The numeric columns as (N, K) float64 (NaN where a cell is empty or not a number), the
    columns left out as text, and the count of missing cells per kept column."""
    columns, blocks, left_out, missing = [], [], [], {}
    for column in layout.names:
        if column in time_names:
            continue
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            numbers = series.to_numpy(np.float64, na_value=np.nan)
        else:
            text = series.astype("string").str.strip()
            if layout.decimal == ",":
                text = text.str.replace(",", ".", regex=False)
            numbers = pd.to_numeric(text, errors="coerce").to_numpy(np.float64, na_value=np.nan)
            filled = int(text.notna().sum() - (text == "").sum())
            if filled == 0 or np.isfinite(numbers).sum() < _NUMERIC_SHARE * filled:
                left_out.append(column)
                continue
        numbers = np.where(np.isfinite(numbers), numbers, np.nan)
        if np.isnan(numbers).all():
            left_out.append(column)  # an empty column (a trailing delimiter writes one)
            continue
        columns.append(column)
        blocks.append(numbers)
        missing[column] = int(np.isnan(numbers).sum())
    if not columns:
        raise SeriesFormatError(
            f"{name} has no column of numbers besides its time: a series needs at least one."
        )
    if len(columns) > MAX_SERIES_COLUMNS:
        raise SeriesFormatError(
            f"{name} has {len(columns)} numeric columns; at most {MAX_SERIES_COLUMNS} can be "
            "read: keep the columns you need."
        )
    return tuple(columns), np.column_stack(blocks), tuple(left_out), missing


def _table(name, layout, time: TimeColumn, columns, values, left_out, missing, sentences):
    """Rows with a time, in order, on a uniform grid; the Detected that says so."""
    keep = np.isfinite(time.seconds) & ~np.isnan(values).all(axis=1)  # blank lines go
    if (dropped := int((~np.isfinite(time.seconds) & ~np.isnan(values).all(axis=1)).sum())) > 0:
        sentences.append(f"Dropped {dropped:,} row(s) without a readable time.")
    seconds, values = time.seconds[keep], values[keep]
    if len(seconds) < 2:
        raise SeriesFormatError(f"{name} has fewer than two rows of numbers: it is no series.")
    order_notes = []
    if (back := int((np.diff(seconds) < 0).sum())) > 0:
        order = np.argsort(seconds, kind="stable")
        seconds, values = seconds[order], values[order]
        order_notes.append(f"Time goes back {back:,} time(s) in the file: rows sorted by time.")
    repeats = int((np.diff(seconds) == 0).sum())
    grid_time, grid_values, segments, facts = on_grid(seconds, values, GAP_FACTOR)
    if len(grid_time) > MAX_SERIES_ROWS:
        raise SeriesFormatError(
            f"{name} spans {len(grid_time):,} steps of {rate_words(facts['step'], time.kind)}; "
            f"at most {MAX_SERIES_ROWS:,} can be read: cut it to the part you need."
        )
    sentences += order_notes + _grid_sentences(facts, time.kind, repeats, len(segments))
    sentences += _column_sentences(columns, missing, left_out)
    detected = Detected(
        layout.delimiter, layout.decimal, time.column, time.kind, time.start, facts["step"],
        facts["jitter"], tuple(facts["gaps"]), facts["missing_steps"], missing, left_out,
        tuple(sentences),
    )  # fmt: skip
    units = tuple(_unit(c) for c in columns)
    return SeriesTable(name, grid_time, grid_values, columns, units, tuple(segments), detected)


def _grid_sentences(facts: dict, kind: str, repeats: int, pieces: int) -> list[str]:
    """The rate, jitter, repeats, missing steps and gaps in words."""
    out = [f"Step: {rate_words(facts['step'], kind)}, jitter {facts['jitter']:.1%}."]
    if repeats:
        out.append(f"{repeats:,} row(s) repeat the previous time: averaged into one step.")
    if facts["missing_steps"]:
        out.append(
            f"{facts['missing_steps']:,} step(s) have no row: kept as missing (masked), not filled."
        )
    if facts["gaps"]:
        longest = max(length for _, length in facts["gaps"])
        out.append(
            f"{len(facts['gaps'])} gap(s) longer than {GAP_FACTOR:g} steps (the longest "
            f"{duration_words(longest)}): split into {pieces} segments; no window crosses a gap."
        )
    return out


def _column_sentences(columns, missing: dict, left_out) -> list[str]:
    """The columns read, their missing cells, and the text columns left out."""
    out = [f"Columns: {', '.join(columns)}."]
    holes = [f"'{c}' {n:,}" for c, n in missing.items() if n]
    if holes:
        out.append(f"Missing cells (kept as missing, masked): {', '.join(holes)}.")
    if left_out:
        out.append(f"Left out (empty or not numbers): {', '.join(left_out)}.")
    return out


def _unit(column: str) -> str:
    """The unit a column's name gives: 'Load [MW]' -> 'MW', 'PJME_MW' -> 'MW', else ''."""
    if match := _UNIT.search(column):
        return match.group(1) or match.group(2)
    suffix = column.rsplit("_", 1)[-1] if "_" in column else ""
    return suffix if suffix in _SUFFIX_UNITS else ""
