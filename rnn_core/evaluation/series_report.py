"""A series forecast written out: the test predictions as CSV, one row per test window and step
ahead, the truth, the model and each baseline in the data's units, the unit in every header.

    time, steps ahead, truth PJME_MW (MW), model PJME_MW (MW), persistence PJME_MW (MW), ...
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from rnn_core.datasets.series.prepare import SeriesMeta
from rnn_core.evaluation.forecast_scores import SeriesEvaluation


def with_unit(name: str, unit: str) -> str:
    """'PJME_MW (MW)', or the name alone when the unit is ''."""
    return f"{name} ({unit})" if unit else name


def time_title(meta: SeriesMeta) -> str:
    """What the time of a row is, for an axis or a header: a date, seconds, or a row number."""
    if meta.time_kind.startswith("date-time") or meta.time_kind == "unix":
        return "time"
    return "row" if meta.time_kind == "row index" else "time (s)"


def target_rows(meta: SeriesMeta, split: str = "test") -> np.ndarray:
    """(W, S) the table row each window's forecast of each step ahead is for."""
    return meta.last_rows[split][:, None] + np.asarray(meta.task.steps)  # (W, S)


def series_predictions_csv(meta: SeriesMeta, evaluation: SeriesEvaluation) -> bytes:
    """The test predictions as UTF-8 CSV: one row per test window and step ahead (window by
    window), the time of the forecast target, the steps ahead, then per target its truth, the
    model's forecast and each baseline's, in the data's units; a missing value is an empty cell."""
    rows = target_rows(meta)  # (W, S)
    W, S = rows.shape
    columns = {
        time_title(meta): meta.clock(rows.ravel()),  # (W * S,)
        "steps ahead": np.tile(np.asarray(meta.task.steps), W),  # (W * S,)
    }
    series = {"truth": evaluation.truth, **evaluation.forecasts}  # name -> (W, S, K)
    for k, target in enumerate(meta.task.targets):
        label = with_unit(target, meta.units[k])
        for name, values in series.items():
            columns[f"{name} {label}"] = np.asarray(values[:, :, k], np.float64).ravel()
    buffer = io.StringIO()
    pd.DataFrame(columns).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")
