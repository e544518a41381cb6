"""Steps per second: a bare PyTorch loop against the project's Trainer on the same shapes."""

from __future__ import annotations

import time

import torch

from rnn_core.datasets.prepare import prepare_series
from rnn_core.datasets.sine import SineConfig, make_sine
from rnn_core.models import ModelConfig, build_model
from rnn_core.training import TrainConfig, Trainer

BATCH, SEQ_LEN = 64, 50
RNN_CLASSES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def bare_loop(cell: str, hidden: int, seconds: float) -> float:
    """Steps per second of the plainest loop: module, head, Adam, MSE on one fixed batch."""
    torch.manual_seed(0)
    rnn, head = RNN_CLASSES[cell](1, hidden, batch_first=True), torch.nn.Linear(hidden, 1)
    optimizer = torch.optim.Adam([*rnn.parameters(), *head.parameters()], lr=1e-2)
    x, y = torch.randn(BATCH, SEQ_LEN, 1), torch.randn(BATCH, SEQ_LEN, 1)  # (B, T, 1)
    return _rate(lambda: _bare_step(rnn, head, optimizer, x, y), seconds)


def _bare_step(rnn, head, optimizer, x, y) -> None:
    out, _ = rnn(x)  # (B, T, H)
    loss = torch.nn.functional.mse_loss(head(out), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def trainer_alone(cell: str, hidden: int, seconds: float) -> float:
    """Steps per second of the project's Trainer on sine windows of the same shape."""
    data = prepare_series(make_sine(SineConfig()), seq_len=SEQ_LEN)
    model = build_model(ModelConfig(cell=cell, hidden_size=hidden), 0)
    trainer = Trainer(model, data, TrainConfig(batch_size=BATCH, max_steps=10**9))
    trainer.begin()
    return _rate(trainer.step, seconds)


def _rate(step, seconds: float) -> float:
    for _ in range(5):  # warm-up
        step()
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        step()
        count += 1
    return count / (time.perf_counter() - started)
