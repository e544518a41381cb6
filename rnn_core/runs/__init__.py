"""The run store: every training's settings, history, state and weights (store), kept in SQLite or
PostgreSQL (database, location) with files written atomically (files) and the data a run
trained on kept once however many runs use it (blobs), so that a reload or a
restart loses nothing; written as a run goes (listener), joined to live runs (live), owned by the
server that trains them (leases), bounded per owner (quota), shared read-only (sharing), drawn side
by side (compare), named and tabled on the Runs page (naming, columns), and a run as a zip
(archive) checked on import (imported)."""

from rnn_core.runs.location import StoreError, store_location
from rnn_core.runs.store import RunRecord, RunStore, open_store

__all__ = ["RunRecord", "RunStore", "StoreError", "open_store", "store_location"]
