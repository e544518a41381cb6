"""The run store as the pages see it: opened once per server (see `ui.owner` for whose runs)."""

from __future__ import annotations

import streamlit as st

from rnn_core.runs import RunStore, StoreError, open_store, store_location
from rnn_core.runs.location import is_postgres

STALE_S = 60.0  # with PostgreSQL: a run no replica has touched for this long was interrupted
INTERRUPTED = (
    "The server stopped while this run was training: Resume continues it from its last save."
)


@st.cache_resource(show_spinner=False)
def _opened(location: str) -> RunStore:
    """The store at `location`, once per server; runs that an earlier server left active are
    interrupted (SQLite: any; PostgreSQL: those no replica has touched for a minute)."""
    store = open_store(location)
    store.interrupt_stale(STALE_S if is_postgres(location) else 0.0, INTERRUPTED)
    return store


def run_store() -> RunStore:
    """The server's run store; StoreError (a sentence) when it cannot be used."""
    return _opened(store_location())


def store_problem() -> str | None:
    """Why runs cannot be kept (a sentence), or None when the store works."""
    try:
        run_store()
    except StoreError as error:
        return str(error)
    return None
