"""The session's chosen source: the Data page's choice, else the one the settings describe, and a
sentence when the data it needs (an upload, pasted text) is missing. `Source` is what every kind
of data is (the kinds are the sources wing's, `ui/sources/`): a kind is known here by its key once
its module is imported, so the session never imports the wing."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.datasets.prepare import PreparedData
from rnn_core.runs.blobs import RunData
from ui.session.plain import as_text
from ui.session.settings import SETTINGS, shortened
from ui.session.state import chosen

NO_SOURCE = "source.none"  # session key: why the session has no data of its own to train on
WARNED = "source.warned"  # session key: that sentence is drawn at the top of this run's page
_KINDS: dict[str, type] = {}  # each kind's key -> its class (registered by Source itself)
_KEEPERS: dict[str, type] = {}  # a kind of kept data (rnn_core.runs.blobs.KINDS) -> its class


@dataclass(frozen=True)
class Source:
    """What the session trains on; a subclass per kind of data holds what differs per kind."""

    label: str
    kind: ClassVar[str]  # the `source_kind` setting's value for it: "sine", "text", ...
    kept_kinds: ClassVar[tuple[str, ...]] = ()  # the kinds of data it keeps with a run (blobs)

    def __init_subclass__(cls, **kwargs) -> None:
        """Each kind of data is known by its key once its module is imported (the sources
        wing's), so that the session finds it without importing the wing."""
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:
            _KINDS[cls.kind] = cls
        for data_kind in cls.__dict__.get("kept_kinds", ()):
            _KEEPERS[data_kind] = cls

    fixed_shape: ClassVar[str] = ""  # said under Task shape when the data fixes the shape
    own_length: ClassVar[bool] = False  # its sequences have their own length, not the window

    @property
    def key(self) -> tuple:
        """Hashable identity of the data."""
        return (self.kind, *(getattr(self, f.name) for f in fields(self) if f.name != "label"))

    @property
    def task_shape(self) -> str | None:
        """The task shape this data fixes, or None when the person chooses."""
        return None

    def prepare(self, length: int, task_shape: str, on: str) -> PreparedData:
        """Train / validation / test windows of `length` steps on device `on` (DataError with
        a sentence)."""
        raise NotImplementedError

    def recording(self) -> tuple | None:
        """(recording, table) of an IMU recording for the pages that read its samples (labels,
        the export's samples, the filters); None for data that is not one."""
        return None

    @classmethod
    def controls(cls) -> Source | None:
        """The Data page's widgets for this kind; the source they describe (None while it needs
        a file or text; DataError for unusable knobs)."""
        return cls.from_settings()

    @classmethod
    def from_settings(cls) -> Source | None:
        """The source the session's settings describe, without drawing a widget."""
        raise NotImplementedError

    @classmethod
    def needs_a_file(cls) -> bool:
        """True when the settings' data is an upload or pasted text: nothing may stand in."""
        return False

    def kept_data(self) -> RunData | None:
        """What of this source a link cannot carry, to keep with a run (an upload, pasted
        text); None for data its settings describe."""
        return None

    @classmethod
    def held_files(cls, data_kind: str) -> list[tuple[str, bytes]]:
        """The (name, bytes) of this kind of kept data the session holds now."""
        return []

    @classmethod
    def restore_kept(cls, entry: dict, files: tuple[tuple[str, bytes], ...]) -> None:
        """Put a run's kept files where an upload of them would be (DataError with a
        sentence when they are refused)."""
        raise NotImplementedError

    @classmethod
    def missing_what(cls) -> str:
        """What the settings' data is, when the session does not have it."""
        return (
            "an uploaded file, which is not part of a link and has not been uploaded (or was "
            "refused) in this session"
        )


def source_kinds() -> dict[str, type[Source]]:
    """The kinds the Data page offers, in its order: the `source_kind` setting's values."""
    return {key: _KINDS[key] for key in SETTINGS["source_kind"].values.values()}


def keeper_of(data_kind: str) -> type[Source]:
    """The kind of data that keeps, and restores, kept data of this kind."""
    return _KEEPERS[data_kind]


def chosen_kind() -> type[Source]:
    """The kind of data the session's settings choose."""
    return _KINDS[chosen("source_kind")]


def source_from_settings() -> Source | None:
    """The source the session's settings describe, without drawing a widget (a link or a preset
    sets them before the Data page is opened); None while it needs a file or text."""
    return chosen_kind().from_settings()


def needs_a_file() -> bool:
    """True when the settings' data is an upload or pasted text: nothing may stand in for it."""
    return chosen_kind().needs_a_file()


def _missing_sentence() -> str:
    """Why the session has no data of its own yet."""
    what = chosen_kind().missing_what()
    return (
        f"This experiment trains on {what}: choose its data on 1 · Data. Nothing trains until then."
    )


def current_source() -> Source:
    """The session's source: the Data page's choice, else the one the settings describe; the
    default sine when they describe none that can be used (the reason is kept for the page).
    An upload or pasted text that is missing or refused has no stand-in: `missing_source()`
    then says so, and Train and Compare start nothing."""
    source = st.session_state.get("source")
    if source is not None:
        return source
    st.session_state.pop(NO_SOURCE, None)
    try:
        source = source_from_settings()
    except DataError as err:  # an ImuFormatError is a DataError too
        if needs_a_file():
            st.session_state[NO_SOURCE] = f"The chosen file cannot be used: {err} " + (
                "Nothing trains until other data is chosen on 1 · Data."
            )
        else:
            st.session_state["source.problem"] = str(err)
        source = None
    if source is None:
        if needs_a_file() and NO_SOURCE not in st.session_state:
            st.session_state[NO_SOURCE] = _missing_sentence()
        return _KINDS["sine"].default()
    st.session_state["source"] = source
    return source


def missing_source() -> str | None:
    """A sentence when the session's data is an upload or pasted text it does not have (or that
    was refused); None when it has data to train on."""
    current_source()
    if st.session_state.get("source") is not None:  # data chosen since the sentence was kept
        st.session_state.pop(NO_SOURCE, None)
    return st.session_state.get(NO_SOURCE)


def stop_without_data(start_label: str, key: str) -> None:
    """No stand-in for missing data: the page's start button drawn disabled, and the page
    stopped (the sentence that says why is at the top of every page)."""
    if missing_source():
        st.button(start_label, type="primary", disabled=True, key=key)
        st.stop()


def warn_unusable_source() -> None:
    """Say why the data the settings describe cannot be used: once when the default sine stands
    in for unusable knobs, on every page when an upload or pasted text is missing."""
    missing = missing_source()  # builds the source the settings describe, noting why it cannot
    st.session_state[WARNED] = bool(missing)
    if missing:
        st.warning(as_text(shortened(missing, 400)))
    problem = st.session_state.pop("source.problem", None)
    if problem:
        st.warning(
            as_text(f"{problem} The default sine waves are used until this is fixed on 1 · Data.")
        )


def accept_source(source: Source) -> None:
    """Make `source` the session's data (the Data page accepted it); a sentence about missing
    data drawn above it in this run is taken away: the page is drawn again without it."""
    st.session_state["source"] = source
    if st.session_state.pop(WARNED, False):
        st.session_state.pop(NO_SOURCE, None)
        st.rerun()
