"""The heavy part of an export: ONNX, the AOTInductor compile, and both checked against PyTorch on
the stream of test samples, with the seconds each stage took.

`build_files` runs in the caller; `ExportJob` runs it in a separate process (the compile is a
C++ build of tens of seconds) and reports its stage, so a page stays responsive and shows progress.
"""

from __future__ import annotations

import io
import queue
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from rnn_core.export.aoti import compile_pt2, run_compiled
from rnn_core.export.graph import ExportGraph
from rnn_core.export.onnx_export import onnx_bytes, run_onnx
from rnn_core.export.samples import last_step, stream_windows

STAGES = (
    "exporting the ONNX graph",
    "checking it in onnxruntime",
    "compiling the .pt2 with AOTInductor (a C++ build)",
    "checking the .pt2",
)


def build_files(
    graph: ExportGraph, samples: np.ndarray, report: Callable[[int], None] = lambda stage: None
) -> tuple[dict[str, bytes], dict]:
    """(files by name, checks): model.onnx, model.pt2, samples.csv and expected.csv (PyTorch's
    prediction after each sample once a window is full); checks hold the largest difference of
    each runtime from PyTorch and the seconds of each stage. `report(stage)` as each starts."""
    spec = graph.spec
    windows = stream_windows(samples, spec.seq_len)  # (P, T, C) or (P, T)
    with torch.no_grad():
        expected = graph(torch.from_numpy(windows)).numpy()  # (P, K) or (P, T, K)
    seconds, files = {}, {}
    clock = time.perf_counter()

    def stage(index: int) -> None:
        nonlocal clock
        if index > 0:
            seconds[STAGES[index - 1]] = round(time.perf_counter() - clock, 2)
        clock = time.perf_counter()
        report(index)

    stage(0)
    files["model.onnx"] = onnx_bytes(graph)
    stage(1)
    onnx_difference = float(np.abs(run_onnx(files["model.onnx"], windows) - expected).max())
    stage(2)
    with tempfile.TemporaryDirectory(prefix="rnn-export-") as folder:
        path = compile_pt2(graph, Path(folder) / "model.pt2")
        stage(3)
        pt2_difference = float(np.abs(run_compiled(path, windows) - expected).max())
        files["model.pt2"] = path.read_bytes()
    seconds[STAGES[3]] = round(time.perf_counter() - clock, 2)
    files["samples.csv"] = samples_csv(samples, spec.channels)
    files["expected.csv"] = expected_csv(last_step(expected, spec), spec.outputs, spec.seq_len)
    checks = {
        "largest_difference_from_pytorch": {"onnxruntime": onnx_difference, "pt2": pt2_difference},
        "seconds": seconds,
    }
    return files, checks


def samples_csv(samples: np.ndarray, channels: tuple[str, ...]) -> bytes:
    """One sample per row, a column per channel (raw units, or a token id)."""
    frame = pd.DataFrame(samples.reshape(len(samples), -1), columns=list(channels))
    return frame.to_csv(index=False, float_format="%.9g", lineterminator="\n").encode()


def expected_csv(prediction: np.ndarray, outputs: tuple[str, ...], seq_len: int) -> bytes:
    """PyTorch's prediction after each full window (P, K): the index of the newest sample, then
    one value per output (named out0, out1, ... in the order of model.json's output names)."""
    frame = pd.DataFrame(prediction, columns=[f"out{k}" for k in range(len(outputs))])
    frame.insert(0, "sample", np.arange(len(frame)) + seq_len - 1)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, float_format="%.9g", lineterminator="\n")
    return buffer.getvalue().encode()


@dataclass
class ExportJob:
    """One build in a separate process; `stage`, `elapsed`, `done`, `files`, `checks`, `error`."""

    graph: ExportGraph
    samples: np.ndarray
    stage: int = -1  # index into STAGES, -1 while the process starts
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    error: str | None = None

    def start(self) -> ExportJob:
        """Start the process and a thread that follows its reports; returns at once."""
        threading.Thread(target=self._follow, name="rnn-export", daemon=True).start()
        return self

    @property
    def done(self) -> bool:
        """True once the build finished or failed."""
        return self.finished is not None

    @property
    def elapsed(self) -> float:
        """Seconds since the start, or the build's whole time once done."""
        return (self.finished or time.monotonic()) - self.started

    def _follow(self) -> None:
        try:
            self._run_child()
        except Exception as error:  # the process could not start: the page says so, never spins
            self.error = f"The export could not start: {type(error).__name__}: {error}"[:400]
        self.finished = time.monotonic()

    def _run_child(self) -> None:
        from rnn_core.live.processes import training_context  # a fork server with torch imported

        context = training_context()
        reports = context.Queue()
        process = context.Process(
            target=_build_in_child, args=(self.graph, self.samples, reports), daemon=True
        )
        process.start()
        while True:
            try:
                kind, value = reports.get(timeout=1.0)
            except queue.Empty:
                if not process.is_alive():
                    kind, value = "error", "The export process ended without a result."
                else:
                    continue
            if kind == "stage":
                self.stage = value
                continue
            if kind == "done":
                self.files, self.checks = value
            else:
                self.error = value
            break
        process.join(timeout=5)


def _build_in_child(graph: ExportGraph, samples: np.ndarray, reports) -> None:
    """The child's work: build_files, its stages and its result sent back through `reports`."""
    torch.set_num_threads(1)  # beside the web server and the trainings on a small machine
    try:
        result = build_files(graph, samples, lambda stage: reports.put(("stage", stage)))
        reports.put(("done", result))
    except Exception as error:  # the page shows the sentence; nothing is left half done
        reports.put(("error", f"The export failed: {type(error).__name__}: {error}"[:400]))
