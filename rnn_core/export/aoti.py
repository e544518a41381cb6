"""The export graph as an AOTInductor package (.pt2): torch.export, then Inductor compiles it to a
shared library that libtorch loads from C++ (torch::inductor::AOTIModelPackageLoader) with no
Python; loaded back here with torch._inductor.aoti_load_package.

A .pt2 is native code, run as soon as it is loaded: the package records what it reads and gives
(AOTInductor's metadata, see checks.graph_metadata), and a package read back from an export is
loaded only after its SHA-256 matched model.json's manifest (reader.open_export)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from rnn_core.export.checks import graph_metadata
from rnn_core.export.graph import ExportGraph
from rnn_core.export.onnx_export import exported_program, quiet_exporters


def compile_pt2(graph: ExportGraph, path: str | os.PathLike) -> Path:
    """Compile the graph into an AOTInductor package at `path` (tens of seconds: a C++ build),
    with the exported program's input and output shapes and dtypes in its metadata."""
    program = exported_program(graph)
    token_count = graph.model.config.vocab_size if graph.spec.is_text else None
    configs = {"aot_inductor.metadata": graph_metadata(program, graph.spec, token_count)}
    with torch.no_grad(), quiet_exporters():
        torch._inductor.aoti_compile_and_package(
            program, package_path=os.fspath(path), inductor_configs=configs
        )
    return Path(path)


def run_compiled(path: str | os.PathLike, x: np.ndarray) -> np.ndarray:
    """The package's prediction for windows `x`, loaded with aoti_load_package unchecked: only
    for a package this process compiled itself, or one that open_export has checked."""
    with quiet_exporters():
        runner = torch._inductor.aoti_load_package(os.fspath(path))
    with torch.no_grad():
        return runner(torch.from_numpy(np.ascontiguousarray(x))).numpy()
