"""The export zip: the graphs, their sidecar, the run's settings and history, and the checkpoint.

rnn-export.zip
  model.onnx      raw inputs in, prediction out (onnxruntime, any ONNX runtime)
  model.pt2       the same graph compiled by AOTInductor, for libtorch (examples/cpp)
  model.json      channels, units, window, horizon, statistics, vocabulary, streaming, versions,
                  and the manifest: the SHA-256 and size of every other file, checked before use
  samples.csv     a stretch of test samples, one per row, as a device reads them
  expected.csv    PyTorch's prediction after each sample once a window is full
  settings.json   the model's and the training's settings, and the seed
  history.csv     the loss curve: one row per optimizer step, losses in the unit their headers name
  checkpoint.pt   the weights as the app saves and reads them (rnn_core.checkpoint)
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict

import pandas as pd

from rnn_core.datasets.imu.prepare import ImuMeta, ImuTable
from rnn_core.datasets.prepare import PreparedData
from rnn_core.export.checks import manifest
from rnn_core.export.graph import ExportGraph
from rnn_core.export.sidecar import model_json
from rnn_core.models import SequenceModel
from rnn_core.units import data_unit, history_to_download

MEMBERS = (
    "model.onnx",
    "model.pt2",
    "model.json",
    "samples.csv",
    "expected.csv",
    "settings.json",
    "history.csv",
    "checkpoint.pt",
)


def run_settings(model: SequenceModel, train_config, seed: int | None) -> dict:
    """The settings of a run as JSON values: the model's, the training's, and the seed."""
    return {
        "model": asdict(model.config),
        "training": asdict(train_config) if train_config is not None else None,
        "seed": seed,
    }


def checkpoint_extra(data: PreparedData, table: ImuTable | None) -> dict:
    """What the checkpoint keeps beside the weights: an IMU model's settings (as Evaluate saves
    them), else nothing."""
    if isinstance(data.meta, ImuMeta) and table is not None:
        from rnn_core.evaluation.imu import imu_model_extra

        return imu_model_extra(data, table)
    return {}


def export_zip(
    graph: ExportGraph,
    data: PreparedData,
    built: tuple[dict[str, bytes], dict],
    settings: dict,
    history: pd.DataFrame,
    checkpoint: bytes,
    table: ImuTable | None = None,
) -> bytes:
    """The zip of MEMBERS from `build_files`'s result and the run's settings, history and
    checkpoint; model.json records the checks, the seconds each stage took and the manifest."""
    files, checks = built
    members = {
        **files,
        "settings.json": _json(settings),
        "history.csv": _history_csv(history, data),
        "checkpoint.pt": checkpoint,
    }
    sidecar = model_json(graph, data, table) | {"checks": checks, "manifest": manifest(members)}
    members["model.json"] = _json(sidecar)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in MEMBERS:
            archive.writestr(name, members[name])
    return buffer.getvalue()


def _history_csv(history: pd.DataFrame, data: PreparedData) -> bytes:
    """The loss curve with its losses in the task's unit, which their headers name ("loss
    (bits/char)"), as the Runs page downloads it."""
    table = history_to_download(history, data_unit(data))
    return table.to_csv(index=False, lineterminator="\n").encode()


def _json(value: dict) -> bytes:
    """Indented UTF-8 JSON (a vocabulary keeps its characters as they are)."""
    return json.dumps(value, indent=2, ensure_ascii=False).encode()
