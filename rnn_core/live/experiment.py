"""One session's experiment: prepared data plus the model and runner trained on it.

Start continues the current model when its architecture and seed are unchanged (a change of
learning rate keeps the weights); a new architecture or seed builds a fresh model; Rewind puts
back the initial weights of the same seed, so a change of one knob is a fair comparison.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import cached_property, partial

from rnn_core.analysis.predict import preview_for
from rnn_core.datasets.imu.prepare import ImuMeta
from rnn_core.datasets.prepare import PreparedData
from rnn_core.evaluation.compare import trivial_baseline
from rnn_core.evaluation.imu import imu_preview
from rnn_core.live.budget import check_budget, data_bytes, estimate
from rnn_core.live.runner import TrainingRunner
from rnn_core.models import ModelConfig, build_model
from rnn_core.training.trainer import TrainConfig, Trainer


class Experiment:
    """Data, model and training of one browser session."""

    def __init__(self, data: PreparedData, key: Hashable, device: str = "cpu") -> None:
        self.data, self.key, self.device = data, key, device
        self.runner: TrainingRunner | None = None
        self.seed: int | None = None

    @cached_property
    def baseline(self) -> tuple[float, str]:
        """The trivial baseline's validation loss on this data and what it predicts (once)."""
        return trivial_baseline(self.data)

    @property
    def model(self):
        """The current model, or None before the first Start or Step."""
        return self.runner.trainer.model if self.runner is not None else None

    def runner_for(
        self, model_config: ModelConfig, train_config: TrainConfig, seed: int
    ) -> TrainingRunner:
        """The runner to start: the active one, one continuing the model, or a fresh one.
        BudgetError (a sentence naming the knob to lower), before anything is built, when the
        training would pass the machine's memory limit."""
        if self.runner is not None and self.runner.active:
            return self.runner
        self.check(model_config, train_config)
        current = self.runner.trainer if self.runner is not None else None
        if current is None or current.model.config != model_config or self.seed != seed:
            return self._fresh(model_config, train_config, seed)
        if current.config != train_config or current.status == "diverged":
            trainer = Trainer(current.model, self.data, train_config, current.history)
            self.runner = self._runner(trainer, snapshots_from=self.runner)
        return self.runner

    def check(self, model_config: ModelConfig, train_config: TrainConfig) -> None:
        """Raise BudgetError when this training would pass the memory limit."""
        found = estimate(model_config, train_config, self.data.seq_len, 1, data_bytes(self.data))
        check_budget(found)

    def rewind(self) -> TrainingRunner | None:
        """Back to the initial weights of the same seed, with an empty history."""
        if self.runner is None:
            return None
        self.stop()
        trainer = self.runner.trainer
        return self._fresh(trainer.model.config, trainer.config, self.seed)

    def stop(self) -> None:
        """Stop any training; the weights stay."""
        if self.runner is not None:
            self.runner.stop()

    def _fresh(
        self, model_config: ModelConfig, train_config: TrainConfig, seed: int
    ) -> TrainingRunner:
        self.check(model_config, train_config)  # Rewind too: no model past the budget
        model = build_model(model_config, seed, self.device)
        self.seed = seed
        self.runner = self._runner(Trainer(model, self.data, train_config))
        return self.runner

    def _runner(self, trainer: Trainer, snapshots_from: TrainingRunner | None = None):
        imu = isinstance(self.data.meta, ImuMeta)
        preview = partial(imu_preview, data=self.data) if imu else preview_for(self.data)
        runner = TrainingRunner(trainer, preview=preview)
        if snapshots_from is not None:
            runner.snapshots = snapshots_from.snapshots
        return runner
