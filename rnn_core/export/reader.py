"""An export read back in Python: every file checked against model.json's manifest and model.json
against the compiled graph's own description before anything is loaded, then the input checked
(shape, dtype, finite values, token ids in the vocabulary) before each prediction."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnn_core.export.checks import (
    ExportError,
    check_against_package,
    package_metadata,
    read_checked_sidecar,
)


@dataclass(frozen=True)
class CheckedExport:
    """An unzipped export whose files matched its manifest and whose sidecar matched its graph."""

    folder: Path
    sidecar: dict

    def check_input(self, x: np.ndarray) -> np.ndarray:
        """`x` as the graph reads it, or ExportError saying what is wrong with it."""
        part = self.sidecar["input"]
        want = tuple(part["shape"][1:])  # (T, C) or (T,) for token ids
        dtype = np.dtype(part["dtype"])
        if x.ndim != len(want) + 1 or tuple(x.shape[1:]) != want or x.dtype != dtype:
            raise ExportError(
                f"The windows are {x.dtype} of shape {x.shape}, but the model reads "
                f"{part['dtype']} of shape (batch, {', '.join(map(str, want))}): reshape them."
            )
        if part["dtype"] == "int64":
            count = len(self.sidecar["vocabulary"])
            if x.size and (x.min() < 0 or x.max() >= count):
                raise ExportError(f"A token id is outside 0 to {count - 1}: use the vocabulary.")
        elif not np.isfinite(x).all():
            batch, step, channel = np.argwhere(~np.isfinite(x))[0]
            raise ExportError(
                f"Window {batch}, step {step}, channel {part['channels'][channel]} is "
                f"{x[batch, step, channel]}, not a finite number: the model cannot use it."
            )
        return np.ascontiguousarray(x)

    def run_pt2(self, x: np.ndarray) -> np.ndarray:
        """The compiled package's prediction for windows `x` (loaded only now, after the checks)."""
        from rnn_core.export.aoti import run_compiled

        return run_compiled(self.folder / "model.pt2", self.check_input(x))

    def run_onnx(self, x: np.ndarray) -> np.ndarray:
        """The ONNX graph's prediction for windows `x` in onnxruntime."""
        from rnn_core.export.onnx_export import run_onnx

        path = self.folder / "model.onnx"
        if not path.is_file():
            raise ExportError(f"There is no model.onnx at {path}: unzip the whole export there.")
        return run_onnx(path.read_bytes(), self.check_input(x))


def open_export(
    folder: str | os.PathLike, needed: tuple[str, ...] = ("model.pt2",)
) -> CheckedExport:
    """The unzipped export in `folder`, checked: ExportError with a sentence when a file differs
    from the manifest (or one of `needed` is missing) or model.json disagrees with model.pt2."""
    folder = Path(folder)
    sidecar = read_checked_sidecar(folder, needed)
    metadata = package_metadata(folder / "model.pt2") if (folder / "model.pt2").is_file() else None
    if metadata is None:
        raise ExportError(f"There is no model.pt2 at {folder}: unzip the whole export there.")
    check_against_package(sidecar, metadata)
    return CheckedExport(folder, sidecar)


def run_pt2(path: str | os.PathLike, x: np.ndarray) -> np.ndarray:
    """The prediction for windows `x` of the model.pt2 of an unzipped export: the export is
    checked first (reader.open_export), ExportError with a sentence when it does not pass."""
    return open_export(Path(path).parent).run_pt2(x)
