"""From an IMU recording to windows: next-state forecasting or activity classification.

recording (SI, uniform rate, segments)
    -> imu_table: roll and pitch from the file, else from a complementary filter (said so)
    -> temporal split by rows (train | validation | test), cut again at every gap
    -> z-scores fitted on the training rows only (inputs and targets apart)
    -> WindowSet per part over the joined rows, keeping only windows inside one piece

A window reads rows s .. s+T-1; its target is row s+T-1+h (h = horizon, 0 for an activity label,
which is the label of the window's last row). Persistence forecasts that target by row s+T-1.
With `predict_change` the model learns target[s+T-1+h] - target[s+T-1], and its forecast is the
last value plus that change: an output of zero is exactly persistence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from rnn_core.baselines import complementary_filter
from rnn_core.datasets.imu import ImuRecording
from rnn_core.datasets.prepare import SPLIT_NAMES, PreparedData
from rnn_core.datasets.windows import DataError, Standardizer, WindowSet

IMU_INPUTS = ("roll", "pitch", "ax", "ay", "az", "gx", "gy", "gz")
IMU_TARGETS = ("roll", "pitch", "gx", "gy", "gz")
IMU_FRACTIONS = (0.7, 0.15, 0.15)
FILTER_ALPHA = 0.98


@dataclass(frozen=True)
class ImuTable:
    """A recording's columns with roll and pitch, and the filter's own estimate beside them."""

    values: pd.DataFrame  # (N, C) SI: channels, roll and pitch always
    time: np.ndarray  # (N,) seconds
    sample_rate: float  # Hz
    segments: tuple[tuple[int, int], ...]  # row ranges [start, end) without gaps
    labels: np.ndarray | None  # (N,) str activity labels, when the file has them
    filtered: np.ndarray  # (N, 2) roll, pitch (rad) from the complementary filter
    orientation_note: str  # where roll and pitch come from, for the page to say


@dataclass(frozen=True)
class ImuTask:
    """What to learn: inputs -> targets `horizon` rows ahead, or the activity of each window."""

    inputs: tuple[str, ...] = IMU_INPUTS
    targets: tuple[str, ...] = IMU_TARGETS
    horizon: int = 1  # rows ahead of the window's last row (forecasting)
    classify: bool = False  # predict the window's activity label instead
    predict_change: bool = True  # learn the change from the last row, added back to forecast


@dataclass(frozen=True)
class ImuMeta:
    """What reading results back needs: rows of every window, the input statistics, the task."""

    task: ImuTask
    sample_rate: float
    input_standardizer: Standardizer
    last_rows: dict[str, np.ndarray]  # split -> (W,) recording row of each window's last input
    target_rows: dict[str, np.ndarray]  # split -> (W,) recording row of each window's target
    part_starts: tuple[int, int]  # first row of the validation part and of the test part
    last_values: dict[str, np.ndarray]  # split -> (W, K) targets at each window's last row, SI

    def absolute(self, split: str, outputs: np.ndarray) -> np.ndarray:
        """Forecasts in SI from the model's outputs in SI: (W, K), the change added back."""
        return self.last_values[split] + outputs if self.task.predict_change else outputs


def imu_table(recording: ImuRecording, alpha: float = FILTER_ALPHA) -> ImuTable:
    """The recording with roll and pitch: the file's when it has them, else the filter's."""
    ch = recording.channels
    filtered = complementary_filter(
        recording.time,
        *(ch[k].to_numpy() for k in ("ax", "ay", "az", "gx", "gy", "gz")),
        alpha=alpha,
        segments=recording.segments,
    )
    values = ch.copy()
    if recording.has_orientation:
        note = "Roll and pitch come from the file and are the ground truth."
    else:
        values["roll"], values["pitch"] = filtered
        note = (
            "The file has no orientation: roll and pitch come from a complementary filter "
            f"(alpha {alpha:g}, exact Euler-rate kinematics), so they are an estimate, not ground "
            "truth, and the filter's baseline equals persistence on them."
        )
    return ImuTable(
        values=values,
        time=recording.time,
        sample_rate=recording.sample_rate,
        segments=recording.segments,
        labels=recording.labels,
        filtered=np.stack(filtered, axis=1),
        orientation_note=note,
    )


def split_pieces(
    segments, rows: int, fractions: tuple[float, float, float] = IMU_FRACTIONS
) -> dict[str, list[tuple[int, int]]]:
    """Row ranges of each part: the recording cut at fractions of its rows, then at every gap."""
    cut1 = int(round(rows * fractions[0]))
    cut2 = int(round(rows * (fractions[0] + fractions[1])))
    bounds = dict(zip(SPLIT_NAMES, ((0, cut1), (cut1, cut2), (cut2, rows)), strict=True))
    return {
        name: [
            (max(a, lo), min(b, hi))
            for a, b in segments
            if min(b, hi) > max(a, lo)  # the part of segment [a, b) inside [lo, hi)
        ]
        for name, (lo, hi) in bounds.items()
    }


def prepare_imu(
    table: ImuTable,
    seq_len: int,
    task: ImuTask = ImuTask(),
    task_shape: str = "many_to_one",
    fractions: tuple[float, float, float] = IMU_FRACTIONS,
    device: str | torch.device = "cpu",
    fitted: tuple[Standardizer, Standardizer | None, tuple[str, ...]] | None = None,
) -> PreparedData:
    """Train / validation / test windows of an IMU table for `task` (DataError with a sentence).

    fitted: (input statistics, target statistics, class names) of a saved model, used instead of
    fitting on the training rows; the training and validation parts may then be empty (a new
    recording evaluated whole: fractions (0, 0, 1)).
    """
    _check_task(table, task, seq_len)
    if task.classify:
        task_shape = "many_to_one"
    reach = 0 if task.classify else task.horizon  # rows from the last input to the target
    pieces = split_pieces(table.segments, len(table.values), fractions)
    joined = {name: _joined_rows(part) for name, part in pieces.items()}  # split -> (L,) rows
    train_rows = joined["train"]
    inputs = table.values[list(task.inputs)].to_numpy(np.float64)  # (N, F)
    if task.classify:
        targets = None
        class_names = fitted[2] if fitted else tuple(sorted(set(table.labels[train_rows].tolist())))
        codes = _class_codes(table.labels, class_names)  # (N,) int, -1 for unseen labels
    else:
        class_names, codes = (), None
        targets = table.values[list(task.targets)].to_numpy(np.float64)  # (N, K)
    if fitted is not None:
        input_scaler, target_scaler = fitted[0], fitted[1]
    else:
        input_scaler = Standardizer.fit(_take(inputs, pieces["train"])[None])
        target_scaler = (
            None
            if task.classify
            else Standardizer.fit(
                _learned(targets, train_rows, pieces["train"], task, valid=True)[None]
            )
        )
    needed = [name for name in SPLIT_NAMES if fitted is None or name == "test"]  # with windows
    sets, last_rows, target_rows, last_values = {}, {}, {}, {}
    for name in SPLIT_NAMES:
        starts = _window_starts(pieces[name], seq_len, reach)  # (W,) index into joined rows
        rows = joined[name]
        if len(starts) == 0 and name in needed:
            fits = min(_longest(pieces[part]) for part in needed) - reach  # for every part
            raise _no_window(name, pieces[name], seq_len, reach, table.sample_rate, fits)
        if task.classify and name != "train":
            starts = starts[codes[rows[starts + seq_len - 1]] >= 0]  # drop labels never trained on
        last_rows[name] = rows[starts + seq_len - 1]
        target_rows[name] = rows[starts + seq_len - 1 + reach]
        last_values[name] = targets[last_rows[name]] if targets is not None else None
        sets[name] = _window_set(
            rows,
            inputs,
            codes if task.classify else _learned(targets, rows, pieces[name], task),
            input_scaler,
            target_scaler,
            seq_len,
            task_shape,
            starts,
            device,
        )
    return PreparedData(
        "classification" if task.classify else "regression",
        *(sets[name] for name in SPLIT_NAMES),
        input_size=len(task.inputs),
        output_size=len(class_names) if task.classify else len(task.targets),
        seq_len=seq_len,
        task_shape=task_shape,
        feature_names=task.inputs,
        standardizer=target_scaler,
        target_names=() if task.classify else task.targets,
        class_names=class_names,
        meta=ImuMeta(
            task,
            table.sample_rate,
            input_scaler,
            last_rows,
            target_rows,
            _part_starts(pieces),
            last_values,
        ),
    )


def _learned(targets, rows, part, task: ImuTask, valid: bool = False) -> np.ndarray:
    """What the model learns at each row of a part, (L, K): the target `horizon` rows ahead, or
    its change from this row. Rows too close to a piece's end to have one are 0, or left out
    with `valid` (for fitting statistics)."""
    h = task.horizon
    L = len(rows)
    ahead = rows[np.minimum(np.arange(L) + h, max(L - 1, 0))]  # (L,) the row h ahead in the part
    here = targets[rows[0] : rows[-1] + 1] if _contiguous(rows) else targets[rows]  # (L, K)
    learned = targets[ahead] - here if task.predict_change else targets[ahead]
    keep = np.ones(L, dtype=bool)
    offset = 0
    for a, b in part:  # rows whose target would leave their piece: never used by a window
        keep[offset + max(b - a - h, 0) : offset + (b - a)] = False
        offset += b - a
    if valid:
        return learned[keep]
    learned[~keep] = 0.0
    return learned


def _part_starts(pieces: dict[str, list[tuple[int, int]]]) -> tuple[int, int]:
    """First row of the validation and of the test part (the end of the previous part if empty)."""
    train_end = pieces["train"][-1][1] if pieces["train"] else 0
    validation = pieces["validation"][0][0] if pieces["validation"] else train_end
    test = pieces["test"][0][0] if pieces["test"] else validation
    return validation, test


def _check_task(table: ImuTable, task: ImuTask, seq_len: int) -> None:
    """Refuse, with a sentence, a task this recording cannot serve."""
    columns = list(table.values.columns)
    if seq_len < 1:
        raise DataError("The window must be at least 1 step long.")
    if not task.inputs:
        raise DataError("Choose at least one input channel.")
    missing = [c for c in task.inputs + (() if task.classify else task.targets) if c not in columns]
    if missing:
        raise DataError(
            f"This recording has no {', '.join(missing)}: choose among {', '.join(columns)}."
        )
    if task.classify:
        if table.labels is None:
            raise DataError(
                "This recording has no label column, so there is no activity to classify: "
                "forecast the next state, or upload a file with a label column."
            )
        return
    if not task.targets:
        raise DataError("Choose at least one target to forecast.")
    if task.horizon < 1:
        raise DataError("The horizon must be at least 1 step ahead.")


def _take(values: np.ndarray, part: list[tuple[int, int]]) -> np.ndarray:
    """The rows of a part's pieces, one after the other: a view when there is one piece."""
    if len(part) == 1:
        return values[part[0][0] : part[0][1]]
    return np.concatenate([values[a:b] for a, b in part]) if part else values[:0]


def _contiguous(rows: np.ndarray) -> bool:
    """True when rows are consecutive (one slice can take them without a copy)."""
    return len(rows) > 0 and int(rows[-1]) - int(rows[0]) == len(rows) - 1


def _joined_rows(part: list[tuple[int, int]]) -> np.ndarray:
    """The recording rows of a part's pieces, one after the other: (L,)."""
    if not part:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(a, b) for a, b in part])


def _window_starts(part: list[tuple[int, int]], seq_len: int, reach: int) -> np.ndarray:
    """Starts (into the joined rows) of windows whose inputs and target lie in one piece."""
    starts, offset = [], 0
    for a, b in part:
        count = (b - a) - (seq_len - 1 + reach)  # starts s with s + T - 1 + reach < b - a
        if count > 0:
            starts.append(offset + np.arange(count))
        offset += b - a
    return np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)


def _class_codes(labels: np.ndarray, class_names: tuple[str, ...]) -> np.ndarray:
    """Each label's index in class_names, -1 for a label the training part never has."""
    lookup = {name: i for i, name in enumerate(class_names)}
    return np.array([lookup.get(label, -1) for label in labels.tolist()], dtype=np.int64)


def _window_set(
    rows, inputs, targets, input_scaler, target_scaler, seq_len, task_shape, starts, device
) -> WindowSet:
    """A part's WindowSet: inputs at rows, targets one row later (index s+T holds what row s+T-1
    must predict), since WindowSet reads x at s .. s+T-1 and y at s+T (or s+1 .. s+T).

    `targets` is per joined row (L, K) for forecasts, or per recording row (N,) for class ids;
    one padding row at the end keeps index s+T in range.
    """
    L = len(rows)
    if L == 0:  # an empty part (a saved model evaluated on a whole new recording): no window
        shape = (1, seq_len + 1) + (() if target_scaler is None else (targets.shape[1],))
        zeros = torch.zeros((1, seq_len + 1, inputs.shape[1])).to(device)
        y = torch.zeros(shape, dtype=torch.long if target_scaler is None else torch.float32)
        return WindowSet(zeros, y.to(device), seq_len, task_shape, torch.from_numpy(starts))
    x = np.zeros((L + 1, inputs.shape[1]), dtype=np.float32)  # (L + 1, F)
    x[:L] = input_scaler.transform(
        _take(inputs, [(int(rows[0]), int(rows[-1]) + 1)]) if _contiguous(rows) else inputs[rows]
    )
    before = np.clip(np.arange(L + 1) - 1, 0, L - 1)  # (L + 1,) index i holds row i - 1
    if target_scaler is None:
        y = torch.from_numpy(targets[rows[before]])  # (L + 1,) class ids of row i - 1
    else:
        y = torch.from_numpy(target_scaler.transform(targets[before]))  # (L + 1, K)
    x_t = torch.from_numpy(x)[None].to(device)  # (1, L + 1, F)
    return WindowSet(x_t, y[None].to(device), seq_len, task_shape, torch.from_numpy(starts))


def _longest(part: list[tuple[int, int]]) -> int:
    """Rows in the longest piece of a part (0 for an empty part)."""
    return max((b - a for a, b in part), default=0)


def _no_window(name, part, seq_len, reach, rate, fits) -> DataError:
    """Why a part has no window, and the longest window that every part has room for."""
    longest = _longest(part)
    need = seq_len + reach
    advice = (
        f"shorten the window to at most {fits} steps (so that every part has room for one) or "
        "use a longer recording"
        if fits >= 1
        else "use a longer recording"
    )
    return DataError(
        f"The {name} part has no stretch of {need} rows without a gap (its longest has "
        f"{longest}, {longest / rate:.3g} s): {advice}."
    )


def window_rows(data: PreparedData, split: str, indices: np.ndarray) -> np.ndarray:
    """The recording rows each window reads, (B, T): windows never straddle a gap, so they are
    the T rows up to the window's last."""
    meta: ImuMeta = data.meta
    last = meta.last_rows[split][np.asarray(indices)]  # (B,)
    return last[:, None] - (data.seq_len - 1) + np.arange(data.seq_len)  # (B, T)
