"""The session's chosen source: the Data page's choice, else the one the settings describe, and a
sentence when the data it needs (an upload, pasted text) is missing."""

from __future__ import annotations

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.datasets.sine import SineConfig
from ui.plain import as_text
from ui.series_source import SeriesSource
from ui.settings import shortened
from ui.source_kinds import ImuSource, MemorySource, SineSource, Source
from ui.state import chosen
from ui.text_source import TextSource

NO_SOURCE = "source.none"  # session key: why the session has no data of its own to train on
WARNED = "source.warned"  # session key: that sentence is drawn at the top of this run's page
KINDS: dict[str, type[Source]] = {  # the `source_kind` setting's values -> their kinds
    kind.kind: kind for kind in (SineSource, TextSource, ImuSource, MemorySource, SeriesSource)
}


def chosen_kind() -> type[Source]:
    """The kind of data the session's settings choose."""
    return KINDS[chosen("source_kind")]


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
        return SineSource("Sine: default", SineConfig())
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
