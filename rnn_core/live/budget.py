"""What a training will cost, estimated from its settings before anything is built, and the
limit it must fit in.

    memory of one run = parameters x 4 bytes x (weights, gradients, optimizer state, the
                        last good and best copies, the copy a snapshot sends)
                      + one step's activations: batch x window x (every layer's saved states
                        and gates + the input + the outputs and their gradients)
                      + the data the training process holds
    time of one step  = multiply-adds of the forward and backward passes / a CPU rate
                        + a fixed cost per time step and layer (each is one small kernel call)

The limit per training is a share of the machine's memory: `RNN_EXPLORER_TRAINING_MIB` when set,
else half of the total memory divided among the trainings that may run at once. A Compare holds
all of its runs, so their sum must fit in the share of every training together.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace

from rnn_core.analysis.limits import (  # noqa: F401 (their import path)
    ANALYSIS_MIB,
    ANALYSIS_VARIABLE,
    analysis_memory_limit,
)
from rnn_core.bounds import MAX_RUNS, MIB, BudgetError, mib_text  # noqa: F401
from rnn_core.live.slots import max_concurrent_trainings
from rnn_core.models import GATES_PER_CELL, ModelConfig, count_parameters
from rnn_core.training.trainer import TrainConfig

MEMORY_FRACTION = 0.5  # of the machine's memory, for all trainings together
LIMIT_VARIABLE = "RNN_EXPLORER_TRAINING_MIB"
LONG_RUN_S = 600.0  # a run estimated to take longer than this gets a warning before Start
BYTES = 4  # float32
# Saved per step and unit of a layer for the backward pass (gates, states, their nonlinearities),
# as measured against the peak resident memory of real steps (tests/core/test_budget.py).
SAVED_PER_UNIT = {"lstm": 14, "gru": 14, "rnn": 4}
COPIES_OF_WEIGHTS = {"adam": 8, "sgd": 7}  # weights, gradients, 2 or 1 state, 2 copies, 2 sends
# One torch thread on this 2-core machine while others use it (measured: 0.3 to 3e10 a second).
MULTIPLY_ADDS_PER_S = 1e10
SECONDS_PER_KERNEL = 4e-5  # fixed cost of one time step of one layer, forward and backward
HEAD_COST = 3  # the head's multiply-adds also pay for the softmax and loss over every output
PROCESS_BYTES = 32 * MIB  # what a training process adds besides its tensors (allocator, pickles)


@dataclass(frozen=True)
class Estimate:
    """Memory and time of the runs a Start would begin, from their settings alone."""

    parameters: int  # of one run (PyTorch's count)
    weight_bytes: int  # weights, gradients, optimizer state and copies, of one run
    activation_bytes: int  # the largest step (training or evaluation) of one run
    data_bytes: int  # the data a training process holds
    seconds_per_step: float  # of one run, on one CPU thread
    runs: int = 1  # runs of this size started together
    steps: int = 0  # optimizer steps each run asks for

    @property
    def bytes_per_run(self) -> int:
        """What one training process adds at its peak."""
        return PROCESS_BYTES + self.weight_bytes + self.activation_bytes + self.data_bytes

    @property
    def total_bytes(self) -> int:
        """What all the runs add together."""
        return self.runs * self.bytes_per_run

    def seconds_to_finish(self, at_once: int | None = None) -> float:
        """Wall time until every run has taken its steps, `at_once` of them training together."""
        lanes = max(1, min(self.runs, at_once or max_concurrent_trainings()))
        return self.steps * self.seconds_per_step * math.ceil(self.runs / lanes)

    def summary(self) -> str:
        """One line for the page: memory, time per step and time to finish."""
        runs = f"{self.runs} runs, " if self.runs > 1 else ""
        return (
            f"Estimate: {runs}{mib_text(self.total_bytes)} of memory, "
            f"{duration_text(self.seconds_per_step)} a step, "
            f"about {duration_text(self.seconds_to_finish())} for {self.steps:,} steps"
        )


def estimate(
    model: ModelConfig,
    train: TrainConfig,
    seq_len: int,
    runs: int = 1,
    data_bytes: int = 0,
) -> Estimate:
    """Memory and time of `runs` trainings of `model` with `train` on windows of `seq_len`."""
    B, T = train.batch_size, seq_len
    D, G = model.num_directions, GATES_PER_CELL[model.cell]
    parameters = count_parameters(model)
    weight_bytes = parameters * BYTES * COPIES_OF_WEIGHTS.get(train.optimizer, 8)
    saved = sum(D * SAVED_PER_UNIT[model.cell] * H for H in model.hidden_sizes)
    outputs_per_step = model.output_size if model.task_shape == "many_to_many" else 0
    per_window_step = saved + model.features_in + 3 * outputs_per_step
    train_bytes = B * T * per_window_step * BYTES + 3 * B * model.output_size * BYTES
    eval_batch = min(train.eval_windows, 256)  # evaluate_loss's chunk: no gradients kept
    widest = max(D * G * H for H in model.hidden_sizes)
    eval_bytes = eval_batch * T * (2 * widest + 2 * outputs_per_step) * BYTES
    multiply_adds, layer_in = 0, model.features_in
    for H in model.hidden_sizes:
        multiply_adds += D * G * H * (layer_in + H)
        layer_in = D * H
    head = model.last_hidden_size * D * model.output_size
    per_window = T * multiply_adds + (T if outputs_per_step else 1) * HEAD_COST * head
    evaluation = train.eval_windows * per_window / train.eval_every  # forward only, amortised
    seconds = (3 * B * per_window + evaluation) / MULTIPLY_ADDS_PER_S
    seconds += 3 * T * len(model.hidden_sizes) * D * SECONDS_PER_KERNEL
    return Estimate(
        parameters=parameters,
        weight_bytes=weight_bytes,
        activation_bytes=max(train_bytes, eval_bytes),
        data_bytes=data_bytes,
        seconds_per_step=seconds,
        runs=runs,
        steps=train.max_steps,
    )


def total_memory_bytes() -> int:
    """The machine's memory (Linux /proc/meminfo; 8 GiB where it cannot be read)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 8 * 2**30


def training_memory_limit() -> int:
    """Bytes one training may use: `RNN_EXPLORER_TRAINING_MIB` when set to a positive number,
    else half the machine's memory shared among the trainings that may run at once."""
    text = os.environ.get(LIMIT_VARIABLE, "").strip()
    try:
        mib = float(text) if text else 0.0
    except ValueError:
        mib = 0.0
    if mib > 0 and math.isfinite(mib):
        return int(mib * MIB)
    return int(total_memory_bytes() * MEMORY_FRACTION / max_concurrent_trainings())


def budget_problem(found: Estimate, limit: int | None = None, compare: bool = False) -> str | None:
    """A sentence naming the knob to lower when the runs would pass the memory limit; else None."""
    limit = training_memory_limit() if limit is None else limit
    if found.runs > MAX_RUNS:
        return f"{found.runs} runs at once is more than {MAX_RUNS}: choose fewer cells."
    total_limit = limit * max_concurrent_trainings() if compare else limit
    if found.bytes_per_run <= limit and found.total_bytes <= total_limit:
        return None
    over = found.bytes_per_run if found.bytes_per_run > limit else found.total_bytes
    allowed = limit if found.bytes_per_run > limit else total_limit
    return (
        f"This training would need about {mib_text(over)} of memory, more than the "
        f"{mib_text(allowed)} one training may use on this machine: {_knob(found, compare)}."
    )


def _knob(found: Estimate, compare: bool) -> str:
    """The knob whose part of the memory is largest, as a sentence's end."""
    parts = {
        "weights": found.weight_bytes,
        "activations": found.activation_bytes,
        "data": found.data_bytes,
    }
    largest = max(parts, key=parts.get)
    if largest == "weights":
        return "lower the hidden size, the units per layer or the number of layers"
    if largest == "data":
        return "use a shorter text or recording on 1 · Data"
    fewer = ", or train fewer cells at once" if compare and found.runs > 1 else ""
    return f"lower the batch size or the window length (on 1 · Data){fewer}"


def time_warning(found: Estimate) -> str | None:
    """A sentence when the runs would take long to finish; else None."""
    seconds = found.seconds_to_finish()
    if seconds <= LONG_RUN_S:
        return None
    return (
        f"This will take about {duration_text(seconds)} to finish on this machine "
        f"({duration_text(found.seconds_per_step)} a step): fewer steps, a smaller batch, "
        "window or model make it quicker. Stop ends it at any time."
    )


def duration_text(seconds: float) -> str:
    """Seconds as a person reads them: '4 ms', '2.5 s', '3 min', '2.1 h'."""
    if seconds < 1:
        ms = max(seconds * 1e3, 0.1)
        return f"{ms:.2g} ms" if ms < 10 else f"{ms:.0f} ms"
    if seconds < 120:
        return f"{seconds:.2g} s" if seconds < 10 else f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def check_budget(found: Estimate, limit: int | None = None, compare: bool = False) -> None:
    """Raise BudgetError with the sentence when the runs would pass the memory limit."""
    problem = budget_problem(found, limit, compare)
    if problem:
        raise BudgetError(problem)


def data_bytes(data) -> int:
    """Bytes of the tensors a PreparedData holds (inputs and targets of its three parts)."""
    seen, total = set(), 0
    for part in (data.train, data.validation, data.test):
        for tensor in (part.inputs, part.targets):
            if id(tensor) not in seen:
                seen.add(id(tensor))
                total += tensor.numel() * tensor.element_size()
    return total


def seeds_duration(found: Estimate, seeds: int) -> str:
    """What several seeds add to an estimate of one run per cell, as a caption says it."""
    runs = found.runs * seeds
    total = replace(found, runs=runs).seconds_to_finish()
    return f"Times {seeds} seeds: {runs} runs, about {duration_text(total)} in all, one per core."
