"""Train-page widgets that return the user's choices as configs."""

from __future__ import annotations

import streamlit as st

from rnn_core.datasets.imu.correction import CorrectionTask
from rnn_core.datasets.prepare import PreparedData
from rnn_core.models import ModelConfig
from rnn_core.training.trainer import TrainConfig, steps_for_epochs
from ui.session.settings import SETTINGS, sizes_from_text
from ui.session.state import chosen, seed, setting, widget


def task_shape_control(source) -> str:
    """How many predictions per window, unless the data fixes it (text, activity, memory)."""
    if source.task_shape is not None:
        st.caption(source.fixed_shape)
        return source.task_shape
    st.radio(**widget("task_shape"), horizontal=True)
    return chosen("task_shape")


def model_controls(data: PreparedData) -> ModelConfig:
    """Cell, sizes and initialisation; returns the ModelConfig for this data."""
    st.selectbox(**widget("cell"))
    c1, c2 = st.columns(2)
    hidden = c1.number_input(**widget("hidden"))
    layers = c2.number_input(**widget("layers"))
    c1.slider(
        **widget("dropout"),
        step=0.05,
        disabled=layers == 1,
        help="Applies between stacked layers only",
    )
    c1.text_input(
        **widget("layer_sizes"),
        max_chars=SETTINGS["layer_sizes"].max_length,
        disabled=layers == 1,
        placeholder=f"{hidden} in every layer",
        help="Sizes from the first layer up, e.g. 64, 32; empty: the hidden size in every layer",
    )
    c2.checkbox(
        **widget("bidirectional"),
        disabled=data.task_shape == "many_to_many",
        help="Only when the task does not forecast every step: a backward pass sees the future.",
    )
    st.radio(**widget("recurrent_init"), horizontal=True)
    return model_config(data)


def model_config(data: PreparedData) -> ModelConfig:
    """The ModelConfig the session's knobs give for this data (ValueError with a sentence)."""
    cell, nonlinearity = chosen("cell")
    layers = int(setting("layers"))
    forecasts_every_step = data.task_shape == "many_to_many"
    return config_for_data(
        data,
        cell=cell,
        nonlinearity=nonlinearity,
        hidden_size=int(setting("hidden")),
        num_layers=layers,
        layer_sizes=_layer_sizes(setting("layer_sizes"), layers),
        dropout=float(setting("dropout")) if layers > 1 else 0.0,
        bidirectional=bool(setting("bidirectional")) and not forecasts_every_step,
        recurrent_init=chosen("recurrent_init"),
    )


def config_for_data(data: PreparedData, **architecture) -> ModelConfig:
    """A ModelConfig for this data: its input and output sizes, task shape and (for text) the
    vocabulary from `data`, the rest from `architecture` (ModelConfig's own fields). A correction
    of a filter starts with a zero head, so the untrained model is the filter itself."""
    corrects = isinstance(getattr(data.meta, "task", None), CorrectionTask)
    return ModelConfig(
        input_size=data.input_size,
        output_size=data.output_size,
        task_shape=data.task_shape,
        vocab_size=data.input_size if data.is_text else None,
        head_init="zero" if corrects else "default",
        **architecture,
    )


def _layer_sizes(text: str, layers: int) -> tuple[int, ...]:
    """Sizes typed as '64, 32' for a stack of `layers`; () when empty or a single layer."""
    if layers == 1 or not text.strip():
        return ()
    high = int(SETTINGS["layer_sizes"].high)
    try:
        sizes = sizes_from_text(text, high)
    except ValueError as err:
        raise ValueError(f"Units per layer: {err}.") from None
    if len(sizes) != layers:
        raise ValueError(
            f"Give {layers} sizes from 1 to {high} under Units per layer (one per layer), or "
            "leave it empty for the same size in every layer."
        )
    return sizes


def train_controls(data: PreparedData) -> TrainConfig:
    """Optimizer, schedule, batch, clipping, run length and early stopping."""
    c1, c2 = st.columns(2)
    c1.selectbox(**widget("optimizer"))
    c2.number_input(**widget("lr"), format="%.4g")
    c1.selectbox(**widget("schedule"))
    schedule = chosen("schedule")
    c2.number_input(**widget("gamma"), disabled=schedule == "constant")
    c1.number_input(**widget("step_size"), disabled=schedule != "step")
    c2.number_input(**widget("wd"), format="%.4g")
    batch = c1.number_input(**widget("batch"))
    clip = c2.checkbox(**widget("clip"))
    c2.number_input(**widget("max_norm"), disabled=not clip)
    unit = c1.radio(**widget("unit"), horizontal=True)
    c1.number_input(**widget("amount", label=f"Number of {unit}"))
    early = c2.checkbox(**widget("early"))
    c2.number_input(**widget("patience"), disabled=not early)
    tbptt = data.is_text and c1.checkbox(
        **widget("tbptt"),
        help="For long texts: the text is cut into one contiguous stream per batch row, read a "
        "window at a time, and the hidden state is carried from one batch to the next (detached, "
        "so gradients still stop at the window's start). The model then sees context beyond one "
        "window. Validation still uses independent windows.",
    )
    if tbptt:
        c1.caption(
            "Truncated BPTT: each batch row reads its own stretch of the text in order and starts "
            "from the state the previous batch left, so memory reaches beyond one window."
        )
    config = train_config(data)
    if unit == "epochs":
        c1.caption(
            f"= {config.max_steps:,} steps of {int(batch)} windows ({len(data.train):,} in "
            "training)"
        )
    return config


def train_config(data: PreparedData) -> TrainConfig:
    """The TrainConfig the session's knobs give for this data (ValueError with a sentence)."""
    batch = int(setting("batch"))
    amount = int(setting("amount"))
    steps = (
        amount if setting("unit") == "steps" else steps_for_epochs(amount, len(data.train), batch)
    )
    return TrainConfig(
        optimizer=chosen("optimizer"),
        learning_rate=float(setting("lr")),
        weight_decay=float(setting("wd")),
        schedule=chosen("schedule"),
        schedule_gamma=float(setting("gamma")),
        schedule_step_size=int(setting("step_size")),
        batch_size=batch,
        clip_grad_norm=float(setting("max_norm")) if setting("clip") else None,
        max_steps=steps,
        early_stopping_patience=int(setting("patience")) if setting("early") else None,
        seed=seed(),
        truncated_bptt=bool(setting("tbptt")) and data.is_text,
    )
