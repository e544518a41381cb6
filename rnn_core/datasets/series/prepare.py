"""From a SeriesTable to windows: inputs (any columns) -> targets (any columns) 1..H steps ahead.

A window reads rows s .. s+T-1 of the chosen inputs; its targets are the chosen columns at rows
s+T-1+h, for h = H alone or for every h in 1..H (outputs step by step: [h=1: k0 k1 .., h=2: ..]).
The split is the IMU one (datasets.pieces): train | validation | test with a movable test block,
cut again at every gap; z-scores are fitted on the training rows only, inputs and targets apart.
A window whose inputs have a missing value is left out (a model cannot read NaN); a missing
target gives no loss (NaN in y) and no score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from rnn_core.datasets.pieces import SPLIT_FRACTIONS, joined_rows, split_pieces, window_starts
from rnn_core.datasets.prepare import SPLIT_NAMES, PreparedData
from rnn_core.datasets.series.reader import SeriesTable
from rnn_core.datasets.windows import DataError, Standardizer, WindowSet


@dataclass(frozen=True)
class SeriesTask:
    """What to learn: `inputs` over a window -> `targets` `horizon` steps after its last row."""

    inputs: tuple[str, ...]
    targets: tuple[str, ...]
    horizon: int = 1  # steps ahead of the window's last row
    every_step: bool = False  # forecast every step 1..horizon, else step `horizon` alone
    season: int = 0  # the seasonal naive's season in steps; 0: found from the training part

    @property
    def steps(self) -> tuple[int, ...]:
        """The steps ahead each block of outputs forecasts."""
        return tuple(range(1, self.horizon + 1)) if self.every_step else (self.horizon,)


@dataclass(frozen=True)
class SeriesMeta:
    """What reading results back needs: the table's columns, rows of every window, statistics."""

    task: SeriesTask
    name: str  # the file's name
    units: tuple[str, ...]  # unit of each target
    step_seconds: float  # the table's step (1 for the row index)
    time_kind: str
    start: str  # the first time of the table, as read
    time: np.ndarray  # (M,) seconds from the start (row numbers for the row index)
    inputs: np.ndarray  # (M, F) the input columns in data units, NaN where missing
    targets: np.ndarray  # (M, K) the target columns in data units, NaN where missing
    input_standardizer: Standardizer
    last_rows: dict  # split -> (W,) table row of each window's last input
    pieces: dict  # split -> row ranges [start, end) of its pieces
    split: tuple  # (fractions, test_at) that made it

    def clock(self, rows: np.ndarray) -> pd.DatetimeIndex | np.ndarray:
        """The time of table rows as a person reads it: dates (UTC for a zone or Unix time, as
        written otherwise), else seconds from the start, or row numbers for the row index."""
        return clock_of(self.time_kind, self.start, self.time[rows])

    def truth(self, split: str) -> np.ndarray:
        """The targets of every window of a part in data units: (W, S, K), S = len(steps)."""
        rows = self.last_rows[split][:, None] + np.asarray(self.task.steps)  # (W, S)
        return self.targets[rows]  # (W, S, K)


def clock_of(time_kind: str, start: str, seconds: np.ndarray) -> pd.DatetimeIndex | np.ndarray:
    """Times (seconds from the first row) as a person reads them: dates for a date-time or Unix
    time column (UTC for a zone or Unix time, as written otherwise), else the numbers as they are
    (seconds from the start, or row numbers for the row index)."""
    if time_kind.startswith("date-time") or time_kind == "unix":
        return pd.Timestamp(start) + pd.to_timedelta(seconds, unit="s")
    return seconds


def prepare_series_table(
    table: SeriesTable,
    seq_len: int,
    task: SeriesTask,
    fractions: tuple[float, float, float] = SPLIT_FRACTIONS,
    test_at: float | None = None,
    device: str | torch.device = "cpu",
) -> PreparedData:
    """Train / validation / test windows of a series for `task` (DataError with a sentence)."""
    _check(table, task, seq_len)
    inputs = np.column_stack([table.column(c) for c in task.inputs])  # (M, F)
    targets = np.column_stack([table.column(c) for c in task.targets])  # (M, K)
    pieces = split_pieces(table.segments, len(table.time), fractions, test_at)
    train = joined_rows(pieces["train"])
    input_scaler = Standardizer.fit(inputs[train][None])
    target_scaler = Standardizer.fit(targets[train][None])
    steps = len(task.steps)
    tiled = Standardizer(np.tile(target_scaler.mean, steps), np.tile(target_scaler.std, steps))
    ahead = _ahead(targets, task.steps)  # (M, S * K)
    sets, last_rows = {}, {}
    for name in SPLIT_NAMES:
        rows = joined_rows(pieces[name])
        starts = _usable(inputs, ahead, rows, pieces[name], seq_len, task.horizon, name)
        last_rows[name] = rows[starts + seq_len - 1]
        sets[name] = _window_set(rows, inputs, ahead, input_scaler, tiled, seq_len, starts, device)
    meta = SeriesMeta(
        task, table.name, tuple(table.units[table.columns.index(c)] for c in task.targets),
        table.detected.step_seconds, table.detected.time_kind, table.detected.start, table.time,
        inputs, targets, input_scaler, last_rows, pieces, (tuple(fractions), test_at),
    )  # fmt: skip
    return PreparedData(
        "regression",
        *(sets[name] for name in SPLIT_NAMES),
        input_size=len(task.inputs),
        output_size=steps * len(task.targets),
        seq_len=seq_len,
        task_shape="many_to_one",
        feature_names=task.inputs,
        standardizer=tiled,
        target_names=output_names(task),
        meta=meta,
    )


def output_names(task: SeriesTask) -> tuple[str, ...]:
    """The name of each output: the target, with '+h' when every step is forecast."""
    if not task.every_step:
        return task.targets
    return tuple(f"{target} +{h}" for h in task.steps for target in task.targets)


def _ahead(targets: np.ndarray, steps: tuple[int, ...]) -> np.ndarray:
    """(M, S * K): at row r, the targets at r + h for each step h (NaN past the end)."""
    M, K = targets.shape
    out = np.full((M, len(steps) * K), np.nan)
    for i, h in enumerate(steps):
        out[: M - h, i * K : (i + 1) * K] = targets[h:]
    return out


def _usable(inputs, ahead, rows, part, seq_len: int, horizon: int, name: str) -> np.ndarray:
    """Starts (into the part's joined rows) of windows inside one piece, with whole inputs and
    at least one target; DataError with a sentence when a part has none."""
    starts = window_starts(part, seq_len, horizon)  # (W,)
    if len(starts) == 0:
        longest = max((b - a for a, b in part), default=0)
        raise DataError(
            f"The {name} part has no stretch of {seq_len + horizon} steps without a gap (its "
            f"longest has {longest}): shorten the window or the horizon, or move the test block."
        )
    holes = np.r_[0, np.cumsum(~np.isfinite(inputs[rows]).all(axis=1))]  # (L + 1,)
    starts = starts[holes[starts + seq_len] == holes[starts]]
    starts = starts[np.isfinite(ahead[rows[starts + seq_len - 1]]).any(axis=1)]
    if len(starts) == 0:
        raise DataError(
            f"Every window of the {name} part has a missing input or no target value: "
            "choose other columns or move the test block."
        )
    return starts


def _window_set(rows, inputs, ahead, input_scaler, target_scaler, seq_len, starts, device):
    """A part's WindowSet: x at the joined rows, y one row later (WindowSet reads the target
    of the window ending at joined row j at index j + 1)."""
    L = len(rows)
    x = np.zeros((L + 1, inputs.shape[1]), dtype=np.float32)  # (L + 1, F)
    x[:L] = np.nan_to_num(input_scaler.transform(inputs[rows]))  # holes never reach a window
    before = rows[np.clip(np.arange(L + 1) - 1, 0, L - 1)]  # (L + 1,) index i holds row i - 1
    y = target_scaler.transform(ahead[before])  # (L + 1, S * K), NaN: no loss
    x_t = torch.from_numpy(x)[None].to(device)  # (1, L + 1, F)
    y_t = torch.from_numpy(y)[None].to(device)  # (1, L + 1, S * K)
    return WindowSet(x_t, y_t, seq_len, "many_to_one", torch.from_numpy(starts))


def _check(table: SeriesTable, task: SeriesTask, seq_len: int) -> None:
    """Refuse, with a sentence, a task this table cannot serve."""
    if seq_len < 1:
        raise DataError("The window must be at least 1 step long.")
    if not task.inputs or not task.targets:
        raise DataError("Choose at least one input column and one target column.")
    missing = [c for c in (*task.inputs, *task.targets) if c not in table.columns]
    if missing:
        raise DataError(
            f"{table.name} has no column {', '.join(missing)}: choose among "
            f"{', '.join(table.columns)}."
        )
    if task.horizon < 1:
        raise DataError("The horizon must be at least 1 step ahead.")
