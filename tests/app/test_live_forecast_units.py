"""The Live page's forecast chart shows each target in the IMU lab's display unit: roll and
pitch in degrees, the gyroscope in deg/s, the accelerometer in m/s^2 (one rule,
`rnn_core.evaluation.metrics.display_unit`), its values and its RMSE alike."""

from types import SimpleNamespace

import numpy as np

from rnn_core.evaluation.metrics import display_unit
from ui.live.forecast import Following, rate_sentence, shown


def test_each_target_in_the_labs_display_unit():
    targets = ("roll", "gx", "ax")
    forecaster = SimpleNamespace(targets=targets, rmse=lambda: {"roll": 0.01, "gx": 0.2, "ax": 0.3})
    following = Following(("k",), forecaster)
    for t in range(5):  # actual and forecast in SI, as the forecaster gives them
        following.pairs.append((float(t), np.array([0.1, 1.0, 9.8]), np.array([0.2, 2.0, 9.0])))
    time, actual, forecast, rmse, units = shown(following)
    factors = np.array([display_unit(t)[1] for t in targets])
    np.testing.assert_allclose(actual[0], np.array([0.1, 1.0, 9.8]) * factors)
    np.testing.assert_allclose(forecast[-1], np.array([0.2, 2.0, 9.0]) * factors)
    assert units == {"roll": "deg", "gx": "deg/s", "ax": "m/s^2"}
    assert rmse["roll"] == np.degrees(0.01) and rmse["gx"] == np.degrees(0.2)
    assert rmse["ax"] == 0.3 and len(time) == 5


def test_a_phone_at_another_rate_than_the_model_is_said():
    task = SimpleNamespace(horizon=1)
    forecaster = SimpleNamespace(meta=SimpleNamespace(sample_rate=100.0, task=task))
    following = Following(("k",), forecaster)
    said = rate_sentence(following, 50.0)
    assert "trained on rows at 100 Hz" in said and "at 50 Hz" in said
    assert "20 ms here, not the 10 ms it learned" in said
    assert rate_sentence(following, 100.0) is None and rate_sentence(following, None) is None
    assert rate_sentence(following, 101.0) is None  # within 2 %: the same rate
