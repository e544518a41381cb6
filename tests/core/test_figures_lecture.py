"""The lecture-hall figures: wrapping angles break their lines, the clipped runs get a panel of
their own beside an exploding one, and the IMU scores' ratio bars read the score table."""

import numpy as np
import pandas as pd

from rnn_core.evaluation.imu_scores import BEATS, WITHIN_NOISE
from rnn_core.figures.angles import break_at_wraps
from rnn_core.figures.attitude import attitude_figure
from rnn_core.figures.axes import log_range
from rnn_core.figures.curves import compare_loss_figure
from rnn_core.figures.imu import prediction_figure
from rnn_core.figures.panels import needs_panel
from rnn_core.figures.style import for_projector
from rnn_core.figures.verdicts import rmse_ratio_figure, rmse_ratios


def test_break_at_wraps_inserts_a_gap_only_where_the_angle_wraps():
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    y = np.array([170.0, 179.0, -179.0, -170.0, -100.0])  # wraps once; -100 is a real move
    shown_x, shown_y = break_at_wraps(x, y)
    np.testing.assert_array_equal(shown_x, [0.0, 1.0, 1.5, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(shown_y[[0, 1, 3, 4, 5]], y)
    assert np.isnan(shown_y[2])


def test_break_at_wraps_leaves_smooth_and_missing_values_alone():
    x = np.arange(4.0)
    y = np.array([0.0, np.nan, 170.0, -10.0])  # NaN neighbours are no jump; 180 is not more
    shown_x, shown_y = break_at_wraps(x, y)
    np.testing.assert_array_equal(shown_x, x)
    np.testing.assert_array_equal(np.isnan(shown_y), np.isnan(y))
    radians = break_at_wraps(x, np.array([3.1, -3.1, -3.0, 3.0]), period=2 * np.pi)[1]
    assert np.isnan(radians).sum() == 2


def _vertical_strokes(trace) -> int:
    y = np.asarray(trace.y, dtype=float)
    with np.errstate(invalid="ignore"):
        return int((np.abs(np.diff(y)) > 180).sum())


def test_roll_charts_draw_no_vertical_line_where_roll_wraps():
    time = np.linspace(0, 4, 200)
    roll = np.angle(np.exp(1j * (np.pi - 0.1 + time)))  # (N,) rad, crosses ±180° once
    pitch = 0.1 * np.sin(time)
    truth = np.stack([roll, pitch], axis=1)  # (N, 2)
    fig = attitude_figure(time, truth, {"filter": truth + 0.01})
    assert all(_vertical_strokes(trace) == 0 for trace in fig.data)
    assert sum(np.isnan(np.asarray(t.y, dtype=float)).sum() for t in fig.data) >= 2  # truth, filter
    forecast = prediction_figure(time, roll, roll, roll, "roll", roll)
    top = [t for t in forecast.data if not t.name.endswith("error")]
    assert len(top) == 4 and all(_vertical_strokes(t) == 0 for t in top)
    assert forecast.layout.legend.orientation == "v" and forecast.layout.legend.x > 1


def _history(losses: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"step": np.arange(len(losses)), "loss": losses, "val_loss": losses.copy()})


def test_an_exploding_run_gives_the_clipped_runs_their_own_panel():
    exploding = _history(10.0 ** np.linspace(0, 35, 20))
    clipped = _history(10.0 ** np.linspace(0, -3.5, 400))
    runs = {"RNN (tanh)": clipped, "RNN (tanh), no clipping": exploding}
    fig = compare_loss_figure(runs, "MSE", 1.0)
    panel = [t for t in fig.data if t.yaxis == "y2"]
    assert {t.legendgroup for t in panel} == {"RNN (tanh)"} and len(panel) == 2
    assert not any(t.showlegend for t in panel)
    low, high = fig.layout.yaxis2.range
    own = log_range([clipped["loss"].astype(np.float32), clipped["val_loss"]], [None])
    np.testing.assert_allclose((low, high), own, atol=1e-6)  # the curves are drawn as float32
    assert high - low < 5 < fig.layout.yaxis.range[1] - fig.layout.yaxis.range[0]
    # the panel's ticks lie on the clipped run's own decades, its end among them
    assert min(np.log10(fig.layout.yaxis2.tickvals)) <= -3
    assert fig.layout.yaxis2.domain[1] < fig.layout.yaxis.domain[0]
    assert for_projector(fig).layout.yaxis2.range == fig.layout.yaxis2.range


def test_no_panel_when_every_run_is_clipped_or_the_ranges_are_close():
    clipped = _history(10.0 ** np.linspace(0, -3, 100))
    assert not needs_panel({"LSTM": [clipped["loss"].to_numpy()]}, [None])
    fig = compare_loss_figure({"LSTM": clipped, "GRU": clipped}, "MSE", 1.0)
    assert "yaxis2" not in fig.layout.to_plotly_json()
    assert all(t.yaxis in (None, "y") for t in fig.data)
    mild = _history(10.0 ** np.linspace(0, 1, 50))
    assert not needs_panel(
        {"GRU": [clipped["loss"].to_numpy()], "GRU, no clipping": [mild["loss"].to_numpy()]},
        [None],
    )


def test_ratio_bars_divide_the_model_rmse_by_the_best_baseline():
    table = pd.DataFrame(
        {
            "target": ["roll", "pitch", "gx"],
            "model RMSE": [2.0, 1.0, 3.0],
            "persistence RMSE": [4.0, 0.5, 6.0],
            "gyro propagation RMSE": [2.1, 1.1, np.nan],
            "best baseline": ["gyro propagation", "persistence", "persistence"],
            "verdict": [WITHIN_NOISE, WITHIN_NOISE, BEATS],
        }
    )
    np.testing.assert_allclose(rmse_ratios(table), [2.0 / 2.1, 1.0 / 0.5, 3.0 / 6.0])
    fig = rmse_ratio_figure(table)
    bars = {x: y for trace in fig.data for x, y in zip(trace.x, trace.y, strict=True)}
    np.testing.assert_allclose([bars[t] for t in table["target"]], rmse_ratios(table), rtol=1e-6)
    names = [trace.name for trace in fig.data]
    assert names == ["cannot be told from it", "beats it"]
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] > 2.0
