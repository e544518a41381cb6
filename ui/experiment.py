"""The session's experiment: data prepared for the chosen source, knobs and device."""

from __future__ import annotations

import streamlit as st

from rnn_core.datasets.imu.prepare import prepare_imu
from rnn_core.datasets.memory import AddingConfig, prepare_adding, prepare_copy
from rnn_core.datasets.prepare import PreparedData, prepare_series, prepare_text
from rnn_core.live.experiment import Experiment
from ui.imu_source import recording_of
from ui.sources import (
    SINE_FRACTIONS,
    TEXT_FRACTIONS,
    Source,
    current_source,
    sine_series,
    source_text,
)
from ui.state import device, setting


def seq_len() -> int:
    """Window length chosen on the Data page."""
    return int(setting("seq_len", 50))


def prepare(source: Source, length: int, task_shape: str, on: str) -> PreparedData:
    """Train / validation / test windows for a source (raises DataError with a sentence); a
    memory task has its own length and shape."""
    if source.kind == "sine":
        return prepare_series(
            sine_series(source.sine),
            length,
            task_shape,
            SINE_FRACTIONS,
            feature_names=("value",),
            device=on,
        )
    if source.kind == "imu":
        _, table = recording_of(source.imu)
        return prepare_imu(
            table, length, source.imu.task, task_shape, device=on, test_at=source.imu.test_at
        )
    if source.kind == "memory":
        make = prepare_adding if isinstance(source.memory, AddingConfig) else prepare_copy
        return make(source.memory, on)
    return prepare_text(source_text(source), length, TEXT_FRACTIONS, device=on)


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
    data = prepare(
        source, seq_len(), task_shape, "cpu"
    )  # moved to the device by the training process
    st.session_state["experiment"] = Experiment(data, key, device())
    return st.session_state["experiment"]
