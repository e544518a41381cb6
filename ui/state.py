"""Session settings that outlive a page switch, and the session's experiment and trainings.

Read on every page, Home included: nothing here imports torch (see `ui.preload`)."""

from __future__ import annotations

import streamlit as st

from rnn_core.devices import available_devices
from ui.settings import default

PERSIST = "opt."  # prefix of the keys of widgets whose values last the whole session
_DEFAULT = object()
COMPARE_RUNS = "compare.runs"  # session key: {"key": ..., "runs": {label: (config, runner)}}


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


def existing_experiment():
    """The session's experiment (`rnn_core.live.experiment.Experiment`) if one was made, without
    preparing anything; else None."""
    return st.session_state.get("experiment")


def stop_compare_runs() -> None:
    """Stop every training of the session's comparison."""
    for _, runner in st.session_state.get(COMPARE_RUNS, {}).get("runs", {}).values():
        runner.stop(wait=0)
