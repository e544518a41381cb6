"""Small trained-looking models and their data for the export tests, with the app's own reading of
their predictions as the reference (what Train and Evaluate show)."""

from __future__ import annotations

import numpy as np
import torch

from rnn_core.datasets.imu.prepare import ImuTask, imu_table, prepare_imu, window_rows
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.datasets.prepare import PreparedData
from rnn_core.evaluation.imu import predict_windows
from rnn_core.export.graph import ExportGraph
from rnn_core.models import ModelConfig, build_model
from tests.paths import ROOT

WINDOWS = 24  # test windows compared per case
IMU_T = 12


def imu_sim_table():
    """The 50 Hz simulated recording with its truth."""
    return imu_table(read_imu_csv(ROOT / "data" / "imu-sim-50hz.csv"))


def imu_case(table, cell: str, layers: int, task: ImuTask | None = None, task_shape="many_to_one"):
    """(data, model) for an IMU task on `table`, windows of IMU_T."""
    data = prepare_imu(table, IMU_T, task or ImuTask(), task_shape)
    return data, small_model(data, cell, layers)


def small_model(data: PreparedData, cell: str, layers: int):
    """A tiny model for `data` with random weights of a fixed seed (biases spread too, so every
    output moves)."""
    config = ModelConfig(
        cell=cell,
        input_size=data.input_size,
        output_size=data.output_size,
        hidden_size=6,
        num_layers=layers,
        task_shape=data.task_shape,
        vocab_size=data.input_size if data.is_text else None,
        embedding_dim=5,
    )
    model = build_model(config, seed=3).eval()
    with torch.no_grad(), torch.random.fork_rng():
        torch.manual_seed(4)
        model.head.bias.normal_(0.0, 0.5)
    return model


def picked(data: PreparedData) -> np.ndarray:
    """Indices of evenly spaced test windows."""
    return data.test.evenly_spaced(WINDOWS).cpu().numpy()


def imu_windows(data: PreparedData, table, graph: ExportGraph) -> np.ndarray:
    """Raw test windows as a device reads them: (B, T, C) float32 SI, channels in graph order."""
    rows = window_rows(data, "test", picked(data))  # (B, T)
    return table.values[list(graph.spec.channels)].to_numpy(np.float32)[rows]


def imu_reference(model, data: PreparedData) -> np.ndarray:
    """What Evaluate shows for those windows: (B, K) SI forecasts, the change added back."""
    meta = data.meta
    outputs = predict_windows(model, data.test)[picked(data)]  # (B, K) z-scores
    if meta.task.classify:
        return outputs
    absolute = meta.with_change if meta.task.predict_change else (lambda last, out: out)
    last = meta.last_values["test"][picked(data)] if meta.task.predict_change else None
    return absolute(last, data.standardizer.inverse(outputs).astype(np.float64))


def series_windows(data: PreparedData) -> tuple[np.ndarray, np.ndarray]:
    """(raw windows (B, T, F) in the data's units, or ids (B, T); their z-scored inputs)."""
    x, _ = data.test.batch(torch.from_numpy(picked(data)))
    scaler = data.input_standardizer
    raw = x.numpy() if scaler is None or data.is_text else scaler.inverse(x.numpy())
    return raw, x


def series_reference(model, data: PreparedData, x: torch.Tensor) -> np.ndarray:
    """The model on z-scored windows, back in the data's units (logits for text)."""
    with torch.no_grad():
        out = model(x)[0].numpy()  # (B, K) or (B, T, K)
    return out if data.is_text or data.standardizer is None else data.standardizer.inverse(out)
