"""Scores on the test part, beside baselines: RMSE per target in display units, skill against
persistence, and accuracy, recall and a confusion matrix for labels.

Skill is the MSE skill score 1 - MSE_model / MSE_persistence: 1 is perfect, 0 is no better than
repeating the last value, and below 0 is worse than that. Every number is kept unrounded, so a
model that loses to persistence by a hair is shown as losing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEGREES = 180.0 / np.pi

# target -> (unit label, factor from SI); SI in the core is rad, rad/s, m/s^2.
DISPLAY_UNITS: dict[str, tuple[str, float]] = {
    **{name: ("deg", DEGREES) for name in ("roll", "pitch", "yaw")},
    **{name: ("deg/s", DEGREES) for name in ("gx", "gy", "gz")},
    **{name: ("m/s^2", 1.0) for name in ("ax", "ay", "az")},
    **{name: ("uT", 1.0) for name in ("mx", "my", "mz")},
}
# Angles that wrap: an error of 359 deg is an error of 1 deg. Pitch lives in [-90, 90] and does not.
WRAPPED_ANGLES = ("roll", "yaw")

TABLE_COLUMNS = (
    "target",
    "unit",
    "model RMSE",
    "persistence RMSE",
    "complementary RMSE",
    "skill vs persistence",
    "beats persistence",
)


def display_unit(target: str) -> tuple[str, float]:
    """(unit label, factor from SI) of a target; unknown names are shown as they are."""
    return DISPLAY_UNITS.get(target, ("", 1.0))


@dataclass(frozen=True)
class RmseRow:
    """One target's scores, in its display unit."""

    target: str
    unit: str
    model: float  # RMSE of the model
    persistence: float  # RMSE of repeating the last value
    complementary: float | None  # RMSE of the complementary filter; roll and pitch only
    skill: float  # 1 - model^2 / persistence^2; NaN when both are 0

    @property
    def beats_persistence(self) -> bool:
        """True only when the model's error is strictly below persistence's."""
        return bool(self.model < self.persistence)


def rmse(prediction: np.ndarray, truth: np.ndarray, axis=0, period: float | None = None):
    """Root mean squared error along `axis`; with `period`, differences wrap into
    [-period/2, period/2) first (angles). NaN anywhere in a column makes that column NaN."""
    prediction = np.asarray(prediction, dtype=np.float64)
    truth = np.asarray(truth, dtype=np.float64)
    if prediction.shape != truth.shape:
        raise ValueError(f"prediction {prediction.shape} and truth {truth.shape} differ in shape.")
    error = prediction - truth
    if period is not None:
        error = (error + period / 2) % period - period / 2
    return np.sqrt(np.mean(error**2, axis=axis))


def skill_score(model_rmse, reference_rmse) -> np.ndarray:
    """MSE skill 1 - model^2 / reference^2: 1 perfect, 0 no better than the reference, < 0 worse.
    A reference with no error gives -inf for any model error and NaN when the model has none."""
    model_rmse = np.asarray(model_rmse, dtype=np.float64)
    reference_rmse = np.asarray(reference_rmse, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - model_rmse**2 / reference_rmse**2


def rmse_rows(
    targets: Sequence[str],
    truth: np.ndarray,
    model: np.ndarray,
    persistence: np.ndarray,
    complementary: dict[str, np.ndarray] | None = None,
) -> list[RmseRow]:
    """One RmseRow per target; arrays (N, K) in SI, complementary maps target -> (N,) in SI."""
    truth, model, persistence = (
        np.asarray(a, dtype=np.float64) for a in (truth, model, persistence)
    )
    if truth.ndim != 2 or truth.shape[1] != len(targets):
        raise ValueError(f"truth must be (N, {len(targets)}) for targets {list(targets)}.")
    complementary = complementary or {}
    unknown = set(complementary) - set(targets)
    if unknown:
        raise ValueError(f"complementary has {sorted(unknown)}, which are not among the targets.")
    return [
        _score(target, truth[:, k], model[:, k], persistence[:, k], complementary.get(target))
        for k, target in enumerate(targets)
    ]


def _score(target: str, truth, model, persistence, filtered) -> RmseRow:
    """One target's row from (N,) columns in SI: RMSE in display units, skill from SI."""
    unit, factor = display_unit(target)
    period = 2 * np.pi if target in WRAPPED_ANGLES else None
    model_rmse = float(rmse(model, truth, period=period))
    persistence_rmse = float(rmse(persistence, truth, period=period))
    complementary = None if filtered is None else float(rmse(filtered, truth, period=period))
    return RmseRow(
        target=target,
        unit=unit,
        model=factor * model_rmse,
        persistence=factor * persistence_rmse,
        complementary=None if complementary is None else factor * complementary,
        skill=float(skill_score(model_rmse, persistence_rmse)),
    )


def rmse_table(
    targets: Sequence[str],
    truth: np.ndarray,
    model: np.ndarray,
    persistence: np.ndarray,
    complementary: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """RMSE of the model and the baselines per target in display units, with the skill against
    persistence; columns TABLE_COLUMNS, complementary RMSE NaN where there is none."""
    rows = rmse_rows(targets, truth, model, persistence, complementary)
    records = [
        (
            row.target,
            row.unit,
            row.model,
            row.persistence,
            np.nan if row.complementary is None else row.complementary,
            row.skill,
            row.beats_persistence,
        )
        for row in rows
    ]
    table = pd.DataFrame.from_records(records, columns=list(TABLE_COLUMNS))
    return table.astype({"beats persistence": bool})


def classification_report(
    true_labels, predicted_labels, classes
) -> tuple[float, pd.DataFrame, np.ndarray]:
    """Accuracy, a per-class table (class, support, predicted, correct, recall, precision) and the
    confusion matrix (C, C): rows are true classes, columns predicted ones, in `classes` order."""
    classes = list(classes)
    index = {label: i for i, label in enumerate(classes)}
    true_labels, predicted_labels = list(true_labels), list(predicted_labels)
    if len(true_labels) != len(predicted_labels):
        raise ValueError(
            f"{len(true_labels)} true labels but {len(predicted_labels)} predictions: "
            "they must pair up one to one."
        )
    strangers = {label for label in (*true_labels, *predicted_labels) if label not in index}
    if strangers:
        raise ValueError(
            f"Labels {sorted(map(str, strangers))} are not among the classes {classes}."
        )
    confusion = np.zeros((len(classes), len(classes)), dtype=np.int64)
    np.add.at(
        confusion,
        ([index[label] for label in true_labels], [index[label] for label in predicted_labels]),
        1,
    )
    correct = np.diag(confusion)
    support, predicted = confusion.sum(axis=1), confusion.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = correct / support  # NaN for a class that never occurs
        precision = correct / predicted  # NaN for a class that is never predicted
    table = pd.DataFrame(
        {
            "class": classes,
            "support": support,
            "predicted": predicted,
            "correct": correct,
            "recall": recall,
            "precision": precision,
        }
    )
    accuracy = float(correct.sum() / len(true_labels)) if true_labels else float("nan")
    return accuracy, table, confusion


def majority_baseline(train_labels, test_labels) -> float:
    """Accuracy on the test labels of always answering the most common training label (ties go
    to the label that sorts first)."""
    labels, counts = np.unique(np.asarray(train_labels), return_counts=True)
    if len(labels) == 0:
        raise ValueError("There are no training labels to take a majority from.")
    majority = labels[np.argmax(counts)]
    test_labels = np.asarray(test_labels)
    return float(np.mean(test_labels == majority)) if len(test_labels) else float("nan")


def _unit_suffix(target: str) -> str:
    """'_deg', '_deg_per_s', '_m_per_s2' or '' for a CSV header."""
    unit = display_unit(target)[0]
    return "_" + unit.replace("/s^2", "_per_s2").replace("/s", "_per_s") if unit else ""


def predictions_csv(
    time, targets, truth, prediction, baselines=None, true_names=None, constants=None
) -> bytes:
    """The test predictions as UTF-8 CSV in display units, the unit in every header: time_s, then
    per target <target>_true_<unit>, <target>_pred_<unit> and one column per baseline
    (baselines: name -> (N, K) SI). truth and prediction (N, K) SI, time (N,) seconds; a
    missing truth is an empty cell. true_names (K,) renames "true" per target (a filter's
    estimate is no truth); constants (name -> number) are last columns, one value throughout."""
    time = np.asarray(time, dtype=np.float64)
    series = {"true": truth, "pred": prediction, **(baselines or {})}
    series = {name: np.asarray(v, dtype=np.float64) for name, v in series.items()}
    expected = (len(time), len(targets))
    for name, values in series.items():
        if values.shape != expected:
            raise ValueError(
                f"{name} {values.shape} must be {expected}: one row per time and one column "
                "per target."
            )
    columns = {"time_s": time}
    for k, target in enumerate(targets):
        factor, suffix = display_unit(target)[1], _unit_suffix(target)
        for name, values in series.items():
            if name == "true" and true_names is not None:
                name = true_names[k]
            columns[f"{target}_{name.replace(' ', '_')}{suffix}"] = factor * values[:, k]
    for name, value in (constants or {}).items():
        columns[name] = np.full(len(time), value, dtype=np.float64)
    buffer = io.StringIO()
    pd.DataFrame(columns).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")
