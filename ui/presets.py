"""Presets: one click sets every knob of a known-good setup (applied in a button's callback, before
the widgets are drawn again)."""

from __future__ import annotations

import streamlit as st

from ui.state import PERSIST

# The reference next-state predictor for a 50 Hz IMU: 0.4 s windows into a 2-layer LSTM (64 then
# 32 units) and a linear head; clipping and early stopping on.
IMU_PRESET = {
    "seq_len": 20,
    "task_shape": "One value after the window",
    "cell": "LSTM",
    "layers": 2,
    "layer_sizes": "64, 32",
    "hidden": 64,
    "dropout": 0.0,
    "bidirectional": False,
    "optimizer": "Adam",
    "lr": 0.003,
    "schedule": "Constant",
    "batch": 64,
    "clip": True,
    "max_norm": 1.0,
    "unit": "steps",
    "amount": 3000,
    "early": True,
    "patience": 8,
}


def apply_preset(values: dict) -> None:
    """Set the persisted widgets' values (use as a button's on_click)."""
    for key, value in values.items():
        st.session_state[PERSIST + key] = value
