"""From an IMU recording to windows: next-state forecasting or activity classification.

recording (SI, uniform rate, segments)
    -> imu_table: roll and pitch inputs from an attitude filter (or the truth), targets the truth
    -> temporal split by rows (train | validation | test | train, the test block where the person
       puts it), cut again at every gap
    -> z-scores fitted on the training rows only (inputs and targets apart)
    -> WindowSet per part over the joined rows, keeping only windows inside one piece

A window reads rows s .. s+T-1; its target is row s+T-1+h (h = horizon, 0 for an activity label,
which is the label of the window's last row). Persistence forecasts that target by the value a
device has at row s+T-1 (the filter's attitude, the gyroscope). With `predict_change` the model
learns target[s+T-1+h] minus that value, and its forecast is the last value plus that change: an
output of zero is exactly persistence. Targets may have holes (NaN where the reference dropped
out): they give no loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rnn_core.datasets.imu.table import WRAPPED, ImuTable, imu_table
from rnn_core.datasets.imu.units import wrap
from rnn_core.datasets.pieces import (
    SPLIT_FRACTIONS,
    contiguous,
    joined_rows,
    part_bounds,
    split_pieces,
    take,
    window_starts,
)
from rnn_core.datasets.prepare import SPLIT_NAMES, PreparedData
from rnn_core.datasets.windows import DataError, Standardizer, WindowSet

__all__ = [
    "IMU_INPUTS",
    "IMU_TARGETS",
    "ImuMeta",
    "ImuTable",
    "ImuTask",
    "imu_table",
    "part_bounds",
    "prepare_imu",
    "split_pieces",
]

IMU_INPUTS = ("roll", "pitch", "ax", "ay", "az", "gx", "gy", "gz")
IMU_TARGETS = ("roll", "pitch", "gx", "gy", "gz")
IMU_FRACTIONS = SPLIT_FRACTIONS
TEST_AT = 0.85  # where the test part starts, as a share of the rows: the last 15 % by default


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
    last_values: dict[str, np.ndarray]  # split -> (W, K) values a device has at the last row
    parts: dict[str, list[tuple[int, int]]]  # split -> row ranges of its pieces
    split: tuple[tuple[float, float, float], float | None]  # fractions and test_at that made it

    def absolute(self, split: str, outputs: np.ndarray) -> np.ndarray:
        """Forecasts in SI from the model's outputs in SI: (W, K), the change added back (roll
        and yaw wrapped into [-pi, pi))."""
        if not self.task.predict_change:
            return outputs
        return self.with_change(self.last_values[split], outputs)

    def with_change(self, last: np.ndarray, change: np.ndarray) -> np.ndarray:
        """last (W, K) + change (W, K) in SI, roll and yaw wrapped into [-pi, pi)."""
        out = np.asarray(last + change, dtype=np.float64)
        wrapped = [k for k, name in enumerate(self.task.targets) if name in WRAPPED]
        out[:, wrapped] = wrap(out[:, wrapped])
        return out


def prepare_imu(
    table: ImuTable,
    seq_len: int,
    task: ImuTask = ImuTask(),
    task_shape: str = "many_to_one",
    fractions: tuple[float, float, float] = IMU_FRACTIONS,
    device: str | torch.device = "cpu",
    fitted: tuple[Standardizer, Standardizer | None, tuple[str, ...]] | None = None,
    test_at: float | None = None,
) -> PreparedData:
    """Train / validation / test windows of an IMU table for `task` (DataError with a sentence).

    fitted: (input statistics, target statistics, class names) of a saved model, used instead of
    fitting on the training rows; the training and validation parts may then be empty (a new
    recording evaluated whole: fractions (0, 0, 1)). test_at places the test block (see
    part_bounds). Windows whose inputs have a hole, or whose target has no truth at all, are left
    out; a target with some truth missing gives no loss where it is missing.
    """
    _check_task(table, task, seq_len)
    if task.classify:
        task_shape = "many_to_one"
    reach = 0 if task.classify else task.horizon  # rows from the last input to the target
    pieces = split_pieces(table.segments, len(table.values), fractions, test_at)
    columns = _ImuColumns.of(table, task, pieces, fitted)
    scalers = fitted[:2] if fitted is not None else _fitted_scalers(columns, pieces, task)
    needed = [name for name in SPLIT_NAMES if fitted is None or name == "test"]  # with windows
    sets, ends = {}, {}
    for name in SPLIT_NAMES:
        starts = _usable_starts(table, task, columns, pieces, name, seq_len, reach, needed)
        rows = joined_rows(pieces[name])
        ends[name] = _window_ends(columns, rows, starts, seq_len, reach)
        learned = columns.codes if task.classify else columns.learned(rows, pieces[name], task)
        sets[name] = _window_set(
            rows, columns.inputs, learned, *scalers, seq_len, task_shape, starts, device
        )
    return _imu_prepared(
        table,
        task,
        task_shape,
        seq_len,
        columns,
        scalers,
        sets,
        ends,
        pieces,
        (tuple(fractions), test_at),
    )


@dataclass(frozen=True)
class _ImuColumns:
    """The arrays windows are cut from: inputs (N, F); for regression the truth (N, K, NaN in its
    holes) and the value a device has at each row (N, K); for classification the class names
    and each row's code (N,), -1 for labels never trained on."""

    inputs: np.ndarray
    targets: np.ndarray | None
    reference: np.ndarray | None
    class_names: tuple[str, ...]
    codes: np.ndarray | None

    @staticmethod
    def of(table: ImuTable, task: ImuTask, pieces: dict, fitted) -> _ImuColumns:
        """The columns of `table` that `task` reads (class names from the training rows, or
        the saved model's in `fitted`)."""
        inputs = table.values[list(task.inputs)].to_numpy(np.float64)  # (N, F)
        if task.classify:
            train_rows = joined_rows(pieces["train"])
            labels = table.labels[train_rows].tolist()
            names = fitted[2] if fitted else tuple(sorted(set(labels)))
            return _ImuColumns(inputs, None, None, names, _class_codes(table.labels, names))
        targets = table.target_values(task.targets)  # (N, K) the truth, NaN in its holes
        reference = table.values[list(task.targets)].to_numpy(np.float64)  # (N, K) on a device
        return _ImuColumns(inputs, targets, reference, (), None)

    def learned(self, rows, part, task: ImuTask, valid: bool = False) -> np.ndarray:
        """What the model learns at `rows` of a part (see `_learned`)."""
        return _learned(self.targets, self.reference, rows, part, task, valid)


def _fitted_scalers(columns: _ImuColumns, pieces: dict, task: ImuTask):
    """Input and target statistics fitted on the training rows only (no target statistics for
    classification)."""
    inputs = Standardizer.fit(take(columns.inputs, pieces["train"])[None])
    if task.classify:
        return inputs, None
    train_rows = joined_rows(pieces["train"])
    learned = columns.learned(train_rows, pieces["train"], task, True)
    return inputs, Standardizer.fit(learned[None])


def _usable_starts(table, task, columns, pieces, name, seq_len, reach, needed) -> np.ndarray:
    """The starts (into the part's joined rows) of the part's windows whose inputs are whole and
    whose target has truth (or a class trained on); DataError with a sentence when a part that
    needs windows has none."""
    starts = window_starts(pieces[name], seq_len, reach)  # (W,) index into joined rows
    rows = joined_rows(pieces[name])
    if len(starts) == 0 and name in needed:
        fits = min(_longest(pieces[part]) for part in needed) - reach  # for every part
        raise _no_window(name, pieces[name], seq_len, reach, table.sample_rate, fits)
    starts = starts[_whole(columns.inputs, rows, starts, seq_len)]
    if task.classify and name != "train":
        starts = starts[columns.codes[rows[starts + seq_len - 1]] >= 0]  # labels trained on
    if not task.classify:
        starts = starts[np.isfinite(columns.targets[rows[starts + seq_len - 1 + reach]]).any(1)]
    if len(starts) == 0 and name in needed:
        raise DataError(
            f"Every window of the {name} part has a hole in its inputs or no truth for its "
            "target: read the attitude from a filter, or place the split elsewhere."
        )
    return starts


def _window_ends(columns: _ImuColumns, rows, starts, seq_len: int, reach: int) -> tuple:
    """Per window: the row of its last input, the row of its target, and the reference value
    at its last input (None for classification)."""
    last = rows[starts + seq_len - 1]
    values = columns.reference[last] if columns.targets is not None else None
    return last, rows[starts + seq_len - 1 + reach], values


def _imu_prepared(table, task, task_shape, seq_len, columns, scalers, sets, ends, pieces, split):
    """The PreparedData of the windows cut, with the ImuMeta that pages and scores read."""
    target_scaler = scalers[1]
    return PreparedData(
        "classification" if task.classify else "regression",
        *(sets[name] for name in SPLIT_NAMES),
        input_size=len(task.inputs),
        output_size=len(columns.class_names) if task.classify else len(task.targets),
        seq_len=seq_len,
        task_shape=task_shape,
        feature_names=task.inputs,
        standardizer=target_scaler,
        target_names=() if task.classify else task.targets,
        class_names=columns.class_names,
        meta=ImuMeta(
            task,
            table.sample_rate,
            scalers[0],
            {name: end[0] for name, end in ends.items()},
            {name: end[1] for name, end in ends.items()},
            _part_starts(pieces),
            {name: end[2] for name, end in ends.items()},
            pieces,
            split,
        ),
    )


def _learned(targets, reference, rows, part, task: ImuTask, valid=False) -> np.ndarray:
    """What the model learns at each row of a part, (L, K): the target `horizon` rows ahead, or
    its change from the value a device has at this row (`reference`). Rows too close to a
    piece's end to have one are 0, or left out with `valid` (for fitting statistics); NaN stays
    where the target has no truth."""
    h = task.horizon
    L = len(rows)
    ahead = rows[np.minimum(np.arange(L) + h, max(L - 1, 0))]  # (L,) the row h ahead in the part
    here = reference[rows[0] : rows[-1] + 1] if contiguous(rows) else reference[rows]  # (L, K)
    learned = targets[ahead] - here if task.predict_change else targets[ahead]
    if task.predict_change:  # a roll from 179 to -179 deg changed by 2 deg, not -358
        wrapped = [k for k, name in enumerate(task.targets) if name in WRAPPED]
        learned[:, wrapped] = wrap(learned[:, wrapped])
    keep = np.ones(L, dtype=bool)
    offset = 0
    for a, b in part:  # rows whose target would leave their piece: never used by a window
        keep[offset + max(b - a - h, 0) : offset + (b - a)] = False
        offset += b - a
    if valid:
        return learned[keep]
    learned[~keep] = 0.0
    return learned


def _whole(inputs: np.ndarray, rows: np.ndarray, starts: np.ndarray, seq_len: int) -> np.ndarray:
    """(W,) bool: windows whose every input is finite (a truth read as input has holes)."""
    holes = np.r_[0, np.cumsum(~np.isfinite(inputs[rows]).all(axis=1))]  # (L + 1,)
    return holes[starts + seq_len] == holes[starts]


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
        take(inputs, [(int(rows[0]), int(rows[-1]) + 1)]) if contiguous(rows) else inputs[rows]
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
