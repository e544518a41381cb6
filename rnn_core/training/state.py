"""A training's whole state as plain values: what a training process is sent to continue a run,
what it sends back, and what a run store keeps.

    TrainingState --state_to_bytes--> bytes (torch.save of dicts, lists, numbers and tensors)
    bytes --state_from_bytes--> TrainingState (torch.load with weights_only=True: no code runs)
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass

import numpy as np
import torch

from rnn_core.models import ModelConfig
from rnn_core.training.config import TrainConfig
from rnn_core.training.history import COLUMNS

FORMAT = "rnn-explorer-training-state/1"


@dataclass
class TrainingState:
    """Everything needed to continue a training elsewhere: no module, no optimizer object."""

    model_config: ModelConfig
    train_config: TrainConfig
    seed: int  # of the initial weights
    steps_done: int
    weights: dict[str, torch.Tensor]  # CPU copies, the model's state_dict
    optimizer: dict | None  # the optimizer's state_dict, tensors on the CPU; None before a step
    scheduler: dict | None  # the schedule's state_dict, None for a constant rate
    history: np.ndarray  # (n, len(COLUMNS)) rows of the History
    status: str  # the trainer's status: ready, running, finished, early_stopped, diverged
    message: str
    batch_rng: torch.Tensor | None = None  # the batch order's generator state: resumes exactly


def state_to_bytes(state: TrainingState) -> bytes:
    """The state as bytes that `state_from_bytes` reads back (weights-only safe)."""
    buffer = io.BytesIO()
    torch.save(
        {
            "format": FORMAT,
            "model_config": asdict(state.model_config),
            "train_config": asdict(state.train_config),
            "seed": state.seed,
            "steps_done": state.steps_done,
            "weights": state.weights,
            "optimizer": state.optimizer,
            "scheduler": state.scheduler,
            "history": torch.from_numpy(np.array(state.history, dtype=np.float64)),  # a copy
            "columns": list(COLUMNS),
            "status": state.status,
            "message": state.message,
            "batch_rng": state.batch_rng,
        },
        buffer,
    )
    return buffer.getvalue()


def state_from_bytes(data: bytes) -> TrainingState:
    """The state `state_to_bytes` wrote; ValueError with a sentence for anything else."""
    try:
        raw = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as err:
        raise ValueError(f"This is not a saved training state ({type(err).__name__}).") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError("This is not a saved training state of this app.")
    if raw.get("columns") != list(COLUMNS):
        raise ValueError("This training state records other columns than this version of the app.")
    try:
        return TrainingState(
            model_config=ModelConfig(**raw["model_config"]),
            train_config=TrainConfig(**raw["train_config"]),
            seed=int(raw["seed"]),
            steps_done=int(raw["steps_done"]),
            weights=dict(raw["weights"]),
            optimizer=raw["optimizer"],
            scheduler=raw["scheduler"],
            history=raw["history"].numpy(),
            status=str(raw["status"]),
            message=str(raw["message"]),
            batch_rng=raw.get("batch_rng"),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"This training state is incomplete or damaged ({err}).") from None


def cpu_copy(value):
    """Tensors anywhere inside dicts, lists and tuples copied to the CPU (an optimizer's state)."""
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", copy=True)
    if isinstance(value, dict):
        return {k: cpu_copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(cpu_copy(v) for v in value)
    return value
