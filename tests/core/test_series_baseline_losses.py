"""The forecast baselines' lines on Train's loss chart: each is the validation loss a model that
output that baseline would score, measured exactly as the trainer measures the model's."""

import numpy as np
import pytest
import torch

from rnn_core.datasets.series import SeriesTask, prepare_series_table, read_series_csv
from rnn_core.evaluation.forecast_losses import baseline_losses
from rnn_core.evaluation.forecast_scores import BASELINES, baseline_forecasts
from rnn_core.figures.curves import loss_figure
from rnn_core.live.experiment import Experiment
from rnn_core.training.history import History
from rnn_core.training.trainer import evaluate_loss
from tests.paths import ROOT

SAMPLE = ROOT / "data" / "pjm-east-hourly-2016-2017.csv"


class Persistence(torch.nn.Module):
    """Outputs the window's last input for every step ahead: persistence, in z-scores (the
    input and the target are one column, standardized by the same training statistics)."""

    def __init__(self, steps: int) -> None:
        super().__init__()
        self.steps = steps

    def forward(self, x):  # x (B, T, 1)
        return x[:, -1, :].repeat(1, self.steps), None  # (B, S)


@pytest.mark.parametrize("horizon, every", [(1, False), (3, True)])
def test_persistence_line_is_the_loss_a_persistence_model_scores(horizon, every):
    task = SeriesTask(("PJME_MW",), ("PJME_MW",), horizon=horizon, every_step=every)
    data = prepare_series_table(read_series_csv(SAMPLE), 24, task)
    losses = baseline_losses(data)
    assert set(losses) == set(BASELINES)
    windows = data.validation
    expected = evaluate_loss(Persistence(len(task.steps)), windows, windows.evenly_spaced(512))
    assert losses["persistence"] == pytest.approx(expected, rel=1e-5)
    assert all(np.isfinite(v) and v > 0 for v in losses.values())


def test_an_experiment_on_a_series_draws_its_baselines_on_the_loss_chart():
    task = SeriesTask(("PJME_MW",), ("PJME_MW",))
    experiment = Experiment(prepare_series_table(read_series_csv(SAMPLE), 24, task), "key")
    figure = loss_figure(History().frame(), "MSE", 1.0, 1.0, None, experiment.references)
    texts = [a.text for a in figure.layout.annotations]
    assert [f"{name} (validation)" for name in BASELINES] == texts[1:]
    lines = sorted(shape.y0 for shape in figure.layout.shapes)
    assert sorted([1.0, *experiment.references.values()]) == pytest.approx(lines)


def test_a_season_given_on_the_task_is_the_seasonal_naives():
    table = read_series_csv(SAMPLE)
    task = SeriesTask(("PJME_MW",), ("PJME_MW",), season=168)  # a week of hours
    data = prepare_series_table(table, 24, task)
    forecasts, seasons = baseline_forecasts(data, "test")
    assert seasons == (168,)
    rows = data.meta.last_rows["test"] + 1  # (W,) the row each window forecasts
    expected = data.meta.targets[rows - 168, 0]  # one week before
    np.testing.assert_array_equal(forecasts["seasonal naive"][:, 0, 0], expected)
    auto = prepare_series_table(table, 24, SeriesTask(("PJME_MW",), ("PJME_MW",)))
    assert baseline_forecasts(auto, "test")[1] == (24,)
