"""Uploads let go when their session ends (the tab closed, or its connection lost).

Streamlit keeps a closed tab's session for two minutes in case it reconnects, and never frees
the files its uploaders received unless the session is shut down, which a session kept for a
reconnect never is: without this, every upload stayed in the server's memory for good. When a
session that holds an upload disconnects (a session-scoped resource's release, which Streamlit
calls then), its uploads are dropped: the bytes and what was read of them, the uploader's
files, and the memory the C allocator then holds free is handed back to the system. A session
that reconnects finds no upload and asks for the file again, with a sentence.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import threading
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

log = logging.getLogger(__name__)

UPLOAD_KEYS = (  # session keys that hold an upload's bytes or what was read of them
    "imu.upload",
    "imu.last_upload",
    "imu.by_digest",
    "text.upload",
    "text.last_upload",
    "text.by_digest",
    "series.upload",
    "series.last_upload",
    "series.by_digest",
)
TRIM_AFTER_S = 1.0  # the release runs on the server's event loop: the trim waits a moment


@dataclass(frozen=True)
class _Session:
    """What the release needs of a session: its id and its state."""

    id: str
    state: object  # the session's SafeSessionState


def release_uploads_at_session_end() -> None:
    """Have this session's uploads let go when it ends (once per session; a no-op outside a
    served session)."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        _watched(ctx.session_id)


def _released(session: _Session) -> None:
    """Drop the session's uploads, Streamlit's copies of its files, and free memory."""
    for key in UPLOAD_KEYS:
        with contextlib.suppress(KeyError):
            del session.state[key]
    if Runtime.exists():
        Runtime.instance().uploaded_file_mgr.remove_session_files(session.id)
    trim = threading.Timer(TRIM_AFTER_S, give_memory_back)
    trim.daemon = True  # a server that stops does not wait for it
    trim.start()


@st.cache_resource(scope="session", on_release=_released, show_spinner=False)
def _watched(session_id: str) -> _Session:
    """The session, kept in its own scope: Streamlit releases it as the session ends."""
    return _Session(session_id, get_script_run_ctx().session_state)


def give_memory_back() -> None:
    """Collect garbage, then hand the C allocator's free memory back to the system (glibc
    keeps freed blocks of every thread's arena otherwise)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        log.debug("malloc_trim is not available")
