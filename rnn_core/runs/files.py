"""Weights and optimizer states as files: written atomically (a temporary file, flushed, then
renamed over the old one), so a server killed mid-write leaves the previous file whole."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

STATE_FILE = "state.pt"  # the latest TrainingState: weights, optimizer, scheduler, history


def write_atomically(path: Path, data: bytes) -> int:
    """Write `data` to `path` so that readers see the old file or the new one, never a part;
    returns the bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(data)


def run_folder(root: Path, run_id: str) -> Path:
    """The folder of one run's files (run ids are hex: no path can be smuggled in)."""
    if not run_id.isalnum():
        raise ValueError(f"not a run id: {run_id[:40]!r}")
    return root / run_id


def read(path: Path) -> bytes | None:
    """The file's bytes, None when it is missing."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def remove_run(root: Path, run_id: str) -> None:
    """Delete a run's folder of files (nothing when there is none)."""
    shutil.rmtree(run_folder(root, run_id), ignore_errors=True)
