"""Timings of the core's analysis and readers, each beside a bare reference."""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import torch

from rnn_core.gradients import hidden_grad_norms
from rnn_core.models import ModelConfig, build_model
from rnn_core.trace import trace


def median_seconds(run, repeats: int = 5) -> float:
    """Median wall time of `run()` after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def trace_and_gradients(batch=16, steps=200, hidden=128, layers=2) -> tuple[float, float]:
    """(trace + hidden_grad_norms seconds, nn.LSTM forward + backward seconds) on one batch."""
    model = build_model(ModelConfig(cell="lstm", hidden_size=hidden, num_layers=layers), 0)
    x, y = torch.randn(batch, steps, 1), torch.randn(batch, steps, 1)  # (B, T, 1)

    def ours() -> None:
        with torch.no_grad():
            trace(model, x)
        hidden_grad_norms(model, x, y)

    def reference() -> None:
        torch.nn.functional.mse_loss(model(x)[0], y).backward()

    return median_seconds(ours, 3), median_seconds(reference, 3)


def imu_reader(rows: int = 1_000_000) -> tuple[float, float] | None:
    """(project reader seconds, pandas.read_csv seconds) on a generic 10-column CSV; None when
    the reader is not available."""
    try:
        from rnn_core.datasets.imu import read_imu_csv
    except ImportError:
        return None
    rng = np.random.default_rng(0)
    t = np.arange(rows) / 100.0  # 100 Hz
    frame = pd.DataFrame(
        {
            "time": t,
            "ax": rng.normal(0, 0.1, rows),
            "ay": rng.normal(0, 0.1, rows),
            "az": 9.81 + rng.normal(0, 0.1, rows),
            "gx": rng.normal(0, 0.01, rows),
            "gy": rng.normal(0, 0.01, rows),
            "gz": rng.normal(0, 0.01, rows),
            "mx": rng.normal(20, 1, rows),
            "my": rng.normal(0, 1, rows),
            "mz": rng.normal(-40, 1, rows),
        }
    )
    data = frame.to_csv(index=False).encode()
    ours = median_seconds(lambda: read_imu_csv(data), 3)
    bare = median_seconds(lambda: pd.read_csv(io.BytesIO(data)), 3)
    return ours, bare
