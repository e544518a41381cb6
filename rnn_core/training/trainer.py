"""A seeded, step-wise, stoppable trainer that knows nothing of the screen.

Each `step()` is one optimizer step on a batch of training windows; every `eval_every` steps the
validation loss is measured. Records go to a `History`; a page, a benchmark and a test all drive
the trainer the same way.
"""

from __future__ import annotations

import math
import time
from typing import Literal

import torch

from rnn_core.datasets.prepare import PreparedData
from rnn_core.datasets.windows import DataError, TextStreams
from rnn_core.models import SequenceModel, build_model
from rnn_core.training.config import TrainConfig
from rnn_core.training.history import History
from rnn_core.training.losses import loss_for
from rnn_core.training.state import TrainingState, cpu_copy

Status = Literal["ready", "running", "finished", "early_stopped", "diverged"]


def steps_for_epochs(epochs: int, train_windows: int, batch_size: int) -> int:
    """Optimizer steps that draw about `epochs` passes over the training windows."""
    return max(1, math.ceil(epochs * train_windows / batch_size))


def make_optimizer(model: torch.nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """Adam or SGD over the model's parameters, with weight decay. Fused: one kernel updates
    every parameter (the same update as the per-tensor loop; measured 6 to 7 % more steps per
    second on one CPU thread for hidden 32, see `bench.loops.optimizer_variants`)."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            model.parameters(),
            lr=config.learning_rate,
            momentum=config.momentum,
            weight_decay=config.weight_decay,
            fused=True,
        )
    return torch.optim.Adam(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay, fused=True
    )


def make_scheduler(optimizer: torch.optim.Optimizer, config: TrainConfig):
    """The learning-rate schedule, or None for a constant rate."""
    if config.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(
            optimizer, step_size=config.schedule_step_size, gamma=config.schedule_gamma
        )
    if config.schedule == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, factor=config.schedule_gamma, patience=config.plateau_patience
        )
    return None


class Trainer:
    """Trains `model` on `data.train`, measuring `data.validation`; seeded and step-wise."""

    def __init__(
        self,
        model: SequenceModel,
        data: PreparedData,
        config: TrainConfig,
        history: History | None = None,
    ) -> None:
        self.model, self.data, self.config = model, data, config
        self.history = history if history is not None else History()
        self.steps_done = int(self.history.last("step")) if len(self.history) else 0
        self.optimizer = make_optimizer(model, config)
        self.scheduler = make_scheduler(self.optimizer, config)
        device = next(model.parameters()).device
        self._generator = torch.Generator().manual_seed(config.seed + self.steps_done)
        self._params = [p for p in model.parameters() if p.requires_grad]
        self._last_good = [p.detach().clone() for p in self._params]
        self._best: tuple[float, int, list[torch.Tensor]] | None = None
        self._evals_without_gain = 0
        self._device = device
        self._elapsed = self.history.last("seconds") if len(self.history) else 0.0
        self._target: int | None = None
        self._began_at = 0  # steps done when the latest run began
        self._streams = _streams_for(data, config) if config.truncated_bptt else None
        self._hidden = None  # carried across batches with truncated BPTT
        self.status: Status = "ready"
        self.message = ""

    def training_state(self, seed: int):
        """The whole state as plain values (CPU copies), for another process or a store;
        `seed` is the one the initial weights were drawn with."""
        return TrainingState(
            model_config=self.model.config,
            train_config=self.config,
            seed=seed,
            steps_done=self.steps_done,
            weights=cpu_copy(self.model.state_dict()),
            optimizer=cpu_copy(self.optimizer.state_dict()) if self.optimizer.state else None,
            scheduler=cpu_copy(self.scheduler.state_dict()) if self.scheduler else None,
            history=self.history.rows_since(0),
            status=self.status,
            message=self.message,
            batch_rng=self._generator.get_state(),
        )

    @classmethod
    def from_state(
        cls, state, data: PreparedData, config: TrainConfig | None = None, device: str = "cpu"
    ) -> Trainer:
        """A trainer that continues `state` on `data` (with `config`, or the state's own): the
        same weights, optimizer moments, schedule and history."""
        model = build_model(state.model_config, state.seed, device)
        model.load_state_dict(state.weights)
        history = History()
        history.extend(state.history)
        trainer = cls(model, data, config or state.train_config, history)
        if state.optimizer is not None:
            trainer.optimizer.load_state_dict(state.optimizer)
            for group in trainer.optimizer.param_groups:  # the new config's rate, not the old one
                group["lr"] = trainer.config.learning_rate
        same_schedule = trainer.config.schedule == state.train_config.schedule
        if state.scheduler is not None and trainer.scheduler is not None and same_schedule:
            trainer.scheduler.load_state_dict(state.scheduler)
        trainer.steps_done = state.steps_done
        if state.batch_rng is not None:
            trainer._generator.set_state(state.batch_rng)
        return trainer

    @property
    def done(self) -> bool:
        """True once the run has finished, stopped early or diverged."""
        return self.status in ("finished", "early_stopped", "diverged")

    def begin(self) -> None:
        """Start a run of `config.max_steps` steps from where training stands."""
        self._began_at = self.steps_done
        self._target = self.steps_done + self.config.max_steps
        self.status, self.message = "running", ""

    def run(self, should_stop=lambda: False) -> Status:
        """Begin a run and step until it ends or `should_stop()` says so."""
        self.begin()
        while not self.done and not should_stop():
            self.step()
        return self.status

    def step(self) -> None:
        """One optimizer step, then a validation measurement when one is due."""
        started = time.perf_counter()
        loss, grad_norm = self._optimizer_step()
        self._elapsed += time.perf_counter() - started
        if not (math.isfinite(loss) and math.isfinite(grad_norm)):
            self._diverge(loss)
            return
        self.steps_done += 1
        self.history.append(
            step=self.steps_done,
            loss=loss,
            grad_norm=grad_norm,
            lr=self.optimizer.param_groups[0]["lr"],
            seconds=self._elapsed,
        )
        if isinstance(self.scheduler, torch.optim.lr_scheduler.StepLR):
            self.scheduler.step()
        if self.steps_done % self.config.eval_every == 0 or self._at_target():
            self._measure_validation()
        if self.status == "running" and self._at_target():
            self.status = "finished"
            self.message = self._finished_message()

    def _finished_message(self) -> str:
        """'Finished 100 steps.', or for a run that continued a trained model, the steps it
        added and where they end ('Finished 100 steps more, at step 200.')."""
        steps = self.config.max_steps
        if self._began_at == 0:
            return f"Finished {steps:,} steps."
        return f"Finished {steps:,} steps more, at step {self.steps_done:,}."

    def _optimizer_step(self) -> tuple[float, float]:
        """Forward, backward, clip and update; returns (loss, global grad norm before clipping)."""
        x, y, hidden = self._next_batch()  # x (B, T, F) or (B, T); y alike
        if not self.model.training:
            self.model.train()
        if self.model.config.dropout > 0:
            torch.manual_seed(self.config.seed * 1_000_003 + self.steps_done)
        prediction, hidden = self.model(x, hidden)
        if self._streams is not None:  # carry the state, but backpropagate through this batch only
            self._hidden = _detached(hidden)
        loss = loss_for(prediction, y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grads = [p.grad for p in self._params if p.grad is not None]
        norm = torch.nn.utils.get_total_norm(grads)
        # one device-to-host copy for both numbers: on CUDA each copy waits for the GPU
        loss_value, norm_value = torch.stack([loss.detach(), norm]).tolist()
        if math.isfinite(loss_value) and math.isfinite(norm_value):
            if self.config.clip_grad_norm is not None:
                torch.nn.utils.clip_grads_with_norm_(self._params, self.config.clip_grad_norm, norm)
            with torch.no_grad():
                torch._foreach_copy_(self._last_good, self._params)  # one call for all tensors
            self.optimizer.step()
        return loss_value, norm_value

    def _next_batch(self):
        """Random windows with a fresh state, or the next chunk of every stream with the carried
        state (truncated BPTT): (x, y, initial hidden or None)."""
        if self._streams is not None:
            x, y, starts_over = self._streams.next()
            return x, y, None if starts_over else self._hidden
        train = self.data.train
        indices = torch.randint(len(train), (self.config.batch_size,), generator=self._generator)
        x, y = train.batch(indices.to(self._device))
        return x, y, None

    def _diverge(self, loss: float) -> None:
        """Stop at once and put back the last weights that gave a finite loss."""
        with torch.no_grad():
            for good, param in zip(self._last_good, self._params, strict=True):
                param.copy_(good)
        what = "NaN" if math.isnan(loss) else "infinite" if math.isinf(loss) else "finite"
        self.status = "diverged"
        self.message = (
            f"Training diverged at step {self.steps_done + 1}: the "
            f"{'loss' if what != 'finite' else 'gradient'} became "
            f"{what if what != 'finite' else 'NaN or infinite'}. The last good weights are kept. "
            f"Lower the learning rate (now {self.config.learning_rate:g})"
            + ("" if self.config.clip_grad_norm else " or turn on gradient clipping")
            + ", then press Start."
        )

    def _at_target(self) -> bool:
        return self._target is not None and self.steps_done >= self._target

    def evaluate(self, split: str = "validation") -> float:
        """Mean loss over up to `eval_windows` evenly spaced windows of a split, without dropout."""
        windows = self.data.split(split)
        return evaluate_loss(self.model, windows, windows.evenly_spaced(self.config.eval_windows))

    def _measure_validation(self) -> None:
        val_loss = self.evaluate("validation")
        self.history.set_last("val_loss", val_loss)
        if isinstance(self.scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            self.scheduler.step(val_loss)
        if self._best is None or val_loss < self._best[0]:
            weights = [p.detach().clone() for p in self._params]
            self._best, self._evals_without_gain = (val_loss, self.steps_done, weights), 0
            return
        self._evals_without_gain += 1
        patience = self.config.early_stopping_patience
        if patience is not None and self._evals_without_gain >= patience and self._target:
            best_loss, best_step, weights = self._best
            with torch.no_grad():
                for param, best in zip(self._params, weights, strict=True):
                    param.copy_(best)
            self.status = "early_stopped"
            self.message = (
                f"Stopped early at step {self.steps_done}: the validation loss had not improved "
                f"for {patience} evaluations. The weights of step {best_step} "
                f"(validation loss {best_loss:.4g}) are kept."
            )


def _streams_for(data: PreparedData, config: TrainConfig) -> TextStreams:
    """Training streams for truncated BPTT (text only: one long sequence)."""
    if not data.is_text:
        raise DataError("Truncated BPTT is for text: turn it off for series.")
    return TextStreams(data.train.inputs, config.batch_size, data.seq_len)


def _detached(hidden):
    """The hidden state cut from the graph: a tensor, an (h, c) pair, or one entry per layer."""
    if isinstance(hidden, torch.Tensor):
        return hidden.detach()
    return tuple(_detached(h) for h in hidden)


@torch.no_grad()
def evaluate_loss(model: SequenceModel, windows, indices: torch.Tensor, batch: int = 256) -> float:
    """Mean loss of `model` over the given windows, in eval mode, weighted by batch size."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for chunk in indices.split(batch):
        x, y = windows.batch(chunk)
        prediction, _ = model(x)
        total += loss_for(prediction, y).item() * len(chunk)
        count += len(chunk)
    model.train(was_training)
    return total / max(count, 1)
