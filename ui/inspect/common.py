"""Shared pieces of the pages that look inside a trained model."""

from __future__ import annotations

import streamlit as st

from rnn_core.analysis.inspect import gradient_race, model_with_weights, sample_batch
from rnn_core.datasets.imu.prepare import ImuMeta, window_rows
from rnn_core.live.experiment import Experiment
from ui.session.demos import PRESETS
from ui.session.link import ACTIVE_PRESET
from ui.session.source import current_source
from ui.session.state import existing_experiment


def trained_experiment() -> Experiment:
    """The session's experiment with a model, or a pointer to the Train page and a stop."""
    experiment = existing_experiment()
    if experiment is None or experiment.run is None:
        st.info(
            "There is no model yet: train one on **2 · Train** first (a few seconds is enough)."
        )
        st.page_link(
            "app_pages/train.py", label="Go to 2 · Train", icon=":material/model_training:"
        )
        st.stop()
    return experiment


def active_preset_tab() -> str | None:
    """The tab the active lecture demo opens its page on (None: the page's first)."""
    preset = PRESETS.get(st.session_state.get(ACTIVE_PRESET) or "")
    return preset.tab if preset is not None else None


def snapshot_picker(experiment: Experiment, key: str):
    """A slider over the training snapshots (the last one is the model now); returns
    (model with those weights, step). When a training ends the slider starts over at its last
    step, so a page drawn during training does not keep showing early weights."""
    runner = experiment.run
    key = f"{key}.{'training' if runner.active else 'trained'}"
    now_step, now_weights = runner.current_weights()
    weights = {step: state for step, state in runner.snapshots.items() if step != now_step}
    weights[now_step] = now_weights
    steps = sorted(weights)
    if len(steps) > 1:
        step = st.select_slider(
            "Weights at training step",
            options=steps,
            value=steps[-1],
            key=key,
            help="Snapshots are kept every few steps while training; the last one is now.",
        )
    else:
        step = steps[0]
        st.caption(f"Weights at training step {step} (train longer for more snapshots).")
    return model_with_weights(experiment.model, weights[step]), step


def batch(experiment: Experiment, count: int = 16):
    """Evenly spaced validation windows (x, y), the same every rerun."""
    kept = st.session_state.get("inspect.batch")
    if kept is None or kept[0] != (experiment.key, count):
        kept = ((experiment.key, count), sample_batch(experiment.data, count, "validation"))
        st.session_state["inspect.batch"] = kept
    return kept[1]


def batch_labels(experiment: Experiment, count: int = 16):
    """The activity labels (B, T) of the rows `batch` shows, for an IMU recording with labels;
    None otherwise (or when the recording on the Data page has changed since)."""
    source = current_source()
    if not isinstance(experiment.data.meta, ImuMeta) or experiment.key[0] != source.key:
        return None
    _, table = source.recording()
    if table.labels is None:
        return None
    indices = experiment.data.validation.evenly_spaced(count).cpu().numpy()
    return table.labels[window_rows(experiment.data, "validation", indices)]


@st.cache_data(max_entries=64, show_spinner=False)
def race(hidden_size: int, seq_len: int, spectral_radius: float | None, forget_bias: float | None):
    """The gradient race of one-layer RNN, LSTM and GRU models (cached: it is a pure function)."""
    return gradient_race(
        hidden_size=hidden_size,
        seq_len=seq_len,
        spectral_radius=spectral_radius,
        forget_bias=forget_bias,
    )
