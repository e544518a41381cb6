"""IMU windows against the recording they come from: every column of a synthetic table is its row
index times a factor of its own, so a window read back tells exactly which rows it holds; then the
bundled samples, read and prepared as the page does."""

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_core.analysis.display import input_for_display
from rnn_core.datasets.imu.prepare import (
    IMU_INPUTS,
    IMU_TARGETS,
    ImuTable,
    ImuTask,
    imu_table,
    prepare_imu,
    split_pieces,
    window_rows,
)
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.datasets.prepare import SPLIT_NAMES
from rnn_core.datasets.windows import DataError, Standardizer
from rnn_core.evaluation.baselines import estimate_attitude
from tests.paths import ROOT

COLUMNS = ("ax", "ay", "az", "gx", "gy", "gz", "roll", "pitch")
FACTORS = {"ax": 1.0, "ay": -2.0, "az": 3.0, "gx": 0.5, "gy": -0.25, "gz": 4.0}
FACTORS |= {"roll": 0.01, "pitch": -0.02}
# Segments laid end to end, as a recording's: a gap in time at 37, 90, 104 and 160.
SEGMENTS = ((0, 37), (37, 90), (90, 104), (104, 160), (160, 230))
N = 230
RATE = 50.0
FRACTIONS = (0.6, 0.2, 0.2)


def synthetic_table(
    values: pd.DataFrame | None = None,
    segments=SEGMENTS,
    labels: np.ndarray | None = None,
    truth: pd.DataFrame | None = None,
) -> ImuTable:
    """A table whose column c holds row * FACTORS[c] (or `values`), so that any row read back
    names itself; without a truth the roll and pitch targets are the values themselves."""
    rows = np.arange(N, dtype=np.float64)
    if values is None:
        values = pd.DataFrame({c: rows * FACTORS[c] for c in COLUMNS})
    return ImuTable(
        values=values,
        time=rows / RATE,
        sample_rate=RATE,
        segments=tuple(segments),
        labels=labels,
        truth=truth,
        motion=None,
        attitude_source="vqf",
        orientation_note="synthetic",
    )


def hand_pieces(segments, rows: int, fractions) -> dict[str, list[tuple[int, int]]]:
    """Each part's row ranges by hand: [0, c1), [c1, c2), [c2, rows) cut again at the segments."""
    c1 = int(round(rows * fractions[0]))
    c2 = int(round(rows * (fractions[0] + fractions[1])))
    parts = {"train": (0, c1), "validation": (c1, c2), "test": (c2, rows)}
    return {
        name: [(max(a, lo), min(b, hi)) for a, b in segments if min(b, hi) > max(a, lo)]
        for name, (lo, hi) in parts.items()
    }


def wrap_roll(change: np.ndarray) -> np.ndarray:
    """A copy with the roll column (the first of IMU_TARGETS, last axis) wrapped into [-pi, pi):
    a roll from 179 to -179 deg changes by 2 deg."""
    out = np.array(change, dtype=np.float64, copy=True)
    out[..., 0] = (out[..., 0] + np.pi) % (2 * np.pi) - np.pi
    return out


def rows_of(standardized: np.ndarray, scaler: Standardizer, names) -> np.ndarray:
    """Recording rows read back from standardized columns (..., C): one per column, (..., C)."""
    values = scaler.inverse(standardized).astype(np.float64)
    factors = np.array([FACTORS[c] for c in names])
    return values / factors


def all_windows(data, name: str) -> tuple[np.ndarray, np.ndarray]:
    """x (W, T, F) and y of every window of a split, in the set's order, as numpy arrays."""
    windows = data.split(name)
    x, y = windows.batch(torch.arange(len(windows)))
    return x.numpy(), y.numpy()


def container(row_first: int, row_last: int, ranges) -> tuple[int, int] | None:
    """The one range [a, b) that holds both rows, or None."""
    for a, b in ranges:
        if a <= row_first and row_last < b:
            return a, b
    return None


# --- 1. windows never straddle a gap or a part boundary --------------------------------------


@pytest.mark.parametrize("horizon", [1, 3])
@pytest.mark.parametrize("task_shape", ["many_to_one", "many_to_many"])
def test_every_window_reads_consecutive_rows_inside_one_segment_and_one_part(task_shape, horizon):
    T = 6
    task = ImuTask(horizon=horizon, predict_change=False)
    data = prepare_imu(synthetic_table(), T, task, task_shape, FRACTIONS)
    meta = data.meta
    pieces = hand_pieces(SEGMENTS, N, FRACTIONS)
    bounds = dict(zip(SPLIT_NAMES, [(0, 138), (138, 184), (184, N)], strict=True))
    for name in SPLIT_NAMES:
        x, y = all_windows(data, name)
        read = rows_of(x, meta.input_standardizer, task.inputs)  # (W, T, F)
        rows = np.rint(read[..., 0]).astype(int)  # (W, T)
        np.testing.assert_allclose(read, np.broadcast_to(rows[..., None], read.shape), atol=1e-3)
        np.testing.assert_array_equal(np.diff(rows, axis=1), 1)  # consecutive rows
        lo, hi = bounds[name]
        for first, last in zip(rows[:, 0], rows[:, -1], strict=True):
            segment = container(first, last + horizon, SEGMENTS)
            assert segment is not None, f"{name} window {first}..{last}+{horizon} crosses a gap"
            assert lo <= first and last + horizon < hi, f"{name} window leaves its part"
        np.testing.assert_array_equal(meta.last_rows[name], rows[:, -1])
        np.testing.assert_array_equal(meta.target_rows[name], rows[:, -1] + horizon)
        # The target read back from y is the row `horizon` after the last input row.
        y_last = y[:, -1] if task_shape == "many_to_many" else y
        target = rows_of(y_last, data.standardizer, task.targets)
        np.testing.assert_allclose(target, np.tile(rows[:, -1:] + horizon, 5), atol=1e-3)
        # And no window is missing: every start whose inputs and target fit in one piece.
        expected = sum(max(0, (b - a) - T - horizon + 1) for a, b in pieces[name])
        assert len(data.split(name)) == expected


def test_a_classifier_window_is_labelled_by_its_last_row_and_stays_in_one_piece():
    T = 5
    labels = np.array(["a", "b"] * (N // 2))
    data = prepare_imu(synthetic_table(labels=labels), T, ImuTask(classify=True), "many_to_one")
    pieces = hand_pieces(SEGMENTS, N, (0.7, 0.15, 0.15))
    for name in SPLIT_NAMES:
        x, _ = all_windows(data, name)
        rows = np.rint(rows_of(x, data.meta.input_standardizer, IMU_INPUTS)[..., 0]).astype(int)
        np.testing.assert_array_equal(np.diff(rows, axis=1), 1)
        assert all(
            container(f, la, pieces[name]) for f, la in zip(rows[:, 0], rows[:, -1], strict=True)
        )
        np.testing.assert_array_equal(data.meta.target_rows[name], rows[:, -1])  # horizon 0
        assert len(data.split(name)) == sum(max(0, (b - a) - T + 1) for a, b in pieces[name])


def test_split_pieces_cuts_the_rows_at_the_fractions_then_at_every_gap():
    assert split_pieces(SEGMENTS, N, FRACTIONS) == {
        "train": [(0, 37), (37, 90), (90, 104), (104, 138)],
        "validation": [(138, 160), (160, 184)],
        "test": [(184, 230)],
    }
    assert split_pieces(((0, 10), (15, 20)), 20, (0.5, 0.25, 0.25)) == {
        "train": [(0, 10)],
        "validation": [],  # rows 10..15 lie in no segment
        "test": [(15, 20)],
    }


# --- 2. alignment of targets ----------------------------------------------------------------


@pytest.mark.parametrize("predict_change", [False, True])
@pytest.mark.parametrize("horizon", [1, 3])
@pytest.mark.parametrize("task_shape", ["many_to_one", "many_to_many"])
def test_targets_are_the_values_horizon_rows_ahead_or_their_change(
    task_shape, horizon, predict_change
):
    rng = np.random.default_rng(horizon)
    values = pd.DataFrame(rng.standard_normal((N, len(COLUMNS))), columns=list(COLUMNS))
    table = synthetic_table(values)
    T = 7
    task = ImuTask(horizon=horizon, predict_change=predict_change)
    data = prepare_imu(table, T, task, task_shape, FRACTIONS)
    meta = data.meta
    targets = values[list(IMU_TARGETS)].to_numpy()
    for name in SPLIT_NAMES:
        _, y = all_windows(data, name)
        learned = data.standardizer.inverse(y).astype(np.float64)  # (W, K) or (W, T, K)
        last, target = meta.last_rows[name], meta.target_rows[name]
        np.testing.assert_array_equal(target, last + horizon)
        np.testing.assert_allclose(meta.last_values[name], targets[last])
        if task_shape == "many_to_many":
            # Step j of a window reads row last - T + 1 + j and must predict `horizon` rows later.
            inputs = last[:, None] - T + 1 + np.arange(T)  # (W, T)
            ahead = targets[inputs + horizon]
            expected = wrap_roll(ahead - targets[inputs]) if predict_change else ahead
            np.testing.assert_allclose(learned, expected, atol=1e-5)
            learned = learned[:, -1]
        change = wrap_roll(targets[target] - targets[last])
        expected = change if predict_change else targets[target]
        np.testing.assert_allclose(learned, expected, atol=1e-5)
        absolute = wrap_roll(targets[target]) if predict_change else targets[target]
        np.testing.assert_allclose(meta.absolute(name, learned), absolute, atol=1e-5)


def test_a_roll_across_180_degrees_changes_by_the_short_way_round():
    rows = np.arange(N, dtype=np.float64)
    values = pd.DataFrame({c: rows * FACTORS[c] for c in COLUMNS})
    values["roll"] = np.where(rows % 2 == 0, np.pi - 0.01, -np.pi + 0.01)  # +-179.4 deg
    task = ImuTask(targets=("roll",), horizon=1)
    data = prepare_imu(synthetic_table(values), 5, task, fractions=FRACTIONS)
    for name in SPLIT_NAMES:
        _, y = all_windows(data, name)
        learned = data.standardizer.inverse(y).astype(np.float64)  # (W, 1)
        last = data.meta.last_rows[name]
        step = np.where(last % 2 == 0, 0.02, -0.02)  # 2 pi - 0.02 the long way round
        np.testing.assert_allclose(learned[:, 0], step, atol=1e-6)
        forecast = data.meta.absolute(name, learned)[:, 0]
        np.testing.assert_allclose(forecast, values["roll"].to_numpy()[last + 1], atol=1e-6)


# --- 3. statistics from the training rows only ------------------------------------------------


def test_statistics_come_from_the_training_rows_alone():
    rng = np.random.default_rng(3)
    base = rng.standard_normal((N, len(COLUMNS))) * np.arange(1, 9) + np.arange(8)
    values = pd.DataFrame(base, columns=list(COLUMNS))
    h = 2
    task = ImuTask(horizon=h, predict_change=True)
    data = prepare_imu(synthetic_table(values), 5, task, "many_to_one", FRACTIONS)
    train = values[list(IMU_INPUTS)].to_numpy()[:138]  # every train row lies in a segment
    np.testing.assert_allclose(data.meta.input_standardizer.mean, train.mean(0), rtol=1e-6)
    np.testing.assert_allclose(data.meta.input_standardizer.std, train.std(0), rtol=1e-6)
    # Target changes: only rows whose target lies in their own train piece.
    targets = values[list(IMU_TARGETS)].to_numpy()
    rows = np.concatenate(
        [np.arange(a, b - h) for a, b in hand_pieces(SEGMENTS, N, FRACTIONS)["train"]]
    )
    change = wrap_roll(targets[rows + h] - targets[rows])
    np.testing.assert_allclose(data.standardizer.mean, change.mean(0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(data.standardizer.std, change.std(0), rtol=1e-6)

    def statistics(changed: pd.DataFrame):
        again = prepare_imu(synthetic_table(changed), 5, task, "many_to_one", FRACTIONS)
        return again.meta.input_standardizer, again.standardizer

    later = values.copy()
    later.iloc[138:] = 1e3 * rng.standard_normal((N - 138, len(COLUMNS)))  # validation and test
    fitted = (data.meta.input_standardizer, data.standardizer)
    for before, after in zip(fitted, statistics(later), strict=True):
        np.testing.assert_array_equal(before.mean, after.mean)
        np.testing.assert_array_equal(before.std, after.std)
    earlier = values.copy()
    earlier.iloc[10] += 100.0  # one train row: both statistics move
    for before, after in zip(fitted, statistics(earlier), strict=True):
        assert not np.array_equal(before.std, after.std)


# --- 4. errors that name the problem ----------------------------------------------------------


def test_a_missing_column_is_named_with_the_ones_to_choose_from():
    with pytest.raises(
        DataError, match=r"no yaw: choose among ax, ay, az, gx, gy, gz, roll, pitch"
    ):
        prepare_imu(synthetic_table(), 5, ImuTask(inputs=("roll", "yaw")))
    with pytest.raises(DataError, match="no yaw"):
        prepare_imu(synthetic_table(), 5, ImuTask(targets=("roll", "yaw")))


def test_classifying_without_labels_says_there_is_no_label_column():
    with pytest.raises(DataError, match="no label column"):
        prepare_imu(synthetic_table(), 5, ImuTask(classify=True))


def test_no_inputs_no_targets_a_bad_horizon_or_window_are_refused():
    with pytest.raises(DataError, match="at least one input"):
        prepare_imu(synthetic_table(), 5, ImuTask(inputs=()))
    with pytest.raises(DataError, match="at least one target"):
        prepare_imu(synthetic_table(), 5, ImuTask(targets=()))
    with pytest.raises(DataError, match="horizon must be at least 1"):
        prepare_imu(synthetic_table(), 5, ImuTask(horizon=0))
    with pytest.raises(DataError, match="at least 1 step"):
        prepare_imu(synthetic_table(), 0)


@pytest.mark.parametrize("horizon", [1, 3])
def test_a_window_longer_than_a_parts_longest_stretch_names_the_part_and_the_longest_window(
    horizon,
):
    # Validation pieces are 22 and 24 rows long: a window of 24 - horizon steps still fits.
    task = ImuTask(horizon=horizon)
    fits = 24 - horizon
    data = prepare_imu(synthetic_table(), fits, task, fractions=FRACTIONS)
    assert len(data.validation) == 1
    with pytest.raises(DataError) as caught:
        prepare_imu(synthetic_table(), fits + 1, task, fractions=FRACTIONS)
    message = str(caught.value)
    assert "The validation part has no stretch of 25 rows without a gap" in message
    assert "its longest has 24, 0.48 s" in message
    assert f"at most {fits} steps" in message


def test_a_classifier_window_may_fill_a_whole_piece():
    labels = np.array(["a"] * N)
    data = prepare_imu(
        synthetic_table(labels=labels), 24, ImuTask(classify=True), fractions=FRACTIONS
    )
    assert len(data.validation) == 1
    with pytest.raises(DataError, match="at most 24 steps"):
        prepare_imu(synthetic_table(labels=labels), 25, ImuTask(classify=True), fractions=FRACTIONS)


# --- 5. classification -----------------------------------------------------------------------


def block_labels() -> np.ndarray:
    """Labels in blocks; 'jump' only in the test part (rows 184..), never in training."""
    labels = np.empty(N, dtype=object)
    labels[:] = "walk"
    labels[20:60] = "sit"
    labels[100:120] = "sit"
    labels[150:170] = "run"
    labels[200:215] = "jump"
    labels[215:] = "run"
    return labels.astype(str)


def test_class_ids_are_the_last_rows_label_and_unseen_labels_are_dropped_from_later_parts():
    labels = block_labels()
    T = 4
    data = prepare_imu(
        synthetic_table(labels=labels), T, ImuTask(classify=True), fractions=FRACTIONS
    )
    assert data.kind == "classification"
    assert data.class_names == ("sit", "walk")  # the train part's labels, sorted
    assert data.output_size == 2
    pieces = hand_pieces(SEGMENTS, N, FRACTIONS)
    for name in SPLIT_NAMES:
        x, y = all_windows(data, name)
        rows = np.rint(rows_of(x, data.meta.input_standardizer, IMU_INPUTS)[..., 0]).astype(int)
        assert [data.class_names[i] for i in y] == labels[rows[:, -1]].tolist()
        starts = [
            last
            for a, b in pieces[name]
            for last in range(a + T - 1, b)
            if labels[last] in data.class_names
        ]
        np.testing.assert_array_equal(rows[:, -1], starts)  # the kept windows, and only those
    assert "jump" not in labels[data.meta.last_rows["test"]]
    assert "run" not in labels[data.meta.last_rows["validation"]]


# --- 7. a saved model's statistics on a whole new recording ------------------------------------


@pytest.mark.parametrize("horizon", [1, 3])
def test_fitted_statistics_cover_the_whole_recording_and_standardize_as_by_hand(horizon):
    rng = np.random.default_rng(7)
    T = 6
    task = ImuTask(horizon=horizon)
    old = pd.DataFrame(rng.standard_normal((N, 8)) * 2 + 1, columns=list(COLUMNS))
    trained = prepare_imu(synthetic_table(old), T, task, fractions=FRACTIONS)
    fitted = (trained.meta.input_standardizer, trained.standardizer, trained.class_names)
    new = pd.DataFrame(rng.standard_normal((N, 8)) * 5 - 3, columns=list(COLUMNS))
    segments = ((0, 3), (3, 50), (50, 58), (58, 230))
    data = prepare_imu(synthetic_table(new, segments), T, task, fractions=(0, 0, 1), fitted=fitted)
    assert len(data.train) == len(data.validation) == 0
    assert len(data.test) == sum(max(0, (b - a) - T - horizon + 1) for a, b in segments)
    assert data.meta.input_standardizer is fitted[0] and data.standardizer is fitted[1]
    x, y = all_windows(data, "test")
    last = data.meta.last_rows["test"]
    rows = last[:, None] - T + 1 + np.arange(T)  # (W, T)
    mean, std = fitted[0].mean, fitted[0].std
    np.testing.assert_allclose(
        x, (new[list(IMU_INPUTS)].to_numpy()[rows] - mean) / std, rtol=1e-5, atol=1e-6
    )
    targets = new[list(IMU_TARGETS)].to_numpy()
    change = wrap_roll(targets[last + horizon] - targets[last])
    np.testing.assert_allclose(y, (change - fitted[1].mean) / fitted[1].std, rtol=1e-5, atol=1e-5)
    assert all(container(r[0], r[-1] + horizon, segments) for r in rows)


def test_fitted_class_names_are_kept_and_labels_outside_them_dropped():
    labels = block_labels()
    fitted_names = ("run", "walk")
    scaler = Standardizer(mean=np.zeros(8, np.float32), std=np.ones(8, np.float32))
    data = prepare_imu(
        synthetic_table(labels=labels),
        4,
        ImuTask(classify=True),
        fractions=(0, 0, 1),
        fitted=(scaler, None, fitted_names),
    )
    assert data.class_names == fitted_names
    _, y = all_windows(data, "test")
    last = data.meta.last_rows["test"]
    expected = [r for a, b in SEGMENTS for r in range(a + 3, b) if labels[r] in fitted_names]
    np.testing.assert_array_equal(last, expected)
    assert [fitted_names[i] for i in y] == labels[last].tolist()


# --- 8. the bundled samples ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def phyphox_recording():
    return read_imu_csv(ROOT / "data" / "imu-sim-phyphox.zip")


@pytest.fixture(scope="module")
def labelled_recording():
    return read_imu_csv(ROOT / "data" / "imu-sim-labelled.csv")


def test_without_orientation_roll_and_pitch_are_the_filters_estimate(phyphox_recording):
    assert not phyphox_recording.has_orientation
    for method in ("vqf", "complementary"):
        table = imu_table(phyphox_recording, method)
        estimate = estimate_attitude(phyphox_recording, method)
        np.testing.assert_array_equal(table.values["roll"], estimate["roll"])
        np.testing.assert_array_equal(table.values["pitch"], estimate["pitch"])
        assert table.truth is None and table.attitude_source == method
        # Without a truth the targets are the estimate itself.
        np.testing.assert_array_equal(
            table.target_values(("roll", "gx")), table.values[["roll", "gx"]].to_numpy()
        )
    assert imu_table(phyphox_recording).attitude_source == "vqf"  # the default: what a device has
    assert "not ground truth" in table.orientation_note
    assert (
        table.sample_rate == phyphox_recording.sample_rate
        and table.segments == phyphox_recording.segments
    )
    with pytest.raises(DataError, match="no ground-truth orientation"):
        imu_table(phyphox_recording, "truth")
    with pytest.raises(DataError, match="Unknown attitude source 'kalman'"):
        imu_table(phyphox_recording, "kalman")


def test_with_orientation_the_files_roll_and_pitch_are_the_truth_not_the_input(labelled_recording):
    assert labelled_recording.has_orientation
    table = imu_table(labelled_recording)
    ch = labelled_recording.channels
    np.testing.assert_array_equal(table.truth["roll"], ch["roll"])
    np.testing.assert_array_equal(table.truth["pitch"], ch["pitch"])
    estimate = estimate_attitude(labelled_recording, "vqf")
    np.testing.assert_array_equal(table.values["roll"], estimate["roll"])
    assert not np.allclose(table.values["roll"], ch["roll"])
    assert "yaw" not in table.values.columns  # reference-only: never an input by stealth
    np.testing.assert_array_equal(
        table.target_values(("roll", "pitch", "gx")),
        np.column_stack([ch["roll"], ch["pitch"], table.values["gx"]]),
    )
    assert "targets are the file's ground truth" in table.orientation_note
    np.testing.assert_array_equal(table.labels, labelled_recording.labels)
    teaching = imu_table(labelled_recording, "truth")
    np.testing.assert_array_equal(teaching.values["roll"], ch["roll"])
    assert teaching.attitude_source == "truth" and "teaching" in teaching.orientation_note


def test_the_default_task_prepares_on_the_phyphox_sample(phyphox_recording):
    table = imu_table(phyphox_recording)
    data = prepare_imu(table, 20)
    assert data.kind == "regression" and data.input_size == 8 and data.output_size == 5
    assert data.feature_names == IMU_INPUTS and data.target_names == IMU_TARGETS
    pieces = hand_pieces(table.segments, len(table.values), (0.7, 0.15, 0.15))
    for name in SPLIT_NAMES:
        assert len(data.split(name)) == sum(max(0, b - a - 20) for a, b in pieces[name])
        x, y = all_windows(data, name)
        assert x.shape == (len(data.split(name)), 20, 8) and y.shape == (len(x), 5)
        values = table.target_values(IMU_TARGETS)
        rows = data.meta.target_rows[name]
        np.testing.assert_allclose(
            data.meta.absolute(name, data.standardizer.inverse(y).astype(np.float64)),
            values[rows],
            atol=1e-5,
        )
    assert data.meta.part_starts == (pieces["validation"][0][0], pieces["test"][0][0])


def test_the_labelled_sample_classifies_its_three_activities(labelled_recording):
    table = imu_table(labelled_recording)
    data = prepare_imu(table, 20, ImuTask(classify=True))
    assert data.class_names == ("shake", "still", "tilt")
    for name in SPLIT_NAMES:
        _, y = all_windows(data, name)
        last = data.meta.last_rows[name]
        assert [data.class_names[i] for i in y] == table.labels[last].tolist()


def test_a_window_is_shown_in_the_recordings_own_units_at_its_own_rows():
    table = imu_table(read_imu_csv(ROOT / "data" / "imu-sim-labelled.csv"))
    data = prepare_imu(table, 20)
    indices = data.validation.evenly_spaced(5)
    x, _ = data.validation.batch(indices)
    rows = window_rows(data, "validation", indices.numpy())  # (5, 20)
    for k in range(5):
        values, _ = input_for_display(data, x[k])
        expected = table.values[list(IMU_INPUTS)].to_numpy()[rows[k]]
        np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-5)
