"""The baselines forecasters use, held to closed forms and to numpy.linalg.lstsq, and the scores
and verdicts read from them."""

import numpy as np
import pytest

from rnn_core.datasets.series.prepare import SeriesTask, prepare_series_table
from rnn_core.datasets.series.reader import read_series_csv
from rnn_core.evaluation.forecast_baselines import (
    autocorrelation,
    find_season,
    fit_linear_ar,
    persistence,
    seasonal_naive,
    training_seasons,
    window_design,
)
from rnn_core.evaluation.forecast_scores import (
    BASELINES,
    baseline_forecasts,
    errors_by_step,
    score_table,
    seasonal_scale,
)
from rnn_core.evaluation.intervals import BEATS, WITHIN_NOISE, WORSE


def series_csv(values: np.ndarray, names=("y",)) -> bytes:
    """An hourly CSV of the columns of `values` (N, K)."""
    lines = [",".join(("time (s)", *names))]
    for i, row in enumerate(values):
        lines.append(",".join([str(3600 * i), *(repr(float(v)) for v in row)]))
    return ("\n".join(lines) + "\n").encode()


def prepared(values, seq_len=6, horizon=1, every_step=False, names=("y",)):
    table = read_series_csv(
        series_csv(np.asarray(values, dtype=np.float64).reshape(len(values), -1), names)
    )
    task = SeriesTask(names, names, horizon, every_step)
    return prepare_series_table(table, seq_len, task)


@pytest.fixture(scope="module")
def ramp():
    """y_t = t: every forecast has a closed form."""
    return prepared(np.arange(400.0), seq_len=5, horizon=5, every_step=True)


def test_persistence_is_the_last_value_of_each_window_for_every_step(ramp):
    meta = ramp.meta
    last = meta.last_rows["test"]
    forecast = persistence(meta, "test")
    assert forecast.shape == (len(last), 5, 1)
    assert np.array_equal(forecast[:, :, 0], np.repeat(last[:, None].astype(float), 5, axis=1))


@pytest.mark.parametrize("season", [1, 3, 4, 7])
def test_seasonal_naive_is_the_value_whole_seasons_before_each_step(ramp, season):
    meta = ramp.meta
    forecast = seasonal_naive(meta, "test", (season,))[:, :, 0]  # (W, S)
    for w, t in enumerate(meta.last_rows["test"][:50]):
        for s, h in enumerate(range(1, 6)):
            k = -(-h // season)  # ceil(h / m): whole seasons back to reach the past
            assert forecast[w, s] == t + h - k * season  # y_t = t


def test_seasonal_naive_before_the_first_row_is_unknown_not_wrapped():
    data = prepared(np.arange(60.0), seq_len=2, horizon=1)
    meta = data.meta
    meta.last_rows["probe"] = np.array([0, 1, 2])
    forecast = seasonal_naive(meta, "probe", (3,))[:, 0, 0]
    assert np.isnan(forecast[0]) and np.isnan(forecast[1]) and forecast[2] == 0.0


def test_the_season_is_the_autocorrelation_peak_of_the_training_part():
    rng = np.random.default_rng(0)
    t = np.arange(2000)
    daily = 10 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 1, t.size)
    assert find_season(daily, 100) == 24
    assert find_season(rng.normal(size=2000), 100) == 1  # no season: persistence
    acf = autocorrelation(daily, 30)
    x = daily - daily.mean()
    assert acf[24] == pytest.approx(np.mean(x[24:] * x[:-24]) / np.mean(x**2))
    data = prepared(daily, seq_len=8)
    assert training_seasons(data.meta, 100) == (24,)


def test_linear_ar_is_numpy_lstsq_on_the_training_windows():
    rng = np.random.default_rng(1)
    values = np.cumsum(rng.normal(size=(500, 2)), axis=0)
    data = prepared(values, seq_len=4, horizon=2, every_step=True, names=("a", "b"))
    meta = data.meta
    # the design built by hand: rows t-3 .. t of both inputs, then 1
    rows = meta.last_rows["train"]
    design = np.array([[*values[t - 3 : t + 1].ravel(), 1.0] for t in rows])
    truth = np.array([[*values[t + 1], *values[t + 2]] for t in rows])  # [h=1: a b, h=2: a b]
    assert np.array_equal(window_design(meta, "train", 4), design)
    expected = np.linalg.lstsq(design, truth, rcond=None)[0]
    assert np.allclose(fit_linear_ar(meta, 4).weights, expected, rtol=1e-8, atol=1e-10)


def test_linear_ar_recovers_a_noise_free_autoregression_exactly():
    y = np.zeros(300)
    y[:2] = 1.0, 2.0
    for t in range(2, 300):
        y[t] = 3 + 1.2 * y[t - 1] - 0.5 * y[t - 2]  # a damped swing that settles at 10
    data = prepared(y, seq_len=2)  # the swing lies in the training part: the design has rank 3
    weights = fit_linear_ar(data.meta, 2).weights[:, 0]  # [w_{t-1} on row t-1, w_t, intercept]
    assert weights == pytest.approx([-0.5, 1.2, 3.0], abs=1e-6)
    test = fit_linear_ar(data.meta, 2).forecast(data.meta, "test", 2)
    assert np.allclose(test, data.meta.truth("test"), atol=1e-6)


def test_mase_scale_is_the_seasonal_naive_mae_over_the_training_part(ramp):
    meta = ramp.meta
    (a, b), *rest = meta.pieces["train"]
    assert not rest
    y = meta.targets[a:b, 0]
    assert seasonal_scale(meta, (7,))[0] == pytest.approx(np.mean(np.abs(y[7:] - y[:-7])))


@pytest.fixture(scope="module")
def noisy():
    rng = np.random.default_rng(2)
    t = np.arange(3000)
    y = 10 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 1, t.size)
    return prepared(y, seq_len=24, horizon=1)


def test_a_perfect_model_beats_every_baseline_and_a_copy_is_within_noise(noisy):
    meta = noisy.meta
    truth = meta.truth("test")
    forecasts, seasons = baseline_forecasts(noisy, "test")
    assert seasons == (24,) and set(forecasts) == set(BASELINES)
    scale = seasonal_scale(meta, seasons)
    perfect = score_table(meta, truth, {"model": truth, **forecasts}, scale).iloc[0]
    assert perfect["model RMSE"] == 0 and perfect["model MASE"] == 0
    assert all(perfect[f"vs {b}"] == BEATS for b in BASELINES)
    best = perfect["best baseline"]
    assert best == min(BASELINES, key=lambda b: perfect[f"{b} RMSE"])
    copy = score_table(meta, truth, {"model": forecasts[best], **forecasts}, scale).iloc[0]
    assert copy["verdict"] == WITHIN_NOISE and copy["model − best, 95% interval"] == (0.0, 0.0)
    worse = score_table(meta, truth, {"model": truth + 50, **forecasts}, scale).iloc[0]
    assert worse["verdict"] == WORSE
    errors = forecasts["persistence"][:, 0, 0] - truth[:, 0, 0]
    assert perfect["persistence RMSE"] == pytest.approx(np.sqrt(np.mean(errors**2)))
    assert perfect["persistence MAE"] == pytest.approx(np.mean(np.abs(errors)))
    assert perfect["persistence MASE"] == pytest.approx(np.mean(np.abs(errors)) / scale[0])


def test_errors_against_the_horizon_grow_as_persistence_falls_behind_a_ramp(ramp):
    meta = ramp.meta
    truth = meta.truth("test")
    forecasts = {"persistence": persistence(meta, "test"), "model": truth}
    table = errors_by_step(meta, truth, forecasts)
    assert table["steps ahead"].tolist() == [1, 2, 3, 4, 5]
    assert table["persistence RMSE"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]  # y_t = t: error h
    assert (table["model RMSE"] == 0).all()
