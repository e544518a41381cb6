"""Training: the seeded, step-wise Trainer and its config (trainer), the record of every step
(history) and the loss of every task (losses)."""

from rnn_core.training.history import History
from rnn_core.training.trainer import (
    TrainConfig,
    Trainer,
    evaluate_loss,
    steps_for_epochs,
    train_config_problems,
)

__all__ = [
    "History",
    "TrainConfig",
    "Trainer",
    "evaluate_loss",
    "steps_for_epochs",
    "train_config_problems",
]
