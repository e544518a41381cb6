"""What a training process is sent: the run's description, never a model or a Trainer."""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch

from rnn_core.datasets.prepare import SPLIT_NAMES, PreparedData
from rnn_core.datasets.windows import WindowSet
from rnn_core.models import ModelConfig
from rnn_core.training.state import TrainingState
from rnn_core.training.trainer import TrainConfig


@dataclass(frozen=True)
class RunSpec:
    """Settings, seed and data of one run; the training process builds the model itself."""

    data: PreparedData  # CPU tensors; the training process moves them to `device`
    model_config: ModelConfig
    train_config: TrainConfig  # max_steps: the steps of this run
    seed: int  # of the initial weights
    device: str = "cpu"  # "cpu" or "cuda": CUDA is initialised in the training process
    resume: TrainingState | None = None  # continue from here (weights, optimizer, history)
    preview: bool = True  # compute the page's preview beside the training

    @property
    def steps_before(self) -> int:
        """Steps the model had taken before this run."""
        return self.resume.steps_done if self.resume is not None else 0


def data_on(data: PreparedData, device: str | torch.device) -> PreparedData:
    """The same data with its windows' tensors on `device` (no copy when already there)."""
    if data.train.inputs.device == torch.device(device):
        return data
    moved = {name: _windows_on(data.split(name), device) for name in SPLIT_NAMES}
    return replace(data, **moved)


def _windows_on(windows: WindowSet, device) -> WindowSet:
    starts = windows.starts.to(device) if windows.starts is not None else None
    return WindowSet(
        windows.inputs.to(device),
        windows.targets.to(device),
        windows.seq_len,
        windows.task_shape,
        starts,
    )
