"""Steps per second: a bare PyTorch loop against the project's Trainer on the same shapes.

This machine is shared: its speed drifts by 20 % or more within seconds. Rates that are compared
are therefore measured interleaved (`interleaved_rates`: short bursts of each in turn), so that
a ratio compares the loops under the same conditions.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch

from rnn_core.datasets.prepare import prepare_series
from rnn_core.datasets.sine import SineConfig, make_sine
from rnn_core.models import ModelConfig, build_model
from rnn_core.training.trainer import TrainConfig, Trainer

BATCH, SEQ_LEN = 64, 50
RNN_CLASSES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
BURST_S = 0.25  # seconds of one loop before the next takes its turn


def bare_step(cell: str, hidden: int, **adam) -> Callable[[], None]:
    """One step of the plainest loop: module, head, Adam, MSE on one fixed batch."""
    torch.manual_seed(0)
    rnn, head = RNN_CLASSES[cell](1, hidden, batch_first=True), torch.nn.Linear(hidden, 1)
    optimizer = torch.optim.Adam([*rnn.parameters(), *head.parameters()], lr=1e-2, **adam)
    x, y = torch.randn(BATCH, SEQ_LEN, 1), torch.randn(BATCH, SEQ_LEN, 1)  # (B, T, 1)

    def step() -> None:
        out, _ = rnn(x)  # (B, T, H)
        loss = torch.nn.functional.mse_loss(head(out), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def trainer_step(cell: str, hidden: int) -> Callable[[], None]:
    """One step of the project's Trainer on sine windows of the same shape (clipping, history,
    validation every 25 steps: its defaults)."""
    data = prepare_series(make_sine(SineConfig()), seq_len=SEQ_LEN)
    model = build_model(ModelConfig(cell=cell, hidden_size=hidden), 0)
    trainer = Trainer(model, data, TrainConfig(batch_size=BATCH, max_steps=10**9))
    trainer.begin()
    return trainer.step


def interleaved_rates(steps: dict[str, Callable[[], None]], seconds: float) -> dict[str, float]:
    """Steps per second of each loop, run in turns of BURST_S for about `seconds` each."""
    for step in steps.values():  # warm-up
        for _ in range(5):
            step()
    counts, spent = dict.fromkeys(steps, 0), dict.fromkeys(steps, 0.0)
    while min(spent.values()) < seconds:
        for name, step in steps.items():
            started = time.perf_counter()
            while time.perf_counter() - started < BURST_S:
                step()
                counts[name] += 1
            spent[name] += time.perf_counter() - started
    return {name: counts[name] / spent[name] for name in steps}


def bare_and_trainer(cell: str, hidden: int, seconds: float) -> tuple[float, float]:
    """(bare loop, Trainer alone) steps per second, measured interleaved."""
    rates = interleaved_rates(
        {"bare": bare_step(cell, hidden), "trainer": trainer_step(cell, hidden)}, seconds
    )
    return rates["bare"], rates["trainer"]


def bare_rate(cell: str, hidden: int, seconds: float) -> float:
    """Steps per second of the bare loop alone."""
    return interleaved_rates({"bare": bare_step(cell, hidden)}, seconds)["bare"]


def optimizer_variants(cell: str, hidden: int, seconds: float) -> dict[str, float]:
    """The bare loop's steps per second with Adam per tensor (PyTorch's CPU default), foreach
    and fused: why the Trainer's optimizers are fused."""
    variants = {"per tensor": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}
    return interleaved_rates(
        {k: bare_step(cell, hidden, **v) for k, v in variants.items()}, seconds
    )
