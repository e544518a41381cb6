"""The run store: every training's settings, history, state and weights, kept in SQLite (a folder)
or PostgreSQL (a URL), so that a reload or a restart loses nothing."""

from rnn_core.runs.location import StoreError, store_location
from rnn_core.runs.store import RunRecord, RunStore, open_store

__all__ = ["RunRecord", "RunStore", "StoreError", "open_store", "store_location"]
