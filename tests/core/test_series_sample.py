"""The shipped sample (PJM East hourly load, 2016-2017) trained through the one training path
for a short budget, and held against each baseline with block-bootstrap intervals. The README's
"Your own time series" section reports this result; the numbers here are the ones it shows.
"""

import re

import pytest
import torch

from rnn_core.datasets.series.prepare import SeriesTask, prepare_series_table
from rnn_core.datasets.series.reader import read_series_csv
from rnn_core.evaluation.forecast_scores import BASELINES, evaluate_series
from rnn_core.evaluation.intervals import BEATS, WORSE
from rnn_core.live.child import trained_model
from rnn_core.live.spec import RunSpec
from rnn_core.models import ModelConfig
from rnn_core.training import TrainConfig
from tests.paths import ROOT

SAMPLE = ROOT / "data" / "pjm-east-hourly-2016-2017.csv"
TASK = SeriesTask(("PJME_MW",), ("PJME_MW",), horizon=1)
MODEL = ModelConfig(
    cell="gru", hidden_size=16, input_size=1, output_size=1, task_shape="many_to_one"
)
STEPS = 200
EXPECTED = {"persistence": BEATS, "seasonal naive": BEATS, "linear AR": WORSE}


@pytest.fixture(scope="module")
def evaluation():
    torch.set_num_threads(1)
    data = prepare_series_table(read_series_csv(SAMPLE), seq_len=24, task=TASK)
    model = trained_model(RunSpec(data, MODEL, TrainConfig(max_steps=STEPS), seed=0))
    return evaluate_series(model, data)


def test_the_sample_is_read_as_a_year_of_hours_twice(evaluation):
    table = read_series_csv(SAMPLE)
    assert table.values.shape == (17544, 1) and table.detected.step_seconds == 3600
    assert table.detected.missing_steps == 2  # the two spring-forward hours
    assert evaluation.seasons == (24,)


def test_the_model_against_each_baseline_with_intervals(evaluation):
    row = evaluation.scores.iloc[0]
    for baseline, verdict in EXPECTED.items():
        assert row[f"vs {baseline}"] == verdict, (
            baseline,
            row[f"model − {baseline}, 95% interval"],
        )
    assert row["best baseline"] == "linear AR" and row["verdict"] == WORSE
    assert row["model RMSE"] < row["persistence RMSE"] < row["seasonal naive RMSE"]


def test_the_readme_shows_this_result(evaluation):
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Your own time series") :]
    row = evaluation.scores.iloc[0]
    for name in ("model", *BASELINES):
        shown = re.search(rf"\| {name} \| ([\d,]+) \|", section)
        assert shown, name
        assert int(shown.group(1).replace(",", "")) == round(row[f"{name} RMSE"])
    for baseline in BASELINES:
        low, high = row[f"model − {baseline}, 95% interval"]
        assert f"[{low:+,.0f}, {high:+,.0f}]" in section
