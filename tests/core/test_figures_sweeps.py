"""The sweep figures, read on fig.data: the band's edges, the mean, the heatmap's cells."""

import numpy as np
import pandas as pd

from rnn_core.figures.sweeps import band_figure, heatmap_figure
from rnn_core.training.history import mean_over_seeds
from tests.core.test_sweep_aggregate import history


def curve() -> pd.DataFrame:
    return mean_over_seeds([history([0.9, 0.5, 0.4]), history([0.8, 0.6, 0.2])])


def test_the_band_spans_min_to_max_around_the_mean():
    fig = band_figure({"LSTM": curve()}, band="min-max", scale=2.0)
    band, mean = fig.data
    assert mean.name == "LSTM: mean of 2 seeds"
    np.testing.assert_allclose(mean.y, np.array([0.85, 0.55, 0.3]) * 2, rtol=1e-6)
    np.testing.assert_allclose(band.y, np.array([0.9, 0.6, 0.4, 0.2, 0.5, 0.8]) * 2, rtol=1e-6)
    assert band.fill == "toself"
    assert "min to max over seeds" in fig.layout.title.text


def test_the_std_band_is_the_mean_plus_and_minus_one_sample_std():
    fig = band_figure({"GRU": curve()}, band="std")
    band, mean = fig.data
    std = np.std([[0.9, 0.8], [0.5, 0.6], [0.4, 0.2]], axis=1, ddof=1)
    np.testing.assert_allclose(band.y[:3], mean.y + std, rtol=1e-5)
    np.testing.assert_allclose(band.y[3:], (mean.y - std)[::-1], rtol=1e-5)
    assert "mean ± 1 standard deviation" in fig.layout.title.text


def test_the_heatmap_writes_each_setting_and_leaves_the_missing_blank():
    matrix = np.array([[0.5, 0.01], [np.nan, 0.2]])
    fig = heatmap_figure([0.001, 0.01], [16, 64], matrix, "Learning rate", "Hidden size")
    (heat,) = fig.data
    assert list(heat.x) == ["0.001", "0.01"] and list(heat.y) == ["16", "64"]
    assert [list(row) for row in heat.text] == [["0.5", "0.01"], ["–", "0.2"]]
    np.testing.assert_allclose(heat.z[0], np.log10([0.5, 0.01]))
    assert np.isnan(heat.z[1][0])
    assert fig.layout.xaxis.title.text == "Learning rate"
