"""A series forecast written out and drawn: the predictions CSV holds exactly the evaluation's
arrays under headers naming each target's unit, and the figures' traces hold them too."""

import io

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_core.datasets.series.prepare import SeriesTask, prepare_series_table
from rnn_core.datasets.series.reader import read_series_csv
from rnn_core.evaluation.forecast_scores import BASELINES, evaluate_series
from rnn_core.evaluation.series_report import series_predictions_csv
from rnn_core.figures.series import horizon_errors_figure, series_forecast_figure
from rnn_core.models import ModelConfig, build_model
from tests.core.series_cases import pjm_case

TASK = SeriesTask(("PJME_MW",), ("PJME_MW",), horizon=3, every_step=True)
NAMES = ("truth", "model", *BASELINES)


@pytest.fixture(scope="module")
def case():
    torch.set_num_threads(1)
    data, model = pjm_case(TASK)
    return data.meta, evaluate_series(model, data)


def read_csv(meta, evaluation) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(series_predictions_csv(meta, evaluation)))


def arrays(evaluation) -> dict:
    return {"truth": evaluation.truth, **evaluation.forecasts}  # name -> (W, S, K)


def test_one_row_per_window_and_step_with_units_in_headers(case):
    meta, evaluation = case
    frame = read_csv(meta, evaluation)
    W, S, _ = evaluation.truth.shape
    assert list(frame.columns) == ["time", "steps ahead", *(f"{n} PJME_MW (MW)" for n in NAMES)]
    assert len(frame) == W * S
    assert frame["steps ahead"].tolist() == [1, 2, 3] * W


def test_the_csv_holds_the_evaluations_arrays(case):
    meta, evaluation = case
    frame = read_csv(meta, evaluation)
    for name, values in arrays(evaluation).items():
        np.testing.assert_array_equal(frame[f"{name} PJME_MW (MW)"], values[:, :, 0].ravel())
    rows = meta.last_rows["test"][:, None] + np.array([1, 2, 3])  # (W, S)
    expected = pd.DatetimeIndex(meta.clock(rows.ravel()))
    assert (pd.to_datetime(frame["time"]) == expected).all()


def test_a_unitless_column_has_no_parentheses(tmp_path):
    t = np.arange(1500)
    level = 10 + np.sin(2 * np.pi * t / 12) + 0.1 * np.random.default_rng(0).normal(size=t.size)
    path = tmp_path / "levels.csv"
    pd.DataFrame({"level": level, "flow": level[::-1]}).to_csv(path, index=False)
    data = prepare_series_table(read_series_csv(path), 12, SeriesTask(("level",), ("level",)))
    config = ModelConfig(cell="rnn", hidden_size=4, input_size=1, output_size=1)
    evaluation = evaluate_series(build_model(config, seed=0).eval(), data)
    frame = read_csv(data.meta, evaluation)
    assert list(frame.columns) == ["row", "steps ahead", *(f"{n} level" for n in NAMES)]
    np.testing.assert_array_equal(frame["row"], data.meta.last_rows["test"] + 1)


def test_the_forecast_figure_holds_the_arrays_of_its_step(case):
    meta, evaluation = case
    fig = series_forecast_figure(meta, evaluation, step_index=1)
    assert [trace.name for trace in fig.data] == list(NAMES)
    for trace, values in zip(fig.data, arrays(evaluation).values(), strict=True):
        np.testing.assert_array_equal(trace.y, values[:, 1, 0].astype(np.float32))
    expected = pd.DatetimeIndex(meta.clock(meta.last_rows["test"] + 2))
    assert (pd.DatetimeIndex(fig.data[0].x) == expected).all()
    assert fig.layout.yaxis.title.text == "PJME_MW (MW)"


def test_the_horizon_figure_holds_each_rmse_per_step(case):
    meta, evaluation = case
    fig = horizon_errors_figure(evaluation, meta)
    assert [trace.name for trace in fig.data] == ["model", *BASELINES]
    for trace in fig.data:
        assert trace.mode == "lines+markers"
        assert list(trace.x) == [1, 2, 3]
        error = evaluation.forecasts[trace.name][:, :, 0] - evaluation.truth[:, :, 0]  # (W, S)
        rmse = np.sqrt(np.nanmean(error**2, axis=0))  # (S,)
        np.testing.assert_allclose(trace.y, rmse.astype(np.float32), rtol=1e-6)
    assert fig.layout.yaxis.title.text == "RMSE (MW)"


def test_one_step_is_drawn_as_markers():
    data, model = pjm_case(SeriesTask(("PJME_MW",), ("PJME_MW",), horizon=1))
    evaluation = evaluate_series(model, data)
    fig = horizon_errors_figure(evaluation, data.meta)
    assert {trace.mode for trace in fig.data} == {"markers"}
    for trace in fig.data:
        assert trace.y[0] == np.float32(evaluation.scores[f"{trace.name} RMSE"].iloc[0])
