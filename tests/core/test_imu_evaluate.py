"""IMU models read back in SI and display units, against hand computations: the persistence and
gyro-propagation baselines on the right rows, models whose output is known exactly (a zeroed head,
or a stand-in that reads the row number off its input), activity accuracy by hand, and the
preview."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from rnn_core.checkpoint import load_checkpoint, save_checkpoint
from rnn_core.datasets.imu.prepare import (
    IMU_TARGETS,
    ImuTable,
    ImuTask,
    imu_table,
    prepare_imu,
)
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.datasets.prepare import SPLIT_NAMES
from rnn_core.evaluation.imu import (
    evaluate_activity,
    evaluate_forecast,
    imu_model_extra,
    imu_preview,
    predict_windows,
    prepare_for_saved,
    saved_imu_model,
)
from rnn_core.evaluation.imu_scores import SCORE_COLUMNS, TOO_FEW, WITHIN_NOISE
from rnn_core.models import ModelConfig, build_model
from tests.paths import ROOT

DEG = 180.0 / np.pi
T = 20


def hand_rmse(prediction, truth) -> np.ndarray:
    """RMSE per column, (K,), written out."""
    return np.sqrt(np.mean((np.asarray(prediction) - np.asarray(truth)) ** 2, axis=0))


def hand_propagation(roll, pitch, gyro, dt: float, horizon: int):
    """Roll and pitch carried `horizon` steps of dt with the gyro held, the ZYX kinematics
    written out: roll' = gx + tan(pitch) (sin(roll) gy + cos(roll) gz),
    pitch' = cos(roll) gy - sin(roll) gz."""
    gx, gy, gz = np.asarray(gyro, np.float64).T
    for _ in range(horizon):
        roll_rate = gx + np.tan(pitch) * (np.sin(roll) * gy + np.cos(roll) * gz)
        pitch_rate = np.cos(roll) * gy - np.sin(roll) * gz
        roll, pitch = roll + dt * roll_rate, pitch + dt * pitch_rate
    return roll, pitch


def zero_head_model(output_size: int, bias: np.ndarray, task_shape="many_to_one", input_size=8):
    """A small LSTM whose head ignores the state: every output is exactly `bias`."""
    config = ModelConfig(
        input_size=input_size, output_size=output_size, hidden_size=4, task_shape=task_shape
    )
    model = build_model(config, seed=0)
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.copy_(torch.as_tensor(bias, dtype=torch.float32))
    return model


@pytest.fixture(scope="module")
def sim():
    """The 50 Hz sample with its true roll and pitch: one segment of 9000 rows."""
    table = imu_table(read_imu_csv(ROOT / "data" / "imu-sim-50hz.csv"))
    assert table.segments == ((0, 9000),)
    return table


@pytest.fixture(scope="module")
def labelled_table():
    return imu_table(read_imu_csv(ROOT / "data" / "imu-sim-labelled.csv"))


@pytest.fixture(scope="module")
def phyphox_table():
    return imu_table(read_imu_csv(ROOT / "data" / "imu-sim-phyphox.zip"))


def window_rows(horizon: int, split: str = "test") -> np.ndarray:
    """Last input rows of the windows of a part of one 9000-row segment, by hand: (W,)."""
    cuts = {"train": (0, 6300), "validation": (6300, 7650), "test": (7650, 9000)}
    lo, hi = cuts[split]
    return np.arange(lo + T - 1, hi - horizon)


# --- predict_windows ------------------------------------------------------------------------------


def test_predict_windows_keeps_the_order_and_the_models_mode(phyphox_table):
    data = prepare_imu(phyphox_table, T, ImuTask(), "many_to_many")
    config = ModelConfig(input_size=8, output_size=5, hidden_size=4, task_shape="many_to_many")
    model = build_model(config, seed=1)
    model.train()
    whole = predict_windows(model, data.validation)
    assert model.training
    chunks = predict_windows(model, data.validation, batch=37)
    np.testing.assert_allclose(chunks, whole, atol=1e-6)
    x, _ = data.validation.batch(torch.tensor([0, 500, len(data.validation) - 1]))
    with torch.no_grad():
        model.eval()
        direct = model(x)[0][:, -1].numpy()  # the last step of each window
    np.testing.assert_allclose(whole[[0, 500, -1]], direct, atol=1e-6)
    empty = prepare_imu(phyphox_table, T, ImuTask(), fractions=(0, 0, 1), fitted=_fitted(data))
    assert predict_windows(model, empty.train).shape == (0, 5)


def _fitted(data):
    return data.meta.input_standardizer, data.standardizer, data.class_names


# --- evaluate_forecast --------------------------------------------------------------------------


@pytest.mark.parametrize("horizon", [1, 3])
def test_a_zero_change_is_exactly_persistence(sim, horizon):
    data = prepare_imu(sim, T, ImuTask(horizon=horizon))
    scaler = data.standardizer
    model = zero_head_model(5, -scaler.mean / scaler.std)
    result = evaluate_forecast(model, data, sim)
    last = window_rows(horizon)
    device = sim.values[list(IMU_TARGETS)].to_numpy()  # roll and pitch from the filter
    truth = sim.target_values(IMU_TARGETS)  # roll and pitch from the file
    assert not np.allclose(device[:, :2], truth[:, :2])
    np.testing.assert_array_equal(truth[:, 2:], device[:, 2:])
    np.testing.assert_array_equal(data.meta.last_rows["test"], last)
    np.testing.assert_array_equal(result.truth, truth[last + horizon])
    np.testing.assert_array_equal(result.persistence, device[last])
    np.testing.assert_array_equal(result.time, sim.time[last + horizon])
    np.testing.assert_allclose(result.prediction, device[last], atol=1e-12)
    roll, pitch = hand_propagation(
        device[last, 0], device[last, 1], device[last, 2:], 1 / 50.0, horizon
    )
    np.testing.assert_allclose(result.propagation[:, 0], roll, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.propagation[:, 1], pitch, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(result.propagation[:, 2:], device[last, 2:])
    np.testing.assert_array_equal(result.moving, sim.moving()[last + horizon])

    table = result.table
    assert tuple(table.columns) == SCORE_COLUMNS
    assert table["target"].tolist() == list(IMU_TARGETS)
    assert table["unit"].tolist() == ["deg", "deg", "deg/s", "deg/s", "deg/s"]
    target = truth[last + horizon]
    persistence = hand_rmse(device[last], target) * DEG  # all five in degrees
    propagation = hand_rmse(result.propagation, target) * DEG
    np.testing.assert_allclose(table["persistence RMSE"], persistence, rtol=1e-12)
    np.testing.assert_allclose(table["gyro propagation RMSE"], propagation, rtol=1e-12)
    np.testing.assert_allclose(table["model RMSE"], persistence, rtol=1e-9)
    assert (table["windows with truth"] == len(last)).all()
    best = np.where(propagation < persistence, "gyro propagation", "persistence")
    assert table["best baseline"].tolist() == best.tolist()
    # On the gyro the model is persistence and so is the best baseline: no difference at all.
    assert table["verdict"][2:].tolist() == [WITHIN_NOISE] * 3
    assert table["model − best, 95% interval"][2:].tolist() == ["[+0, +0]"] * 3
    moving = sim.moving()[last + horizon]
    for k in range(5):
        for column, rows in (("model RMSE at rest", ~moving), ("model RMSE in motion", moving)):
            expected = hand_rmse(device[last][rows, k], target[rows, k]) * DEG
            assert table[column][k] == pytest.approx(expected, rel=1e-9)


def test_a_constant_absolute_forecast_is_the_training_mean(sim):
    h = 2
    data = prepare_imu(sim, T, ImuTask(horizon=h, predict_change=False))
    model = zero_head_model(5, np.zeros(5))  # standardized 0: the target statistics' mean
    result = evaluate_forecast(model, data, sim, split="validation")
    truth = sim.target_values(IMU_TARGETS)
    train_mean = truth[h:6300].mean(axis=0)  # targets of the rows whose target is in train
    np.testing.assert_allclose(
        result.prediction, np.tile(train_mean, (len(result.truth), 1)), rtol=1e-6
    )
    last = window_rows(h, "validation")
    target = truth[last + h]
    np.testing.assert_array_equal(result.truth, target)
    device = sim.values[list(IMU_TARGETS)].to_numpy()
    model_rmse = hand_rmse(train_mean, target)
    persistence_rmse = hand_rmse(device[last], target)
    table = result.table
    np.testing.assert_allclose(table["model RMSE"], model_rmse * DEG, rtol=1e-5)
    np.testing.assert_allclose(table["persistence RMSE"], persistence_rmse * DEG, rtol=1e-12)
    # A constant is far worse than persistence here, on every block of windows.
    assert table["verdict"].tolist() == ["worse"] * 5


# A stand-in model that reads its rows off its inputs (synthetic table: column c = row * factor).

COLUMNS = ("ax", "ay", "az", "gx", "gy", "gz", "roll", "pitch")
N = 240
SEGMENTS = ((0, 50), (50, 121), (121, 170), (170, 240))


def synthetic_table(labels=None, values=None) -> ImuTable:
    """Inputs that name their row (roll = row * 0.01), targets that are not linear in it; no
    truth, so the targets are the values themselves."""
    rows = np.arange(N, dtype=np.float64)
    if values is None:
        values = pd.DataFrame({c: np.sin(rows * (k + 1) * 0.37) for k, c in enumerate(COLUMNS)})
        values["roll"] = rows * 0.01
    return ImuTable(
        values=values,
        time=rows / 100.0,
        sample_rate=100.0,
        segments=SEGMENTS,
        labels=labels,
        truth=None,
        motion=None,
        attitude_source="vqf",
        orientation_note="synthetic",
    )


class RowReader(nn.Module):
    """Reads each step's recording row from the roll input and answers `answer(rows)`:
    (B, T, O) for many_to_many, else the last step's (B, O)."""

    def __init__(self, data, answer, output_size: int) -> None:
        super().__init__()
        self.scaler = data.meta.input_standardizer
        self.roll = data.feature_names.index("roll")
        self.answer = answer
        self.many = data.task_shape == "many_to_many"
        self.config = SimpleNamespace(output_size=output_size)

    def forward(self, x):
        roll = self.scaler.inverse(x.numpy())[..., self.roll].astype(np.float64)  # (B, T)
        rows = np.rint(roll / 0.01).astype(int)
        out = torch.from_numpy(np.asarray(self.answer(rows), dtype=np.float32))  # (B, T, O)
        return (out if self.many else out[:, -1]), None


@pytest.mark.parametrize("horizon", [1, 3])
@pytest.mark.parametrize("predict_change", [True, False])
@pytest.mark.parametrize("task_shape", ["many_to_one", "many_to_many"])
def test_a_model_that_knows_the_future_scores_zero_on_the_rows_it_is_judged_on(
    task_shape, predict_change, horizon
):
    table = synthetic_table()
    task = ImuTask(horizon=horizon, predict_change=predict_change)
    data = prepare_imu(table, 5, task, task_shape, fractions=(0.5, 0.25, 0.25))
    values = table.values[list(IMU_TARGETS)].to_numpy()

    def future(rows):  # (B, T) -> (B, T, K) standardized: what each step must predict
        ahead = values[rows + horizon] - (values[rows] if predict_change else 0.0)
        return data.standardizer.transform(ahead)

    model = RowReader(data, future, 5)
    for split in SPLIT_NAMES:
        result = evaluate_forecast(model, data, table, split)
        rows = data.meta.target_rows[split]
        np.testing.assert_array_equal(result.truth, values[rows])
        np.testing.assert_allclose(result.prediction, values[rows], atol=2e-6)
        assert (result.table["model RMSE"] < 1e-4).all()
        last = data.meta.last_rows[split]
        np.testing.assert_array_equal(rows, last + horizon)
        np.testing.assert_array_equal(result.persistence, values[last])
        roll, pitch = hand_propagation(
            values[last, 0], values[last, 1], values[last, 2:], 0.01, horizon
        )
        np.testing.assert_allclose(result.propagation[:, :2], np.c_[roll, pitch], atol=1e-12)
        # 100 windows make 20 blocks of 5; fewer give no verdict.
        enough = len(rows) >= 100
        assert result.table["verdict"].tolist() == ["beats" if enough else TOO_FEW] * 5


def test_the_table_wraps_roll_errors_across_plus_minus_180_degrees():
    table = synthetic_table()
    values = table.values.copy()
    rows = np.arange(N)
    values["roll"] = np.where(rows % 2 == 0, np.pi - 0.01, -np.pi + 0.01)  # flips across 180 deg
    values["ax"] = rows * 0.01
    table = synthetic_table(values=values)
    task = ImuTask(inputs=("ax",), targets=("roll",), predict_change=False)
    data = prepare_imu(table, 5, task, fractions=(0.5, 0.25, 0.25))
    model = zero_head_model(1, np.zeros(1), input_size=1)
    result = evaluate_forecast(model, data, table)
    # Persistence is 0.02 rad off at every row once wrapped, not 2 pi - 0.02.
    np.testing.assert_allclose(result.table["persistence RMSE"], 0.02 * DEG, rtol=1e-9)
    last, target = data.meta.last_rows["test"], data.meta.target_rows["test"]
    v = values.to_numpy()
    roll, _ = hand_propagation(v[last, 6], v[last, 7], v[last, 3:6], 0.01, 1)
    error = np.angle(np.exp(1j * (roll - v[target, 6])))  # wrapped into (-pi, pi]
    assert np.abs(error).max() < 0.1  # the raw difference would be near 2 pi
    expected = np.sqrt(np.mean(error**2)) * DEG
    assert result.table["gyro propagation RMSE"][0] == pytest.approx(expected, rel=1e-9)


# --- evaluate_activity ---------------------------------------------------------------------------


def block_labels() -> np.ndarray:
    labels = np.array(["walk"] * N, dtype=object)
    labels[30:70] = "sit"
    labels[100:125] = "run"  # train is rows 0..120: 'run' is a training class
    labels[140:160] = "sit"
    labels[190:210] = "jump"  # only in the test part: its windows are dropped
    return labels.astype(str)


def test_activity_accuracy_and_the_majority_class_by_hand():
    labels = block_labels()
    table = synthetic_table(labels)
    window = 4
    data = prepare_imu(table, window, ImuTask(classify=True), fractions=(0.5, 0.25, 0.25))
    classes = data.class_names
    assert classes == ("run", "sit", "walk")

    def guess(rows):  # (B, T) -> (B, T, C): 'sit' on even last rows, else 'walk'
        logits = np.zeros(rows.shape + (3,))
        logits[..., 1] = rows % 2 == 0
        logits[..., 2] = rows % 2 == 1
        return logits

    result = evaluate_activity(RowReader(data, guess, 3), data, table)
    # Test windows by hand: the test part is rows 180..239 of segment (170, 240); no 'jump'.
    last = [r for r in range(180 + window - 1, 240) if labels[r] != "jump"]
    truth = labels[last]
    predicted = np.where(np.array(last) % 2 == 0, "sit", "walk")
    np.testing.assert_array_equal(data.meta.target_rows["test"], last)
    assert result.classes == classes
    assert result.accuracy == pytest.approx(np.mean(truth == predicted), abs=1e-12)
    # Training windows end at rows T-1.. of each train piece; 'walk' is their most common label.
    train_last = [r for a, b in ((0, 50), (50, 120)) for r in range(a + window - 1, b)]
    names, counts = np.unique(labels[train_last], return_counts=True)
    assert names[np.argmax(counts)] == "walk"
    assert result.majority_accuracy == pytest.approx(np.mean(truth == "walk"), abs=1e-12)
    confusion = np.zeros((3, 3), dtype=int)
    for t, p in zip(truth, predicted, strict=True):
        confusion[classes.index(t), classes.index(p)] += 1
    np.testing.assert_array_equal(result.confusion, confusion)
    assert result.report["support"].tolist() == confusion.sum(axis=1).tolist()


def test_a_constant_classifier_on_the_labelled_sample_scores_its_class_share(labelled_table):
    data = prepare_imu(labelled_table, T, ImuTask(classify=True))
    assert data.class_names == ("shake", "still", "tilt")
    model = zero_head_model(3, np.array([0.0, 1.0, 0.0]))  # always 'still'
    result = evaluate_activity(model, data, labelled_table)
    last = window_rows(0)
    truth = labelled_table.labels[last]
    assert result.accuracy == pytest.approx(np.mean(truth == "still"), abs=1e-12)
    train = labelled_table.labels[window_rows(0, "train")]
    names, counts = np.unique(train, return_counts=True)
    majority = names[np.argmax(counts)]
    assert result.majority_accuracy == pytest.approx(np.mean(truth == majority), abs=1e-12)
    assert result.confusion[:, 1].sum() == len(last) and result.confusion.sum() == len(last)
    assert imu_preview(model, data) is None


# --- a saved model on a whole new recording ---------------------------------------------------


def test_a_saved_model_scores_a_whole_new_recording(sim, phyphox_table):
    trained = prepare_imu(sim, T, ImuTask())
    scaler = trained.standardizer
    model = zero_head_model(5, -scaler.mean / scaler.std)
    data = prepare_imu(phyphox_table, T, ImuTask(), fractions=(0, 0, 1), fitted=_fitted(trained))
    last = np.arange(T - 1, 6000 - 1)  # one segment of 6000 rows, horizon 1
    np.testing.assert_array_equal(data.meta.last_rows["test"], last)
    result = evaluate_forecast(model, data, phyphox_table)
    values = phyphox_table.values[list(IMU_TARGETS)].to_numpy()
    np.testing.assert_allclose(
        result.table["persistence RMSE"], hand_rmse(values[last], values[last + 1]) * DEG
    )
    np.testing.assert_allclose(
        result.table["model RMSE"], result.table["persistence RMSE"], rtol=1e-9
    )
    # Without orientation in the file the targets are the filter's roll and pitch themselves.
    assert phyphox_table.truth is None
    np.testing.assert_array_equal(result.truth, values[last + 1])


# --- the live chart's preview ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task_shape", "task"),
    [("many_to_one", ImuTask()), ("many_to_many", ImuTask(horizon=3, predict_change=False))],
)
def test_the_preview_lines_up_truth_and_forecasts_in_display_units(phyphox_table, task_shape, task):
    data = prepare_imu(phyphox_table, T, task, task_shape)
    config = ModelConfig(input_size=8, output_size=5, hidden_size=4, task_shape=task_shape)
    model = build_model(config, seed=2)
    preview = imu_preview(model, data, max_points=120)
    P = len(preview.steps)
    assert preview.target.shape == (P, 5) and preview.prediction.shape == (P, 5)
    assert 0 < P <= 120 + 3
    assert preview.feature_names == (
        "roll (deg)",
        "pitch (deg)",
        "gx (deg/s)",
        "gy (deg/s)",
        "gz (deg/s)",
    )
    assert preview.split_starts == data.meta.part_starts == (4200, 5100)
    assert np.all(np.diff(preview.steps) > 0)  # train, validation, test, in time order
    values = phyphox_table.values[list(IMU_TARGETS)].to_numpy()
    np.testing.assert_allclose(preview.target, values[preview.steps] * DEG, rtol=1e-4, atol=1e-4)
    forecasts = {
        split: evaluate_forecast(model, data, phyphox_table, split) for split in SPLIT_NAMES
    }  # the same model on every window
    for split in SPLIT_NAMES:
        rows = data.meta.target_rows[split]
        shown = np.isin(preview.steps, rows)
        assert shown.sum() >= 1
        index = np.searchsorted(rows, preview.steps[shown])
        np.testing.assert_allclose(
            preview.prediction[shown],
            forecasts[split].prediction[index] * DEG,
            rtol=1e-4,
            atol=1e-4,
        )
    model.train()
    imu_preview(model, data, max_points=10)
    assert model.training  # the preview evaluates in eval mode, then puts the mode back


def test_the_preview_shows_roll_inside_plus_minus_180_degrees():
    values = synthetic_table().values.copy()
    rows = np.arange(N)
    values["roll"] = np.where(rows % 2 == 0, np.pi - 0.01, -np.pi + 0.01)  # flips across 180 deg
    table = synthetic_table(values=values)
    data = prepare_imu(table, 5, ImuTask(), fractions=(0.5, 0.25, 0.25))
    preview = imu_preview(zero_head_model(5, np.zeros(5)), data, max_points=60)
    expected = values["roll"].to_numpy()[preview.steps] * DEG
    np.testing.assert_allclose(preview.target[:, 0], expected, atol=1e-3)
    assert np.abs(preview.prediction[:, 0]).max() <= 180.0


def test_a_saved_imu_model_scores_the_test_part_of_its_own_recording_as_before_saving(sim):
    data = prepare_imu(sim, 12)
    config = ModelConfig(
        cell="gru",
        input_size=data.input_size,
        output_size=data.output_size,
        num_layers=2,
        layer_sizes=(8, 4),
        task_shape="many_to_one",
    )
    model = build_model(config, seed=3)
    loaded, standardizer, extra = load_checkpoint(
        save_checkpoint(model, data.standardizer, imu_model_extra(data, sim))
    )
    saved = saved_imu_model(standardizer, extra)
    assert saved.task == data.meta.task and saved.seq_len == 12 and saved.attitude == "vqf"
    again = prepare_for_saved(sim, saved, loaded.config.task_shape)
    np.testing.assert_array_equal(again.meta.target_rows["test"], data.meta.target_rows["test"])
    before = evaluate_forecast(model.eval(), data, sim)
    after = evaluate_forecast(loaded, again, sim)
    np.testing.assert_allclose(after.prediction, before.prediction, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(
        again.meta.input_standardizer.mean, data.meta.input_standardizer.mean
    )
    with pytest.raises(ValueError, match="not trained on an IMU recording"):
        saved_imu_model(standardizer, {})
    with pytest.raises(ValueError, match="IMU settings are damaged"):
        saved_imu_model(standardizer, {"imu": {"inputs": ["roll"]}})
    broken = {"imu": {**extra["imu"], "trained_on": {**extra["imu"]["trained_on"]}}}
    broken["imu"]["trained_on"]["fractions"] = [0.5, 0.5]
    with pytest.raises(ValueError, match="IMU settings are damaged"):
        saved_imu_model(standardizer, broken)
