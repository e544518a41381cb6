"""Correct a filter: a model that reads the IMU and a filter's estimate and gives the vertical now.

recording -> imu_table (the filter, VQF by default, at the recording's own rate)
          -> inputs per row: the filter's vertical in the body frame (3), accelerometer, gyroscope
          -> target per row: the true vertical minus the filter's (NaN where the truth is missing)

The model's output at each step of a window is that difference at the same step, added back to
the filter's vertical (then made unit length): an output of 0 is the filter itself. The targets
are scaled but never centred, and the model's head starts at zero (`head_init="zero"`), so an
untrained model is exactly the filter. Gravity direction is heading-free, has no wrap and no
gimbal lock, and its error is BROAD's inclination error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnn_core.datasets.imu.attitude import roll_pitch, vertical
from rnn_core.datasets.imu.recordings import Stream, assemble
from rnn_core.datasets.imu.table import ImuTable
from rnn_core.datasets.prepare import PreparedData
from rnn_core.datasets.windows import DataError

CORRECTION_INPUTS = ("up_x", "up_y", "up_z", "ax", "ay", "az", "gx", "gy", "gz")
CORRECTION_TARGETS = ("up_x", "up_y", "up_z")  # the true vertical minus the filter's


@dataclass(frozen=True)
class CorrectionTask:
    """What the correction reads and from which filter; it gives the vertical at every step."""

    attitude: str = "vqf"  # the filter whose estimate is corrected (a key of ATTITUDE_METHODS)
    inputs: tuple[str, ...] = CORRECTION_INPUTS


def filter_vertical(table: ImuTable) -> np.ndarray:
    """The filter's vertical in the body frame, (N, 3), from the table's roll and pitch."""
    return vertical(table.values["roll"].to_numpy(), table.values["pitch"].to_numpy())


def true_vertical(table: ImuTable) -> np.ndarray:
    """The reference's vertical, (N, 3), NaN where the truth is missing."""
    return vertical(table.truth["roll"].to_numpy(), table.truth["pitch"].to_numpy())


def correction_inputs(table: ImuTable, task: CorrectionTask = CorrectionTask()) -> np.ndarray:
    """What the model reads per row, (N, F), F = len(task.inputs)."""
    up = filter_vertical(table)  # (N, 3)
    columns = {"up_x": up[:, 0], "up_y": up[:, 1], "up_z": up[:, 2]}
    return np.column_stack(
        [columns[name] if name in columns else table.values[name] for name in task.inputs]
    ).astype(np.float64)


def correction_stream(table: ImuTable, seq_len: int, task: CorrectionTask) -> Stream:
    """One recording's rows: inputs, targets (truth vertical - filter vertical) one row later,
    and window starts inside each segment where the window has some truth (DataError)."""
    if table.truth is None:
        raise DataError(
            "This recording has no ground-truth orientation, so there is nothing to correct the "
            "filter towards: use recordings with a reference (a quaternion or roll/pitch)."
        )
    if table.attitude_source != task.attitude:
        raise DataError(f"Read the recording with {task.attitude} as its attitude source.")
    x = correction_inputs(table, task)  # (N, F)
    y = true_vertical(table) - filter_vertical(table)  # (N, 3), NaN without truth
    pad = np.zeros((1, x.shape[1]))
    inputs = np.vstack([x, pad])  # (N + 1, F)
    targets = np.vstack([np.full((1, 3), np.nan), y])  # (N + 1, 3): index i holds row i - 1
    known = np.r_[0, np.cumsum(np.isfinite(y).all(axis=1))]  # (N + 1,) rows with truth so far
    starts = [
        s
        for a, b in table.segments
        for s in range(a, b - seq_len + 1)
        if known[s + seq_len] > known[s]  # some truth inside the window
    ]
    return Stream(inputs, targets, np.asarray(starts, dtype=np.int64))


def prepare_correction(
    tables: Sequence[ImuTable],
    names: Sequence[str],
    roles: Sequence[str],
    seq_len: int,
    task: CorrectionTask = CorrectionTask(),
) -> PreparedData:
    """Windows of the correction task over a set of recordings (roles as in prepare_set),
    statistics from the training recordings, targets scaled but not centred."""
    streams = [correction_stream(t, seq_len, task) for t in tables]
    return assemble(
        streams,
        tables,
        names,
        roles,
        seq_len,
        "many_to_many",
        task,
        CORRECTION_TARGETS,
        center_targets=False,
    )


def corrected_vertical(filtered: np.ndarray, correction: np.ndarray) -> np.ndarray:
    """The filter's vertical (N, 3) plus a correction (N, 3) in SI, made unit length."""
    up = filtered + correction  # (N, 3)
    return up / np.linalg.norm(up, axis=1, keepdims=True)


def corrected_roll_pitch(filtered: np.ndarray, correction: np.ndarray) -> np.ndarray:
    """Roll and pitch (N, 2) rad of the corrected vertical."""
    return np.column_stack(roll_pitch(corrected_vertical(filtered, correction)))
