"""The Evaluate page for a model trained on a time series: its scores against the forecast
baselines, the downloads and the export, and in presenter mode the verdict on the first screen."""

import pytest
from streamlit.testing.v1 import AppTest

from rnn_core.datasets.series.prepare import SeriesTask, prepare_series_table
from rnn_core.datasets.series.reader import read_series_csv
from rnn_core.live.experiment import Experiment
from rnn_core.models import ModelConfig
from rnn_core.training import TrainConfig
from tests.app.conftest import APP, RERUN_S, no_problems, plotly_figure
from tests.core.series_cases import SAMPLE, cut

TASK = SeriesTask(("PJME_MW",), ("PJME_MW",), horizon=1)


@pytest.fixture(scope="module")
def experiment():
    """A session's experiment on the cut PJM sample, trained 20 steps to its end."""
    data = prepare_series_table(cut(read_series_csv(SAMPLE)), 24, TASK)
    exp = Experiment(data, ("series test",))
    config = ModelConfig(
        cell="gru", hidden_size=8, input_size=1, output_size=1, task_shape="many_to_one"
    )
    run = exp.run_for(config, TrainConfig(max_steps=20), 0)
    run.start()
    run.wait(60)
    assert run.steps_done == 20, "the training did not end"
    yield exp
    exp.stop()


def evaluate_page(exp, presenter: bool = False) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RERUN_S)
    at.session_state["experiment"] = exp
    at.run()
    if presenter:
        at.toggle(key="opt.presenter").set_value(True).run()
    return at.switch_page("app_pages/evaluate.py").run()


def verdicts(block) -> list[str]:
    """The coloured sentences in a block (the page, an expander)."""
    return [e.value for kind in (block.success, block.warning, block.info) for e in kind]


def test_the_page_scores_a_series_model(experiment):
    at = evaluate_page(experiment)
    no_problems(at)
    assert any("The model trained here (weights of step 20" in s.value for s in at.subheader)
    assert any(s.startswith("PJME\\_MW (MW), 1 step ahead") for s in verdicts(at))
    assert at.button(key="eval.export") is not None


def test_presenter_mode_puts_the_verdict_first(experiment):
    at = evaluate_page(experiment, presenter=True)
    no_problems(at)
    (folded,) = [e for e in at.expander if e.label == "Scores and forecasts"]
    first, inside = verdicts(at), verdicts(folded)
    assert len(first) == 2 and len(inside) == 1 and inside[0] in first
    keys = [c.key for c in at.get("plotly_chart")]
    bars = plotly_figure(at, keys.index("eval.series_ratios"))["data"]
    scores = at.session_state["eval.series"][1].scores
    best = scores["best baseline"].iloc[0]
    expected = scores["model RMSE"].iloc[0] / scores[f"{best} RMSE"].iloc[0]
    assert sum(len(bar["x"]) for bar in bars) == len(scores)
    assert bars[0]["text"][0] == f"{expected:.2f}"
