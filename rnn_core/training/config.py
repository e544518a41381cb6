"""TrainConfig: the knobs of one training run, and the sentences that say what to change when
they cannot be used. Torch-free, so the state, the trainer and a store all read it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class TrainConfig:
    """Knobs of one training run."""

    optimizer: Literal["adam", "sgd"] = "adam"
    learning_rate: float = 1e-2
    momentum: float = 0.9  # SGD only
    weight_decay: float = 0.0  # L2 penalty, as the optimizer applies it
    schedule: Literal["constant", "step", "plateau"] = "constant"
    schedule_step_size: int = 200  # steps between decays ("step")
    schedule_gamma: float = 0.5  # factor applied at each decay ("step" and "plateau")
    plateau_patience: int = 3  # evaluations without improvement before a decay ("plateau")
    batch_size: int = 64  # windows per step, drawn with replacement
    clip_grad_norm: float | None = 1.0  # max global gradient norm; None turns clipping off
    max_steps: int = 300  # optimizer steps per run
    eval_every: int = 25  # steps between validation measurements
    eval_windows: int = 512  # validation windows per measurement, evenly spaced
    early_stopping_patience: int | None = None  # evaluations without improvement; None: off
    seed: int = 0  # drives batch order (and dropout)
    truncated_bptt: bool = False  # text: contiguous streams, hidden state carried across batches

    def __post_init__(self) -> None:
        problems = train_config_problems(self)
        if problems:
            raise ValueError(" ".join(problems))


def train_config_problems(config: TrainConfig) -> list[str]:
    """Sentences that say what to change; empty when the config is usable."""
    problems = []
    if config.optimizer not in ("adam", "sgd"):
        problems.append("The optimizer must be 'adam' or 'sgd'.")
    if config.schedule not in ("constant", "step", "plateau"):
        problems.append("The schedule must be 'constant', 'step' or 'plateau'.")
    if not (config.learning_rate > 0 and math.isfinite(config.learning_rate)):
        problems.append("The learning rate must be a positive number.")
    if config.weight_decay < 0:
        problems.append("Weight decay must not be negative.")
    if not 0 < config.schedule_gamma <= 1:
        problems.append("The schedule factor must be above 0 and at most 1.")
    for name in ("batch_size", "max_steps", "eval_every", "eval_windows", "schedule_step_size"):
        if getattr(config, name) < 1:
            problems.append(f"{name.replace('_', ' ').capitalize()} must be at least 1.")
    if config.clip_grad_norm is not None and not config.clip_grad_norm > 0:
        problems.append("The clipping norm must be positive (or turn clipping off).")
    if config.early_stopping_patience is not None and config.early_stopping_patience < 1:
        problems.append("Early-stopping patience must be at least 1 evaluation.")
    return problems
