"""The export graph as ONNX, through torch.export (the dynamo exporter, not TorchScript), and run
back in onnxruntime."""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import torch

from rnn_core.export.graph import ExportGraph, example_input

INPUT_NAME = "x"  # (B, T, C) floats in the data's units, or (B, T) int64 token ids
OUTPUT_NAME = "prediction"  # (B, K) or (B, T, K)


def batch_dimension() -> dict:
    """torch.export's dynamic shapes: any number of windows (B), a fixed window length (T)."""
    return {"x": {0: torch.export.Dim("batch", min=1, max=65_536)}}


def exported_program(graph: ExportGraph) -> torch.export.ExportedProgram:
    """torch.export of the graph with a dynamic batch, shared by ONNX and AOTInductor."""
    with torch.no_grad(), quiet_exporters():
        return torch.export.export(
            graph, (example_input(graph.spec),), dynamic_shapes=batch_dimension(), strict=False
        )


def onnx_bytes(graph: ExportGraph) -> bytes:
    """The graph as an ONNX model (one file, weights inside)."""
    with torch.no_grad(), quiet_exporters():
        program = torch.onnx.export(
            exported_program(graph),
            dynamo=True,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            external_data=False,
            verbose=False,
        )
    return program.model_proto.SerializeToString()


def run_onnx(model: bytes, x: np.ndarray) -> np.ndarray:
    """The ONNX model's prediction for windows `x` in onnxruntime, on the CPU."""
    import onnxruntime  # imported on use: it takes a while and only an export needs it

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only
    session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    return session.run([OUTPUT_NAME], {INPUT_NAME: x})[0]


@contextlib.contextmanager
def quiet_exporters():
    """The exporters print their progress and warn about internals: keep the page's log clean."""
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        yield
