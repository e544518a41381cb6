"""The exported graph (z-scores and the change added back inside) equals the app's own reading of
the model, in PyTorch and as ONNX in onnxruntime, to 1e-5 in float32: IMU and sine for RNN, LSTM
and GRU of one and two layers, text logits, an activity classifier and a memory task."""

import numpy as np
import pytest
import torch

from rnn_core.datasets.imu.prepare import ImuTask, imu_table
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.datasets.memory import CopyConfig, prepare_copy
from rnn_core.export.graph import ExportGraph
from rnn_core.export.onnx_export import onnx_bytes, run_onnx
from rnn_core.models import ModelConfig, build_model
from tests.core.export_cases import (
    imu_case,
    imu_reference,
    imu_sim_table,
    imu_windows,
    series_reference,
    series_windows,
    small_model,
)
from tests.paths import ROOT

pytestmark = pytest.mark.slow  # left out of make test-fast

TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}
CELLS_AND_LAYERS = [(cell, layers) for cell in ("rnn", "lstm", "gru") for layers in (1, 2)]


@pytest.fixture(scope="module")
def table():
    return imu_sim_table()


def check_both(graph: ExportGraph, raw: np.ndarray, reference: np.ndarray) -> None:
    """The graph in PyTorch, then its ONNX in onnxruntime, against the reference."""
    with torch.no_grad():
        ours = graph(torch.from_numpy(raw)).numpy()
    np.testing.assert_allclose(ours, reference, **TOLERANCE)
    np.testing.assert_allclose(run_onnx(onnx_bytes(graph), raw), reference, **TOLERANCE)


@pytest.mark.parametrize(("cell", "layers"), CELLS_AND_LAYERS)
def test_imu_forecast_in_si_equals_evaluate(table, cell, layers):
    data, model = imu_case(table, cell, layers)
    graph = ExportGraph(model, data)
    assert graph.spec.channels == data.feature_names  # every target is also an input
    check_both(graph, imu_windows(data, table, graph), imu_reference(model, data))


@pytest.mark.parametrize(("cell", "layers"), CELLS_AND_LAYERS)
def test_sine_forecast_in_data_units(small_sine_data, cell, layers):
    model = small_model(small_sine_data, cell, layers)
    raw, x = series_windows(small_sine_data)
    graph = ExportGraph(model, small_sine_data)
    check_both(graph, raw.astype(np.float32), series_reference(model, small_sine_data, x))


def test_text_logits(text_data):
    model = small_model(text_data, "lstm", 2)
    ids, x = series_windows(text_data)
    graph = ExportGraph(model, text_data)
    assert ids.dtype == np.int64
    check_both(graph, ids, series_reference(model, text_data, x))


def test_a_target_the_model_does_not_read_is_an_extra_channel(table):
    """Roll forecast from the sensors alone: roll is fed only to add the change back (wrapped)."""
    task = ImuTask(inputs=("ax", "ay", "az", "gx", "gy", "gz"), targets=("roll", "gz"))
    data, model = imu_case(table, "gru", 1, task)
    graph = ExportGraph(model, data)
    assert graph.spec.channels == ("ax", "ay", "az", "gx", "gy", "gz", "roll")
    assert graph.spec.change_from == (6, 5)
    check_both(graph, imu_windows(data, table, graph), imu_reference(model, data))


def test_every_step_forecast_without_change(table):
    task = ImuTask(predict_change=False, targets=("roll", "gx"))
    data, model = imu_case(table, "lstm", 1, task, task_shape="many_to_many")
    graph = ExportGraph(model, data)
    raw = imu_windows(data, table, graph)
    with torch.no_grad():
        last = graph(torch.from_numpy(raw)).numpy()[:, -1]  # (B, K) the newest step
    np.testing.assert_allclose(last, imu_reference(model, data), **TOLERANCE)


def test_copy_task_logits():
    data = prepare_copy(CopyConfig(train_sequences=8, validation_sequences=4, test_sequences=30))
    model = small_model(data, "gru", 1)
    raw, x = series_windows(data)
    check_both(ExportGraph(model, data), raw, series_reference(model, data, x))


def test_every_step_forecast_adds_each_steps_change(table):
    """Predicting every step, the change is added to that step's value; the newest step is
    what Evaluate shows."""
    data, model = imu_case(table, "gru", 2, ImuTask(), task_shape="many_to_many")
    graph = ExportGraph(model, data)
    raw = imu_windows(data, table, graph)
    prediction = run_onnx(onnx_bytes(graph), raw)  # (B, T, K)
    assert prediction.shape == (len(raw), data.seq_len, len(data.outputs))
    np.testing.assert_allclose(prediction[:, -1], imu_reference(model, data), **TOLERANCE)


def test_activity_logits_from_si_inputs():
    table = imu_table(read_imu_csv(ROOT / "data" / "imu-sim-labelled.csv"))
    data, model = imu_case(table, "lstm", 1, ImuTask(classify=True))
    graph = ExportGraph(model, data)
    assert graph.spec.outputs == data.class_names and not graph.spec.change_from
    check_both(graph, imu_windows(data, table, graph), imu_reference(model, data))


def test_layers_of_different_sizes_read_both_ways(table):
    """The IMU preset's shape (a StackedRNN of 8 then 4 units), bidirectional."""
    data, _ = imu_case(table, "lstm", 1)
    config = ModelConfig(
        cell="lstm", input_size=8, output_size=5, num_layers=2, layer_sizes=(8, 4),
        bidirectional=True, task_shape="many_to_one",
    )  # fmt: skip
    model = build_model(config, seed=5).eval()
    graph = ExportGraph(model, data)
    check_both(graph, imu_windows(data, table, graph), imu_reference(model, data))
