"""A trained model with its preprocessing inside: raw values in the data's units in, prediction out.

    x (B, T, C) in the data's units            ids (B, T) for text
      | z-score with the training statistics     |
      v                                          v
    SequenceModel (the trained weights, CPU, eval mode)
      | back to the data's units (regression)
      | + the value the input has at that step (IMU "learn the change"), roll and yaw wrapped
      v
    (B, K) one prediction after the window, or (B, T, K) one per step; logits for classes

An IMU target the model does not read as an input (it only needs its value to add the change
back) is an extra input channel after the model's own: `ExportSpec.channels` names them all.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from rnn_core.datasets.imu.prepare import ImuMeta
from rnn_core.datasets.imu.table import WRAPPED
from rnn_core.datasets.prepare import PreparedData
from rnn_core.models import SequenceModel


@dataclass(frozen=True)
class ExportSpec:
    """What the exported graph reads and gives, as the sidecar describes it."""

    channels: tuple[str, ...]  # input channels in order (text: the single channel "token")
    model_inputs: int  # the first model_inputs channels feed the model; the rest add the change
    outputs: tuple[str, ...]  # what each output value is (a target, a class, a character)
    kind: str  # "regression" or "classification" (logits)
    seq_len: int  # T: samples per window
    per_step: bool  # True: (B, T, K), a prediction at every step; False: (B, K)
    change_from: tuple[int, ...]  # per output: the channel whose value is added back, or empty
    is_text: bool  # ids (B, T) int64 in, instead of floats (B, T, C)


def export_spec(data: PreparedData) -> ExportSpec:
    """The graph's inputs and outputs for a model trained on `data`."""
    meta = data.meta if isinstance(data.meta, ImuMeta) else None
    inputs = tuple(data.feature_names) or ("token",)
    outputs = data.class_names or data.outputs
    if data.is_text:
        inputs, outputs = ("token",), data.vocabulary.chars
    change_from: tuple[int, ...] = ()
    channels = inputs
    if meta is not None and not meta.task.classify and meta.task.predict_change:
        extra = tuple(t for t in meta.task.targets if t not in inputs)
        channels = inputs + extra
        change_from = tuple(channels.index(t) for t in meta.task.targets)
    return ExportSpec(
        channels=channels,
        model_inputs=len(inputs),
        outputs=tuple(outputs),
        kind=data.kind,
        seq_len=data.seq_len,
        per_step=data.task_shape == "many_to_many",
        change_from=change_from,
        is_text=data.is_text,
    )


class ExportGraph(nn.Module):
    """The trained model between its z-scores and the change added back, for torch.export."""

    def __init__(self, model: SequenceModel, data: PreparedData) -> None:
        super().__init__()
        self.spec = export_spec(data)
        self.model = copy.deepcopy(model).cpu().float().eval()
        C, K = len(self.spec.channels), len(self.spec.outputs)
        inputs, targets = data.input_standardizer, data.standardizer
        regression = data.kind == "regression" and targets is not None
        self.register_buffer("input_mean", _stat(inputs.mean if inputs else None, C, 0.0))
        self.register_buffer("input_std", _stat(inputs.std if inputs else None, C, 1.0))
        self.register_buffer("output_mean", _stat(targets.mean if regression else None, K, 0.0))
        self.register_buffer("output_std", _stat(targets.std if regression else None, K, 1.0))
        wrapped = [name in WRAPPED for name in self.spec.outputs] if self.spec.change_from else []
        self.register_buffer("wrapped", torch.tensor(wrapped, dtype=torch.bool))
        self.change_from = list(self.spec.change_from)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, C) floats in the data's units, or ids (B, T) -> (B, K) or (B, T, K)."""
        if self.spec.is_text:
            return self.model(x)[0]  # (B, T, V) logits
        M = self.spec.model_inputs
        z = (x[..., :M] - self.input_mean[:M]) / self.input_std[:M]  # (B, T, M)
        y = self.model(z)[0] * self.output_std + self.output_mean  # (B, K) or (B, T, K)
        if not self.change_from:
            return y
        last = x[..., self.change_from] if self.spec.per_step else x[:, -1, self.change_from]
        y = y + last  # the change added back to the value the device has at that step
        wrapped = (y + math.pi).remainder(2 * math.pi) - math.pi  # roll and yaw into [-pi, pi)
        return torch.where(self.wrapped, wrapped, y)


def _stat(values, size: int, default: float) -> torch.Tensor:
    """Statistics as a float32 tensor (size,), padded with `default` for channels the model does
    not read (they are only added back) or filled with it when there are none."""
    out = torch.full((size,), default, dtype=torch.float32)
    if values is not None:
        values = torch.as_tensor(np.asarray(values, dtype=np.float32))
        out[: len(values)] = values
    return out


def example_input(spec: ExportSpec, batch: int = 2) -> torch.Tensor:
    """A placeholder input of the graph's shape and dtype, for tracing."""
    if spec.is_text:
        return torch.zeros(batch, spec.seq_len, dtype=torch.long)  # (B, T)
    return torch.zeros(batch, spec.seq_len, len(spec.channels))  # (B, T, C)
