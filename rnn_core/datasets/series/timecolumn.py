"""Which column is the time, what kind of time it is, and seconds from the first row.

date-time strings   "2015-01-01T00:00:00Z", "2015-01-01T01:00:00+0100"  read with their zone
                    "12/31/2002 1:00", "2004-03-10 18:00:00"             local clock, no zone
numbers             a time name ("Time (s)", "time_s", "timestamp")    unit from the name,
                    else from the values (Unix seconds / ms / us / ns, or seconds from start)
nothing             the row index: one step per row, no rate in Hz
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from rnn_core.datasets.imu.formats import propose
from rnn_core.datasets.imu.timebase import time_seconds

_ZONE = r"(?:Z|[+-]\d{2}:?\d{2})$"  # a UTC offset at the end of a date-time
_DATE_SHARE = 0.9  # the share of a column's cells that must read as dates for it to be the time
_UNIX_WORDS = {"s": "Unix seconds", "ms": "Unix milliseconds", "us": "Unix microseconds",
               "ns": "Unix nanoseconds"}  # fmt: skip


@dataclass(frozen=True)
class TimeColumn:
    """The time of each row, and how it was read."""

    column: str | None  # the file's name of the time column; None for the row index
    columns: tuple[str, ...]  # every column the time was read from (a date and a clock column)
    kind: str  # "date-time with zone", "date-time without zone", "unix", "elapsed", "row index"
    seconds: (
        np.ndarray
    )  # (N,) seconds from the first row (row number for the row index); NaN unread
    start: str  # the first time as a person reads it ("2015-01-01 00:00:00+00:00", "row 0")
    unit: str  # "s", "ms", "us", "ns" of the raw numbers, "" for dates and the index
    sentence: str  # for "what was detected"


def find_time(frame: pd.DataFrame, names: tuple[str, ...], chosen: str | None) -> TimeColumn:
    """The time column `chosen`, else the first column of date-times, else a column whose name
    says time, else the row index."""
    if chosen is not None:
        return _read(frame[chosen], chosen, _named_unit(names, chosen))
    for i, name in enumerate(names):
        if not pd.api.types.is_numeric_dtype(frame[name]) and _dates(frame[name]) is not None:
            clock = names[i + 1] if i + 1 < len(names) else None
            if clock is not None and _is_clock(frame[clock]):
                joined = frame[name].astype("string").str.strip() + " " + _clock(frame[clock])
                return _read(joined, name, None, (name, clock))
            return _read(frame[name], name, None)
    proposal = propose(names)
    if "time" in proposal.mapping and _rises(frame[proposal.mapping["time"]]):
        name = proposal.mapping["time"]
        return _read(frame[name], name, _named_unit(names, name))
    rows = np.arange(len(frame), dtype=np.float64)
    sentence = "Time: no time column found; each row is one step (the row index)."
    return TimeColumn(None, (), "row index", rows, "row 0", "", sentence)


def _rises(raw: pd.Series) -> bool:
    """True when a column of numbers goes forward at nearly every row (a time, not a value that
    a name such as 'T' only seems to call time)."""
    values = pd.to_numeric(raw, errors="coerce").dropna().to_numpy(np.float64)
    steps = np.diff(values)
    return len(steps) > 0 and (steps >= 0).mean() >= _DATE_SHARE


_CLOCK = r"^\d{1,2}[:.]\d{2}(?:[:.]\d{2})?$"  # 18:00, 18.00.00: a time of day alone


def _is_clock(raw: pd.Series) -> bool:
    """True when a column holds times of day alone (the second half of a date and a time)."""
    text = raw.astype("string").str.strip().dropna()
    return bool(len(text)) and text.str.match(_CLOCK).mean() >= _DATE_SHARE


def _clock(raw: pd.Series) -> pd.Series:
    """Times of day written with colons ("18.00.00" -> "18:00:00")."""
    return raw.astype("string").str.strip().str.replace(".", ":", regex=False)


def _named_unit(names: tuple[str, ...], column: str) -> str | None:
    """The time unit a column's name gives ("Time (s)" -> "s"), else None."""
    proposal = propose(names)
    if proposal.mapping.get("time") == column and "time" in proposal.units:
        return proposal.units["time"][0]
    return None


def _dates(raw: pd.Series) -> tuple[pd.Series, str] | None:
    """The cells as timestamps (in UTC when the text gives a zone) and the format read, or None
    when fewer than _DATE_SHARE of the filled cells read as dates. Day-first and month-first
    are both tried; the one that reads more cells, then the one that goes back in time less,
    wins ("12/2/2016" is 2 December in a file whose other days reach 31)."""
    text = raw.astype("string").str.strip()
    filled = text.dropna()
    filled = filled[filled != ""]
    if filled.empty or not filled.iloc[:50].str.contains(r"\d[-/.]\d", regex=True).all():
        return None
    zoned = bool(filled.iloc[:50].str.contains(_ZONE, regex=True).all())
    best = None
    for fmt in _formats(filled.iloc[0]):
        try:
            stamps = pd.to_datetime(text, format=fmt, errors="coerce", utc=zoned)
        except (ValueError, TypeError):
            continue
        steps = stamps.dropna().diff().dt.total_seconds().to_numpy()[1:]
        score = (int(stamps.notna().sum()), -int((steps < 0).sum()))
        if best is None or score > best[0]:
            best = (score, stamps, fmt)
    if best is None or best[0][0] < _DATE_SHARE * len(filled):
        return None
    return best[1], best[2]


def _formats(first: str) -> list[str]:
    """Formats to try for a date-time like `first`: ISO 8601, then month-first and day-first."""
    out = ["ISO8601"] if re.match(r"^\d{4}-\d{2}-\d{2}", first) else []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when a guess is day-first
        for dayfirst in (False, True):
            guess = guess_datetime_format(first, dayfirst=dayfirst)
            if guess and guess not in out:
                out.append(guess)
    return out


def _read(raw: pd.Series, name: str, unit: str | None, columns: tuple = ()) -> TimeColumn:
    """A chosen or found time column read as dates, or as numbers in `unit` (None: by values);
    `columns`: a date column and a clock column read together as `raw`."""
    dates = None if pd.api.types.is_numeric_dtype(raw) else _dates(raw)
    if dates is not None:
        return _from_dates(*dates, columns or (name,), raw)
    values = pd.to_numeric(raw, errors="coerce").to_numpy(np.float64)
    if np.isfinite(values).sum() < 2:
        raise ValueError(f"Column '{name}' holds neither dates nor numbers: choose another.")
    seconds, unit_used, why = time_seconds(values, unit)
    seconds = seconds - np.nanmin(seconds)  # from the earliest row, wherever it stands
    first = np.nanmin(values)
    if "Unix" in why:
        start = str(pd.Timestamp(first * {"s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[unit_used],
                                 unit="s", tz="UTC"))  # fmt: skip
        sentence = f"Time: column '{name}', {_UNIX_WORDS[unit_used]} (UTC), from {start}."
        return TimeColumn(name, (name,), "unix", seconds, start, unit_used, sentence)
    sentence = f"Time: column '{name}', {_WORDS[unit_used]} from the start ({why})."
    if unit is not None:
        sentence = f"Time: column '{name}', {_WORDS[unit_used]} from the start (its name says so)."
    return TimeColumn(
        name, (name,), "elapsed", seconds, f"{first:g} {unit_used}", unit_used, sentence
    )


_WORDS = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}


def _from_dates(stamps: pd.Series, fmt: str, columns: tuple, raw: pd.Series) -> TimeColumn:
    """Seconds from the earliest date; a zone in the text is kept (each cell's own UTC offset)."""
    zone = getattr(stamps.dt, "tz", None)
    first = stamps.min()
    how = "ISO 8601" if fmt == "ISO8601" else fmt
    name = columns[0]
    where = f"column '{name}'" if len(columns) == 1 else f"columns '{name}' and '{columns[1]}'"
    seconds = ((stamps - first) / pd.Timedelta(seconds=1)).to_numpy(np.float64, na_value=np.nan)
    if zone is not None:
        sentence = (
            f"Time: {where}, dates and times ({how}) with a time zone (the first written "
            f"'{raw.dropna().astype(str).str.strip().iloc[0]}'), from {first}: steps are "
            "true elapsed time, across daylight-saving changes too."
        )
        return TimeColumn(name, columns, "date-time with zone", seconds, str(first), "", sentence)
    sentence = (
        f"Time: {where}, dates and times ({how}) without a zone, from {first}: clock "
        "times as written (a daylight-saving change shows as a repeated or a missing hour)."
    )
    return TimeColumn(name, columns, "date-time without zone", seconds, str(first), "", sentence)
