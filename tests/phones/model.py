"""A small IMU model for the live forecaster's tests and benchmark: an LSTM 16 trained a few Adam
steps on the simulated phyphox recording (the lab's default task: 8 inputs, 5 targets)."""

from __future__ import annotations

import torch

from rnn_core.datasets.imu.prepare import ImuTask, imu_table, prepare_imu
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.models import ModelConfig, build_model
from tests.paths import ROOT


def small_imu_model(steps: int, seq_len: int = 20):
    """(model in eval mode, its prepared data, the recording's table) after `steps` Adam steps
    (lr 0.01, batches of 64, seeded: the same weights every time)."""
    table = imu_table(read_imu_csv(ROOT / "data" / "imu-sim-phyphox.zip"))
    data = prepare_imu(table, seq_len, ImuTask())
    config = ModelConfig(input_size=8, output_size=5, hidden_size=16, task_shape="many_to_one")
    model = build_model(config, seed=0)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    generator = torch.Generator().manual_seed(0)
    for _ in range(steps):
        x, y = data.train.batch(torch.randint(len(data.train), (64,), generator=generator))
        loss = torch.nn.functional.mse_loss(model(x)[0], y)  # x (64, T, F), y (64, K)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return model.eval(), data, table
