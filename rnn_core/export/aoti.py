"""The export graph as an AOTInductor package (.pt2): torch.export, then Inductor compiles it to a
shared library that libtorch loads from C++ (torch::inductor::AOTIModelPackageLoader) with no
Python; loaded back here with torch._inductor.aoti_load_package."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import torch

from rnn_core.export.graph import ExportGraph
from rnn_core.export.onnx_export import exported_program, quiet_exporters


def compile_pt2(graph: ExportGraph, path: str | os.PathLike) -> Path:
    """Compile the graph into an AOTInductor package at `path` (tens of seconds: a C++ build)."""
    program = exported_program(graph)
    with torch.no_grad(), quiet_exporters():
        torch._inductor.aoti_compile_and_package(program, package_path=os.fspath(path))
    return Path(path)


def pt2_bytes(graph: ExportGraph) -> bytes:
    """The AOTInductor package's bytes, compiled in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="rnn-export-") as folder:
        return compile_pt2(graph, Path(folder) / "model.pt2").read_bytes()


def run_pt2(path: str | os.PathLike, x: np.ndarray) -> np.ndarray:
    """The package's prediction for windows `x`, loaded back with aoti_load_package."""
    with quiet_exporters():
        runner = torch._inductor.aoti_load_package(os.fspath(path))
    with torch.no_grad():
        return runner(torch.from_numpy(np.ascontiguousarray(x))).numpy()
