"""A run's data kept with it: the upload, set of uploads or pasted text a new run trains on goes
into the store with the run (`rnn_core.runs.blobs`); Open and Resume make it the session's data
again when the session does not hold it, read and checked like an upload."""

from __future__ import annotations

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.runs.blobs import KINDS, DataGone, RunData, digest_of
from rnn_core.runs.store import RunRecord, RunStore
from ui.session.plain import as_text
from ui.session.settings import shortened
from ui.session.source import Source, current_source, keeper_of, missing_source

SIZES = "run_data.sizes"  # session key: (source key, {digest: bytes}) of its data to keep
GONE = (
    "This run cannot be opened: {why}, and this session does not hold the file. Choose the "
    "same data on 1 · Data (upload it again), then open the run again."
)


def session_data(source: Source) -> RunData | None:
    """What of `source` a link cannot carry, to keep with a run: the uploaded file, set of
    files, or text uploaded or pasted too long for a link; None for data a link describes."""
    return source.kept_data()


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
    return keeper_of(kind).held_files(kind)


def _restore(entry: dict, files: tuple[tuple[str, bytes], ...]) -> None:
    """Put the files where an upload of this kind would be (DataError for refused data)."""
    keeper_of(entry["kind"]).restore_kept(entry, files)
    st.session_state.pop("source", None)  # the source is made again from these bytes
