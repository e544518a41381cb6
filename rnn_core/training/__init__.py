"""Training: the seeded, step-wise Trainer (trainer) and its knobs (config), the record of every
step (history), the loss of every task (losses) and the whole state, saved and restored (state)."""

from rnn_core.training.config import TrainConfig, train_config_problems
from rnn_core.training.history import History
from rnn_core.training.trainer import (
    Trainer,
    evaluate_loss,
    steps_for_epochs,
)

__all__ = [
    "History",
    "TrainConfig",
    "Trainer",
    "evaluate_loss",
    "steps_for_epochs",
    "train_config_problems",
]
