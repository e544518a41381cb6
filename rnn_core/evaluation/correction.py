"""The correction of a filter, trained through the one training path and judged on recordings it
never saw: inclination RMSE of the filter alone and with the correction, with the interval verdict.

Every row of a test recording gets a correction from the window that ends there (the rows before
the first full window get the first window's own outputs, which read only rows up to theirs), so
the corrected estimate, like the filter, uses no future sample. The verdict comes from the same
block-resampled interval as the forecast scores, over the movement phases (BROAD's rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from rnn_core.datasets.imu.attitude import ATTITUDE_METHODS, inclination_error, roll_pitch
from rnn_core.datasets.imu.correction import (
    corrected_vertical,
    correction_inputs,
    filter_vertical,
    true_vertical,
)
from rnn_core.datasets.imu.reader import ImuRecording
from rnn_core.datasets.imu.recordings import SetMeta
from rnn_core.datasets.imu.table import ImuTable
from rnn_core.datasets.prepare import PreparedData
from rnn_core.evaluation.imu_scores import BEATS, WORSE, block_interval, verdict
from rnn_core.evaluation.imu_truth import attitude_scores, filter_estimates
from rnn_core.models import SequenceModel

DEG = 180.0 / np.pi
IMPROVES, APART, WORSE_THAN = "improves on {}", "cannot be told apart", "worse"
POOLED = "all test recordings"
COLUMNS = (
    "recording",
    "filter RMSE (deg)",
    "corrected RMSE (deg)",
    "corrected − filter, 95% interval",
    "verdict",
    "filter RMSE, all rows (deg)",
    "corrected RMSE, all rows (deg)",
    "rows in motion",
)


@torch.no_grad()
def correction_of(model: SequenceModel, data: PreparedData, table: ImuTable) -> np.ndarray:
    """The model's correction (N, 3) in SI for every row of a recording, causally."""
    meta: SetMeta = data.meta
    x = meta.input_standardizer.transform(correction_inputs(table, meta.task))  # (N, F)
    out = np.zeros((len(x), 3))
    for a, b in table.segments:
        out[a:b] = _segment_outputs(model, torch.from_numpy(x[a:b]), data.seq_len)
    return data.standardizer.inverse(out).astype(np.float64)  # targets are never centred


def _segment_outputs(model: SequenceModel, x: torch.Tensor, seq_len: int, batch: int = 512):
    """Outputs (L, O) for one gap-free piece x (L, F): row t from the window ending at t."""
    first, _ = model(x[None, :seq_len])  # (1, min(L, T), O): rows before the first full window
    rows = [first[0]]
    if len(x) > seq_len:
        windows = x.unfold(0, seq_len, 1).transpose(1, 2)[1:]  # (L - T, T, F): windows from s = 1
        for chunk in windows.split(batch):
            prediction, _ = model(chunk)  # (B, T, O)
            rows.append(prediction[:, -1])  # (B, O): the window's last row
    return torch.cat(rows).numpy()


@dataclass(frozen=True)
class CorrectionEvaluation:
    """The filter alone and corrected on each test recording and pooled; every filter beside."""

    table: pd.DataFrame  # COLUMNS, one row per test recording, then POOLED
    mean_filter_rmse: float  # deg: mean over test recordings of the in-motion RMSE (BROAD's)
    mean_corrected_rmse: float  # deg
    filters: dict[str, pd.DataFrame]  # recording -> attitude_scores of every filter and the model


def evaluate_correction(
    model: SequenceModel,
    data: PreparedData,
    tables: Sequence[ImuTable],
    recordings: Sequence[ImuRecording] | None = None,
) -> CorrectionEvaluation:
    """Inclination RMSE of the filter and of the corrected filter on every test recording, the
    verdicts, and (given the recordings) every filter's attitude scores beside them."""
    meta: SetMeta = data.meta
    label = ATTITUDE_METHODS[meta.task.attitude].label.split(" (")[0]  # "VQF", no citation
    records, errors, filters = [], [], {}
    for index, role in enumerate(meta.roles):
        if role != "test":
            continue
        table, name = tables[index], meta.names[index]
        correction = correction_of(model, data, table)  # (N, 3)
        pair = _inclination(table, correction)
        errors.append(pair)
        records.append(_record(name, *pair, label))
        if recordings is not None:
            filters[name] = _beside_filters(table, recordings[index], correction)
    joined = [np.concatenate([e[k] for e in errors]) for k in range(3)]
    records.append(_record(POOLED, *joined, label))
    table = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    per_trial = table.iloc[:-1]
    return CorrectionEvaluation(
        table,
        float(per_trial["filter RMSE (deg)"].mean()),
        float(per_trial["corrected RMSE (deg)"].mean()),
        filters,
    )


def _inclination(table: ImuTable, correction: np.ndarray):
    """(filter error, corrected error, moving) over the rows with a truth: (R,) rad, rad, bool."""
    truth = true_vertical(table)  # (N, 3)
    known = np.isfinite(truth).all(axis=1)
    filtered = filter_vertical(table)
    corrected = corrected_vertical(filtered, correction)
    true_roll, true_pitch = roll_pitch(truth[known])
    errs = [
        inclination_error(*roll_pitch(v[known]), true_roll, true_pitch)
        for v in (filtered, corrected)
    ]
    return errs[0], errs[1], table.moving()[known]


def _record(name: str, filtered, corrected, moving, label: str) -> tuple:
    """One row of COLUMNS from per-row errors (rad) in time order."""
    rms = lambda e: float(np.sqrt(np.mean(e**2)) * DEG) if e.size else float("nan")  # noqa: E731
    interval = block_interval((corrected[moving] * DEG) ** 2, (filtered[moving] * DEG) ** 2)
    said = {BEATS: IMPROVES.format(label), WORSE: WORSE_THAN}.get(verdict(interval), APART)
    return (
        name,
        rms(filtered[moving]),
        rms(corrected[moving]),
        "–" if interval is None else f"[{interval[0]:+.3g}, {interval[1]:+.3g}]",
        said if interval is not None else "too few rows",
        rms(filtered),
        rms(corrected),
        int(moving.sum()),
    )


def _beside_filters(table: ImuTable, recording: ImuRecording, correction: np.ndarray):
    """attitude_scores of every filter at its defaults and of the corrected filter (all rows)."""
    rows = np.arange(len(table.values))
    corrected = np.column_stack(roll_pitch(corrected_vertical(filter_vertical(table), correction)))
    scores = attitude_scores(table, rows, filter_estimates(recording), corrected)
    label = ATTITUDE_METHODS[table.attitude_source].label
    scores.loc[0, "estimator"] = f"{label} + correction"
    return scores
