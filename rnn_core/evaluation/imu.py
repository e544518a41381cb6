"""A trained IMU model read back in physical units, beside the baselines it must beat.

Every window of a part is predicted; its target row's truth, the persistence forecast (what a
device has at the window's last row) and gyro propagation (that attitude carried forward with the
last gyro reading) line up with it, so the table compares them on exactly the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from rnn_core.analysis.predict import ForecastPreview
from rnn_core.datasets.imu.prepare import ImuMeta, ImuTable
from rnn_core.datasets.imu.table import ANGLES
from rnn_core.datasets.prepare import PreparedData
from rnn_core.datasets.windows import WindowSet
from rnn_core.evaluation.imu_report import reference_of
from rnn_core.evaluation.imu_scores import forecast_scores, gyro_propagation, roll_defined
from rnn_core.evaluation.imu_truth import recording_fingerprint
from rnn_core.evaluation.metrics import classification_report, display_unit, majority_baseline
from rnn_core.evaluation.saved_model import (  # noqa: F401 (their import path)
    SavedImuModel,
    prepare_for_saved,
    saved_imu_model,
    trained_on_this,
)
from rnn_core.models import SequenceModel


@dataclass(frozen=True)
class ForecastEvaluation:
    """Forecasts of one part in SI, lined up with truth and both baselines, and their scores."""

    targets: tuple[str, ...]
    time: np.ndarray  # (W,) seconds of each target row
    truth: np.ndarray  # (W, K) SI, NaN where the reference has no truth
    prediction: np.ndarray  # (W, K) SI
    persistence: np.ndarray  # (W, K) SI: what a device has at the window's last row
    propagation: np.ndarray  # (W, K) SI: gyro propagation (persistence for non-angles)
    moving: np.ndarray  # (W,) bool: the target row is in motion
    table: pd.DataFrame  # forecast_scores: RMSE, interval, verdict, at rest and in motion
    gimbal_windows: int = 0  # windows left out of roll scores: pitch within a few deg of +-90
    settling_windows: int = 0  # windows without an attitude target: filters settling after a gap
    reference: str = "truth"  # what roll and pitch are scored against: "truth", "VQF estimate"

    def reference_name(self, target: str) -> str:
        """What a target's forecast is compared with: the truth, or a filter's estimate."""
        return self.reference if target in ANGLES else "truth"

    def reference_names(self) -> tuple[str, ...]:
        """For the CSV headers: "true" for a truth, else the estimate's name per target."""
        names = (self.reference_name(t) for t in self.targets)
        return tuple("true" if n == "truth" else n.lower().split(" (")[0] for n in names)


@dataclass(frozen=True)
class ActivityEvaluation:
    """Accuracy, per-class scores and confusion of one part, beside the majority class."""

    classes: tuple[str, ...]
    accuracy: float
    majority_accuracy: float  # always answering the training part's most common label
    report: pd.DataFrame  # class, support, predicted, correct, recall, precision
    confusion: np.ndarray  # (C, C) rows true, columns predicted


@torch.no_grad()
def predict_windows(model: SequenceModel, windows: WindowSet, batch: int = 1024) -> np.ndarray:
    """The model's raw output for every window of a set, in order, in eval mode: (W, O); a model
    that predicts every step gives its last step's prediction."""
    was_training = model.training
    model.eval()
    outputs = []
    for chunk in torch.arange(len(windows)).split(batch):
        x, _ = windows.batch(chunk.to(windows.inputs.device))  # (B, T, F)
        prediction, _ = model(x)  # (B, O) or (B, T, O)
        if prediction.dim() == 3:
            prediction = prediction[:, -1]  # (B, O)
        outputs.append(prediction.float().cpu())
    model.train(was_training)
    return torch.cat(outputs).numpy() if outputs else np.zeros((0, model.config.output_size))


def evaluate_forecast(
    model: SequenceModel, data: PreparedData, table: ImuTable, split: str = "test"
) -> ForecastEvaluation:
    """Scores of the model, persistence and gyro propagation on a part, against the truth."""
    meta: ImuMeta = data.meta
    targets = meta.task.targets
    outputs = data.standardizer.inverse(predict_windows(model, data.split(split)))  # (W, K) SI
    prediction = meta.absolute(split, outputs.astype(np.float64))  # (W, K) SI
    target_rows, last_rows = meta.target_rows[split], meta.last_rows[split]
    truth = table.target_values(targets)[target_rows]  # (W, K), NaN without truth
    persistence = meta.last_values[split]  # (W, K) what a device has at the last row
    propagation = propagated(table, targets, last_rows, meta.task.horizon, persistence)
    moving = table.moving()[target_rows]  # (W,)
    baselines = {"persistence": persistence, "gyro propagation": propagation}
    scored, gimbal = _roll_defined_only(table, targets, target_rows, truth)
    settling = 0 if table.settling is None else int(table.settling[target_rows].sum())
    return ForecastEvaluation(
        targets=targets,
        time=table.time[target_rows],
        truth=truth,
        prediction=prediction,
        persistence=persistence,
        propagation=propagation,
        moving=moving,
        table=forecast_scores(targets, scored, prediction, baselines, moving),
        gimbal_windows=gimbal,
        settling_windows=settling,
        reference=reference_of(table),
    )


def _roll_defined_only(table: ImuTable, targets, target_rows, truth) -> tuple[np.ndarray, int]:
    """The truth (W, K) to score on, roll NaN where pitch is near +-90 deg (roll undefined), and
    how many windows with a roll truth that leaves out."""
    if "roll" not in targets:
        return truth, 0
    pitch = table.target_values(("pitch",))[target_rows, 0]  # (W,) the truth's, else the filter's
    k = list(targets).index("roll")
    off = ~roll_defined(pitch) & np.isfinite(truth[:, k]) & np.isfinite(pitch)
    scored = truth.copy()
    scored[off, k] = np.nan
    return scored, int(off.sum())


def propagated(table: ImuTable, targets, last_rows, horizon: int, persistence) -> np.ndarray:
    """Gyro propagation of each target (W, K) SI: roll and pitch carried `horizon` rows forward
    from a device's attitude with the last gyro reading; other targets held (persistence)."""
    out = np.array(persistence, dtype=np.float64, copy=True)
    values = table.values
    roll, pitch = gyro_propagation(
        values["roll"].to_numpy()[last_rows],
        values["pitch"].to_numpy()[last_rows],
        values[["gx", "gy", "gz"]].to_numpy()[last_rows],
        1.0 / table.sample_rate,
        horizon,
    )
    for name, angle in (("roll", roll), ("pitch", pitch)):
        if name in targets:
            out[:, list(targets).index(name)] = angle
    return out


def evaluate_activity(
    model: SequenceModel, data: PreparedData, table: ImuTable, split: str = "test"
) -> ActivityEvaluation:
    """Accuracy and per-class recall of the activity classifier on a part, and the majority class's
    accuracy on the same windows."""
    meta: ImuMeta = data.meta
    classes = data.class_names
    logits = predict_windows(model, data.split(split))  # (W, C)
    predicted = [classes[i] for i in logits.argmax(axis=1)]
    truth = table.labels[meta.target_rows[split]]
    accuracy, report, confusion = classification_report(truth, predicted, classes)
    train_truth = table.labels[meta.target_rows["train"]]
    majority = majority_baseline(train_truth, truth) if len(train_truth) else float("nan")
    return ActivityEvaluation(classes, accuracy, majority, report, confusion)


@torch.no_grad()
def imu_preview(model: SequenceModel, data: PreparedData, max_points: int = 400):
    """Forecasts of evenly spaced windows over the whole recording (train, validation, test), in
    display units (deg, deg/s), for the live chart; None for an activity classifier."""
    meta: ImuMeta = data.meta
    if meta.task.classify:
        return None
    steps, truth, prediction = [], [], []
    for name in ("train", "validation", "test"):
        windows = data.split(name)
        count = max(1, round(max_points * len(windows) / _total_windows(data)))
        chosen = windows.evenly_spaced(count)  # (P,)
        x, y = windows.batch(chosen)
        was_training = model.training
        model.eval()
        out, _ = model(x)  # (P, K) or (P, T, K)
        model.train(was_training)
        if out.dim() == 3:
            out, y = out[:, -1], y[:, -1]
        picked = chosen.cpu().numpy()  # (P,)
        last = meta.last_values[name][picked] if meta.task.predict_change else 0.0  # (P, K)
        steps.append(meta.target_rows[name][picked])
        truth.append(meta.with_change(last, data.standardizer.inverse(y.float().cpu().numpy())))
        prediction.append(
            meta.with_change(last, data.standardizer.inverse(out.float().cpu().numpy()))
        )
    factors = np.array([display_unit(t)[1] for t in meta.task.targets])  # (K,)
    return ForecastPreview(
        steps=np.concatenate(steps),
        target=np.concatenate(truth) * factors,
        prediction=np.concatenate(prediction) * factors,
        feature_names=tuple(
            f"{t} ({display_unit(t)[0]})" if display_unit(t)[0] else t for t in meta.task.targets
        ),
        split_starts=meta.part_starts,
    )


def _total_windows(data: PreparedData) -> int:
    return max(1, len(data.train) + len(data.validation) + len(data.test))


def imu_model_extra(data: PreparedData, table: ImuTable) -> dict:
    """What a saved IMU model needs beside its weights to be evaluated on another recording, and
    the fingerprint and split of the one it trained on (JSON values, for `save_checkpoint`)."""
    meta: ImuMeta = data.meta
    task = meta.task
    fractions, test_at = meta.split
    return {
        "imu": {
            "inputs": list(task.inputs),
            "targets": list(task.targets),
            "horizon": task.horizon,
            "classify": task.classify,
            "predict_change": task.predict_change,
            "seq_len": data.seq_len,
            "sample_rate": meta.sample_rate,
            "input_standardizer": meta.input_standardizer.to_dict(),
            "class_names": list(data.class_names),
            "attitude": table.attitude_source,
            "attitude_rate_hz": table.filter_rate,  # the filter ran at the sensor's rate
            "trained_on": {
                "fingerprint": recording_fingerprint(table),
                "fractions": list(fractions),
                "test_at": test_at,
            },
        }
    }


def unseen_forecasts(
    model: SequenceModel, data: PreparedData, names=("roll", "pitch")
) -> tuple[np.ndarray, np.ndarray] | None:
    """(target rows (R,), forecasts (R, len(names)) SI) of `names` over the validation and test
    windows, the parts the model never trained on; None when a name is not a target."""
    meta: ImuMeta = data.meta
    targets = list(meta.task.targets)
    if meta.task.classify or any(n not in targets for n in names):
        return None
    rows, forecasts = [], []
    for split in ("validation", "test"):
        if len(meta.target_rows[split]) == 0:
            continue
        outputs = data.standardizer.inverse(predict_windows(model, data.split(split)))  # (W, K)
        absolute = meta.absolute(split, outputs.astype(np.float64))
        rows.append(meta.target_rows[split])
        forecasts.append(absolute[:, [targets.index(n) for n in names]])
    if not rows:
        return None
    return np.concatenate(rows), np.concatenate(forecasts)
