"""Compare over seeds: each cell trained once per seed on the same data, summarised per cell as
mean ± spread of the final and best validation loss, with how many seeds diverged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnn_core.evaluation.compare import seconds_per_step
from rnn_core.models import ModelConfig, count_parameters
from rnn_core.sweeps.aggregate import (
    COMPLETED,
    FAILED,
    best_validation,
    final_validation,
    spread,
)
from rnn_core.training.history import mean_over_seeds

SEED_TABLE_COLUMNS = (
    "cell",
    "hidden size",
    "parameters",
    "final validation loss (mean)",
    "final validation loss (std)",
    "best validation loss (mean)",
    "best validation loss (std)",
    "seeds done",
    "diverged",
    "ms per step",
    "state",
)


@dataclass(frozen=True)
class SeededRun:
    """One seed of one cell: its state and history."""

    seed: int
    state: str
    history: pd.DataFrame


def seed_table(cells: dict[str, tuple[ModelConfig, Sequence[SeededRun]]]) -> pd.DataFrame:
    """One row per cell: PyTorch's parameter count, mean and sample std over the seeds that
    trained to their end of the final and best validation loss, how many diverged, the mean ms
    per step, and the state as 'k of n finished' (or the seeds still training)."""
    rows = []
    for label, (config, runs) in cells.items():
        done = [r for r in runs if r.state in COMPLETED]
        final_mean, final_std, _, _ = spread([final_validation(r.history) for r in done])
        best_mean, best_std, _, _ = spread([best_validation(r.history) for r in done])
        per_step = [seconds_per_step(r.history) for r in runs if len(r.history) > 1]
        rows.append(
            (
                label,
                config.hidden_size,
                count_parameters(config),
                final_mean,
                final_std,
                best_mean,
                best_std,
                len(done),
                sum(r.state == "diverged" for r in runs),
                1e3 * float(np.mean(per_step)) if per_step else np.nan,
                seeds_state(runs),
            )
        )
    return pd.DataFrame.from_records(rows, columns=list(SEED_TABLE_COLUMNS))


def seeds_state(runs: Sequence[SeededRun]) -> str:
    """What a cell's seeds are doing, in a few words: "3 of 5 finished, 1 training"."""
    finished = sum(r.state in COMPLETED for r in runs)
    parts = [f"{finished} of {len(runs)} finished"]
    for word in ("diverged", "training", "queued", "stopped"):
        count = sum(r.state == word for r in runs)
        if count:
            parts.append(f"{count} {word}")
    failed = sum(r.state in FAILED for r in runs)
    if failed:
        parts.append(f"{failed} failed")
    return ", ".join(parts)


def seed_curves(cells: dict[str, tuple[ModelConfig, Sequence[SeededRun]]]) -> dict:
    """Per cell, the validation loss's mean, std, min and max over its seeds at each step."""
    return {
        label: mean_over_seeds([r.history for r in runs if len(r.history)])
        for label, (_, runs) in cells.items()
    }
