"""A run's data kept with it: the upload, set of uploads or pasted text a new run trains on goes
into the store with the run (`rnn_core.runs.blobs`); Open and Resume make it the session's data
again when the session does not hold it, read and checked like an upload."""

from __future__ import annotations

import hashlib

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.datasets.imu.recordings import ROLES
from rnn_core.runs.blobs import KINDS, DataGone, RunData, digest_of
from rnn_core.runs.store import RunRecord, RunStore
from ui.imu_sets import SET_UPLOAD, files_digest, restore_set
from ui.imu_source import UPLOAD as IMU_UPLOAD
from ui.imu_source import restore_upload
from ui.link import MAX_PASTED
from ui.plain import as_text
from ui.series_source import HELD as SERIES_HELD
from ui.series_source import UPLOAD as SERIES_UPLOAD
from ui.series_source import SeriesSource, restore_series_upload
from ui.settings import TEXT_CHOICES, shortened
from ui.source_kinds import ImuSetSource, ImuSource, Source
from ui.sources import current_source, missing_source
from ui.state import setting
from ui.text_source import TextSource

PASTE, TEXT_UPLOAD = TEXT_CHOICES[-2:]
SIZES = "run_data.sizes"  # session key: (source key, {digest: bytes}) of its data to keep
GONE = (
    "This run cannot be opened: {why}, and this session does not hold the file. Choose the "
    "same data on 1 · Data (upload it again), then open the run again."
)


def session_data(source: Source) -> RunData | None:
    """What of `source` a link cannot carry, to keep with a run: the uploaded file, set of
    files, or text uploaded or pasted too long for a link; None for data a link describes."""
    if isinstance(source, ImuSource) and setting("imu.choice") == IMU_UPLOAD:
        held = st.session_state.get("imu.last_upload")
        if held and hashlib.sha1(held[1]).hexdigest() == source.imu.digest:
            return RunData("imu-upload", held[0], (held,))
    if isinstance(source, ImuSetSource) and setting("imu.choice") == SET_UPLOAD:
        files = st.session_state.get("imu.set_files")
        if files and files_digest(files) == source.imu_set.digest:
            roles = ("roles", list(source.imu_set.roles))
            return RunData("imu-set", source.label, tuple(files), (roles,))
    if isinstance(source, SeriesSource) and setting("series.choice") == SERIES_UPLOAD:
        held = st.session_state.get(SERIES_HELD)
        if held and hashlib.sha1(held[1]).hexdigest() == source.series.digest:
            return RunData("series-upload", held[0], (held,))
    if isinstance(source, TextSource) and _text_needs_keeping():
        name = source.label.rsplit(" (", 1)[0]  # "File a.txt", "Pasted text"
        return RunData("text", name, ((name, source.text.encode("utf-8")),))
    return None


def _text_needs_keeping() -> bool:
    """An uploaded text, or pasted text longer than a link carries."""
    choice = setting("text.choice")
    return choice == TEXT_UPLOAD or choice == PASTE and len(setting("text.pasted")) > MAX_PASTED


def unkept_megabytes(store: RunStore, owner: str) -> float:
    """What a new run would add to the owner's usage with the session's upload or text: its
    megabytes, nothing for files their runs keep already."""
    source = current_source()
    sizes = st.session_state.get(SIZES)
    if sizes is None or sizes[0] != source.key:  # hashed once per source, not on each rerun
        data = session_data(source)
        files = data.files if data is not None else ()
        sizes = (source.key, {digest_of(content): len(content) for _, content in files})
        st.session_state[SIZES] = sizes
    kept = store.kept_for(owner, sizes[1])
    return sum(size for digest, size in sizes[1].items() if digest not in kept) / 1e6


def keep_session_data(listener) -> None:
    """Have the run `listener` keeps store the session's upload or text with it, once its
    record is made (nothing for data a link describes, or without a store)."""
    data = session_data(current_source()) if listener is not None else None
    if data is None or listener.create is None:
        return
    create, made = listener.create, []

    def create_with_data():
        """The record, then its data: a failed write is tried again, the record made once."""
        if not made:
            made.append(create())
        listener.store.keep_data(listener.run_id, data)
        return made[0]

    listener.create = create_with_data


def restore_run_data(store: RunStore, record: RunRecord) -> bool:
    """After Open set the run's settings: its kept data made the session's again unless the
    session holds the same bytes; False, with a sentence on the page, when the data is gone or
    is refused by the checks an upload gets."""
    entry = record.settings.get("data")
    if not isinstance(entry, dict) or entry.get("kind") not in KINDS:
        return True  # a run of data a link describes, or from before data was kept
    try:
        files = _kept_or_held(store, record.id, entry)
        _restore(entry, files)
    except DataGone as gone:
        st.error(as_text(GONE.format(why=gone)))
        return False
    except DataError as error:
        st.error(as_text(f"This run cannot be opened: the data kept with it is refused: {error}"))
        return False
    refused = missing_source()
    if refused:
        st.error(as_text(f"This run cannot be opened: the data kept with it is refused. {refused}"))
        return False
    return True


def _kept_or_held(store: RunStore, run_id: str, entry: dict) -> tuple[tuple[str, bytes], ...]:
    """The run's files: the session's own when it holds the same bytes, else the kept ones."""
    held = _held_files(entry.get("kind"))
    wanted = [f.get("digest") for f in entry.get("files", []) if isinstance(f, dict)]
    if held and [digest_of(data) for _, data in held] == wanted:
        return tuple(held)
    files = store.run_data(run_id)
    if not files:
        name = shortened(str(entry.get("name", "a file")), 80)
        raise DataGone(f"its data, {name}, was not kept with it")
    return tuple(files)


def _held_files(kind: str) -> list[tuple[str, bytes]]:
    """The files of this kind the session holds now."""
    if kind == "imu-upload":
        held = st.session_state.get("imu.last_upload")
        return [held] if held else []
    if kind == "imu-set":
        return list(st.session_state.get("imu.set_files") or ())
    if kind == "series-upload":
        held = st.session_state.get(SERIES_HELD)
        return [held] if held else []
    return []


def _restore(entry: dict, files: tuple[tuple[str, bytes], ...]) -> None:
    """Put the files where an upload of this kind would be (DataError for a refused text)."""
    kind = entry["kind"]
    if kind == "imu-upload":
        restore_upload(*files[0])
    elif kind == "series-upload":
        restore_series_upload(*files[0])
    elif kind == "imu-set":
        roles = entry.get("roles")
        fits = isinstance(roles, list) and all(role in ROLES for role in roles)
        restore_set(files, roles if fits else ())
    else:
        TextSource.restore(*files[0])
    st.session_state.pop("source", None)  # the source is made again from these bytes
