"""A zip of one CSV per sensor (phyphox, Sensor Logger) merged onto the accelerometer's time base.

    TotalAcceleration.csv  t: 0.00 0.01 0.02 0.03 ...   the base: its rows are kept
    Gyroscope.csv          t: 0.004 0.014 0.024 ...    interpolated onto the base times
    Orientation.csv        ...                         (rows outside another stream's span, or
                                                        in its gaps, are dropped from the base)

Sensor Logger names its columns x, y, z (written z, y, x): the file name says the sensor, and its
Accelerometer.csv has gravity removed: TotalAcceleration.csv (or Accelerometer + Gravity) is used.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

import numpy as np

from rnn_core.datasets.imu.formats import FAMILY_KEYS, Proposal
from rnn_core.datasets.imu.parse import ImuFormatError, to_utf8
from rnn_core.datasets.imu.raw import CsvSource, Raw, drop_missing, in_time_order
from rnn_core.datasets.imu.units import align_quaternions

MAX_UNZIPPED = 1 << 30
_KINDS = {  # file stem (lower case, no spaces) -> what its x, y, z are
    "totalacceleration": "accel",
    "accelerometer": "linear",  # Sensor Logger's Accelerometer.csv has gravity removed
    "linearaccelerometer": "linear",
    "linearacceleration": "linear",
    "gravity": "gravity",
    "gyroscope": "gyro",
    "magnetometer": "mag",
    "magneticfield": "mag",
}
_FAMILY_OF_KIND = {"accel": "accel", "linear": "accel", "gravity": "accel", "gyro": "gyro",
                   "mag": "mag"}  # fmt: skip
_ANGLES = ("roll", "pitch", "yaw")


@dataclass(frozen=True)
class Stream:
    """One member's columns under canonical keys, on its own clean time line."""

    member: str
    raw: Raw
    accel_kind: str  # "accel" (with gravity), "linear" (without) or "gravity"
    units: dict
    tool: str  # the format its own header points to


@dataclass(frozen=True)
class ZipSource:
    """A merged zip: its columns are canonical keys on the base time line (seconds)."""

    name: str
    merged: Raw
    proposal: Proposal
    notes: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The merged table's columns: time, then canonical keys."""
        return ("time", *self.merged.keys)

    def read(self, mapping: dict[str, str], time_unit: str | None) -> Raw:
        """The mapped columns of the merged table (time is always the merged seconds)."""
        index = {key: i for i, key in enumerate(self.merged.keys)}
        keys = [k for k in mapping if k not in ("time", "label")]
        values = self.merged.values[:, [index[mapping[k]] for k in keys]]
        return replace(self.merged, values=values, keys=tuple(keys), columns=tuple(keys))


def open_zip(data: bytes, name: str, gap_factor: float = 5.0):
    """A ZipSource for a multi-sensor zip, or a CsvSource when it holds a single CSV."""
    contents = csv_members(data, name)
    if len(contents) == 1:
        (member, raw_bytes), *_ = contents.items()
        return CsvSource.open(to_utf8(raw_bytes, member)[0], member)
    streams, notes = [], []
    for member, raw_bytes in sorted(contents.items()):
        try:
            stream = _stream(member, raw_bytes, gap_factor)
        except ImuFormatError:
            if _stem(member) in (*_KINDS, "orientation"):
                raise  # a sensor file that cannot be read is the person's to fix
            stream = None
        if stream is None:
            notes.append(f"Left out {member} (no sensor table this reader uses).")
        else:
            streams.append(stream)
    return _merge(streams, name, notes, gap_factor)


def csv_members(data: bytes, name: str) -> dict[str, bytes]:
    """{file name: bytes} of the archive's CSV files, without folders such as phyphox's meta/."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and info.filename.lower().endswith(".csv")
            and "__MACOSX" not in info.filename
            and "meta" not in PurePosixPath(info.filename).parts[:-1]
        ]
        if sum(info.file_size for info in members) > MAX_UNZIPPED:
            raise ImuFormatError(
                f"{name} is too large: it unpacks to more than 1 GiB. Upload a shorter recording "
                "or fewer sensors."
            )
        contents = {PurePosixPath(i.filename).name: archive.read(i) for i in members}
    except ImuFormatError:  # a sentence already (a ValueError too: not "damaged")
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        message = f"{name} is a damaged zip archive ({error}): export it again."
        raise ImuFormatError(message) from None
    if not contents:
        raise ImuFormatError(
            f"{name} is a zip without a CSV inside: export the recording as CSV files."
        )
    return contents


def _stem(member: str) -> str:
    """ "linearaccelerometer" from "Linear Accelerometer.csv"."""
    return PurePosixPath(member).stem.lower().replace(" ", "").replace("_", "")


def _stream(member: str, raw_bytes: bytes, gap_factor: float) -> Stream | None:
    """A member read under canonical keys, or None when it holds no sensor this reader uses."""
    text, _ = to_utf8(raw_bytes, member)
    source = CsvSource.open(text, member)
    mapping = {k: v for k, v in source.proposal.mapping.items() if k != "label"}
    bare = {
        n.strip().lower(): n for n in source.layout.names if n.strip().lower() in ("x", "y", "z")
    }
    kind = _KINDS.get(_stem(member))
    accel_kind = "linear" if source.proposal.gravity_removed else "accel"
    if kind and len(bare) == 3:  # Sensor Logger: the file name says which sensor x, y, z are
        keys = FAMILY_KEYS[_FAMILY_OF_KIND[kind]]
        mapping.update({key: bare[axis] for key, axis in zip(keys, "xyz", strict=True)})
        accel_kind = kind if kind in ("linear", "gravity") else "accel"
    if "time" not in mapping or len(mapping) < 2:
        return None
    raw = source.read(mapping, source.proposal.units.get("time", (None,))[0])
    raw = in_time_order(drop_missing(raw, member), gap_factor, member)
    proposal = source.proposal
    return Stream(member, raw, accel_kind, dict(proposal.units), proposal.source_format)


def _base(streams: list[Stream], name: str, notes: list[str], gap_factor: float) -> Stream:
    """The accelerometer with gravity: TotalAcceleration, or Accelerometer (linear) + Gravity."""
    with_accel = [s for s in streams if "ax" in s.raw.keys]
    base = next((s for s in with_accel if s.accel_kind == "accel"), None)
    gravity = next((s for s in with_accel if s.accel_kind == "gravity"), None)
    linear = next((s for s in with_accel if s.accel_kind == "linear"), None)
    if base is None and linear is not None and gravity is not None:
        base = _add_gravity(linear, gravity, gap_factor)
        notes.append(f"Acceleration: {linear.member} (gravity removed) plus {gravity.member}.")
    if base is None:
        have = ", ".join(s.member for s in streams) or "none"
        raise ImuFormatError(
            f"{name} has no accelerometer with gravity (files: {have}). Include "
            "TotalAcceleration.csv (or Accelerometer.csv and Gravity.csv) from Sensor Logger, "
            "or Accelerometer.csv from phyphox."
        )
    notes.append(f"Zip: {base.member} is the time base; other sensors are interpolated onto it.")
    return base


def _merge(streams: list[Stream], name: str, notes: list[str], gap_factor: float) -> ZipSource:
    """The base (accelerometer with gravity) with every other stream interpolated onto it."""
    base = _base(streams, name, notes, gap_factor)
    columns, keys, keep = [base.raw.values], list(base.raw.keys), np.ones(base.raw.time.size, bool)
    for stream in streams:
        new = [k for k in stream.raw.keys if k not in keys]
        if stream is base or not new or stream.accel_kind in ("linear", "gravity"):
            continue
        values, inside = _onto(stream, base, new, gap_factor)
        columns.append(values)
        keys.extend(new)
        keep &= inside
        notes.append(f"Merged {stream.member} ({', '.join(new)}).")
    if keep.sum() < keep.size:
        notes.append(f"Kept the {int(keep.sum()):,} base rows where every sensor has data.")
    merged = replace(
        base.raw,
        time=base.raw.time[keep],
        values=np.hstack(columns)[keep],
        keys=tuple(keys),
        columns=tuple(keys),
        lines=base.raw.lines[keep],
        notes=(),
    )
    units = {}
    for stream in reversed(streams):  # the first stream of a family says its unit
        units.update(stream.units)
    units.pop("time", None)  # merged times are seconds
    tools = {s.tool for s in streams}
    source_format = next((t for t in ("sensor-logger", "phyphox") if t in tools), "generic")
    proposal = Proposal(source_format, {"time": "time", **{k: k for k in keys}}, units)
    return ZipSource(name, merged, proposal, tuple(notes))


def _absolute(raw: Raw) -> np.ndarray:
    """Seconds on the shared clock of the archive's files."""
    return raw.time + raw.time_origin * raw.time_scale


def _onto(stream: Stream, base: Stream, keys: list[str], gap_factor: float):
    """Values of `keys` at the base times, and which base rows lie inside the stream's data."""
    t_base, t_own = _absolute(base.raw), _absolute(stream.raw)
    index = [stream.raw.keys.index(k) for k in keys]
    values = stream.raw.values[:, index]
    if all(k in keys for k in ("qw", "qx", "qy", "qz")):
        q = [keys.index(k) for k in ("qw", "qx", "qy", "qz")]
        values[:, q] = align_quaternions(values[:, q])
    angles = [i for i, k in enumerate(keys) if k in _ANGLES]
    largest = np.abs(values[:, angles]).max() if angles and values.size else 0.0
    period = 360.0 if largest > 2 * math.pi + 0.1 else 2 * math.pi
    for i in angles:
        values[:, i] = np.unwrap(values[:, i], period=period)
    out = np.column_stack([np.interp(t_base, t_own, values[:, i]) for i in range(len(keys))])
    for i in angles:
        out[:, i] = (out[:, i] + period / 2) % period - period / 2
    step = float(np.median(np.diff(t_own))) if t_own.size > 1 else 0.0
    right = np.clip(np.searchsorted(t_own, t_base), 1, max(t_own.size - 1, 1))
    nearest = np.minimum(np.abs(t_base - t_own[right - 1]), np.abs(t_own[right] - t_base))
    inside = (t_base >= t_own[0]) & (t_base <= t_own[-1]) & (nearest <= gap_factor * step)
    return out, inside


def _add_gravity(linear: Stream, gravity: Stream, gap_factor: float) -> Stream:
    """Accelerometer with gravity = linear acceleration + gravity (on the linear stream's times)."""
    keys = ["ax", "ay", "az"]
    added, inside = _onto(gravity, linear, keys, gap_factor)
    index = [linear.raw.keys.index(k) for k in keys]
    values = linear.raw.values.copy()
    values[:, index] += added
    raw = replace(
        linear.raw,
        time=linear.raw.time[inside],
        values=values[inside],
        lines=linear.raw.lines[inside],
    )
    return replace(linear, raw=raw, accel_kind="accel")
