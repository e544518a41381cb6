"""A trained IMU model read back in physical units, beside the baselines it must beat.

Every window of a part is predicted; its target row's truth, the persistence forecast (the
window's last row) and the complementary filter's attitude at that row line up with it, so the
RMSE table compares the three on exactly the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from rnn_core.baselines import ANGLE_NAMES
from rnn_core.checkpoint import standardizer_from_dict
from rnn_core.datasets.imu_prepare import ImuMeta, ImuTable, ImuTask, prepare_imu
from rnn_core.datasets.prepare import PreparedData
from rnn_core.datasets.windows import Standardizer, WindowSet
from rnn_core.evaluation import (
    classification_report,
    display_unit,
    majority_baseline,
    rmse_table,
)
from rnn_core.models import SequenceModel
from rnn_core.predict import ForecastPreview


@dataclass(frozen=True)
class ForecastEvaluation:
    """Forecasts of one part in SI, lined up with truth and both baselines, and their scores."""

    targets: tuple[str, ...]
    time: np.ndarray  # (W,) seconds of each target row
    truth: np.ndarray  # (W, K) SI
    prediction: np.ndarray  # (W, K) SI
    persistence: np.ndarray  # (W, K) SI: the window's last row
    complementary: dict[str, np.ndarray]  # roll / pitch -> (W,) rad, where they are targets
    table: pd.DataFrame  # rmse_table: RMSE in display units, skill against persistence


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
    """RMSE of the model, persistence and (for roll / pitch) the complementary filter on a part."""
    meta: ImuMeta = data.meta
    targets = meta.task.targets
    outputs = data.standardizer.inverse(predict_windows(model, data.split(split)))  # (W, K) SI
    prediction = meta.absolute(split, outputs.astype(np.float64))  # (W, K) SI
    values = table.values[list(targets)].to_numpy(np.float64)  # (N, K)
    target_rows, last_rows = meta.target_rows[split], meta.last_rows[split]
    truth, persistence = values[target_rows], values[last_rows]  # (W, K) each
    complementary = {
        name: table.filtered[last_rows, ANGLE_NAMES.index(name)]
        for name in targets
        if name in ANGLE_NAMES
    }
    return ForecastEvaluation(
        targets=targets,
        time=table.time[target_rows],
        truth=truth,
        prediction=prediction,
        persistence=persistence,
        complementary=complementary,
        table=rmse_table(targets, truth, prediction, persistence, complementary),
    )


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
        truth.append(last + data.standardizer.inverse(y.float().cpu().numpy()))
        prediction.append(last + data.standardizer.inverse(out.float().cpu().numpy()))
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


def imu_model_extra(data: PreparedData) -> dict:
    """What a saved IMU model needs beside its weights to be evaluated on another recording
    (JSON values, for `save_checkpoint(..., extra=...)`)."""
    meta: ImuMeta = data.meta
    task = meta.task
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
        }
    }


@dataclass(frozen=True)
class SavedImuModel:
    """How a saved model reads a recording: its task, window, rate and fitted statistics."""

    task: ImuTask
    seq_len: int
    sample_rate: float
    fitted: tuple[Standardizer, Standardizer | None, tuple[str, ...]]


def saved_imu_model(standardizer: Standardizer | None, extra: dict) -> SavedImuModel:
    """The IMU settings of a loaded checkpoint; ValueError with a sentence when it has none."""
    info = extra.get("imu") if isinstance(extra, dict) else None
    if not isinstance(info, dict):
        raise ValueError(
            "This model was not trained on an IMU recording (it has no IMU settings): save one "
            "from this page after training on an IMU recording."
        )
    try:
        task = ImuTask(
            inputs=tuple(info["inputs"]),
            targets=tuple(info["targets"]),
            horizon=int(info["horizon"]),
            classify=bool(info["classify"]),
            predict_change=bool(info["predict_change"]),
        )
        fitted = (
            standardizer_from_dict(info["input_standardizer"]),
            standardizer,
            tuple(info["class_names"]),
        )
        saved = SavedImuModel(task, int(info["seq_len"]), float(info["sample_rate"]), fitted)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"This model's IMU settings are damaged ({error}): save the model again."
        ) from None
    if not task.classify and standardizer is None:
        raise ValueError("This forecasting model has no target statistics: save it again.")
    return saved


def prepare_for_saved(
    table: ImuTable, saved: SavedImuModel, task_shape: str, device: str = "cpu"
) -> PreparedData:
    """The whole recording as the test part, read with the saved model's own statistics."""
    return prepare_imu(
        table,
        saved.seq_len,
        saved.task,
        task_shape,
        fractions=(0.0, 0.0, 1.0),
        device=device,
        fitted=saved.fitted,
    )
