"""A run as a zip (settings.json, history.csv, model.pt) and back: what the Runs page downloads
and imports. An import is checked before anything is stored: sizes, names, columns, numbers, and a
model that loads with torch.load(weights_only=True)."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pandas as pd
import torch

from rnn_core.runs.store import COLUMNS, RunRecord, RunStore

SETTINGS, HISTORY, MODEL = "settings.json", "history.csv", "model.pt"
MAX_UNPACKED = 200_000_000  # bytes an import may unpack to (a zip bomb stops here)
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
        archive.writestr(HISTORY, store.history(record.id).to_csv(index=False))
        state = store.state_bytes(record.id)
        if state is not None:
            archive.writestr(MODEL, state)
    return buffer.getvalue()


def import_zip(store: RunStore, owner: str, data: bytes) -> RunRecord:
    """Store the zip's run as a new run of `owner` (stopped, resumable when it has a model);
    ArchiveError with a sentence when the zip is not such a run."""
    summary, history, model = _read(data)
    record = store.create_run(
        owner,
        name=summary["name"],
        source=summary["source"],
        cell=summary["cell"],
        parameters=summary["parameters"],
        seed=summary["seed"],
        settings=summary["settings"],
        sweep=summary.get("sweep"),
        state="stopped" if summary["state"] not in ("finished", "early_stopped") else "finished",
    )
    store.append_rows(record.id, history)
    if model is not None:
        step = int(history[-1, 0]) if len(history) else 0
        store.save_state(record.id, step, model)
    return store.get(record.id)


def _read(data: bytes) -> tuple[dict, np.ndarray, bytes | None]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, ValueError) as error:
        raise ArchiveError(_not_a_run("it is not a zip file")) from error
    missing = [name for name in (SETTINGS, HISTORY) if name not in names]
    if missing:
        raise ArchiveError(_not_a_run(f"it has no {' or '.join(missing)}"))
    if sum(info.file_size for info in names.values()) > MAX_UNPACKED:
        raise ArchiveError(_not_a_run("it unpacks to more than 200 MB"))
    summary = _summary(archive.read(SETTINGS))
    history = _history(archive.read(HISTORY))
    model = archive.read(MODEL) if MODEL in names else None
    if model is not None:
        try:
            torch.load(io.BytesIO(model), weights_only=True, map_location="cpu")
        except Exception as error:  # whatever fails, the file is not a model of ours
            raise ArchiveError(_not_a_run(f"its {MODEL} is not a saved model")) from error
    return summary, history, model


def _not_a_run(detail: str) -> str:
    return NOT_A_RUN.format(what=f"{SETTINGS}, {HISTORY} and {MODEL}", detail=detail)


def _summary(text: bytes) -> dict:
    try:
        summary = json.loads(text)
    except (UnicodeDecodeError, ValueError) as error:
        raise ArchiveError(_not_a_run(f"its {SETTINGS} is not JSON")) from error
    kinds = {"name": str, "source": str, "cell": str, "parameters": int, "seed": int}
    kinds |= {"state": str, "settings": dict}
    wrong = [k for k, kind in kinds.items() if not isinstance(summary.get(k), kind)]
    if not isinstance(summary, dict) or wrong:
        raise ArchiveError(_not_a_run(f"its {SETTINGS} lacks {', '.join(wrong) or 'a summary'}"))
    return summary


def _history(text: bytes) -> np.ndarray:
    try:
        frame = pd.read_csv(io.BytesIO(text))
    except (ValueError, UnicodeDecodeError) as error:
        raise ArchiveError(_not_a_run(f"its {HISTORY} is not a CSV table")) from error
    if tuple(frame.columns) != COLUMNS:
        raise ArchiveError(_not_a_run(f"its {HISTORY} must have the columns {', '.join(COLUMNS)}"))
    try:
        values = frame.to_numpy(dtype=float)  # (n, C)
    except ValueError as error:
        raise ArchiveError(_not_a_run(f"its {HISTORY} holds text where numbers belong")) from error
    steps = values[:, 0]
    if not np.isfinite(steps).all() or (np.diff(steps) <= 0).any():
        raise ArchiveError(_not_a_run(f"the steps of its {HISTORY} must increase"))
    return values
