"""A model of any time series exports with its z-scores inside: ONNX in onnxruntime reads a
window of raw values (MW) and gives the forecast Evaluate scores, in MW, for every step ahead."""

import numpy as np
import pytest
import torch

from rnn_core.datasets.series.prepare import SeriesTask
from rnn_core.evaluation.forecast_scores import evaluate_series
from rnn_core.export.graph import ExportGraph
from rnn_core.export.onnx_export import onnx_bytes, run_onnx
from rnn_core.export.samples import sample_stream
from rnn_core.export.sidecar import model_json
from tests.core.series_cases import pjm_case

TASK = SeriesTask(("PJME_MW",), ("PJME_MW",), horizon=2, every_step=True)
T = 24


@pytest.mark.slow  # the ONNX export and onnxruntime's first session
def test_onnx_of_a_series_model_equals_pytorch_on_a_window():
    torch.set_num_threads(1)
    data, model = pjm_case(TASK, T)
    meta, w = data.meta, 5
    last = meta.last_rows["test"][w]
    raw = meta.inputs[last - T + 1 : last + 1].astype(np.float32)[None]  # (1, T, F) in MW
    graph = ExportGraph(model, data)
    assert graph.spec.channels == ("PJME_MW",) and graph.spec.outputs == (
        "PJME_MW +1",
        "PJME_MW +2",
    )
    with torch.no_grad():
        ours = graph(torch.from_numpy(raw)).numpy()  # (1, S * K)
    scored = evaluate_series(model, data).forecasts["model"][w].reshape(-1)  # (S * K,)
    np.testing.assert_allclose(ours[0], scored, rtol=1e-5)
    np.testing.assert_allclose(run_onnx(onnx_bytes(graph), raw), ours, rtol=1e-5)


def test_samples_and_sidecar_need_no_imu_table():
    data, model = pjm_case(TASK, T)
    graph = ExportGraph(model, data)
    samples = sample_stream(data, graph.spec)  # (N, C) MW
    assert samples.shape[1] == 1 and np.isfinite(samples).all() and samples.min() > 1000
    sidecar = model_json(graph, data)
    assert sidecar["window_length"] == T and sidecar["output"]["names"] == list(graph.spec.outputs)
