"""A run as a zip (settings.json, history.csv, model.pt) and back: what the Runs page downloads
and imports. An import is checked before anything is stored (`rnn_core.runs.imported`): sizes,
names, columns, numbers, settings that make a valid model and training, and a training state
(read with torch.load(weights_only=True)) whose every tensor has the shape that model needs."""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnn_core.bounds import MAX_HISTORY_ROWS
from rnn_core.runs.columns import downloaded_unit, run_unit
from rnn_core.runs.compare import ORIGINS, origin_setting
from rnn_core.runs.imported import checked_history, checked_state, checked_summary
from rnn_core.runs.store import COLUMNS, ROW_BYTES, RunRecord, RunStore, Usage
from rnn_core.units import history_to_download
from rnn_core.untrusted import Untrusted

SETTINGS, HISTORY, MODEL = "settings.json", "history.csv", "model.pt"
MAX_UNPACKED = 200_000_000  # bytes an import may unpack to (a zip bomb stops here)
MAX_SETTINGS_BYTES = 2_000_000  # a run's settings are a few kilobytes
MAX_HISTORY_BYTES = 200 * MAX_HISTORY_ROWS  # a history row is under 200 characters of CSV
NOT_A_RUN = "This file is not a run downloaded from the Runs page (a .zip with {what}): {detail}."
RECORD_FIELDS = ("name", "source", "cell", "parameters", "seed", "state", "steps", "sweep")


class ArchiveError(ValueError):
    """A zip that cannot be imported; the message says what is wrong with it."""


def run_zip(store: RunStore, record: RunRecord) -> bytes:
    """The run as a zip: its settings and summary, its whole history, and its latest training
    state (weights, optimizer) when one was saved."""
    summary = {field: getattr(record, field) for field in RECORD_FIELDS}
    summary["settings"] = record.settings
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(SETTINGS, json.dumps(summary, indent=2))
        history = history_to_download(store.history(record.id), run_unit(record))
        archive.writestr(HISTORY, history.to_csv(index=False))  # losses as the Runs page reads
        state = store.state_bytes(record.id)
        if state is not None:
            archive.writestr(MODEL, state)
    return buffer.getvalue()


@dataclass(frozen=True)
class ImportedRun:
    """A run read from a zip and checked, not yet stored."""

    summary: dict  # checked_summary's fields
    history: np.ndarray  # (n, len(COLUMNS)) rows, steps whole and increasing
    model: bytes | None  # its training state, checked against its settings

    @property
    def usage(self) -> Usage:
        """What storing it adds to its owner's usage (as `RunStore.usage` counts it)."""
        steps = int(self.history[-1, 0]) if len(self.history) else 0
        return Usage(1, (len(self.model or b"") + ROW_BYTES * steps) / 1e6)


def import_zip(store: RunStore, owner: str, data: bytes) -> RunRecord:
    """Store the zip's run as a new run of `owner` (stopped, resumable when it has a model);
    ArchiveError with a sentence when the zip is not such a run."""
    return store_run(store, owner, read_run(data))


def read_run(data: bytes) -> ImportedRun:
    """The zip's run, every part checked by type, shape and size before anything is built from
    it; ArchiveError with a sentence when it is not a run this app can open."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, ValueError, TypeError) as error:
        raise ArchiveError(_not_a_run("it is not a zip file")) from error
    missing = [name for name in (SETTINGS, HISTORY) if name not in names]
    if missing:
        raise ArchiveError(_not_a_run(f"it has no {' or '.join(missing)}"))
    if sum(info.file_size for info in names.values()) > MAX_UNPACKED:
        raise ArchiveError(_not_a_run("it unpacks to more than 200 MB"))
    for name, most in ((SETTINGS, MAX_SETTINGS_BYTES), (HISTORY, MAX_HISTORY_BYTES)):
        if names[name].file_size > most:
            raise ArchiveError(_not_a_run(f"its {name} is larger than {most / 1e6:g} MB"))
    try:
        summary = checked_summary(_json(archive.read(SETTINGS)))
        history = checked_history(_history(archive.read(HISTORY)))
        model = archive.read(MODEL) if MODEL in names else None
        if model is not None:
            checked_state(model, summary["settings"])
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError) as error:  # damaged
        raise ArchiveError(_not_a_run("it is damaged (a part does not unpack)")) from error
    except Untrusted as error:
        raise ArchiveError(_not_a_run(str(error))) from None
    return ImportedRun(summary, history, model)


def store_run(store: RunStore, owner: str, run: ImportedRun) -> RunRecord:
    """Store a checked run as a new run of `owner`: stopped, or finished when it had finished."""
    summary = run.summary
    record = store.create_run(
        owner,
        name=summary["name"],
        source=summary["source"],
        cell=summary["cell"],
        parameters=summary["parameters"],
        seed=summary["seed"],
        settings=imported_settings(summary["settings"]),
        sweep=summary["sweep"],
        state="stopped" if summary["state"] not in ("finished", "early_stopped") else "finished",
    )
    store.append_rows(record.id, run.history)
    if run.model is not None:
        step = int(run.history[-1, 0]) if len(run.history) else 0
        store.save_state(record.id, step, run.model)
    return store.get(record.id)


def imported_settings(settings: dict) -> dict:
    """The settings an imported run keeps: its own, its origin now an import (the origin it
    had where it was made, when it is one of this app's kinds, kept as `was`)."""
    before = settings.get("origin")
    was = before.get("kind") if isinstance(before, dict) else None
    origin = origin_setting("import")
    if was in ORIGINS:
        origin["was"] = was
    return {**settings, "origin": origin}


def _not_a_run(detail: str) -> str:
    return NOT_A_RUN.format(what=f"{SETTINGS}, {HISTORY} and {MODEL}", detail=detail)


def _json(text: bytes):
    try:
        return json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ArchiveError(_not_a_run(f"its {SETTINGS} is not JSON")) from error


def _history(text: bytes) -> np.ndarray:
    """The CSV's rows as floats (n, C), at most one past the bound read."""
    try:
        frame = pd.read_csv(io.BytesIO(text), nrows=MAX_HISTORY_ROWS + 1)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ArchiveError(_not_a_run(f"its {HISTORY} is not a CSV table")) from error
    unit = downloaded_unit(tuple(frame.columns), COLUMNS)
    if unit is None:
        raise ArchiveError(
            _not_a_run(
                f"its {HISTORY} must have the columns {', '.join(COLUMNS)} (a loss may name "
                "its unit: loss (bits/char))"
            )
        )
    try:
        values = frame.to_numpy(dtype=float)  # (n, C)
    except (ValueError, TypeError) as error:
        raise ArchiveError(_not_a_run(f"its {HISTORY} holds text where numbers belong")) from error
    for column in ("loss", "val_loss"):
        values[:, COLUMNS.index(column)] /= unit.scale  # back to the stored nats
    return values
