"""The cost of one streaming prediction of an exported IMU model (the IMU preset's LSTM 64 then
32, windows of 20 samples at 50 Hz), in each runtime, beside the bare model in PyTorch measured in
the same run; and how long the export itself takes."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from bench.core import median_seconds
from rnn_core.datasets.imu.prepare import imu_table, prepare_imu
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.export.build import STAGES, build_files
from rnn_core.export.checks import manifest
from rnn_core.export.cpp import build_example, run_example
from rnn_core.export.graph import ExportGraph
from rnn_core.export.samples import sample_stream, stream_windows
from rnn_core.export.sidecar import model_json
from rnn_core.models import ModelConfig, build_model

ROOT = Path(__file__).resolve().parents[1]
PREDICTIONS = 2000  # single-window predictions per timing


def _per_prediction(predict, windows: np.ndarray) -> float:
    """Median microseconds of one prediction on a (1, T, C) window, over the stream."""

    def stream() -> None:
        for k in range(PREDICTIONS):
            predict(windows[k % len(windows)][None])

    return 1e6 * median_seconds(stream, 3) / PREDICTIONS


def export_rows() -> list[str]:
    """Markdown rows: microseconds per prediction and the ratio to the bare PyTorch model; then
    the export's seconds by stage and the C++ build."""
    import onnxruntime

    table = imu_table(read_imu_csv(ROOT / "data" / "imu-sim-50hz.csv"))
    data = prepare_imu(table, 20)
    config = ModelConfig(
        cell="lstm", input_size=8, output_size=5, num_layers=2, layer_sizes=(64, 32),
        task_shape="many_to_one",
    )  # fmt: skip
    model = build_model(config, seed=0).eval()
    graph = ExportGraph(model, data)
    samples = sample_stream(data, graph.spec, table, predictions=200)
    windows = stream_windows(samples, 20)  # (P, 20, 8) SI
    files, checks = build_files(graph, samples)
    with tempfile.TemporaryDirectory(prefix="rnn-bench-") as folder:
        folder = Path(folder)
        for name, content in files.items():
            (folder / name).write_bytes(content)
        sidecar = model_json(graph, data, table) | {"manifest": manifest(files)}
        (folder / "model.json").write_text(json.dumps(sidecar))
        started = time.perf_counter()
        program = build_example(folder / "build")
        build_s = time.perf_counter() - started
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(str(folder / "model.onnx"), options)
        runner = torch._inductor.aoti_load_package(str(folder / "model.pt2"))
        z = data.input_standardizer.transform(windows).astype(np.float32)  # (P, 20, 8)
        with torch.no_grad():
            bare = _per_prediction(lambda x: model(torch.from_numpy(x)), z)
            eager = _per_prediction(lambda x: graph(torch.from_numpy(x)), windows)
            pt2 = _per_prediction(lambda x: runner(torch.from_numpy(x)), windows)
        ort = _per_prediction(lambda x: session.run(None, {"x": x}), windows)
        cpp = run_example(program, folder, "--repeat", str(PREDICTIONS // len(windows) + 1))
    rows = [
        "| one streaming prediction, LSTM 64+32, T = 20, 8 channels (one thread) | microseconds"
        " | ratio to the bare model | share of a 50 Hz sample period |",
        "|---|---|---|---|",
    ]
    for name, value in (
        ("PyTorch, the bare model on z-scores (baseline)", bare),
        ("PyTorch, the export graph (z-scores and change inside)", eager),
        ("onnxruntime, model.onnx", ort),
        ("AOTInductor model.pt2, loaded in Python", pt2),
        ("AOTInductor model.pt2, C++ example (libtorch)", cpp.microseconds),
    ):
        rows.append(f"| {name} | {value:.0f} | {value / bare:.2f} | {value / 20_000:.2%} |")
    seconds = checks["seconds"]
    rows += [
        "",
        "| export step | seconds |",
        "|---|---|",
        *(f"| {stage} | {seconds[stage]:.1f} |" for stage in STAGES),
        f"| building the C++ example (cmake + g++) | {build_s:.1f} |",
    ]
    return rows
