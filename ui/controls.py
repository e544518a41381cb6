"""Train-page widgets that return the user's choices as configs."""

from __future__ import annotations

import streamlit as st

from rnn_core.datasets.prepare import PreparedData
from rnn_core.models import ModelConfig
from rnn_core.training import TrainConfig, steps_for_epochs
from ui.state import persisted, seed

CELLS = {
    "LSTM": ("lstm", "tanh"),
    "GRU": ("gru", "tanh"),
    "RNN (tanh)": ("rnn", "tanh"),
    "RNN (relu)": ("rnn", "relu"),
}
TASK_SHAPES = {
    "Next value at every step": "many_to_many",
    "One value after the window": "many_to_one",
}
SCHEDULES = {"Constant": "constant", "Step decay": "step", "Reduce on plateau": "plateau"}


def task_shape_control(is_text: bool) -> str:
    """How many predictions per window; text always predicts every next character."""
    if is_text:
        st.caption("Text: the model predicts the next character at every step.")
        return "many_to_many"
    label = st.radio(
        "Task shape",
        list(TASK_SHAPES),
        **persisted("task_shape", "Next value at every step"),
        horizontal=True,
    )
    return TASK_SHAPES[label]


def model_controls(data: PreparedData) -> ModelConfig:
    """Cell, sizes and initialisation; returns the ModelConfig for this data."""
    cell, nonlinearity = CELLS[st.selectbox("Cell", list(CELLS), **persisted("cell", "LSTM"))]
    c1, c2 = st.columns(2)
    hidden = c1.number_input("Hidden size", 1, 512, **persisted("hidden", 32))
    layers = c2.number_input("Layers", 1, 4, **persisted("layers", 1))
    dropout = c1.slider(
        "Dropout between layers",
        0.0,
        0.8,
        step=0.05,
        **persisted("dropout", 0.0),
        disabled=layers == 1,
        help="Applies between stacked layers only",
    )
    sizes = c1.text_input(
        "Units per layer",
        **persisted("layer_sizes", ""),
        disabled=layers == 1,
        placeholder=f"{hidden} in every layer",
        help="Sizes from the first layer up, e.g. 64, 32; empty: the hidden size in every layer",
    )
    forecasts_every_step = data.task_shape == "many_to_many"
    bidirectional = c2.checkbox(
        "Bidirectional",
        **persisted("bidirectional", False),
        disabled=forecasts_every_step,
        help="Only when the task does not forecast every step: a backward pass sees the future.",
    )
    init = st.radio(
        "Recurrent weights",
        ["PyTorch default", "Orthogonal"],
        horizontal=True,
        **persisted("recurrent_init", "PyTorch default"),
    )
    is_text = data.vocabulary is not None
    return ModelConfig(
        cell=cell,
        nonlinearity=nonlinearity,
        input_size=data.input_size,
        output_size=data.output_size,
        hidden_size=int(hidden),
        num_layers=int(layers),
        layer_sizes=_layer_sizes(sizes, int(layers)),
        dropout=float(dropout) if layers > 1 else 0.0,
        bidirectional=bool(bidirectional) and not forecasts_every_step,
        task_shape=data.task_shape,
        vocab_size=data.input_size if is_text else None,
        recurrent_init="orthogonal" if init == "Orthogonal" else "default",
    )


def _layer_sizes(text: str, layers: int) -> tuple[int, ...]:
    """Sizes typed as '64, 32' for a stack of `layers`; () when empty or a single layer."""
    if layers == 1 or not text.strip():
        return ()
    try:
        sizes = tuple(int(v) for v in text.replace(";", ",").split(",") if v.strip())
    except ValueError:
        raise ValueError(
            f"Units per layer must be whole numbers separated by commas, like 64, 32, not {text!r}."
        ) from None
    if len(sizes) != layers or min(sizes) < 1:
        raise ValueError(
            f"Give {layers} sizes of at least 1 under Units per layer (one per layer), or leave it "
            "empty for the same size in every layer."
        )
    return sizes


def train_controls(data: PreparedData) -> TrainConfig:
    """Optimizer, schedule, batch, clipping, run length and early stopping."""
    c1, c2 = st.columns(2)
    optimizer = c1.selectbox("Optimizer", ["Adam", "SGD"], **persisted("optimizer", "Adam"))
    lr = c2.number_input("Learning rate", 1e-5, 10.0, format="%.4g", **persisted("lr", 0.01))
    schedule = SCHEDULES[
        c1.selectbox("Schedule", list(SCHEDULES), **persisted("schedule", "Constant"))
    ]
    gamma = c2.number_input(
        "Decay factor", 0.01, 1.0, **persisted("gamma", 0.5), disabled=schedule == "constant"
    )
    step_size = c1.number_input(
        "Decay every (steps)",
        1,
        100_000,
        **persisted("step_size", 200),
        disabled=schedule != "step",
    )
    weight_decay = c2.number_input("Weight decay", 0.0, 1.0, format="%.4g", **persisted("wd", 0.0))
    batch = c1.number_input("Batch size", 1, 4096, **persisted("batch", 64))
    clip = c2.checkbox("Clip gradients", **persisted("clip", True))
    max_norm = c2.number_input(
        "Max gradient norm", 0.01, 1000.0, **persisted("max_norm", 1.0), disabled=not clip
    )
    unit = c1.radio("Train for", ["steps", "epochs"], horizontal=True, **persisted("unit", "steps"))
    amount = c1.number_input(f"Number of {unit}", 1, 100_000, **persisted("amount", 300))
    steps = (
        int(amount)
        if unit == "steps"
        else steps_for_epochs(int(amount), len(data.train), int(batch))
    )
    early = c2.checkbox("Early stopping", **persisted("early", False))
    patience = c2.number_input(
        "Patience (evaluations)", 1, 1000, **persisted("patience", 5), disabled=not early
    )
    tbptt = data.vocabulary is not None and c1.checkbox(
        "Truncated BPTT",
        **persisted("tbptt", False),
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
    if unit == "epochs":
        c1.caption(f"= {steps:,} steps of {int(batch)} windows ({len(data.train):,} in training)")
    return TrainConfig(
        optimizer=optimizer.lower(),
        learning_rate=float(lr),
        weight_decay=float(weight_decay),
        schedule=schedule,
        schedule_gamma=float(gamma),
        schedule_step_size=int(step_size),
        batch_size=int(batch),
        clip_grad_norm=float(max_norm) if clip else None,
        max_steps=steps,
        early_stopping_patience=int(patience) if early else None,
        seed=seed(),
        truncated_bptt=bool(tbptt),
    )
