"""Session settings that outlive a page switch, and the session's experiment."""

from __future__ import annotations

import streamlit as st

from rnn_core.experiment import available_devices

PERSIST = "opt."  # prefix of the keys of widgets whose values last the whole session


def persisted(key: str, value) -> dict:
    """Widget arguments that keep its value for the whole session, across page switches; the
    first value is `value`. Use as `st.slider(..., **persisted("dropout", 0.0))`."""
    full = PERSIST + key
    st.session_state.setdefault(full, value)
    return {"key": full, "persist_state": "session"}


def setting(key: str, value=None):
    """A persistent setting's value (its default when never set)."""
    return st.session_state.get(PERSIST + key, value)


def device() -> str:
    """The device training runs on: CUDA when present unless the user forced the CPU."""
    devices = available_devices()
    chosen = setting("device", devices[0])
    return chosen if chosen in devices else "cpu"


def seed() -> int:
    """The session's seed."""
    return int(setting("seed", 0))
