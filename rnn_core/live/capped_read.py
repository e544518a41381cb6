"""An upload read in a short-lived process with a memory cap, so the server holds only the result.

    server: bytes -> a private folder -> child process (address space capped) -> read_imu_csv
    child:  recording -> arrays.npz (no pickles) + result.json (numbers, names, sentences)
    server: np.load(allow_pickle=False) + json -> the same ImuRecording; the folder is removed

Whatever the reader needs while it works (the decoded text, pandas' frames, temporaries) lives
and dies in the child: the server's memory never grows by it, and a file that would need more
than the cap is refused with a sentence instead of taking the server's memory. Nothing built
from the file comes back as a pickle: only plain arrays and JSON.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import tempfile
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from rnn_core.datasets.imu.parse import ImuFormatError
from rnn_core.datasets.imu.reader import ImuRecording, detect_columns, read_imu_csv
from rnn_core.datasets.imu.samples import RawSamples
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
    with _folder() as folder:
        (folder / "upload").write_bytes(data)
        result = _run(("read", name, column_map, target_rate), folder, name)
        with np.load(folder / ARRAYS, allow_pickle=False) as arrays:
            return recording_from_parts(result, {key: arrays[key] for key in arrays.files})


def detect_columns_capped(data: bytes, name: str) -> tuple[list[str], dict[str, str]]:
    """`detect_columns` of an upload's bytes, run in a capped child process."""
    with _folder() as folder:
        (folder / "upload").write_bytes(data)
        result = _run(("detect", name, None, None), folder, name)
        return list(result["columns"]), dict(result["proposed"])


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


class _folder:
    """A private temporary folder, removed with all it holds on exit."""

    def __enter__(self) -> Path:
        self.path = Path(tempfile.mkdtemp(prefix="rnn-upload-"))
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _run(job: tuple, folder: Path, name: str) -> dict:
    """Run `job` in a child over `folder`; its result.json, or the sentence it ended with."""
    from rnn_core.live.processes import training_context  # the server's one fork server

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
        raise ImuFormatError(
            f"{name} took longer than {PARSE_TIMEOUT_S:.0f} s to read: send a shorter recording."
        )
    result_path = folder / RESULT
    result = json.loads(result_path.read_text()) if result_path.is_file() else None
    if result is None or "error" in result:
        raise _refusal(result, name, child.exitcode)
    return result


def _refusal(result: dict | None, name: str, exitcode: int | None) -> DataError:
    """The sentence a child ended with, as the error the reader would have raised."""
    if result is not None and result.get("kind") == "data":
        return DataError(str(result["error"]))
    if result is not None and result.get("kind") == "imu":
        return ImuFormatError(str(result["error"]))
    if result is not None and result.get("kind") == "memory":
        return ImuFormatError(
            f"{name} needs more memory to read than the server gives one file "
            f"({parse_mib():,} MiB): send a shorter recording, or fewer columns."
        )
    return ImuFormatError(
        f"{name} could not be read (the reader stopped, code {exitcode}): check that it is a "
        "CSV or a zip export of an IMU recording."
    )


def child_main(job: tuple, folder: str, cap: int) -> None:
    """In the child: cap the address space, do the job, write its result (never a pickle)."""
    _cap_address_space(cap)
    kind, name, column_map, target_rate = job
    out = Path(folder)
    try:
        file = _named(name, (out / "upload").read_bytes())
        if kind == "detect":
            columns, proposed = detect_columns(file)
            result = {"columns": list(columns), "proposed": dict(proposed)}
        else:
            result, arrays = recording_parts(read_imu_csv(file, column_map, target_rate))
            np.savez(out / ARRAYS, **arrays)
    except (DataError, MemoryError) as error:
        result = {"error": str(error), "kind": _kind(error)}
    (out / RESULT).write_text(json.dumps(result))


def _kind(error: BaseException) -> str:
    """ "memory" when the cap stopped the reading (a MemoryError, or the parser's own words for
    one, anywhere in the chain: the reader rewords parser errors), else "imu" or "data"."""
    seen: BaseException | None = error
    while seen is not None:
        words = str(seen)
        if isinstance(seen, MemoryError) or any(sign in words for sign in _OUT_OF_MEMORY):
            return "memory"
        seen = seen.__cause__ or seen.__context__
    return "imu" if isinstance(error, ImuFormatError) else "data"


def _named(name: str, data: bytes):
    import io

    file = io.BytesIO(data)
    file.name = name
    return file


def _cap_address_space(extra: int) -> None:
    """Limit this process's address space to what it maps now plus `extra` bytes."""
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
