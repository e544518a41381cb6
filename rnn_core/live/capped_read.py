"""An upload read in a short-lived process with a memory cap, so the server holds only the result.

    server: bytes -> a private folder -> child process (address space capped) -> the reader:
            read_imu_csv / detect_columns (an IMU upload), read_series_csv (a series upload)
    child:  recording or table -> arrays.npz (no pickles) + result.json (numbers, names, sentences)
    server: np.load(allow_pickle=False) + json -> the same ImuRecording or SeriesTable; the
            folder is removed

Whatever the reader needs while it works (the decoded text, pandas' frames, temporaries) lives
and dies in the child: the server's memory never grows by it, and a file that would need more
than the cap is refused with a sentence instead of taking the server's memory. Nothing built
from the file comes back as a pickle: only plain arrays and JSON. Each job kind ("imu",
"detect", "series") names its reader's error and the words its sentences use (`_READS`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from rnn_core.datasets.imu.parse import ImuFormatError, named_bytes
from rnn_core.datasets.imu.reader import ImuRecording, detect_columns, read_imu_csv
from rnn_core.datasets.imu.samples import RawSamples
from rnn_core.datasets.series.reader import (
    Detected,
    SeriesFormatError,
    SeriesTable,
    read_series_csv,
)
from rnn_core.datasets.windows import DataError

PARSE_MIB = 2048  # address space a reading may add to the child's own (its imports excluded):
# a 50 MB upload peaks near 1.3 GiB of it (pandas' parser reserves more than it touches)
PARSE_TIMEOUT_S = 600.0  # a reading still busy after this long is ended, and said so
RESULT = "result.json"
ARRAYS = "arrays.npz"
_RAW_ARRAYS = ("time", "accel", "gyro", "mag", "row_time")
# readings at once, one per core: more tabs uploading at once wait their turn (their pages say
# "Reading the recording…") instead of each adding a reader's peak to the machine's memory
_READINGS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))
_OUT_OF_MEMORY = ("out of memory", "Unable to allocate", "malloc of size", "std::bad_alloc")


def parse_mib() -> int:
    """The cap of one reading, in MiB: RNN_EXPLORER_UPLOAD_PARSE_MIB, else PARSE_MIB."""
    text = os.environ.get("RNN_EXPLORER_UPLOAD_PARSE_MIB", "")
    return int(text) if text.strip().isdigit() and int(text) > 0 else PARSE_MIB


def read_imu_capped(
    data: bytes, name: str, column_map: dict | None = None, target_rate: float | None = None
) -> ImuRecording:
    """`read_imu_csv` of an upload's bytes, run in a capped child process; the same recording,
    or ImuFormatError / DataError with a sentence (also when the file needs more than the cap)."""
    options = {"column_map": column_map, "target_rate": target_rate}
    return recording_from_parts(*_capped(("imu", name, options), data))


def detect_columns_capped(data: bytes, name: str) -> tuple[list[str], dict[str, str]]:
    """`detect_columns` of an upload's bytes, run in a capped child process."""
    result, _ = _capped(("detect", name, {}), data)
    return list(result["columns"]), dict(result["proposed"])


def read_series_capped(
    data: bytes,
    name: str,
    time_column: str | None = None,
    missing_codes: tuple[float, ...] = (),
) -> SeriesTable:
    """`read_series_csv` of an upload's bytes, run in a capped child process; the same table, or
    SeriesFormatError / DataError with a sentence (also when the file needs more than the cap)."""
    options = {"time_column": time_column, "missing_codes": tuple(missing_codes)}
    return table_from_parts(*_capped(("series", name, options), data))


def recording_parts(recording: ImuRecording) -> tuple[dict, dict[str, np.ndarray]]:
    """(JSON-able fields, plain arrays) that together hold a recording, without pickles."""
    raw = recording.raw
    fields = {
        "columns": list(recording.channels.columns),
        "sample_rate": recording.sample_rate,
        "segments": [list(s) for s in recording.segments],
        "detected": list(recording.detected),
        "source_format": recording.source_format,
        "has_orientation": recording.has_orientation,
        "raw": None if raw is None else {"segments": [list(s) for s in raw.segments]},
    }
    if raw is not None:
        fields["raw"]["rate"] = raw.rate
    arrays = {"time": recording.time, "channels": recording.channels.to_numpy()}
    for key, value in (("labels", recording.labels), ("motion", recording.motion)):
        if value is not None:
            arrays[key] = value
    for key in _RAW_ARRAYS if raw is not None else ():
        if getattr(raw, key) is not None:
            arrays[f"raw.{key}"] = getattr(raw, key)
    return fields, arrays


def recording_from_parts(fields: dict, arrays: dict[str, np.ndarray]) -> ImuRecording:
    """The recording that `recording_parts` took apart."""
    raw = None
    if fields["raw"] is not None:
        values = {key: arrays.get(f"raw.{key}") for key in _RAW_ARRAYS}
        segments = tuple(tuple(int(i) for i in s) for s in fields["raw"]["segments"])
        raw = RawSamples(**values, segments=segments, rate=fields["raw"]["rate"])
    return ImuRecording(
        time=arrays["time"],
        channels=pd.DataFrame(arrays["channels"], columns=fields["columns"]),
        sample_rate=fields["sample_rate"],
        segments=tuple(tuple(int(i) for i in s) for s in fields["segments"]),
        labels=arrays.get("labels"),
        motion=arrays.get("motion"),
        detected=tuple(fields["detected"]),
        source_format=fields["source_format"],
        has_orientation=bool(fields["has_orientation"]),
        raw=raw,
    )


def table_parts(table: SeriesTable) -> tuple[dict, dict[str, np.ndarray]]:
    """(JSON-able fields, plain arrays) that together hold a series table, without pickles."""
    fields = {
        "name": table.name,
        "columns": list(table.columns),
        "units": list(table.units),
        "segments": [list(s) for s in table.segments],
        "detected": {f.name: getattr(table.detected, f.name) for f in dataclasses.fields(Detected)},
    }
    return fields, {"time": table.time, "values": table.values}


def table_from_parts(fields: dict, arrays: dict[str, np.ndarray]) -> SeriesTable:
    """The table that `table_parts` took apart: JSON's lists back to the Detected's tuples."""
    d = fields["detected"]
    detected = Detected(
        delimiter=d["delimiter"],
        decimal=d["decimal"],
        time_column=d["time_column"],
        time_kind=d["time_kind"],
        start=d["start"],
        step_seconds=float(d["step_seconds"]),
        jitter=float(d["jitter"]),
        gaps=tuple((float(at), float(length)) for at, length in d["gaps"]),
        missing_steps=int(d["missing_steps"]),
        missing_cells={str(c): int(n) for c, n in d["missing_cells"].items()},
        left_out=tuple(d["left_out"]),
        sentences=tuple(d["sentences"]),
    )
    return SeriesTable(
        name=fields["name"],
        time=arrays["time"],
        values=arrays["values"],
        columns=tuple(fields["columns"]),
        units=tuple(fields["units"]),
        segments=tuple((int(start), int(end)) for start, end in fields["segments"]),
        detected=detected,
    )


def _imu_parts(file, column_map=None, target_rate=None) -> tuple[dict, dict]:
    return recording_parts(read_imu_csv(file, column_map, target_rate))


def _detect_parts(file) -> tuple[dict, dict]:
    columns, proposed = detect_columns(file)
    return {"columns": list(columns), "proposed": dict(proposed)}, {}


def _series_parts(file, time_column=None, missing_codes=()) -> tuple[dict, dict]:
    return table_parts(read_series_csv(file, time_column, missing_codes))


@dataclasses.dataclass(frozen=True)
class _Read:
    """One job kind: what the child runs, the error its reader raises, the words its sentences
    use for the file ("send a shorter {what}", "check that it is {looks_like}")."""

    parts: Callable[..., tuple[dict, dict]]  # (named file, **options) -> (fields, arrays)
    error: type[DataError]
    what: str
    looks_like: str


_IMU_FILE = "a CSV or a zip export of an IMU recording"
_READS = {
    "imu": _Read(_imu_parts, ImuFormatError, "recording", _IMU_FILE),
    "detect": _Read(_detect_parts, ImuFormatError, "recording", _IMU_FILE),
    "series": _Read(
        _series_parts, SeriesFormatError, "series", "a CSV (or a zip of one) of a series"
    ),
}


class _folder:
    """A private temporary folder, removed with all it holds on exit."""

    def __enter__(self) -> Path:
        self.path = Path(tempfile.mkdtemp(prefix="rnn-upload-"))
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _capped(job: tuple, data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """`job` (kind, name, options) run over `data` in a capped child: (its fields, its arrays)."""
    with _folder() as folder:
        (folder / "upload").write_bytes(data)
        result = _run(job, folder)
        if not (folder / ARRAYS).is_file():
            return result, {}
        with np.load(folder / ARRAYS, allow_pickle=False) as arrays:
            return result, {key: arrays[key] for key in arrays.files}


def _run(job: tuple, folder: Path) -> dict:
    """Run `job` in a child over `folder`; its result.json, or the sentence it ended with."""
    from rnn_core.live.processes import training_context  # the server's one fork server

    kind, name, _ = job
    cap = parse_mib() * 2**20
    with _READINGS:
        child = training_context().Process(target=child_main, args=(job, str(folder), cap))
        child.daemon = True
        child.start()
        child.join(PARSE_TIMEOUT_S)
        timed_out = child.is_alive()
        if timed_out:
            child.kill()
            child.join()
    if timed_out:
        raise _READS[kind].error(
            f"{name} took longer than {PARSE_TIMEOUT_S:.0f} s to read: "
            f"send a shorter {_READS[kind].what}."
        )
    result_path = folder / RESULT
    result = json.loads(result_path.read_text()) if result_path.is_file() else None
    if result is None or "error" in result:
        raise _refusal(result, kind, name, child.exitcode)
    return result


def _refusal(result: dict | None, kind: str, name: str, exitcode: int | None) -> DataError:
    """The sentence a child ended with, as the error the reader would have raised."""
    read = _READS[kind]
    ended = None if result is None else result.get("kind")
    if ended == "data":
        return DataError(str(result["error"]))
    if ended == "format":
        return read.error(str(result["error"]))
    if ended == "memory":
        return read.error(
            f"{name} needs more memory to read than the server gives one file "
            f"({parse_mib():,} MiB): send a shorter {read.what}, or fewer columns."
        )
    return read.error(
        f"{name} could not be read (the reader stopped, code {exitcode}): check that it is "
        f"{read.looks_like}."
    )


def child_main(job: tuple, folder: str, cap: int) -> None:
    """In the child: cap the address space, do the job (kind, name, options) with the reader its
    kind names, write its result (never a pickle)."""
    _cap_address_space(cap)
    kind, name, options = job
    read = _READS[kind]
    out = Path(folder)
    try:
        result, arrays = read.parts(named_bytes(name, (out / "upload").read_bytes()), **options)
        if arrays:
            np.savez(out / ARRAYS, **arrays)
    except (DataError, MemoryError) as error:
        result = {"error": str(error), "kind": _kind(error, read.error)}
    (out / RESULT).write_text(json.dumps(result, default=_plain))


def _plain(value):
    """A NumPy scalar as the Python number JSON writes."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _kind(error: BaseException, format_error: type[DataError]) -> str:
    """ "memory" when the cap stopped the reading (a MemoryError, or the parser's own words for
    one, anywhere in the chain: the reader rewords parser errors), else "format" (the reader's
    own error) or "data"."""
    seen: BaseException | None = error
    while seen is not None:
        words = str(seen)
        if isinstance(seen, MemoryError) or any(sign in words for sign in _OUT_OF_MEMORY):
            return "memory"
        seen = seen.__cause__ or seen.__context__
    return "format" if isinstance(error, format_error) else "data"


def _cap_address_space(extra: int) -> None:
    """Limit this process's address space to what it maps now plus `extra` bytes."""
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
