"""Figures: each trace holds exactly the data it was given; axes and revisions as promised."""

import numpy as np
import pandas as pd
import pytest

from rnn_core.analysis.predict import ForecastPreview
from rnn_core.datasets.text import char_statistics
from rnn_core.figures.curves import (
    char_frequency_figure,
    compare_loss_figure,
    forecast_figure,
    grad_norm_figure,
    loss_figure,
    sequence_figure,
    series_figure,
)

HISTORY = pd.DataFrame(
    {
        "step": [1.0, 2, 3, 4],
        "loss": [1.0, 0.5, 0.25, 0.125],
        "val_loss": [np.nan, 0.6, np.nan, 0.2],
        "grad_norm": [3.0, 2, 1, 0.5],
        "lr": [0.01] * 4,
        "seconds": [0.1, 0.2, 0.3, 0.4],
    }
)


def test_loss_figure_has_train_and_validation_on_a_log_axis():
    fig = loss_figure(HISTORY)
    train, val = fig.data
    np.testing.assert_array_equal(train.x, [1, 2, 3, 4])
    np.testing.assert_array_equal(train.y, [1.0, 0.5, 0.25, 0.125])
    np.testing.assert_array_equal(val.x, [2, 4])
    np.testing.assert_allclose(val.y, [0.6, 0.2], rtol=1e-6)
    assert fig.layout.yaxis.type == "log" and fig.layout.uirevision == "loss"
    assert train.y.dtype == np.float32


def test_live_figures_lay_out_in_one_pass():
    """Fixed margins and tick labels drawn without measuring: a redraw every 0.4 s stays cheap
    for the browser (Plotly's automatic margins cost a second layout pass per redraw)."""
    preview = ForecastPreview(np.arange(5), np.zeros((5, 1)), np.zeros((5, 1)), None, (3, 4))
    live = (
        loss_figure(HISTORY),
        grad_norm_figure(HISTORY, 1.0),
        forecast_figure(preview),
        compare_loss_figure({"LSTM": HISTORY, "GRU": HISTORY}),
    )
    for fig in live:
        for axis in (fig.layout.xaxis, fig.layout.yaxis):
            assert axis.automargin is False and axis.ticklabeloverflow == "allow"
        assert fig.layout.margin.l and fig.layout.margin.t  # room for the labels and the title
    # charts drawn once keep Plotly's automatic margins: their labels can be long categories
    assert (
        series_figure(np.zeros((1, 20, 1)), 10.0, (0.7, 0.15, 0.15)).layout.yaxis.automargin is None
    )


def test_grad_norm_figure_marks_the_clip_threshold():
    fig = grad_norm_figure(HISTORY, clip_norm=1.5)
    np.testing.assert_array_equal(fig.data[0].y, [3, 2, 1, 0.5])
    assert [shape.y0 for shape in fig.layout.shapes] == [1.5]
    assert grad_norm_figure(HISTORY).layout.shapes == ()


def test_forecast_figure_draws_target_and_prediction():
    preview = ForecastPreview(np.arange(5, 10), np.ones((5, 1)), np.zeros((5, 1)), ("v",), (7, 8))
    fig = forecast_figure(preview)
    np.testing.assert_array_equal(fig.data[0].y, np.ones(5))
    np.testing.assert_array_equal(fig.data[1].y, np.zeros(5))
    assert [(s.x0, s.x1) for s in fig.layout.shapes] == [(0, 7), (7, 8), (8, 10)]


def test_series_figure_shades_the_split_in_seconds():
    series = np.zeros((6, 100, 1), dtype=np.float32)
    fig = series_figure(series, sample_rate=10.0, fractions=(0.7, 0.15, 0.15), max_series=4)
    assert len(fig.data) == 4
    edges = [(round(s.x0, 6), round(s.x1, 6)) for s in fig.layout.shapes]
    assert edges == [(0.0, 7.0), (7.0, 8.5), (8.5, 10.0)]


def test_char_frequency_figure_lists_top_characters():
    fig = char_frequency_figure(char_statistics("aaab\n"), top=2)
    assert list(fig.data[0].x) == ["a", "b"]
    np.testing.assert_array_equal(fig.data[0].y, [3, 1])


def test_loss_figure_draws_the_trivial_baseline_when_given():
    assert loss_figure(HISTORY).layout.shapes == ()
    fig = loss_figure(HISTORY, "MSE", baseline=1 / 6)
    assert [shape.y0 for shape in fig.layout.shapes] == [1 / 6]
    assert fig.layout.shapes[0].line.dash == "dash"
    assert [a.text for a in fig.layout.annotations] == ["trivial baseline"]


def test_sequence_figure_shows_one_row_per_feature_and_one_column_per_step():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)  # (T, F)
    fig = sequence_figure(x, ("value", "marker"), "One validation sequence")
    (heatmap,) = fig.data
    np.testing.assert_array_equal(heatmap.z, x.T)
    assert list(heatmap.y) == ["value", "marker"]
    np.testing.assert_array_equal(heatmap.x, np.arange(6))
    assert fig.layout.yaxis.type == "category"  # feature names like "1" stay labels


def test_the_forecast_names_its_narrow_parts_briefly_and_reads_seconds_for_a_recording():
    preview = ForecastPreview(np.arange(100), np.zeros((100, 1)), np.zeros((100, 1)), (), (70, 85))
    fig = forecast_figure(preview, sample_rate=50.0)
    assert [a.text for a in fig.layout.annotations] == ["train", "val.", "test"]
    assert fig.layout.xaxis.title.text == "time (s)"
    np.testing.assert_allclose(fig.data[0].x, np.arange(100) / 50.0, rtol=1e-6)
    assert [s.x0 for s in fig.layout.shapes] == pytest.approx([0.0, 1.4, 1.7])
    assert forecast_figure(preview).layout.xaxis.title.text == "step"
