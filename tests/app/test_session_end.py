"""A session's uploads are let go when it ends: the keys that hold them are dropped from its
state (whatever else it holds stays, for a reconnect), and memory is handed back."""

from __future__ import annotations

import threading

from ui.session import session_end
from ui.session.session_end import UPLOAD_KEYS, _released, _Session, give_memory_back


def test_the_end_of_a_session_drops_its_uploads_and_nothing_else(monkeypatch):
    trimmed = threading.Event()
    monkeypatch.setattr(session_end, "give_memory_back", trimmed.set)
    monkeypatch.setattr(session_end, "TRIM_AFTER_S", 0.0)
    state = {key: b"x" * 1000 for key in UPLOAD_KEYS[:4]} | {"opt.cell": "GRU"}
    _released(_Session("a-session", state))
    assert state == {"opt.cell": "GRU"}
    assert trimmed.wait(60)  # in a thread of its own, off the server's event loop
    _released(_Session("a-session", state))  # a second end (shut down after a disconnect)
    assert state == {"opt.cell": "GRU"}


def test_memory_is_handed_back_where_the_allocator_allows_it():
    give_memory_back()  # glibc: malloc_trim; elsewhere nothing, and no error
