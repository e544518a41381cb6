"""The ground truth kept and judged honestly: IMU rows kept through holes in the reference (a real
BROAD trial and synthetic files), the movement column read as motion phases, quaternions
normalised, a frame mismatch named; filters scored against the truth by hand; the split warning on
the real x-io recording; and a saved model re-scored on its own recording's unseen part only."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from rnn_core.checkpoint import load_checkpoint, save_checkpoint
from rnn_core.datasets.imu.export import quaternion_from_euler
from rnn_core.datasets.imu.prepare import ImuTask, imu_table, prepare_imu, split_pieces
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.datasets.imu.simulator import SimulatorConfig, simulate
from rnn_core.evaluation.imu import imu_model_extra, prepare_for_saved, saved_imu_model
from rnn_core.evaluation.imu_truth import (
    ATTITUDE_COLUMNS,
    attitude_scores,
    filter_estimates,
    recording_fingerprint,
    split_warnings,
)
from rnn_core.models import ModelConfig, build_model
from tests.core.reading import csv_bytes, sentences_with
from tests.paths import ROOT, SHARED

DEG = 180.0 / np.pi
BROAD_02 = SHARED / "imu-samples" / "broad-02_undisturbed_slow_rotation_B.csv"
XIO = SHARED / "imu-samples" / "xio-fusion-sensor_data.csv"
QUATERNION = ("qw", "qx", "qy", "qz")


@pytest.fixture(scope="module")
def broad():
    """BROAD trial 02 as the reader gives it, and the file as pandas reads it."""
    return read_imu_csv(BROAD_02), pd.read_csv(BROAD_02)


@pytest.fixture(scope="module")
def motion():
    """60 s at 50 Hz with still, tilt and shake blocks and its true attitude."""
    return simulate(SimulatorConfig(duration_s=60.0, seed=1, labels=True))


def with_quaternion(motion: pd.DataFrame, q: np.ndarray) -> pd.DataFrame:
    """The motion's time and IMU channels with the quaternion q (N, 4) as qw..qz columns."""
    frame = motion[["time", "ax", "ay", "az", "gx", "gy", "gz"]].copy()
    frame[list(QUATERNION)] = q
    return frame


# --- IMU rows kept through holes in the truth -----------------------------------------------------


def test_broad_keeps_every_imu_row_through_the_truths_dropouts(broad):
    recording, raw = broad
    span = raw["time_s"].iloc[-1] - raw["time_s"].iloc[0]
    rows = len(recording.time)
    assert rows == round(span * recording.sample_rate) + 1  # the file's span on the new grid
    assert abs(rows - len(raw)) < 0.005 * len(raw)  # 285.7 Hz resampled to 286 Hz
    assert recording.segments == ((0, rows),)
    sensor = recording.channels[["ax", "ay", "az", "gx", "gy", "gz", "mx", "my", "mz"]]
    assert np.isfinite(sensor.to_numpy()).all()
    file_share = raw["quat_w"].isna().mean()  # 3.2 % of the file's rows
    assert 0.03 < file_share < 0.035
    missing = ~np.isfinite(recording.channels[["roll", "pitch"]].to_numpy()).all(axis=1)
    assert abs(missing.mean() - file_share) < 0.002
    assert recording.has_orientation
    sentence = sentences_with(
        recording, f"Ground truth: missing in {missing.mean():.1%} of the rows"
    )
    assert len(sentence) == 1 and f"({int(missing.sum()):,})" in sentence[0]
    # The movement flag is motion phases, not an activity label.
    assert recording.labels is None and recording.motion.dtype == bool
    assert abs(recording.motion.mean() - raw["movement"].mean()) < 0.002
    assert sentences_with(recording, "Movement phases: column 'movement'", "not an activity label")


def test_broad_resampled_to_50_hz_keeps_its_truth_around_the_holes(broad):
    _, raw = broad
    recording = read_imu_csv(BROAD_02, target_rate=50.0)  # averaged over 6 rows first
    truth = recording.channels[["roll", "pitch"]].to_numpy()
    missing = ~np.isfinite(truth).all(axis=1)
    assert abs(missing.mean() - raw["quat_w"].isna().mean()) < 0.01  # holes stay holes
    t = raw["time_s"].to_numpy()
    known = raw["quat_w"].notna().to_numpy()
    moving = raw["movement"].to_numpy() == 1
    at = np.searchsorted(recording.time + t[0], t[known & moving][::500])  # grid rows near them
    reference = read_imu_csv(BROAD_02).channels["pitch"].to_numpy()
    full_time = np.arange(len(reference)) / 286.0
    expected = np.interp(recording.time[at], full_time, reference)
    np.testing.assert_allclose(truth[at, 1], expected, atol=np.radians(1.0))


@pytest.mark.parametrize("columns", ["quaternion", "euler"])
def test_a_truth_with_six_percent_holes_keeps_its_rows_and_its_truth(motion, columns):
    holes = np.random.default_rng(0).random(len(motion)) < 0.06
    if columns == "quaternion":
        frame = with_quaternion(motion, quaternion_from_euler(motion))
        frame.loc[holes, list(QUATERNION)] = np.nan
    else:
        frame = motion[["time", "ax", "ay", "az", "gx", "gy", "gz", "roll", "pitch"]].copy()
        frame.loc[holes, ["roll", "pitch"]] = np.nan
    recording = read_imu_csv(csv_bytes(frame))
    assert len(recording.time) == len(motion) and recording.has_orientation
    np.testing.assert_allclose(recording.channels["ax"], motion["ax"], atol=1e-9)
    truth = recording.channels[["roll", "pitch"]].to_numpy()
    np.testing.assert_array_equal(np.isnan(truth).any(axis=1), holes)
    np.testing.assert_allclose(truth[~holes], motion[["roll", "pitch"]][~holes], atol=1e-9)
    assert sentences_with(recording, f"Ground truth: missing in {holes.mean():.1%} of the rows")
    table = imu_table(recording)  # the filter's input has no hole; the truth keeps its holes
    assert np.isfinite(table.values.to_numpy()).all()
    np.testing.assert_array_equal(np.isnan(table.truth.to_numpy()).any(axis=1), holes)


def test_a_movement_column_is_read_as_motion_phases_beside_a_label(motion):
    frame = motion[["time", "ax", "ay", "az", "gx", "gy", "gz", "label"]].copy()
    moving = (motion["label"] != "still").to_numpy()
    frame["movement"] = moving.astype(int)
    recording = read_imu_csv(csv_bytes(frame))
    np.testing.assert_array_equal(recording.motion, moving)
    np.testing.assert_array_equal(recording.labels, motion["label"])
    assert "movement" not in recording.channels.columns
    assert sentences_with(recording, f"marks {moving.mean():.0%} of the rows as moving")
    np.testing.assert_array_equal(imu_table(recording).moving(), moving)
    alone = read_imu_csv(csv_bytes(frame.drop(columns="label")))
    assert alone.labels is None
    np.testing.assert_array_equal(alone.motion, moving)


def test_non_unit_quaternions_are_normalised_and_said_so(motion):
    norms = np.linspace(0.5, 2.0, len(motion))[:, None]
    recording = read_imu_csv(
        csv_bytes(with_quaternion(motion, quaternion_from_euler(motion) * norms))
    )
    assert sentences_with(recording, "not of unit length (norms 0.5 to 2): normalised them")
    np.testing.assert_allclose(recording.channels["roll"], motion["roll"], atol=1e-9)
    np.testing.assert_allclose(recording.channels["pitch"], motion["pitch"], atol=1e-9)
    unit = read_imu_csv(csv_bytes(with_quaternion(motion, quaternion_from_euler(motion))))
    assert not sentences_with(unit, "normalised")


def test_a_truth_in_another_frame_disagrees_with_gravity_and_is_named(motion):
    q = quaternion_from_euler(motion)  # body to world; turned 90 deg about the body's x
    c = np.sqrt(0.5)
    turned = np.column_stack(
        [
            c * (q[:, 0] - q[:, 1]),
            c * (q[:, 1] + q[:, 0]),
            c * (q[:, 2] + q[:, 3]),
            c * (q[:, 3] - q[:, 2]),
        ]
    )  # q * (cos 45, sin 45, 0, 0)
    recording = read_imu_csv(csv_bytes(with_quaternion(motion, turned)))
    np.testing.assert_allclose(
        np.angle(np.exp(1j * (recording.channels["roll"] - motion["roll"]))), np.pi / 2, atol=1e-6
    )
    assert sentences_with(recording, "at rest its vertical differs from the accelerometer's by 90°")
    right = read_imu_csv(csv_bytes(with_quaternion(motion, q)))
    assert not sentences_with(right, "differs from the accelerometer")


# --- filters against the truth --------------------------------------------------------------------


def hand_vertical(roll, pitch) -> np.ndarray:
    """The gravity direction in the body frame, (N, 3), from ZYX roll and pitch."""
    return np.column_stack(
        [-np.sin(pitch), np.sin(roll) * np.cos(pitch), np.cos(roll) * np.cos(pitch)]
    )


def test_vqf_on_broad_02_is_within_a_degree_in_motion_and_the_truth_scores_zero(broad):
    recording, _ = broad
    table = imu_table(recording)  # VQF by default
    estimates = filter_estimates(recording, ["vqf"])
    np.testing.assert_array_equal(estimates["vqf"][:, 0], table.values["roll"])
    rows = np.arange(len(table.values))
    truth = table.truth.to_numpy()
    scores = attitude_scores(table, rows, estimates, model=truth)
    assert tuple(scores.columns) == ATTITUDE_COLUMNS
    assert scores["estimator"].tolist() == ["the model (forecast)", "VQF (Laidig & Seel 2022)"]
    known = np.isfinite(truth).all(axis=1)
    assert (scores["rows"] == known.sum()).all()
    perfect = scores.iloc[0]
    for column in ATTITUDE_COLUMNS[1:5]:
        assert perfect[column] == 0.0
    vqf = scores.iloc[1]
    assert vqf["inclination RMSE in motion (deg)"] < 1.0
    # By hand: the angle between the true and estimated vertical, over the movement phases.
    estimate, reference = estimates["vqf"][known], truth[known]
    cosine = np.sum(hand_vertical(*estimate.T) * hand_vertical(*reference.T), axis=1)
    angle = np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))
    moving = recording.motion[known]
    in_motion = np.sqrt(np.mean(angle[moving] ** 2))
    assert vqf["inclination RMSE in motion (deg)"] == pytest.approx(in_motion, abs=1e-5)
    assert vqf["inclination RMSE (deg)"] == pytest.approx(np.sqrt(np.mean(angle**2)), abs=1e-5)
    pitch = np.sqrt(np.mean((estimate[:, 1] - reference[:, 1]) ** 2)) * DEG
    assert vqf["pitch RMSE (deg)"] == pytest.approx(pitch, rel=1e-9)


# --- a split that cannot support a verdict --------------------------------------------------------


@pytest.fixture(scope="module")
def xio():
    return imu_table(read_imu_csv(XIO))


def test_the_split_warning_fires_on_the_xio_recordings_still_tail_and_not_when_moved(xio):
    gyro = xio.values[["gx", "gy", "gz"]].to_numpy()

    def rms(ranges):  # RMS rotation rate by hand, rad/s
        stacked = np.concatenate([gyro[a:b] for a, b in ranges])
        return np.sqrt(np.mean(np.sum(stacked**2, axis=1)))

    default = split_pieces(xio.segments, len(gyro))
    warnings = split_warnings(xio, default)
    assert [w.split(" part")[0] for w in warnings] == ["The validation", "The test"]
    train, test = rms(default["train"]), rms(default["test"])
    assert test < 0.25 * train
    assert f"{test * DEG:.3g} deg/s against {train * DEG:.3g} deg/s" in warnings[1]
    assert "'Test part starts at'" in warnings[1]
    moved = split_pieces(xio.segments, len(gyro), test_at=0.4)
    assert split_warnings(xio, moved) == []
    assert all(rms(moved[p]) >= 0.25 * rms(moved["train"]) for p in ("validation", "test"))


# --- a saved model re-scored on the recording it trained on ---------------------------------------


def test_a_saved_model_rescored_on_its_own_recording_sees_only_its_test_part(xio):
    T = 40  # 0.4 s at 99 Hz
    data = prepare_imu(xio, T, ImuTask(), "many_to_one", test_at=0.4)
    config = ModelConfig(input_size=8, output_size=5, hidden_size=4, task_shape="many_to_one")
    model = build_model(config, seed=0)
    extra = imu_model_extra(data, xio)
    assert extra["imu"]["trained_on"]["test_at"] == 0.4 and extra["imu"]["attitude"] == "vqf"
    _, standardizer, loaded = load_checkpoint(save_checkpoint(model, data.standardizer, extra))
    saved = saved_imu_model(standardizer, loaded)
    again = imu_table(read_imu_csv(XIO))  # the same file uploaded again
    assert recording_fingerprint(again) == recording_fingerprint(xio)
    rescored = prepare_for_saved(again, saved, "many_to_one")
    assert rescored.meta.parts == data.meta.parts  # the split it trained with, test at 0.4
    np.testing.assert_array_equal(rescored.meta.target_rows["test"], data.meta.target_rows["test"])
    np.testing.assert_array_equal(rescored.meta.last_rows["test"], data.meta.last_rows["test"])
    assert (
        rescored.meta.input_standardizer.mean.tolist() == data.meta.input_standardizer.mean.tolist()
    )
    # Another recording: the model never saw any of it, so all of it is scored.
    other = imu_table(read_imu_csv(ROOT / "data" / "imu-sim-50hz.csv"))
    assert recording_fingerprint(other) != recording_fingerprint(xio)
    whole = prepare_for_saved(other, saved, "many_to_one")
    np.testing.assert_array_equal(whole.meta.target_rows["test"], np.arange(T, 9000))


def test_the_fingerprint_changes_with_one_sample_or_the_rate(xio):
    values = xio.values.copy()
    values.loc[5000, "gx"] += 1e-3
    changed = replace(xio, values=values)
    assert recording_fingerprint(changed) != recording_fingerprint(xio)
    slower = replace(xio, sample_rate=100.0)
    assert recording_fingerprint(slower) != recording_fingerprint(xio)
