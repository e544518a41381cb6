"""A tiny sweep shared by the sweep tests: a sine, a small model and a few steps per run."""

from __future__ import annotations

import numpy as np

from rnn_core.datasets.prepare import prepare_series
from rnn_core.models import ModelConfig
from rnn_core.sweeps.spec import SweepSpec
from rnn_core.training.trainer import TrainConfig


def tiny_data():
    """Two noisy sine series of 200 samples in windows of 10 steps."""
    t = np.arange(200) / 20.0
    series = np.stack([np.sin(2 * np.pi * 0.5 * t), np.cos(2 * np.pi * 0.5 * t)])[..., None]
    return prepare_series(series.astype(np.float32), seq_len=10)


def tiny_sweep(
    knobs=(("Learning rate", (0.01, 0.05)), ("Hidden size", (4, 8))),
    seeds=(0, 1, 2),
    steps: int = 20,
) -> SweepSpec:
    """A 2 x 2 x 3 sweep of a small GRU by default."""
    return SweepSpec(
        knobs=knobs,
        seeds=seeds,
        model_config=ModelConfig(cell="gru", hidden_size=4),
        train_config=TrainConfig(max_steps=steps, eval_every=5, batch_size=8, eval_windows=32),
    )
