"""Two generated memory tasks, each with a closed-form trivial baseline: the adding problem
(Hochreiter & Schmidhuber 1997, as in Le et al. 2015 and Arjovsky et al. 2016) and copy memory
(Arjovsky, Shah & Bengio 2016).

    adding (T = 6)                          copy (S = 3 symbols, delay = 4)
    value   .3 .7 .1 .9 .4 .2               input   a b c _ _ _ : _ _ _    (_ blank, : delimiter)
    marker   0  1  0  0  1  0               output  _ _ _ _ _ _ _ a b c
    target  .7 + .4 = 1.1 (after the last step)

Each sequence is exactly one window of a `WindowSet`, which reads steps 0..L-1 of a stored
(N, L + 1, ...) array and takes targets one step later (many_to_many) or at step L (many_to_one):
the arrays get one padding step, zeros for the inputs and the first (never read) target step for
copy. Train, validation and test are independent draws, seeded from `config.seed`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from rnn_core.datasets.prepare import SPLIT_NAMES, PreparedData
from rnn_core.datasets.windows import DataError, WindowSet

ADDING_BASELINE_MSE = 1 / 6  # Var(U1 + U2) for U ~ U(0, 1): the MSE of always saying 1.0


@dataclass(frozen=True, kw_only=True)
class Draws:
    """How many independent sequences each part gets, and the seed they are drawn from."""

    train_sequences: int = 10_000  # independent sequences per part
    validation_sequences: int = 1_000
    test_sequences: int = 1_000
    seed: int = 0  # the three parts are drawn from seeds derived from this one

    def problems(self) -> list[str]:
        """Sentences about sequence counts below 1 or a negative seed."""
        names = ("train_sequences", "validation_sequences", "test_sequences")
        problems = [
            f"{name.replace('_', ' ').capitalize()} must be at least 1."
            for name in names
            if getattr(self, name) < 1
        ]
        if self.seed < 0:
            problems.append("The data seed must not be negative.")
        return problems


@dataclass(frozen=True)
class AddingConfig(Draws):
    """Knobs of the adding problem."""

    length: int = 50  # T: steps per sequence

    def __post_init__(self) -> None:
        problems = self.problems()
        if self.length < 2:
            problems.append("The adding problem needs a length of at least 2 (one marker a half).")
        if problems:
            raise DataError(" ".join(problems))


@dataclass(frozen=True)
class CopyConfig(Draws):
    """Knobs of the copy-memory task."""

    categories: int = 8  # K: the symbols to remember are drawn from K categories
    copy_length: int = 5  # S: symbols to remember, then to reproduce in order
    delay: int = 10  # steps from the last symbol to the first one reproduced; the knob

    def __post_init__(self) -> None:
        problems = self.problems()
        for name in ("copy_length", "delay"):
            if getattr(self, name) < 1:
                problems.append(f"{name.replace('_', ' ').capitalize()} must be at least 1.")
        if self.categories < 2:
            problems.append("Use at least 2 categories: with one there is nothing to remember.")
        if problems:
            raise DataError(" ".join(problems))

    @property
    def total_length(self) -> int:
        """L = delay + 2 S: steps per sequence, every one of them an output step."""
        return self.delay + 2 * self.copy_length


@dataclass(frozen=True)
class MemoryTaskMeta:
    """What a memory task keeps beside its windows: its closed-form trivial baseline."""

    config: AddingConfig | CopyConfig
    baseline: tuple[float, str]  # (validation loss, what the memoryless model predicts)


def _part_seeds(seed: int) -> tuple[tuple[int, int], ...]:
    """One seed per part (train, validation, test), derived from the config's seed."""
    return tuple((seed, index) for index in range(len(SPLIT_NAMES)))


def _part_counts(config: Draws) -> tuple[int, int, int]:
    """Sequences in train, validation and test."""
    return config.train_sequences, config.validation_sequences, config.test_sequences


def make_adding(
    count: int, length: int = 50, seed: int | tuple[int, ...] = 0
) -> tuple[np.ndarray, np.ndarray]:
    """`count` adding-problem sequences: inputs (N, T, 2) float32 (value, marker) and targets
    (N,) float32, the sum of the two marked values; one marker in each half of the sequence."""
    if length < 2:
        raise DataError("The adding problem needs a length of at least 2 (one marker a half).")
    rng = np.random.default_rng(seed)
    values = rng.random((count, length), dtype=np.float32)  # (N, T) in [0, 1)
    half = length // 2
    rows = np.arange(count)  # (N,)
    first = rng.integers(0, half, count)  # (N,) in the first half
    second = rng.integers(half, length, count)  # (N,) in the second half
    markers = np.zeros((count, length), dtype=np.float32)  # (N, T)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    inputs = np.stack([values, markers], axis=-1)  # (N, T, 2)
    targets = values[rows, first] + values[rows, second]  # (N,) float32
    return inputs, targets


def _adding_windows(inputs: np.ndarray, targets: np.ndarray, device) -> WindowSet:
    """One many_to_one window per sequence: x (T, 2), y (1,) the sum."""
    N, T, F = inputs.shape
    padded = np.zeros((N, T + 1, F), dtype=np.float32)  # (N, T + 1, 2): a zero step appended
    padded[:, :T] = inputs
    stored = np.zeros((N, T + 1, 1), dtype=np.float32)  # (N, T + 1, 1): only step T is read
    stored[:, T, 0] = targets
    x = torch.from_numpy(padded).to(device)
    y = torch.from_numpy(stored).to(device)
    return WindowSet(x, y, T, "many_to_one")


def prepare_adding(config: AddingConfig, device: str | torch.device = "cpu") -> PreparedData:
    """Train / validation / test windows of the adding problem, in raw units (no z-scores), with
    the closed-form baseline MSE 1/6 in `meta.baseline`."""
    sets = [
        _adding_windows(*make_adding(count, config.length, seed), device)
        for count, seed in zip(_part_counts(config), _part_seeds(config.seed), strict=True)
    ]
    baseline = (ADDING_BASELINE_MSE, "always 1.0, the mean of the sum: MSE = Var(U1 + U2) = 1/6")
    return PreparedData(
        "regression",
        *sets,
        input_size=2,
        output_size=1,
        seq_len=config.length,
        task_shape="many_to_one",
        feature_names=("value", "marker"),
        standardizer=None,
        target_names=("sum",),
        meta=MemoryTaskMeta(config, baseline),
    )


def copy_baseline(categories: int, copy_length: int, delay: int) -> float:
    """Cross-entropy (nats per output step) of the best memoryless model: blank with certainty
    until the recall, then a uniform guess of the K symbols: S log K / (delay + 2 S)."""
    return copy_length * math.log(categories) / (delay + 2 * copy_length)


def copy_feature_names(categories: int) -> tuple[str, ...]:
    """Names of the one-hot input channels: blank, the K symbols, delimiter."""
    return ("blank", *copy_class_names(categories)[1:], "delimiter")


def copy_class_names(categories: int) -> tuple[str, ...]:
    """Names of the output classes: blank, then the K symbols '1'..'K'."""
    return ("blank", *(str(k) for k in range(1, categories + 1)))


def make_copy(
    count: int,
    categories: int = 8,
    copy_length: int = 5,
    delay: int = 10,
    seed: int | tuple[int, ...] = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """`count` copy-memory sequences of L = delay + 2 S steps: inputs (N, L, K + 2) float32
    one-hot (0 blank, 1..K symbols, K + 1 delimiter) and targets (N, L) int64 (0 blank, 1..K the
    symbols, which come back at the last S steps); target t is what to output after input t."""
    if min(copy_length, delay) < 1:
        raise DataError("The copy task needs a copy length and a delay of at least 1.")
    rng = np.random.default_rng(seed)
    S, L = copy_length, delay + 2 * copy_length
    symbols = rng.integers(1, categories + 1, (count, S))  # (N, S) in 1..K
    codes = np.zeros((count, L), dtype=np.int64)  # (N, L) input codes, 0 = blank
    codes[:, :S] = symbols
    codes[:, S + delay - 1] = categories + 1  # the delimiter: reproduce from the next step on
    inputs = np.eye(categories + 2, dtype=np.float32)[codes]  # (N, L, K + 2)
    targets = np.zeros((count, L), dtype=np.int64)  # (N, L), blank until the recall
    targets[:, L - S :] = symbols
    return inputs, targets


def _copy_windows(inputs: np.ndarray, targets: np.ndarray, device) -> WindowSet:
    """One many_to_many window per sequence: x (L, K + 2), y (L,) class ids.

    WindowSet reads y one step after x, so the stored targets are shifted right by one:

        stored inputs   i0 i1 ... i(L-1) 0
        stored targets  -  o0 ...  o(L-2) o(L-1)      ('-' blank, never read)
    """
    N, L, F = inputs.shape
    padded = np.zeros((N, L + 1, F), dtype=np.float32)  # (N, L + 1, K + 2)
    padded[:, :L] = inputs
    shifted = np.zeros((N, L + 1), dtype=np.int64)  # (N, L + 1)
    shifted[:, 1:] = targets
    x = torch.from_numpy(padded).to(device)
    y = torch.from_numpy(shifted).to(device)
    return WindowSet(x, y, L, "many_to_many")


def prepare_copy(config: CopyConfig, device: str | torch.device = "cpu") -> PreparedData:
    """Train / validation / test windows of copy memory: one-hot floats in, class ids out at
    every step, with the closed-form memoryless cross-entropy in `meta.baseline`."""
    K, S = config.categories, config.copy_length
    sets = [
        _copy_windows(*make_copy(count, K, S, config.delay, seed), device)
        for count, seed in zip(_part_counts(config), _part_seeds(config.seed), strict=True)
    ]
    loss = copy_baseline(K, S, config.delay)
    what = (
        f"blank, then a uniform guess of the {K} symbols: "
        f"S log K / L = {S} log {K} / {config.total_length}"
    )
    return PreparedData(
        "classification",
        *sets,
        input_size=K + 2,
        output_size=K + 1,
        seq_len=config.total_length,
        task_shape="many_to_many",
        feature_names=copy_feature_names(K),
        class_names=copy_class_names(K),
        meta=MemoryTaskMeta(config, (loss, what)),
    )
