"""Cells compared fairly: the same data, split and seed; equal hidden size or an equal parameter
budget; and the costs each one measured while training (time per step, peak memory)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch

from rnn_core.bounds import MAX_UNITS
from rnn_core.models import ModelConfig, count_parameters
from rnn_core.training.trainer import TrainConfig

MAX_HIDDEN = MAX_UNITS  # the bound of every model's units per layer

TABLE_COLUMNS = (
    "cell",
    "hidden size",
    "parameters",
    "final validation loss",
    "best validation loss",
    "steps",
    "ms per step",
    "peak memory (MiB)",
    "state",
)


def hidden_for_budget(config: ModelConfig, budget: int) -> int:
    """The hidden size whose parameter count (PyTorch's) is closest to `budget`, at most
    MAX_HIDDEN; ties go to the smaller size."""
    sizes = np.arange(1, MAX_HIDDEN + 1)
    counts = np.array([count_parameters(replace(config, hidden_size=int(h))) for h in sizes])
    return int(sizes[np.argmin(np.abs(counts - budget))])


def compare_configs(
    base: ModelConfig, cells: Sequence[tuple[str, str]], equal_budget: bool = False
) -> list[ModelConfig]:
    """One config per (cell, nonlinearity), otherwise `base`: the same hidden size, or with
    `equal_budget` the hidden size that gives each cell the parameter count of the first cell
    at base.hidden_size."""
    configs = [
        replace(base, cell=cell, nonlinearity=nonlinearity, layer_sizes=())
        for cell, nonlinearity in cells
    ]
    if not equal_budget or not configs:
        return configs
    budget = count_parameters(configs[0])
    return [replace(c, hidden_size=hidden_for_budget(c, budget)) for c in configs]


@dataclass(frozen=True)
class CellRun:
    """What one cell's training showed, for the table."""

    label: str
    config: ModelConfig
    history: pd.DataFrame  # step, loss, val_loss, seconds, ...
    steps_done: int
    state: str
    peak_memory_mib: float | None


def seconds_per_step(history: pd.DataFrame) -> float:
    """Training time per optimizer step over the whole run (NaN before two steps)."""
    if len(history) < 2:
        return float("nan")
    steps = history["step"].iloc[-1] - history["step"].iloc[0]
    seconds = history["seconds"].iloc[-1] - history["seconds"].iloc[0]
    return float(seconds / steps) if steps > 0 else float("nan")


def compare_table(runs: Sequence[CellRun]) -> pd.DataFrame:
    """One row per cell: sizes, PyTorch's parameter count, losses, ms per step, peak memory."""
    rows = []
    for run in runs:
        val = run.history["val_loss"].dropna() if "val_loss" in run.history else pd.Series()
        rows.append(
            (
                run.label,
                run.config.hidden_size,
                count_parameters(run.config),
                float(val.iloc[-1]) if len(val) else np.nan,
                float(val.min()) if len(val) else np.nan,
                run.steps_done,
                1e3 * seconds_per_step(run.history),
                np.nan if run.peak_memory_mib is None else run.peak_memory_mib,
                run.state,
            )
        )
    return pd.DataFrame.from_records(rows, columns=list(TABLE_COLUMNS))


def trivial_baseline(data, count: int = 4096) -> tuple[float, str]:
    """The validation loss of a model that ignores its input, and what it predicts: the data's
    own closed form when it has one (`data.meta.baseline`), else for values the training mean
    (0 in z-scores: MSE = mean of y^2) and for classes the training frequencies (cross-entropy)."""
    own = getattr(data.meta, "baseline", None)
    if own is not None:
        return own
    windows = data.validation
    _, y = windows.batch(windows.evenly_spaced(count))
    if y.dtype.is_floating_point:
        known = ~torch.isnan(y)  # a target without truth counts as loss_for counts it: not at all
        return float(y[known].double().pow(2).mean()), "the training mean"
    train = data.train
    _, y_train = train.batch(train.evenly_spaced(count))
    counts = np.bincount(y_train.reshape(-1).cpu().numpy(), minlength=data.output_size)
    frequencies = (counts + 1) / (counts.sum() + data.output_size)  # add-one: no log(0)
    loss = -np.log(frequencies[y.reshape(-1).cpu().numpy()]).mean()
    return float(loss), "the training frequencies of the classes"


def with_and_without_clipping(
    configs: dict[str, ModelConfig], train: TrainConfig, unclipped: bool
) -> dict[str, tuple[ModelConfig, TrainConfig]]:
    """The runs of a comparison, by label: each cell with `train`, and with `unclipped` a second
    run of it that differs only in having no gradient clipping."""
    if not unclipped or train.clip_grad_norm is None:
        return {label: (config, train) for label, config in configs.items()}
    runs = {}
    for label, config in configs.items():
        runs[f"{label}, clipped at {train.clip_grad_norm:g}"] = (config, train)
        runs[f"{label}, no clipping"] = (config, replace(train, clip_grad_norm=None))
    return runs
