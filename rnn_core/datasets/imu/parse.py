"""From what a person gave (path, bytes, upload) to a table of raw columns, or a sentence why not.

bytes -> zip? (by magic bytes) -> text (UTF-8, BOM, UTF-16, else Latin-1) -> layout (delimiter,
decimal mark, preamble and header line, column names) -> pandas.read_csv of the needed columns
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rnn_core.datasets.windows import DataError

SNIFF_BYTES = 1 << 16  # the layout is decided from the first 64 KiB, or more for wide lines:
SNIFF_LINES = 8  # the first look grows until it holds this many lines,
SNIFF_MAX = 1 << 24  # up to 16 MiB (a longer line is no CSV row)
MAX_BYTES = 1 << 30
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$|^$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+([eE][+-]?\d+)?$")
_MISSING = {"", "nan", "na", "n/a", "null", "none", "-nan", "#n/a"}


class ImuFormatError(DataError):
    """An IMU file that cannot be read; the message says what is wrong and what to do."""

    def __init__(self, message: str) -> None:
        # messages start with the file's name, which is "the file" for bytes without one
        super().__init__("The" + message[3:] if message.startswith("the ") else message)


@dataclass(frozen=True)
class Layout:
    """How a CSV's text is laid out."""

    delimiter: str
    decimal: str  # "." or ","
    first_data_line: int  # 0-based index of the line pandas returns as row 0 (after the header)
    names: tuple[str, ...]  # column names as the file spells them ("column 1".. without a header)
    has_header: bool
    notes: tuple[str, ...]  # sentences for `detected`


def named_bytes(name: str, data: bytes) -> io.BytesIO:
    """Bytes a reader reads as a file called `name` (its sentences then say which file)."""
    file = io.BytesIO(data)
    file.name = name
    return file


def load_input(path_or_file) -> tuple[bytes, str]:
    """The bytes of a path, bytes or file-like (an upload), and a name to use in sentences."""
    if isinstance(path_or_file, bytes | bytearray | memoryview):
        return bytes(path_or_file), "the file"
    if isinstance(path_or_file, str | os.PathLike):
        path = Path(path_or_file)
        try:
            return path.read_bytes(), path.name
        except FileNotFoundError:
            raise ImuFormatError(f"There is no file at {path}: check the path.") from None
        except OSError as error:
            raise ImuFormatError(f"Could not read {path} ({error.strerror}).") from None
    reader = getattr(path_or_file, "getvalue", None) or getattr(path_or_file, "read", None)
    if not callable(reader):
        raise ImuFormatError(
            f"Give a file path, bytes or an uploaded file, not a {type(path_or_file).__name__}."
        )
    data = reader()
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = Path(str(getattr(path_or_file, "name", "") or "the file")).name
    return bytes(data), name


def is_zip(data: bytes) -> bool:
    """True for a zip archive (by its magic bytes, whatever the file is called)."""
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def to_utf8(data: bytes, name: str) -> tuple[bytes, list[str]]:
    """UTF-8 bytes without a byte-order mark, and a sentence when the encoding was not plain UTF-8.

    Latin-1 (Windows exports with 'µT' or '°/s' in the header) is accepted and said, since every
    byte string is valid Latin-1 and the numbers themselves are ASCII either way.
    """
    if len(data) > MAX_BYTES:
        raise ImuFormatError(f"{name} is {len(data) / 2**20:,.0f} MiB: keep uploads under 1 GiB.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16").encode("utf-8"), ["Encoding: UTF-16 text, converted."]
    notes = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        notes.append("Encoding: UTF-8 with a byte-order mark (removed).")
    head = data[:SNIFF_BYTES]
    controls = sum(head.count(bytes([c])) for c in (*range(0, 9), 11, 14, *range(16, 32)))
    if b"\x00" in head or controls > 0.005 * max(len(head), 1):
        raise ImuFormatError(
            f"{name} looks like binary data, not text: export the recording as CSV "
            "(comma, semicolon or tab separated) and upload that file."
        )
    if data.isascii():
        return data, notes
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        notes.append("Encoding: not UTF-8, read as Latin-1 (Windows) text.")
        return data.decode("latin-1").encode("utf-8"), notes
    return data, notes


def _split(line: str, delimiter: str) -> list[str]:
    """One line's fields, honouring quotes."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a stray quote or control character: split plainly
        return line.split(delimiter)


def _numeric_share(fields: list[str]) -> float:
    """The share of fields that read as numbers (or are empty)."""
    return sum(bool(_NUMBER.match(f.strip().lower())) for f in fields) / max(len(fields), 1)


def _sample_lines(data: bytes) -> list[str]:
    """The first lines of the file as text, without a last line cut by the sample's end: at least
    64 KiB, more until SNIFF_LINES lines fit (a wide header), at most SNIFF_MAX."""
    size = SNIFF_BYTES
    while size < min(len(data), SNIFF_MAX) and _line_ends(data, size) < SNIFF_LINES:
        size *= 4
    text = data[:size].decode("utf-8", errors="replace")
    lines = re.split(r"\r\n|\n|\r", text)  # the line ends pandas knows
    if len(data) > size and len(lines) > 1:
        lines.pop()
    return lines


def _line_ends(data: bytes, size: int) -> int:
    """Line ends in the first `size` bytes."""
    return data.count(b"\n", 0, size) + data.count(b"\r", 0, size)


def _choose_delimiter(lines: list[str], name: str) -> tuple[str, int]:
    """Tab, then semicolon, then comma: the first that splits the data lines evenly (>= 2 fields).

    Semicolon before comma, because a semicolon file with a decimal comma ("1,23;4,56") also has
    the same count of commas on every line.
    """
    body = [line for line in lines if line.strip()][-50:]
    for delimiter in ("\t", ";", ","):
        counts = [len(_split(line, delimiter)) for line in body]
        mode = max(set(counts), key=counts.count)
        if mode >= 2 and counts.count(mode) >= 0.9 * len(counts):
            return delimiter, mode
    raise ImuFormatError(
        f"{name} has one column only: no comma, semicolon or tab between values. Export it as "
        "CSV with one column for time and one per sensor axis."
    )


def sniff(data: bytes, name: str) -> Layout:
    """Delimiter, decimal mark, preamble, header and column names from the start of the text."""
    if len(data) > SNIFF_MAX and _line_ends(data, SNIFF_MAX) < 2:
        raise ImuFormatError(
            f"{name} has a line longer than {SNIFF_MAX >> 20} MiB in its first lines: a CSV has "
            "one row of values per line. Export the recording as CSV."
        )
    lines = _sample_lines(data)
    if not any(line.strip() for line in lines):
        raise ImuFormatError(f"{name} is empty: upload a CSV with a header and rows of numbers.")
    delimiter, width = _choose_delimiter(lines, name)
    rows = [_split(line, delimiter) for line in lines]
    data_like = [len(r) >= width - 1 and _numeric_share(r) >= 0.5 and any(r) for r in rows]
    first = next((i for i in range(len(rows)) if all(data_like[i : i + 3])), None)
    if first is None:
        first = next((i for i in range(len(rows)) if data_like[i]), None)
    if first is None:
        raise ImuFormatError(
            f"{name} has a header but no rows of numbers under it: export the recording "
            "again with its data, not just the column names."
        )
    header = first - 1
    while header >= 0 and not lines[header].strip():
        header -= 1
    has_header = header >= 0 and len(rows[header]) >= width - 1 and not data_like[header]
    decimal = _decimal_mark(rows[first : first + 50], delimiter)
    mark = "comma (1,23 is read as 1.23)" if decimal == "," else "point"
    notes = [f"Delimiter: {_DELIMITER_NAMES[delimiter]}; decimal mark: {mark}."]
    if has_header:
        first = header + 1  # blank lines between header and data come back as empty rows
        names = _unique_names(rows[header], width)
        if header > 0:
            notes.append(f"Skipped {header} line(s) before the header.")
    else:
        names = tuple(f"column {i + 1}" for i in range(width))
        notes.append("No header line: columns are numbered (column 1, column 2, ...).")
    return Layout(delimiter, decimal, first, names, has_header, tuple(notes))


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _decimal_mark(rows: list[list[str]], delimiter: str) -> str:
    """ "," when the delimiter is not a comma and numbers are written like 1,23."""
    if delimiter == ",":
        return "."
    fields = [f.strip() for row in rows for f in row]
    commas = sum(bool(_DECIMAL_COMMA.match(f)) for f in fields)
    return "," if commas > sum("." in f for f in fields) else "."


def _unique_names(fields: list[str], width: int) -> tuple[str, ...]:
    """Header names, stripped; empty ones numbered and repeats told apart."""
    fields = (fields + [""] * width)[: max(width, len(fields))]
    names: list[str] = []
    for i, field in enumerate(fields):
        name = field.strip().strip('"').strip() or f"column {i + 1}"
        while name in names:
            name += " (2)"
        names.append(name)
    return tuple(names)


def read_table(data: bytes, layout: Layout, usecols: list[str], name: str) -> pd.DataFrame:
    """The chosen columns as pandas reads them; row i is line first_data_line + i + 1."""
    skip = {"header": layout.first_data_line - 1} if layout.has_header else {"header": None}
    if not layout.has_header and layout.first_data_line:
        skip["skiprows"] = layout.first_data_line  # slower in pandas, so only when needed
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            sep=layout.delimiter,
            decimal=layout.decimal,
            names=list(layout.names),
            usecols=usecols,
            skip_blank_lines=False,
            **skip,
            index_col=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError, UnicodeError, MemoryError) as error:
        line = re.search(r"line (\d+), saw (\d+)", str(error))
        where = (
            f"line {int(line.group(1)):,} has {line.group(2)} values"
            if line
            else str(error).split("\n")[0]
        )
        raise ImuFormatError(
            f"{name} could not be read as a table ({where}; the header has "
            f"{len(layout.names)} columns): make every row have one value per column."
        ) from None
    return frame  # blank lines come back as empty rows: drop_missing takes them out


def numeric_columns(
    frame: pd.DataFrame, names: list[str], layout: Layout, ends_with_newline: bool, name: str
) -> tuple[np.ndarray, bool]:
    """(N, K) float64 of the named columns, and whether a cut-off last row was dropped.

    A cell that is not a number raises with its line and column, except in the last row of a file
    that does not end with a newline: that row was cut off (a cell not a number, or missing) and
    is dropped instead.
    """
    block = np.empty((len(frame), len(names)), order="F")  # column by column: contiguous writes
    cut_last = False
    for k, column in enumerate(names):
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            plain = isinstance(series.dtype, np.dtype)  # numpy dtypes need no NA handling
            block[:, k] = (
                series.to_numpy() if plain else series.to_numpy(np.float64, na_value=np.nan)
            )
            continue
        text = series.astype("string").str.strip()
        if layout.decimal == ",":
            text = text.str.replace(",", ".", regex=False)
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna() & text.notna() & ~text.str.lower().isin(_MISSING)
        bad_rows = np.flatnonzero(bad.to_numpy(dtype=bool, na_value=False))
        last = len(frame) - 1
        if bad_rows.size == 1 and bad_rows[0] == last and not ends_with_newline:
            cut_last = True
        elif bad_rows.size:
            row = bad_rows[0]
            line = layout.first_data_line + int(frame.index[row]) + 1
            raise ImuFormatError(
                f"Line {line:,} of {name}, column '{column}': '{series.iloc[row]}' is not a "
                f"number ({bad_rows.size:,} such cell(s) in that column). Correct or delete that "
                "row, or map another column."
            )
        block[:, k] = values.to_numpy(dtype=np.float64, na_value=np.nan)
    if not ends_with_newline and len(block) and np.isnan(block[-1]).any():
        cut_last = True  # its last cells are missing: cut off, not a hole in a reference
    if cut_last:
        block = block[:-1]
    return block, cut_last
