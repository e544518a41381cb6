"""model.json: everything a device needs to feed the exported graph and read what it gives back."""

from __future__ import annotations

import platform
from dataclasses import asdict
from importlib import metadata

from rnn_core.datasets.imu.prepare import ImuMeta, ImuTable
from rnn_core.datasets.prepare import PreparedData
from rnn_core.export.graph import ExportGraph
from rnn_core.export.onnx_export import INPUT_NAME, OUTPUT_NAME

FORMAT = "rnn-explorer-export"
VERSION = 1
# The units an IMU table holds every channel in (the reader converts whatever the file used).
SI_UNITS = {
    **{name: "rad" for name in ("roll", "pitch", "yaw")},
    **{name: "rad/s" for name in ("gx", "gy", "gz")},
    **{name: "m/s^2" for name in ("ax", "ay", "az")},
    **{name: "uT" for name in ("mx", "my", "mz")},
}
EXPORTERS = ("torch", "onnx", "onnxscript", "onnxruntime")


def versions() -> dict[str, str]:
    """Versions of Python, torch and the exporters that made the files."""
    found = {"python": platform.python_version()}
    for name in EXPORTERS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def model_json(graph: ExportGraph, data: PreparedData, table: ImuTable | None = None) -> dict:
    """The sidecar of an export: channels, units, window, horizon, statistics, vocabulary,
    classes, how to stream it sample by sample, and the versions that made it."""
    spec = graph.spec
    meta = data.meta if isinstance(data.meta, ImuMeta) else None
    units = SI_UNITS if meta is not None else {}
    regression = spec.kind == "regression" and not spec.is_text
    T = spec.seq_len
    return {
        "format": FORMAT,
        "version": VERSION,
        "model": asdict(graph.model.config),
        "input": {
            "name": INPUT_NAME,
            "dtype": "int64" if spec.is_text else "float32",
            "shape": ["batch", T] if spec.is_text else ["batch", T, len(spec.channels)],
            "channels": list(spec.channels),
            "units": [units.get(name, "") for name in spec.channels],
            "model_reads_first": spec.model_inputs,
        },
        "output": {
            "name": OUTPUT_NAME,
            "dtype": "float32",
            "shape": ["batch", T, len(spec.outputs)]
            if spec.per_step
            else ["batch", len(spec.outputs)],
            "kind": "values" if regression else "logits",
            "names": list(spec.outputs),
            "units": [units.get(name, "") for name in spec.outputs] if regression else [],
            "change_added_back_from": [spec.channels[i] for i in spec.change_from],
        },
        "window_length": T,
        "horizon": meta.task.horizon if meta is not None and not meta.task.classify else 1,
        "sample_rate_hz": meta.sample_rate if meta is not None else None,
        "attitude_source": table.attitude_source if table is not None else None,
        "attitude_rate_hz": table.filter_rate if table is not None else None,  # the sensor's
        "statistics": _statistics(graph),
        "vocabulary": list(data.vocabulary.chars) if data.vocabulary is not None else None,
        "classes": list(data.class_names) or None,
        "streaming": _streaming(T, spec.per_step),
        "versions": versions(),
    }


def _statistics(graph: ExportGraph) -> dict[str, list[float]]:
    """The z-score statistics the graph applies inside (inputs) and undoes (outputs)."""
    return {
        "input_mean": graph.input_mean.tolist(),
        "input_std": graph.input_std.tolist(),
        "output_mean": graph.output_mean.tolist(),
        "output_std": graph.output_std.tolist(),
    }


def _streaming(T: int, per_step: bool) -> dict:
    """How a device runs the model sample by sample."""
    return {
        "ring_buffer_samples": T,
        "steps": [
            f"Keep the last {T} samples in a ring buffer (raw values, in the units above).",
            "On each new sample, overwrite the oldest one; once the buffer is full, copy it "
            f"oldest first into an input of shape (1, {T}, channels) and run the model.",
            "The prediction for the newest sample is "
            + ("the output's last step." if per_step else "the output row."),
            "Nothing else is needed: the z-scores and any change added back are in the graph.",
        ],
    }
