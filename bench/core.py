"""Timings of the core's analysis and readers, each beside a bare reference."""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import torch

from rnn_core.analysis.gradients import hidden_grad_norms
from rnn_core.analysis.trace import trace
from rnn_core.models import ModelConfig, build_model


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


def imu_reader(rows: int = 1_000_000) -> tuple[float, float, float, float] | None:
    """Seconds for a generic 10-column CSV (time, accelerometer, gyroscope, roll, pitch, yaw):
    (read_imu_csv: parse, check, convert, resample; prepare_imu: split, z-score, window T = 20;
    the complementary filter over all rows; pandas.read_csv alone). None without the reader."""
    try:
        from rnn_core.datasets.imu.prepare import ImuTable, prepare_imu
        from rnn_core.datasets.imu.reader import read_imu_csv
        from rnn_core.evaluation.baselines import complementary_filter
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
            "roll": rng.normal(0, 0.01, rows),
            "pitch": rng.normal(0, 0.01, rows),
            "yaw": rng.normal(0, 0.01, rows),
        }
    )
    data = frame.to_csv(index=False).encode()
    read = median_seconds(lambda: read_imu_csv(data), 3)
    recording = read_imu_csv(data)
    channels = recording.channels
    table = ImuTable(  # the truth read as input: the filters are timed on their own below
        channels.drop(columns=["yaw"]),
        recording.time,
        recording.sample_rate,
        recording.segments,
        None,
        channels[["roll", "pitch"]],
        None,
        "truth",
        "",
    )
    window = median_seconds(lambda: prepare_imu(table, 20), 3)
    gyro_accel = [channels[k].to_numpy() for k in ("ax", "ay", "az", "gx", "gy", "gz")]
    filtered = median_seconds(lambda: complementary_filter(recording.time, *gyro_accel), 1)
    bare = median_seconds(lambda: pd.read_csv(io.BytesIO(data)), 3)
    return read, window, filtered, bare


def attitude_filters(rows: int = 1_000_000) -> dict[str, float] | None:
    """Seconds per attitude method (estimate_attitude_arrays at its default gains) through one
    `rows`-long recording at 100 Hz: a slow tumble with noise. None without the filters."""
    try:
        from rnn_core.datasets.imu.attitude import ATTITUDE_METHODS, estimate_attitude_arrays
    except ImportError:
        return None
    rng = np.random.default_rng(0)
    t = np.arange(rows) / 100.0  # 100 Hz
    roll, pitch = 0.8 * np.sin(0.3 * t), 0.5 * np.sin(0.2 * t)
    up = np.column_stack(
        [-np.sin(pitch), np.sin(roll) * np.cos(pitch), np.cos(roll) * np.cos(pitch)]
    )
    accel = 9.81 * up + rng.normal(0, 0.1, (rows, 3))  # (rows, 3) m/s^2
    gyro = np.column_stack([0.24 * np.cos(0.3 * t), 0.1 * np.cos(0.2 * t), 0 * t])
    gyro = gyro + rng.normal(0, 0.01, (rows, 3))  # (rows, 3) rad/s
    return {
        method: median_seconds(
            lambda m=method: estimate_attitude_arrays(t, accel, gyro, None, m), 1
        )
        for method in ATTITUDE_METHODS
    }
