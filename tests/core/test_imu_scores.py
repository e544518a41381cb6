"""Scores that hold, against references: the masked loss against MSE by hand and autograd, windows
without truth giving no loss and no score, the test block placed by `test_at`, gyro propagation
against the closed form, the block interval and verdict on constructed errors, and the forecast
table against numpy by hand on the rows with a truth."""

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_core.datasets.imu.prepare import IMU_INPUTS, ImuTable, ImuTask, part_bounds, prepare_imu
from rnn_core.datasets.prepare import SPLIT_NAMES
from rnn_core.evaluation.compare import trivial_baseline
from rnn_core.evaluation.imu import evaluate_forecast
from rnn_core.evaluation.imu_scores import (
    BEATS,
    SCORE_COLUMNS,
    TOO_FEW,
    WITHIN_NOISE,
    WORSE,
    block_interval,
    forecast_scores,
    gyro_propagation,
    verdict,
)
from rnn_core.figures.imu import prediction_figure
from rnn_core.models import ModelConfig, build_model
from rnn_core.training.losses import loss_for

DEG = 180.0 / np.pi
COLUMNS = ("ax", "ay", "az", "gx", "gy", "gz", "roll", "pitch")
N = 300


# --- the masked loss ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(16, 3), (8, 5, 3)])
def test_the_masked_loss_is_mse_over_the_known_entries_and_its_gradient_autograds(shape):
    generator = torch.Generator().manual_seed(0)
    target = torch.randn(shape, generator=generator, dtype=torch.float64)
    target[torch.rand(shape, generator=generator) < 0.3] = float("nan")
    known = ~torch.isnan(target)
    assert 0 < known.sum() < known.numel()
    prediction = torch.randn(shape, generator=generator, dtype=torch.float64, requires_grad=True)
    loss = loss_for(prediction, target)
    (grad,) = torch.autograd.grad(loss, prediction)

    reference = prediction.detach().clone().requires_grad_(True)
    hand = ((reference[known] - target[known]) ** 2).sum() / known.sum()
    (hand_grad,) = torch.autograd.grad(hand, reference)
    assert loss.item() == pytest.approx(hand.item(), rel=1e-12)
    torch.testing.assert_close(grad, hand_grad, rtol=1e-12, atol=0)
    assert torch.isfinite(grad).all() and (grad[~known] == 0).all()
    # Closed form of the gradient: 2 (p - t) / (known entries) where known, 0 elsewhere.
    closed = torch.where(known, 2 * (prediction.detach() - target) / known.sum(), 0.0)
    torch.testing.assert_close(grad, closed, rtol=1e-12, atol=1e-15)


def test_the_masked_loss_without_holes_is_plain_mse_and_all_holes_give_zero():
    prediction = torch.randn(10, 2, requires_grad=True)
    target = torch.randn(10, 2)
    torch.testing.assert_close(
        loss_for(prediction, target), torch.nn.functional.mse_loss(prediction, target)
    )
    empty = loss_for(prediction, torch.full((10, 2), float("nan")))
    (grad,) = torch.autograd.grad(empty, prediction)
    assert empty.item() == 0.0 and (grad == 0).all()


# --- windows whose target has no truth ------------------------------------------------------------


def holed_table(truth_input: bool = False) -> ImuTable:
    """One 300-row segment; truth = values' roll / pitch plus a smooth offset, with holes: rows
    100..129 in both angles (training), 265..274 in roll only and 280..289 in both (test)."""
    rng = np.random.default_rng(5)
    values = pd.DataFrame(rng.standard_normal((N, 8)), columns=list(COLUMNS))
    values["pitch"] = values["pitch"].clip(-1.2, 1.2)  # a pitch: away from +-90 deg (gimbal lock)
    rows = np.arange(N)
    truth = pd.DataFrame(
        {"roll": values["roll"] + 0.1 * np.sin(rows / 7), "pitch": values["pitch"] - 0.05}
    )
    truth.iloc[100:130] = np.nan
    truth.loc[265:274, "roll"] = np.nan
    truth.iloc[280:290] = np.nan
    if truth_input:
        values[["roll", "pitch"]] = truth.to_numpy()
    return ImuTable(
        values, rows / 50.0, 50.0, ((0, N),), None, truth, None, "vqf", "synthetic holes"
    )


def test_windows_without_any_truth_are_left_out_and_partial_truth_gives_no_loss_there():
    table, T, h = holed_table(), 6, 2
    task = ImuTask(targets=("roll", "pitch"), horizon=h)
    data = prepare_imu(table, T, task)
    truth = table.truth.to_numpy()
    bounds = {"train": (0, 210), "validation": (210, 255), "test": (255, 300)}
    for name in SPLIT_NAMES:
        lo, hi = bounds[name]
        expected = [r for r in range(lo + T - 1 + h, hi) if np.isfinite(truth[r]).any()]
        np.testing.assert_array_equal(data.meta.target_rows[name], expected)
    # Target statistics: the change from the device's value, over the training rows with a truth.
    device = table.values[["roll", "pitch"]].to_numpy()
    change = truth[h:210] - device[: 210 - h]  # (L, 2) NaN in the holes
    change[:, 0] = (change[:, 0] + np.pi) % (2 * np.pi) - np.pi  # roll the short way round
    np.testing.assert_allclose(data.standardizer.mean, np.nanmean(change, axis=0), rtol=1e-5)
    np.testing.assert_allclose(data.standardizer.std, np.nanstd(change, axis=0), rtol=1e-5)
    # In the test part, roll has no truth at targets 265..274: NaN there in y, and no loss.
    test = data.split("test")
    x, y = test.batch(torch.arange(len(test)))
    rows = data.meta.target_rows["test"]
    np.testing.assert_array_equal(torch.isnan(y).numpy(), ~np.isfinite(truth[rows]))
    assert torch.isnan(y[:, 0]).sum() == 10 and not torch.isnan(x).any()
    model = build_model(
        ModelConfig(input_size=8, output_size=2, hidden_size=4, task_shape="many_to_one"), seed=0
    )
    prediction, _ = model(x)  # (W, 2)
    loss = loss_for(prediction, y)
    loss.backward()
    known = ~torch.isnan(y)
    hand = ((prediction[known] - y[known]) ** 2).mean()
    assert torch.isfinite(loss) and loss.item() == pytest.approx(hand.item(), rel=1e-6)
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())


def test_windows_without_truth_give_no_score():
    table = holed_table()
    data = prepare_imu(table, 6, ImuTask(targets=("roll", "pitch", "gx")))
    scaler = data.standardizer
    model = build_model(
        ModelConfig(input_size=8, output_size=3, hidden_size=4, task_shape="many_to_one"), seed=0
    )
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.copy_(torch.as_tensor(-scaler.mean / scaler.std))  # zero change
    result = evaluate_forecast(model, data, table)
    rows, last = data.meta.target_rows["test"], data.meta.last_rows["test"]
    # gx always has a truth: the windows into the holes stay, with NaN angles.
    np.testing.assert_array_equal(rows, np.arange(255 + 6, 300))
    truth = table.target_values(("roll", "pitch", "gx"))[rows]  # (W, 3)
    device = table.values[["roll", "pitch", "gx"]].to_numpy()[last]
    scores = result.table
    for k in range(3):
        known = np.isfinite(truth[:, k])
        error = device[known, k] - truth[known, k]
        assert scores["windows with truth"][k] == known.sum()
        assert scores["persistence RMSE"][k] == pytest.approx(
            np.sqrt(np.mean(error**2)) * DEG, rel=1e-9
        )
    assert scores["windows with truth"].tolist() == [len(rows) - 20, len(rows) - 10, len(rows)]


def test_windows_reading_a_hole_in_their_inputs_are_left_out():
    table, T = holed_table(truth_input=True), 5  # the truth read as input (teaching)
    data = prepare_imu(table, T, ImuTask())
    holes = ~np.isfinite(table.values.to_numpy()).all(axis=1)
    for name in SPLIT_NAMES:
        last = data.meta.last_rows[name]
        read = last[:, None] - T + 1 + np.arange(T)  # (W, T) rows each window reads
        assert not holes[read].any()
    lo, hi = 255, 300  # test: every window of 5 rows and its target outside 280..289
    expected = [r for r in range(lo + T - 1, hi - 1) if not holes[r - T + 1 : r + 1].any()]
    np.testing.assert_array_equal(data.meta.last_rows["test"], expected)


def test_the_trivial_baseline_skips_targets_without_truth():
    table = holed_table()
    table.truth.iloc[220:230] = np.nan  # a hole in the validation part as well
    data = prepare_imu(table, 6, ImuTask())
    _, y = data.validation.batch(data.validation.evenly_spaced(4096))
    known = ~torch.isnan(y)
    assert (~known).sum() > 0
    loss, _ = trivial_baseline(data)
    assert loss == pytest.approx(float(y[known].double().pow(2).mean()), rel=1e-9)


# --- where the test block goes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test_at", "train", "validation", "test"),
    [
        (None, [(0, 700)], (700, 850), (850, 1000)),  # the last 15 %
        (0.4, [(0, 250), (550, 1000)], (250, 400), (400, 550)),
        (0.1, [(0, 100), (400, 1000)], (250, 400), (100, 250)),  # no room before: after it
        (0.0, [(300, 1000)], (150, 300), (0, 150)),
        (0.95, [(0, 700)], (700, 850), (850, 1000)),  # clamped so that the test part fits
    ],
)
def test_part_bounds_places_the_test_block_validation_before_it_training_the_rest(
    test_at, train, validation, test
):
    parts = part_bounds(1000, (0.7, 0.15, 0.15), test_at)
    assert parts == {"train": train, "validation": [validation], "test": [test]}
    covered = sorted(r for ranges in parts.values() for r in ranges)
    assert sum(b - a for a, b in covered) == 1000  # every row in exactly one part
    assert all(b0 == a1 for (_, b0), (a1, _) in zip(covered, covered[1:], strict=False))


@pytest.mark.parametrize(
    ("rows", "test_at", "fractions"),
    [(25, 0.42, (0.7, 0.15, 0.15)), (50, 0.45, (0.7, 0.15, 0.15)), (30, 0.45, (0.8, 0.1, 0.1))],
)
def test_part_bounds_puts_every_row_in_exactly_one_part(rows, test_at, fractions):
    cover = np.zeros(rows, dtype=int)
    for ranges in part_bounds(rows, fractions, test_at).values():
        for a, b in ranges:
            cover[a:b] += 1
    np.testing.assert_array_equal(cover, 1)


def test_prepare_with_test_at_keeps_windows_in_their_part_and_fits_on_both_training_sides():
    table = holed_table()
    table = ImuTable(
        table.values, table.time, 50.0, ((0, 140), (140, N)), None, None, None, "vqf", "x"
    )
    T, h = 4, 1
    data = prepare_imu(table, T, ImuTask(horizon=h), test_at=0.4)
    meta = data.meta
    assert meta.split == ((0.7, 0.15, 0.15), 0.4)
    assert meta.parts == {
        "train": [(0, 75), (165, N)],
        "validation": [(75, 120)],
        "test": [(120, 140), (140, 165)],  # cut again at the gap
    }
    assert meta.part_starts == (75, 120)
    for name in SPLIT_NAMES:
        first = meta.last_rows[name] - T + 1
        inside = [
            any(a <= f and t < b for a, b in meta.parts[name])
            for f, t in zip(first, meta.target_rows[name], strict=True)
        ]
        assert all(inside) and len(first) == sum(b - a - T - h + 1 for a, b in meta.parts[name])
    train = table.values[list(IMU_INPUTS)].to_numpy()[np.r_[0:75, 165:N]]
    np.testing.assert_allclose(meta.input_standardizer.mean, train.mean(axis=0), rtol=1e-5)


# --- gyro propagation -----------------------------------------------------------------------------


@pytest.mark.parametrize("horizon", [1, 4, 25])
def test_gyro_propagation_at_a_constant_rate_from_level_is_rate_times_time(horizon):
    dt, rate = 0.01, np.array([0.5, -1.2, 2.0])  # rad/s
    zeros = np.zeros(3)
    roll, pitch = gyro_propagation(zeros, zeros, np.c_[rate, zeros, zeros], dt, horizon)
    np.testing.assert_allclose(roll, rate * horizon * dt, rtol=1e-12)  # about x: roll only
    np.testing.assert_array_equal(pitch, 0.0)
    roll, pitch = gyro_propagation(zeros, zeros, np.c_[zeros, rate, zeros], dt, horizon)
    np.testing.assert_allclose(pitch, rate * horizon * dt, rtol=1e-12)  # about y: pitch only
    np.testing.assert_array_equal(roll, 0.0)


def test_gyro_propagation_at_zero_rate_is_persistence_and_one_step_is_the_kinematics():
    rng = np.random.default_rng(1)
    roll, pitch = rng.uniform(-3, 3, 50), rng.uniform(-1.4, 1.4, 50)
    same = gyro_propagation(roll, pitch, np.zeros((50, 3)), 0.02, 10)
    np.testing.assert_array_equal(same[0], roll)
    np.testing.assert_array_equal(same[1], pitch)
    gx, gy, gz = gyro = rng.normal(size=(3, 50))
    one = gyro_propagation(roll, pitch, gyro.T, 0.02, 1)
    roll_rate = gx + np.tan(pitch) * (np.sin(roll) * gy + np.cos(roll) * gz)
    pitch_rate = np.cos(roll) * gy - np.sin(roll) * gz
    np.testing.assert_allclose(one[0], roll + 0.02 * roll_rate, rtol=1e-12)
    np.testing.assert_allclose(one[1], pitch + 0.02 * pitch_rate, rtol=1e-12)


# --- interval and verdict -------------------------------------------------------------------------


def test_block_interval_of_constant_errors_is_the_exact_difference():
    low, high = block_interval(np.full(200, 4.0), np.full(200, 9.0))  # RMSE 2 against 3
    assert low == pytest.approx(-1.0, abs=1e-12) and high == pytest.approx(-1.0, abs=1e-12)


def test_verdicts_on_constructed_errors():
    rng = np.random.default_rng(2)
    base = rng.normal(size=400) ** 2
    assert verdict(block_interval(0.25 * base, base)) == BEATS  # half the error everywhere
    assert verdict(block_interval(4.0 * base, base)) == WORSE
    assert block_interval(base, base) == (0.0, 0.0)
    assert verdict(block_interval(base, base)) == WITHIN_NOISE
    other = rng.normal(size=400) ** 2  # the same distribution, other draws
    low, high = block_interval(other, base)
    assert low < 0 < high and verdict((low, high)) == WITHIN_NOISE
    assert block_interval(0.25 * base[:99], base[:99]) is None  # 20 blocks need 100 windows
    assert verdict(None) == TOO_FEW
    assert verdict(block_interval(0.25 * base[:100], base[:100])) == BEATS


# --- the forecast table against numpy by hand -----------------------------------------------------


def test_forecast_scores_are_rmse_by_hand_over_the_rows_with_truth():
    rng = np.random.default_rng(3)
    W, targets = 240, ("roll", "pitch", "gx")
    truth = rng.normal(size=(W, 3))
    truth[::7, 0] = np.nan  # holes in roll
    truth[5:40, 1] = np.nan  # and in pitch
    truth[:, 0] += np.pi - 0.01 - truth[:, 0]  # roll at +179.4 deg, NaN kept
    model = truth + 0.1 * rng.normal(size=(W, 3))
    model[:, 0] = np.where(np.isnan(truth[:, 0]), 1.0, -np.pi + 0.01)  # across the wrap
    persistence = np.nan_to_num(truth) + 0.3 * rng.normal(size=(W, 3))
    propagation = np.nan_to_num(truth) + 0.2 * rng.normal(size=(W, 3))
    moving = rng.random(W) < 0.5
    baselines = {"persistence": persistence, "gyro propagation": propagation}
    table = forecast_scores(targets, truth, model, baselines, moving)
    assert tuple(table.columns) == SCORE_COLUMNS
    assert table["unit"].tolist() == ["deg", "deg", "deg/s"]

    def rmse(prediction, k, rows):
        error = prediction[rows, k] - truth[rows, k]
        if k == 0:
            error = np.angle(np.exp(1j * error))  # wrapped
        return np.sqrt(np.mean(error**2)) * DEG

    for k in range(3):
        known = np.isfinite(truth[:, k])
        row = table.iloc[k]
        assert row["windows with truth"] == known.sum()
        assert row["model RMSE"] == pytest.approx(rmse(model, k, known), rel=1e-12)
        assert row["persistence RMSE"] == pytest.approx(rmse(persistence, k, known), rel=1e-12)
        assert row["gyro propagation RMSE"] == pytest.approx(rmse(propagation, k, known), rel=1e-12)
        assert row["best baseline"] == "gyro propagation"  # 0.2 against 0.3 of noise
        still, moves = known & ~moving, known & moving
        assert row["model RMSE at rest"] == pytest.approx(rmse(model, k, still), rel=1e-12)
        assert row["model RMSE in motion"] == pytest.approx(rmse(model, k, moves), rel=1e-12)
        assert row["baseline RMSE in motion"] == pytest.approx(
            rmse(propagation, k, moves), rel=1e-12
        )
    assert table["model RMSE"][0] == pytest.approx(0.02 * DEG, rel=1e-9)  # wrapped, not 2 pi
    assert table["verdict"].tolist() == [BEATS] * 3


def test_the_forecast_chart_draws_a_roll_error_the_short_way_round():
    time = np.array([0.0, 0.1, 0.2])
    truth = np.array([np.pi - 0.01, -np.pi + 0.01, 0.0])  # (3,) rad, across +-180 deg
    forecast = np.array([-np.pi + 0.01, np.pi - 0.01, 0.02])  # 0.02 rad off each time
    fig = prediction_figure(time, truth, forecast, truth, "roll")
    error = next(trace for trace in fig.data if trace.name == "model error")
    shown = np.asarray(error.y, dtype=float)
    np.testing.assert_allclose(shown, np.degrees([0.02, -0.02, 0.02]), rtol=1e-5)
    pitch = prediction_figure(time, truth, forecast, truth, "pitch")  # pitch does not wrap
    error = next(trace for trace in pitch.data if trace.name == "model error")
    assert abs(float(error.y[0])) > 300
