"""A forecaster trained on a set of recordings, scored on each test recording it never saw and on
all of them pooled, beside persistence and gyro propagation, with the interval verdicts.

Each test recording is prepared whole with the statistics of the training recordings (the path a
saved model takes on a new recording) and scored by `evaluate_forecast`; the pooled table puts
every test window together, recording after recording, and scores them the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rnn_core.datasets.imu.prepare import ImuTable, prepare_imu
from rnn_core.datasets.imu.recordings import SetMeta
from rnn_core.datasets.prepare import PreparedData
from rnn_core.evaluation.imu import ForecastEvaluation, evaluate_forecast
from rnn_core.evaluation.imu_scores import forecast_scores
from rnn_core.models import SequenceModel

POOLED = "all test recordings"


def evaluate_set_forecast(
    model: SequenceModel, data: PreparedData, tables: Sequence[ImuTable]
) -> dict[str, ForecastEvaluation]:
    """Recording name -> its ForecastEvaluation, for every test recording; POOLED -> all of them."""
    meta: SetMeta = data.meta
    fitted = (meta.input_standardizer, data.standardizer, ())
    out = {}
    for index, role in enumerate(meta.roles):
        if role != "test":
            continue
        alone = prepare_imu(
            tables[index], data.seq_len, meta.task, data.task_shape, (0.0, 0.0, 1.0), fitted=fitted
        )
        out[meta.names[index]] = evaluate_forecast(model, alone, tables[index])
    out[POOLED] = pooled(list(out.values()))
    return out


def pooled(parts: list[ForecastEvaluation]) -> ForecastEvaluation:
    """The evaluations of several recordings as one, scored again over all their windows."""
    joined = {
        name: np.concatenate([getattr(p, name) for p in parts])
        for name in ("time", "truth", "prediction", "persistence", "propagation", "moving")
    }
    baselines = {"persistence": joined["persistence"], "gyro propagation": joined["propagation"]}
    targets = parts[0].targets
    table = forecast_scores(
        targets, joined["truth"], joined["prediction"], baselines, joined["moving"]
    )
    return ForecastEvaluation(targets=targets, table=table, **joined)


def set_score_table(evaluations: dict[str, ForecastEvaluation]) -> pd.DataFrame:
    """One table: each recording's forecast scores, with a first column naming the recording."""
    frames = [e.table.assign(recording=name) for name, e in evaluations.items()]
    table = pd.concat(frames, ignore_index=True)
    return table[["recording", *[c for c in table.columns if c != "recording"]]]
