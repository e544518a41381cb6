"""The session's experiment: data prepared for the chosen source, knobs and device."""

from __future__ import annotations

import streamlit as st

from rnn_core.live.experiment import Experiment
from ui.session.run_store import listener_for, live_run_to_attach
from ui.session.source import current_source
from ui.session.state import device, setting


def seq_len() -> int:
    """Window length chosen on the Data page."""
    return int(setting("seq_len", 50))


def experiment(task_shape: str = "many_to_many") -> Experiment:
    """The session's experiment for the current source and knobs; a new one when they change.

    Raises DataError when the data cannot make a single window.
    """
    source = current_source()
    task_shape = source.task_shape or task_shape
    key = (source.key, seq_len(), task_shape, device())
    current: Experiment | None = st.session_state.get("experiment")
    if current is not None and current.key == key:
        return current
    if current is not None and current.run is not None and current.run.active:
        return current  # knobs changed mid-training: keep showing the run until it is stopped
    live = live_run_to_attach(key) if current is None else None
    if live is not None:  # a reload, or the same address again: the training never stopped
        exp = Experiment(live.spec.data, key, device(), listener_for=listener_for(key))
        exp.run = live
    else:
        data = source.prepare(seq_len(), task_shape, "cpu")  # the training process moves it
        exp = Experiment(data, key, device(), listener_for=listener_for(key))
    st.session_state["experiment"] = exp
    return exp
