"""What a sweep's runs say together: per setting, the mean and spread over seeds of the final and
best validation loss, and how many seeds diverged or failed.

Only runs that trained to their end (finished or stopped early) enter the means: a diverged run's
last finite loss says nothing about the setting, so it is counted apart, as is a failed one.
Spread is the sample standard deviation (ddof = 1), undefined (NaN) for a single seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rnn_core.sweeps.spec import SweepRun

COMPLETED = ("finished", "early_stopped")  # states whose losses enter the means
FAILED = ("failed", "interrupted")


@dataclass(frozen=True)
class RunResult:
    """What one run of a sweep reported: its state, its history so far and where it trained."""

    run: SweepRun
    state: str  # a RunState value: queued, training, finished, diverged, failed, ...
    message: str
    history: pd.DataFrame  # step, loss, val_loss, ... (may be empty)
    where: str = ""  # the host (and node) it trained on, when known


def final_validation(history: pd.DataFrame) -> float:
    """The last validation loss measured (NaN when none)."""
    val = history["val_loss"].dropna() if "val_loss" in history else pd.Series(dtype=float)
    return float(val.iloc[-1]) if len(val) else np.nan


def best_validation(history: pd.DataFrame) -> float:
    """The lowest validation loss measured (NaN when none)."""
    val = history["val_loss"].dropna() if "val_loss" in history else pd.Series(dtype=float)
    return float(val.min()) if len(val) else np.nan


def run_table(results: Sequence[RunResult], knob_names: Sequence[str]) -> pd.DataFrame:
    """One row per run: its knob values, seed, state, steps, final and best validation loss, and
    where it trained."""
    rows = []
    for result in results:
        history = result.history
        steps = int(history["step"].iloc[-1]) if len(history) else 0
        rows.append(
            (
                *result.run.setting,
                result.run.seed,
                result.state,
                steps,
                final_validation(history),
                best_validation(history),
                result.where,
            )
        )
    columns = [*knob_names, "seed", "state", "steps", "final val", "best val", "where"]
    return pd.DataFrame.from_records(rows, columns=columns)


def spread(values: Sequence[float]) -> tuple[float, float, float, float]:
    """Mean, sample standard deviation (NaN for one value), min and max; all NaN when empty."""
    x = np.asarray(values, dtype=float)
    if not len(x):
        return (np.nan,) * 4
    std = float(np.std(x, ddof=1)) if len(x) > 1 else np.nan
    return float(np.mean(x)), std, float(np.min(x)), float(np.max(x))


SUMMARY_STATS = ("mean", "std", "min", "max")


def summary_table(results: Sequence[RunResult], knob_names: Sequence[str]) -> pd.DataFrame:
    """One row per setting (in the sweep's order): seeds completed, mean / std / min / max of the
    final and best validation loss over them, and how many seeds diverged, failed or are still
    to come."""
    groups: dict[tuple[Any, ...], list[RunResult]] = {}
    for result in sorted(results, key=lambda r: r.run.index):
        groups.setdefault(result.run.setting, []).append(result)
    rows = []
    for setting, group in groups.items():
        done = [r for r in group if r.state in COMPLETED]
        final = spread([final_validation(r.history) for r in done])
        best = spread([best_validation(r.history) for r in done])
        rows.append(
            (
                *setting,
                len(done),
                *final,
                *best,
                sum(r.state == "diverged" for r in group),
                sum(r.state in FAILED for r in group),
                sum(r.state not in (*COMPLETED, "diverged", *FAILED) for r in group),
            )
        )
    columns = [
        *knob_names,
        "seeds done",
        *(f"final {s}" for s in SUMMARY_STATS),
        *(f"best {s}" for s in SUMMARY_STATS),
        "diverged",
        "failed",
        "other",
    ]
    return pd.DataFrame.from_records(rows, columns=columns)


def grid(
    summary: pd.DataFrame, knob_names: Sequence[str], column: str = "final mean"
) -> tuple[list, list, np.ndarray]:
    """A summary column as a matrix: rows the second knob's values (one row for a single knob),
    columns the first knob's, NaN where a setting has no value yet."""
    first = list(dict.fromkeys(summary[knob_names[0]]))
    second = list(dict.fromkeys(summary[knob_names[1]])) if len(knob_names) > 1 else [""]
    matrix = np.full((len(second), len(first)), np.nan)  # (rows, columns)
    for row in summary.to_dict("records"):  # each column keeps its type (iterrows would not)
        r = second.index(row[knob_names[1]]) if len(knob_names) > 1 else 0
        matrix[r, first.index(row[knob_names[0]])] = row[column]
    return first, second, matrix


def best_setting(summary: pd.DataFrame, knob_names: Sequence[str]) -> tuple | None:
    """The setting with the lowest mean final validation loss (None before any completes)."""
    ranked = summary.dropna(subset=["final mean"])
    if not len(ranked):
        return None
    best = ranked[list(knob_names)].loc[[ranked["final mean"].idxmin()]].to_dict("records")[0]
    return tuple(_plain(best[name]) for name in knob_names)


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds (a widget takes only those)."""
    return value.item() if isinstance(value, np.generic) else value
