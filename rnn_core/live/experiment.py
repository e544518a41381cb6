"""One session's experiment: prepared data plus the run that trains a model on it.

Start continues the current model when its architecture and seed are unchanged (a change of
learning rate keeps the weights); a new architecture or seed starts a fresh run; Rewind starts a
fresh run from the initial weights of the same seed, so a change of one knob is a fair comparison.
The model is built only in the training process; this process holds the weights it reported.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import replace
from functools import cached_property

from rnn_core.datasets.prepare import PreparedData
from rnn_core.datasets.series.prepare import SeriesMeta
from rnn_core.evaluation.compare import trivial_baseline
from rnn_core.live.budget import check_budget, data_bytes, estimate
from rnn_core.live.reports import RunListener
from rnn_core.live.run import LiveRun
from rnn_core.live.spec import RunSpec
from rnn_core.models import ModelConfig, SequenceModel, build_model
from rnn_core.training.trainer import TrainConfig

ListenerFor = Callable[[RunSpec], RunListener | None]


class Experiment:
    """Data and the run training on it, for one browser session."""

    def __init__(
        self,
        data: PreparedData,
        key: Hashable,
        device: str = "cpu",
        listener_for: ListenerFor | None = None,
    ) -> None:
        self.data, self.key, self.device = data, key, device
        self.listener_for = listener_for
        self.run: LiveRun | None = None
        self._model: tuple[tuple[str, int], SequenceModel] | None = None

    @cached_property
    def baseline(self) -> tuple[float, str]:
        """The trivial baseline's validation loss on this data and what it predicts (once)."""
        return trivial_baseline(self.data)

    @cached_property
    def references(self) -> dict[str, float]:
        """The forecast baselines' validation losses in the model's units, for a time series
        (persistence, seasonal naive, linear AR; once); none for other data."""
        if not isinstance(self.data.meta, SeriesMeta):
            return {}
        from rnn_core.evaluation.forecast_losses import baseline_losses  # series only

        return baseline_losses(self.data)

    @property
    def model(self) -> SequenceModel | None:
        """The current model on the CPU, built from the weights the run last reported; None
        before the first Start or Step."""
        if self.run is None:
            return None
        step, weights = self.run.current_weights()
        key = (self.run.id, step)
        if self._model is None or self._model[0] != key:
            model = build_model(self.run.spec.model_config, self.run.spec.seed, "cpu")
            model.load_state_dict(weights)
            self._model = (key, model.eval())
        return self._model[1]

    def run_for(self, model_config: ModelConfig, train_config: TrainConfig, seed: int) -> LiveRun:
        """The run to start: the active one, the current one (continuing its model), or a
        fresh one. BudgetError (a sentence naming the knob to lower), before anything is built,
        when the training would pass the machine's memory limit."""
        if self.run is not None and self.run.active:
            return self.run
        self.check(model_config, train_config)
        current = self.run
        if (
            current is None
            or current.spec.model_config != model_config
            or current.spec.seed != seed
        ):
            return self._fresh(model_config, train_config, seed)
        current.spec = replace(current.spec, train_config=train_config)
        return current

    def check(self, model_config: ModelConfig, train_config: TrainConfig) -> None:
        """Raise BudgetError when this training would pass the memory limit."""
        found = estimate(model_config, train_config, self.data.seq_len, 1, data_bytes(self.data))
        check_budget(found)

    def rewind(self) -> LiveRun | None:
        """A fresh run from the initial weights of the same seed, with an empty history."""
        if self.run is None:
            return None
        self.stop()
        spec = self.run.spec
        return self._fresh(spec.model_config, spec.train_config, spec.seed)

    def stop(self) -> None:
        """Stop any training; the weights stay."""
        if self.run is not None:
            self.run.stop()

    def _fresh(self, model_config: ModelConfig, train_config: TrainConfig, seed: int) -> LiveRun:
        self.check(model_config, train_config)  # Rewind too: no run past the budget
        spec = RunSpec(self.data, model_config, train_config, seed, self.device)
        listener = self.listener_for(spec) if self.listener_for is not None else None
        self.run = LiveRun(spec, listener)
        return self.run
