"""The live forecaster: window mode is the lab's own forecast; the carried state is measured."""

import numpy as np
import pytest
import torch

from rnn_core.evaluation.imu import evaluate_forecast
from rnn_core.phone.live_model import LiveForecaster
from tests.phones.model import small_imu_model

T = 20


@pytest.fixture(scope="module")
def trained():
    """A small LSTM trained briefly (60 Adam steps) on the simulated phyphox recording."""
    return small_imu_model(60, T)


def forecasts(forecaster, table, rows):
    """The forecaster's output at each of `rows` (consecutive table rows): (R, K)."""
    values = table.values
    out = []
    for r in rows:
        row = {n: float(values[n].iloc[r]) for n in forecaster.inputs}
        row["roll"], row["pitch"] = np.degrees(row["roll"]), np.degrees(row["pitch"])
        out.append(forecaster.step(row))
    return out


def test_window_mode_is_the_labs_forecast_and_the_carried_state_is_measured(trained):
    model, data, table = trained
    evaluation = evaluate_forecast(model, data, table, "test")
    last_rows = data.meta.last_rows["test"]  # (W,)
    rows = np.arange(last_rows[0] - T + 1, last_rows[-1] + 1)
    assert np.all(np.diff(last_rows) >= 1)
    window = LiveForecaster(model, data.standardizer, data.meta, T, mode="window")
    carried = LiveForecaster(model, data.standardizer, data.meta, T, mode="carried")
    by_row = dict(zip(rows, forecasts(window, table, rows), strict=True))
    got = np.stack([by_row[r] for r in last_rows])  # (W, K)
    assert np.abs(got - evaluation.prediction).max() < 1e-5  # measured: float32 rounding
    carried_by_row = dict(zip(rows, forecasts(carried, table, rows), strict=True))
    steady = np.stack([carried_by_row[r] for r in last_rows[T:]])  # after T rows of warm-up
    gap = np.abs(steady - got[T:]).max(axis=0)  # (K,) SI
    gap_deg = np.degrees(gap)
    print("carried vs window, max |difference| per target (deg or deg/s):",
          dict(zip(data.meta.task.targets, np.round(gap_deg, 4), strict=True)))  # fmt: skip
    # measured after 60 Adam steps: roll 0.10, pitch 0.012 deg; gx 0.008, gy 0.018, gz 0.12 deg/s
    assert np.all(gap_deg < 5.0)
    rmse = window.rmse()
    assert set(rmse) == set(data.meta.task.targets) and all(np.isfinite(list(rmse.values())))
    assert len(window.errors) == min(len(rows) - T, 500)


def test_the_live_heatmap_is_the_modules_own_hidden_states(trained):
    """Carried: the state after each row is PyTorch's module run over all the rows at once;
    window: the state at a window's last step is the module over that window from zero."""
    model, data, table = trained
    rows = np.arange(100, 160)
    carried = LiveForecaster(model, data.standardizer, data.meta, T, mode="carried")
    window = LiveForecaster(model, data.standardizer, data.meta, T, mode="window")
    got_carried, got_window = [], []
    for r in rows:
        forecasts(carried, table, [r])
        forecasts(window, table, [r])
        got_carried.append(carried.state)
        got_window.append(window.state)
    x = np.stack(carried.window)[-T:]  # (T, F) the last T standardised rows
    assert np.allclose(x, np.stack(window.window), atol=0)
    values = table.values
    inputs = np.stack([[float(values[n].iloc[r]) for n in carried.inputs] for r in rows])  # (R, F)
    standard = data.meta.input_standardizer.transform(inputs).astype(np.float32)  # (R, F)
    with torch.no_grad():
        whole, _ = model.rnn(torch.from_numpy(standard)[None])  # (1, R, H)
        last_window, _ = model.rnn(torch.from_numpy(standard[-T:])[None])  # (1, T, H)
    assert np.abs(np.stack(got_carried) - whole[0].numpy()).max() < 1e-5
    assert all(s is None for s in got_window[: T - 1])
    assert np.abs(got_window[-1] - last_window[0, -1].numpy()).max() < 1e-6
    assert got_carried[-1].shape == (16,)
