"""IMU recordings from common tools (CSV or zip) in SI units on a uniform time base.

file -> layout and names (imu_parse, imu_formats) -> raw numbers on a clean time line
     (imu_raw, imu_zip) -> segments, uniform resampling (imu_timebase) -> units, frame and
     orientation told by the data (imu_units) -> ImuRecording, one sentence per decision
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnn_core.datasets.imu.archive import open_zip
from rnn_core.datasets.imu.convert import to_si
from rnn_core.datasets.imu.formats import (
    CHANNELS,
    FAMILY_KEYS,
    OPTIONAL,
    UNIT_KEYS,
    classify,
)
from rnn_core.datasets.imu.parse import ImuFormatError, is_zip, load_input, to_utf8
from rnn_core.datasets.imu.raw import CsvSource, Raw, drop_missing, in_time_order
from rnn_core.datasets.imu.samples import BRIDGE_SECONDS, SETTLE_SECONDS, RawSamples, raw_samples
from rnn_core.datasets.imu.timebase import (
    dropout_sentences,
    find_segments,
    nice_rate,
    rate_sentence,
    resample,
)
from rnn_core.datasets.imu.units import align_quaternions, angle_unit

__all__ = [
    "CHANNELS",
    "OPTIONAL",
    "ImuFormatError",
    "ImuRecording",
    "detect_columns",
    "read_imu_csv",
]

_SIGNS = {
    "x-io": "its x-io header (Gyroscope X (deg/s), Accelerometer X (g))",
    "phyphox": "its phyphox header (Acceleration x (m/s^2), Gyroscope x (rad/s))",
    "sensor-logger": "Sensor Logger files (time in ns, seconds_elapsed, x/y/z per sensor file)",
    "arduino": "serial-log columns (ax..gz; raw counts, a millis column or no time)",
    "ros": "ROS sensor_msgs/Imu fields (angular_velocity.x, linear_acceleration.x)",
    "euroc": "its EuRoC header (#timestamp [ns], w_RS_S_x, a_RS_S_x)",
    "px4": "PX4 sensor_combined fields (gyro_rad[0], accelerometer_m_s2[0])",
    "generic": "plain column names (ax..gz)",
}
_KEYS = ("time", *CHANNELS, *OPTIONAL, "motion", "label")


@dataclass(frozen=True)
class ImuRecording:
    """One recording in SI units at a uniform rate, and the sentences that say how it was read."""

    time: np.ndarray  # (N,) seconds, uniform spacing 1 / sample_rate (segments laid end to end)
    channels: pd.DataFrame  # (N, C) float64: CHANNELS, then those of OPTIONAL present
    sample_rate: float  # Hz, after resampling
    segments: tuple[tuple[int, int], ...]  # row ranges [start, end) without gaps
    labels: np.ndarray | None  # (N,) str, the activity label of each row, when the file has one
    motion: np.ndarray | None  # (N,) bool, the movement phases a 0/1 column marks, when present
    detected: tuple[str, ...]  # sentences a person reads: format, units and why, fixes, gaps
    source_format: str  # "x-io", "phyphox", "sensor-logger", "arduino", "ros", "euroc", "px4", ...
    has_orientation: bool  # roll and pitch (or a quaternion) came from the file
    raw: RawSamples | None = None  # the IMU samples as read, where attitude filters run


def _open(data: bytes, name: str):
    """A CsvSource or ZipSource, and the sentences about how its text is laid out."""
    if is_zip(data):
        source = open_zip(data, name)
        if not isinstance(source, CsvSource):
            return source, list(source.notes)
        return source, [f"Zip: its one CSV, {source.name}.", *source.layout.notes]
    text, notes = to_utf8(data, name)
    source = CsvSource.open(text, name)
    return source, [*notes, *source.layout.notes, *source.proposal.notes]


def detect_columns(path_or_file) -> tuple[list[str], dict[str, str]]:
    """(every column name of the file, the mapping key -> column that detection proposes)."""
    data, name = load_input(path_or_file)
    source, _ = _open(data, name)
    return list(source.names), dict(source.proposal.mapping)


def _chosen_units(mapping: dict, proposal) -> dict[str, tuple[str, str]]:
    """Units the names say: the proposal's for families mapped as proposed, else the new names'."""
    units = {}
    for family, keys in {"time": ("time",), **FAMILY_KEYS}.items():
        if (
            all(mapping.get(k) == proposal.mapping.get(k) for k in keys)
            and family in proposal.units
        ):
            units[family] = proposal.units[family]
        elif keys[0] in mapping and (found := classify(mapping[keys[0]])) and found[2]:
            units[family] = (found[2], f"from the name '{mapping[keys[0]]}'")
    if "angle" in proposal.units:
        units["angle"] = proposal.units["angle"]
    return units


def _mapping(source, column_map: dict | None, name: str) -> tuple[dict, dict]:
    """The mapping and units to use: detection's, or the person's column_map over it."""
    proposal = source.proposal
    if not column_map:
        return dict(proposal.mapping), dict(proposal.units)
    unknown = sorted(set(column_map) - set(_KEYS) - set(UNIT_KEYS))
    if unknown:
        raise ImuFormatError(
            f"The column mapping has unknown key(s) {', '.join(unknown)}: use {', '.join(_KEYS)}, "
            f"or {', '.join(UNIT_KEYS)}."
        )
    chosen = {k: v for k, v in column_map.items() if k in _KEYS and v}
    for key, column in chosen.items():
        if column not in source.names:
            raise ImuFormatError(
                f"The mapping names '{column}' for {key}, but {name} has no such column; its "
                f"columns are {_listing(source.names)}."
            )
    mapping = chosen or dict(proposal.mapping)
    units = _chosen_units(mapping, proposal)
    for key, family in (("time_unit", "time"), ("accel_unit", "accel"), ("gyro_unit", "gyro")):
        if column_map.get(key):
            if column_map[key] not in UNIT_KEYS[key]:
                raise ImuFormatError(
                    f"{key} '{column_map[key]}' is not one of {', '.join(UNIT_KEYS[key])}."
                )
            units[family] = (column_map[key], "as chosen by hand")
    return mapping, units


def _listing(names) -> str:
    """Column names for a sentence, at most 12."""
    shown = ", ".join(f"'{n}'" for n in list(names)[:12])
    return shown + (f" and {len(names) - 12} more" if len(names) > 12 else "")


def _require(mapping: dict, source, name: str, by_hand: bool) -> None:
    """Refuse, with a sentence, when an accelerometer or gyroscope axis has no column."""
    if source.proposal.gravity_removed and not by_hand:
        raise ImuFormatError(
            f"{name} has only linear acceleration (gravity removed), which cannot show tilt: "
            "export the acceleration including gravity (phyphox 'Acceleration with g', Sensor "
            "Logger TotalAcceleration) or the whole zip."
        )
    for family, keys, example in (
        ("accelerometer", CHANNELS[:3], "ax, ay, az (or acc_x, Accelerometer X (g), ...)"),
        ("gyroscope", CHANNELS[3:], "gx, gy, gz (or gyro_x, Gyroscope X (deg/s), ...)"),
    ):
        missing = [k for k in keys if k not in mapping]
        if missing:
            bare = {"x", "y", "z"} <= {n.strip().lower() for n in source.names}
            hint = (
                " Sensor Logger files name their columns x, y, z: upload the whole zip export, "
                "whose file names say which sensor each is."
                if bare
                else ""
            )
            raise ImuFormatError(
                f"No {family} column for {', '.join(missing)} in {name} (its columns: "
                f"{_listing(source.names)}). Name them {example}, or map the columns by hand."
                + hint
            )


def read_imu_csv(
    path_or_file,
    column_map: dict[str, str] | None = None,
    target_rate: float | None = None,
    *,
    min_rows: int = 50,
    gap_factor: float = 5.0,
) -> ImuRecording:
    """A recording from a CSV (or a zip of CSVs) in SI units at a uniform rate, or ImuFormatError.

    column_map replaces detection ({"time": col, "ax": col, ...}; "time_unit", "accel_unit" and
    "gyro_unit" fix units, alone or with columns). target_rate defaults to the file's median rate,
    rounded. A step longer than gap_factor median steps splits the recording into segments.
    """
    if target_rate is not None and not (
        isinstance(target_rate, numbers.Real)
        and not isinstance(target_rate, bool)
        and math.isfinite(target_rate)
        and target_rate > 0
    ):
        raise ImuFormatError(f"The target rate must be a positive number of Hz, not {target_rate}.")
    data, name = load_input(path_or_file)
    source, notes = _open(data, name)
    mapping, units = _mapping(source, column_map, name)
    _require(mapping, source, name, by_hand=any(k in _KEYS for k in column_map or {}))
    raw = source.read(mapping, units.get("time", (None,))[0])
    raw = in_time_order(drop_missing(raw, name), gap_factor, name)
    out, labels, segments, rate, timing, clock = _uniform(
        raw, units, target_rate, gap_factor, min_rows, name
    )
    sensor = [k for k in (*CHANNELS, *OPTIONAL[:3]) if k in raw.keys]
    imu = raw.values[:, [raw.keys.index(k) for k in sensor]]  # (M, 6 or 9) a copy, file units
    motion, motion_notes = _motion(out, raw, mapping)
    channels, si_notes, accel_name, oriented, scale = to_si(
        out, raw.keys, rate, segments, units, name
    )
    if len(sensor) == 9 and "mx" not in channels.columns:  # a magnetometer not in uT: unused
        sensor, imu = sensor[:6], imu[:, :6]
    factors = np.array([scale[k] for k in sensor])
    samples = raw_samples(clock[0], imu, factors, clock[1], clock[2], rate)
    del imu
    source_format = _format(source.proposal.source_format, mapping, accel_name)
    detected = (
        f"Format: {source_format}, recognized by {_SIGNS[source_format]}.",
        *notes,
        *raw.notes,
        *timing,
        *si_notes,
        *motion_notes,
        *_constant_note(channels),
        *_label_note(labels, mapping),
    )
    return ImuRecording(
        time=np.arange(len(out)) / rate,
        channels=channels,
        sample_rate=rate,
        segments=tuple(segments),
        labels=labels,
        motion=motion,
        detected=detected,
        source_format=source_format,
        has_orientation=oriented,
        raw=samples,
    )


def _uniform(raw: Raw, units: dict, target_rate, gap_factor: float, min_rows: int, name: str):
    """(values (M, K) on the uniform grid, labels, segments, rate, sentences, and the file's
    clock: its times, segments and rate)."""
    t, segments, source_rate, rate, notes = _timeline(raw, target_rate, gap_factor, min_rows, name)
    values, angle_notes = _unwrapped(raw, units)
    smooth = int(round(source_rate / rate)) if rate < 0.5 * source_rate else 1
    # An odd width centres each average on its own row: an even one lags half a sample (1.75 ms
    # at 285.7 Hz), which shifts every resampled column, the truth too, against the filters'
    # estimates taken at the row's own time.
    smooth += 1 - smooth % 2
    if smooth > 1:
        notes.append(f"Averaged over {smooth} samples before resampling (against aliasing).")
    out, labels, out_segments, _ = resample(t, values, raw.labels, segments, rate, smooth)
    if len(out) < min_rows:
        raise _too_few(name, len(out), min_rows, rate)
    return out, labels, out_segments, rate, notes + angle_notes, (t, segments, source_rate)


def _too_few(name: str, rows: int, min_rows: int, rate: float) -> ImuFormatError:
    return ImuFormatError(
        f"{name} has {rows:,} usable row(s) at {rate:g} Hz; at least {min_rows:,} are needed "
        f"({min_rows / rate:.3g} s): use a longer recording."
    )


def _timeline(raw: Raw, target_rate, gap_factor: float, min_rows: int, name: str):
    """(times s, segments, the file's rate, the output rate, sentences)."""
    rows = len(raw.values)
    if rows < 2:
        raise ImuFormatError(
            f"{name} has {rows} usable row(s) with distinct times; at least {min_rows:,} are "
            "needed: use a longer recording."
        )
    notes, t = [], raw.time
    if t is None:
        if target_rate is None:
            raise ImuFormatError(
                f"{name} has no time column: give the rate the sensor ran at as the target "
                "rate, or map a time column by hand."
            )
        t = np.arange(rows) / target_rate
        notes.append(f"No time column: rows taken as evenly spaced at {target_rate:g} Hz (given).")
    segments, step, gaps = find_segments(t, gap_factor, BRIDGE_SECONDS)
    source_rate = 1.0 / step
    rate = float(target_rate) if target_rate else nice_rate(source_rate)
    steps = np.diff(t)
    notes.append(rate_sentence(steps, step, source_rate, rate))
    notes += dropout_sentences(steps, step, gap_factor)
    if gaps:
        at, length = max(gaps, key=lambda gap: gap[1])
        notes.append(
            f"{len(gaps)} gap(s) longer than {gap_factor:g} sample periods and "
            f"{BRIDGE_SECONDS * 1e3:g} ms (the longest {length:.3g} s, after {at:.4g} s): split "
            f"into {len(segments)} segments, not interpolated across; the time axis lays the "
            f"segments end to end. Every attitude filter restarts after a gap: its first "
            f"{SETTLE_SECONDS:g} s there are left out of targets and scores."
        )
    return t, segments, source_rate, rate, notes


def _unwrapped(raw: Raw, units: dict) -> tuple[np.ndarray, list[str]]:
    """Values ready to interpolate: angles in unwrapped radians, quaternion signs continuous."""
    values, notes = raw.values, []
    angles = [i for i, k in enumerate(raw.keys) if k in ("roll", "pitch", "yaw")]
    if angles or "qw" in raw.keys:
        values = values.copy()
    if angles:
        scale, _, sentence = angle_unit(values[:, angles], units.get("angle"))
        for k in angles:  # unwrapped over the rows that have a value (the truth may have holes)
            known = np.isfinite(values[:, k])
            values[known, k] = np.unwrap(values[known, k] * scale)
        notes.append(sentence)
    if all(k in raw.keys for k in ("qw", "qx", "qy", "qz")):
        q = [raw.keys.index(k) for k in ("qw", "qx", "qy", "qz")]
        known = np.isfinite(values[:, q]).all(axis=1)
        values[np.ix_(known, q)] = align_quaternions(values[np.ix_(known, q)])
    return values, notes


def _motion(out: np.ndarray, raw: Raw, mapping: dict) -> tuple[np.ndarray | None, list[str]]:
    """The movement phases a 0/1 column marks, (N,) bool, and a sentence; None without one."""
    if "motion" not in raw.keys:
        return None, []
    column = out[:, raw.keys.index("motion")]  # resampled: 0 / 1, fractions at the edges
    known = column[np.isfinite(column)]
    if known.size == 0 or not np.all((known >= -1e-9) & (known <= 1 + 1e-9)):
        return None, [f"Column '{mapping['motion']}' is not 0 / 1: not used as movement phases."]
    moving = np.nan_to_num(column) >= 0.5
    return moving, [
        f"Movement phases: column '{mapping['motion']}' marks {moving.mean():.0%} of the rows as "
        "moving; scores are also given over those rows (not an activity label)."
    ]


def _format(source_format: str, mapping: dict, accel_name: str) -> str:
    """'arduino' for a generic file with raw counts, a millis / micros clock or no time column."""
    if source_format != "generic":
        return source_format
    if accel_name.startswith("counts") or "time" not in mapping:
        return "arduino"
    clock = classify(mapping["time"])
    return "arduino" if clock and clock[1] in ("millis", "micros") else source_format


def _constant_note(channels: pd.DataFrame) -> list[str]:
    """A sentence naming the channels that hold one value throughout (nothing to learn from)."""
    values = channels.to_numpy()
    flat = [
        c for c, same in zip(channels.columns, np.ptp(values, axis=0) == 0, strict=True) if same
    ]
    if not flat:
        return []
    return [
        f"Constant ({', '.join(flat)}): the same value in every row, so no signal to learn from "
        "(z-scores stay 0); check that the sensor was on."
    ]


def _label_note(labels: np.ndarray | None, mapping: dict) -> list[str]:
    if labels is None:
        return []
    kinds = list(dict.fromkeys(labels.tolist()))
    shown = ", ".join(kinds[:6]) + (", ..." if len(kinds) > 6 else "")
    return [
        f"Labels: column '{mapping['label']}' kept ({len(kinds)} distinct: {shown}); each "
        "resampled row takes the label of the row at or before it."
    ]
