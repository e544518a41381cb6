"""Every live run of this server process by id, so that a reloaded page finds its run again."""

from __future__ import annotations

import threading
import weakref

_RUNS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_LOCK = threading.Lock()


def register(run) -> None:
    """Make `run` findable by its id for as long as anything keeps it (an active run keeps
    itself through its thread)."""
    with _LOCK:
        _RUNS[run.id] = run


def find(run_id: str):
    """The live run with this id, or None."""
    with _LOCK:
        return _RUNS.get(run_id)


def live_runs() -> list:
    """Every run still kept, in no particular order."""
    with _LOCK:
        return list(_RUNS.values())
