"""Temporary: the runtime's RunSpec, TrainingState and train_to_end, until main has them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_core.datasets.prepare import PreparedData
from rnn_core.models import ModelConfig, build_model
from rnn_core.training.trainer import TrainConfig, Trainer


@dataclass(frozen=True)
class RunSpec:
    """What a training process is sent: settings, seed and the data."""

    data: PreparedData
    model_config: ModelConfig
    train_config: TrainConfig
    seed: int
    device: str = "cpu"
    resume: object = None
    preview: bool = True


@dataclass
class TrainingState:
    """The end of a training."""

    model_config: ModelConfig
    train_config: TrainConfig
    seed: int
    steps_done: int
    weights: dict
    optimizer: dict | None
    scheduler: dict | None
    history: np.ndarray
    status: str
    message: str


def train_to_end(spec: RunSpec, should_stop=lambda: False, listener=None) -> TrainingState:
    """Train a spec to its end in this process."""
    model = build_model(spec.model_config, spec.seed, spec.device)
    trainer = Trainer(model, spec.data, spec.train_config)
    trainer.run(should_stop)
    rows = trainer.history.rows_since(0)
    if listener is not None:
        listener.rows(rows)
    return TrainingState(
        spec.model_config,
        spec.train_config,
        spec.seed,
        trainer.steps_done,
        {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
        None,
        None,
        rows,
        trainer.status,
        trainer.message,
    )


class LiveRun:
    """The contract's LiveRun over the present TrainingRunner."""

    WORDS = {"running": "training", "error": "failed"}

    def __init__(self, spec: RunSpec, listener=None, *, slots=None, heartbeat_timeout=15.0):
        from rnn_core.live.runner import TrainingRunner
        from rnn_core.live.slots import TRAINING_SLOTS

        model = build_model(spec.model_config, spec.seed, spec.device)
        trainer = Trainer(model, spec.data, spec.train_config)
        self.spec = spec
        self._runner = TrainingRunner(
            trainer, slots=slots or TRAINING_SLOTS, heartbeat_timeout=heartbeat_timeout
        )

    @property
    def state(self) -> str:
        """The run's state in the contract's words."""
        return self.WORDS.get(self._runner.state, self._runner.state)

    @property
    def message(self) -> str:
        """What the run said last."""
        return self._runner.message

    @property
    def active(self) -> bool:
        """Queued, training or paused."""
        return self._runner.active

    def start(self) -> bool:
        """Begin in the background."""
        return self._runner.start()

    def stop(self, wait: float = 5.0) -> None:
        """End the run."""
        self._runner.stop(wait)

    def heartbeat(self) -> None:
        """The page is still there."""
        self._runner.heartbeat()

    def history(self):
        """Every row so far."""
        return self._runner.trainer.history.frame()
