"""Session settings that outlive a page switch, and the session's experiment."""

from __future__ import annotations

import streamlit as st

from rnn_core.experiment import available_devices
from ui.settings import default

PERSIST = "opt."  # prefix of the keys of widgets whose values last the whole session
_DEFAULT = object()


def persisted(key: str, value=_DEFAULT) -> dict:
    """Widget arguments that keep its value for the whole session, across page switches; the
    first value is `value`, else the setting's default in `ui.settings`. Use as
    `st.slider(..., **persisted("dropout"))`."""
    full = PERSIST + key
    st.session_state.setdefault(full, default(key) if value is _DEFAULT else value)
    return {"key": full, "persist_state": "session"}


def setting(key: str, value=_DEFAULT):
    """A persistent setting's value (`value`, else its default in `ui.settings`, until set)."""
    if value is _DEFAULT:
        value = default(key)
    return st.session_state.get(PERSIST + key, value)


def device() -> str:
    """The device training runs on: CUDA when present unless the user forced the CPU."""
    devices = available_devices()
    chosen = setting("device", devices[0])
    return chosen if chosen in devices else "cpu"


def seed() -> int:
    """The session's seed."""
    return int(setting("seed"))
