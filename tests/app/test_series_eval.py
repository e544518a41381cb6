"""Evaluate's scores for any time series, run under Streamlit's AppTest: a GRU trained a few
steps on the PJM sample (cut to 100 days), its verdict said in MW, the table's numbers those of
evaluate_series, and names from the file shown as text."""

import dataclasses
import sys

import pytest
import torch
from streamlit.testing.v1 import AppTest

from rnn_core.datasets.series.prepare import SeriesTask, prepare_series_table
from rnn_core.datasets.series.reader import read_series_csv
from rnn_core.evaluation.forecast_scores import BASELINES, evaluate_series
from rnn_core.live.child import trained_model
from rnn_core.live.spec import RunSpec
from rnn_core.models import ModelConfig
from rnn_core.training import TrainConfig
from tests.app.conftest import RERUN_S
from tests.core.series_cases import SAMPLE, cut
from ui.evaluate.series import readable, verdict_sentences

TASK = SeriesTask(("PJME_MW",), ("PJME_MW",), horizon=1)


def trained(table, task=TASK):
    """(data, model): the table's windows of 24 and a GRU trained 30 steps on them."""
    torch.set_num_threads(1)
    data = prepare_series_table(table, 24, task)
    config = ModelConfig(
        cell="gru", hidden_size=8, input_size=1, output_size=1, task_shape="many_to_one"
    )
    return data, trained_model(RunSpec(data, config, TrainConfig(max_steps=30), seed=0))


@pytest.fixture(scope="module")
def table():
    return cut(read_series_csv(SAMPLE))


def page(model, data):
    """The scores as Evaluate shows them, and whether they came back."""
    import streamlit as st

    from ui.evaluate.series import show_series_evaluation

    st.session_state["shown"] = show_series_evaluation(model, data, 1, "eval.series")


def run_page(model, data) -> AppTest:
    """The page run once. Streamlit leaves its script as __main__, which a training process
    started later would import (and fail on, without its arguments): put the real one back."""
    main = sys.modules["__main__"]
    try:
        at = AppTest.from_function(page, args=(model, data), default_timeout=RERUN_S).run()
    finally:
        sys.modules["__main__"] = main
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def said(at: AppTest) -> list[str]:
    return [e.value for kind in (at.success, at.warning, at.info) for e in kind]


def test_the_verdict_and_the_table_are_evaluate_series(table):
    data, model = trained(table)
    expected = evaluate_series(model, data)
    at = run_page(model, data)
    ((sentence, _),) = verdict_sentences(data.meta, expected.scores)
    assert sentence in said(at)
    assert sentence.startswith("PJME\\_MW (MW), 1 step ahead: the model ")
    row = expected.scores.iloc[0]
    best = row["best baseline"]
    assert f"RMSE {readable(row['model RMSE'])} vs {readable(row[f'{best} RMSE'])} MW" in sentence
    shown = at.table[0].value.reset_index()
    assert list(shown["forecast"]) == [
        n + (" (best baseline)" if n == best else "") for n in ("model", *BASELINES)
    ]
    for i, name in enumerate(("model", *BASELINES)):
        for score in ("RMSE", "MAE", "MASE"):
            assert shown[score][i] == readable(row[f"{name} {score}"]), (name, score)
    for i, name in enumerate(BASELINES, start=1):
        assert shown["verdict"][i] == f"model {row[f'vs {name}']}"
    assert any("Season: 24 steps" in c.value for c in at.caption)
    assert at.session_state["shown"].scores.equals(expected.scores)


def test_names_from_the_file_are_shown_as_text(table):
    hostile = "**load**[x](http://e)"
    renamed = dataclasses.replace(table, columns=(hostile,))
    data, model = trained(renamed, SeriesTask((hostile,), (hostile,)))
    at = run_page(model, data)
    sentences = said(at)
    assert sentences
    for sentence in sentences:
        assert sentence.startswith("\\*\\*load\\*\\*\\[x\\](http\\:")
        assert "**" not in sentence and "](http://" not in sentence
