"""A fair fight: filters at the sensor's rate, short dropouts bridged, restarts marked, roll
scores free of gimbal lock, jitter beyond the timestamps' resolution."""

import io

import numpy as np
import pandas as pd
import pytest
from vqf import VQF

from rnn_core.datasets.imu.attitude import filter_rate, roll_pitch
from rnn_core.datasets.imu.attitude_filters import vertical_of
from rnn_core.datasets.imu.prepare import ImuTask, prepare_imu
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.datasets.imu.samples import SETTLE_SECONDS
from rnn_core.datasets.imu.table import imu_table, settling_note
from rnn_core.datasets.imu.timebase import resample
from rnn_core.evaluation.baselines import inclination_error
from rnn_core.evaluation.imu import ForecastEvaluation
from rnn_core.evaluation.imu_report import filter_rate_column, reference_of, scored_step
from rnn_core.evaluation.imu_scores import roll_defined
from rnn_core.evaluation.imu_truth import attitude_scores, filter_estimates, scored_rows
from rnn_core.evaluation.metrics import predictions_csv
from rnn_core.export.graph import ExportGraph
from rnn_core.export.sidecar import model_json
from rnn_core.models import ModelConfig, build_model
from rnn_core.training.history import COLUMNS
from tests.core.reading import sentences_with
from tests.paths import SHARED

BROAD_07 = SHARED / "imu-samples" / "broad-07_undisturbed_fast_rotation_B.csv"
GAIT = SHARED / "imu-samples" / "xio-gait-short_walk.csv"


@pytest.fixture(scope="module")
def broad():
    """BROAD trial 07 read at the model's 50 Hz, its table with VQF inputs, and its test rows in a
    moving stretch of the recording."""
    recording = read_imu_csv(BROAD_07, target_rate=50)
    table = imu_table(recording, "vqf")
    data = prepare_imu(table, 20, ImuTask(), test_at=0.2)
    return recording, table, data.meta.target_rows["test"]


def test_evaluates_vqf_row_is_vqf_run_at_the_files_rate_on_the_same_rows(broad):
    recording, table, rows = broad
    shown = attitude_scores(table, rows, filter_estimates(recording, ["vqf"])).iloc[0]
    # the reference: the vqf package itself on the file's own 285.7 Hz samples
    frame = pd.read_csv(BROAD_07)
    vqf = VQF(1 / 285.7142857)
    gyro = np.ascontiguousarray(frame[["gyr_x", "gyr_y", "gyr_z"]].to_numpy())
    accel = np.ascontiguousarray(frame[["acc_x", "acc_y", "acc_z"]].to_numpy())
    up = vertical_of(vqf.updateBatch(gyro, accel)["quat6D"])  # (M, 3)
    at = recording.raw.row_time[rows]  # the test rows on the file's clock
    here = np.column_stack([np.interp(at, frame["time_s"], up[:, k]) for k in range(3)])
    roll, pitch = roll_pitch(here)
    truth = table.truth.to_numpy()[rows]
    known = np.isfinite(truth).all(axis=1)
    error = inclination_error(roll[known], pitch[known], truth[known, 0], truth[known, 1])
    reference = np.degrees(np.sqrt(np.mean(error**2)))
    assert abs(shown["inclination RMSE (deg)"] - reference) < 0.05
    assert table.moving()[rows].mean() > 0.9  # a moving stretch, where the rate matters


def test_the_filters_no_longer_run_on_the_resampled_rows(broad):
    recording, table, rows = broad
    at_file_rate = attitude_scores(table, rows, filter_estimates(recording, ["vqf"])).iloc[0]
    resampled = imu_table(read_imu_csv(BROAD_07, target_rate=50), "vqf")
    object.__setattr__(resampled, "truth", table.truth)
    bare = read_imu_csv(BROAD_07, target_rate=50)
    object.__setattr__(bare, "raw", None)  # the old way: the filter on the 50 Hz rows
    at_50 = attitude_scores(table, rows, filter_estimates(bare, ["vqf"])).iloc[0]
    # VQF at 50 Hz on this fast stretch is several times worse than at 285.7 Hz
    assert at_file_rate["inclination RMSE (deg)"] < 0.5 * at_50["inclination RMSE (deg)"]
    assert filter_rate(recording) == "285.7 Hz, the file's rate"
    assert table.filter_rate == pytest.approx(285.714, abs=0.01)
    assert sentences_with(recording, "Attitude filters run on the file's own samples at 285.7 Hz")


def test_the_models_roll_and_pitch_inputs_come_from_the_same_run(broad):
    recording, table, _ = broad
    vqf = filter_estimates(recording, ["vqf"])["vqf"]
    np.testing.assert_array_equal(table.values[["roll", "pitch"]].to_numpy(), vqf)


def test_broads_jitter_is_its_timestamps_resolution_not_its_clock(broad):
    recording = broad[0]
    (sentence,) = sentences_with(recording, "Sample rate:")
    assert "timestamps written to 0.5 ms, jitter beyond that 0.0%" in sentence
    assert "9.6%" not in sentence


def test_the_gait_walks_short_dropouts_are_bridged_in_one_segment():
    gait = read_imu_csv(GAIT, target_rate=50)
    assert len(gait.segments) == 1 and len(gait.raw.segments) == 1
    (sentence,) = sentences_with(gait, "short dropout(s)")
    assert "the longest 12.6 ms): bridged by linear interpolation" in sentence
    assert "keep their state across them (no split)" in sentence
    # the raw samples given to the filters are evenly spaced across the dropouts
    steps = np.diff(gait.raw.time)
    assert steps.max() < 1.5 * np.median(steps)
    assert imu_table(gait).settling is None


def synthetic_csv(gap: float, rate: float = 100.0, seconds: float = 30.0) -> io.BytesIO:
    """A sensor rocking about x at `rate` Hz with a hole of `gap` seconds at 12 s."""
    t = np.arange(0, seconds, 1 / rate)
    t = np.r_[t[t < 12.0], t[t >= 12.0 + gap]]
    roll = 0.3 * np.sin(2 * np.pi * 0.5 * t)
    rate_x = 0.3 * 2 * np.pi * 0.5 * np.cos(2 * np.pi * 0.5 * t)
    frame = pd.DataFrame(
        {
            "time": t,
            "ax": 0.0,
            "ay": 9.81 * np.sin(roll),
            "az": 9.81 * np.cos(roll),
            "gx": rate_x,
            "gy": 0.0,
            "gz": 0.0,
        }
    )
    file = io.BytesIO(frame.to_csv(index=False).encode())
    file.name = "rocking.csv"
    return file


def test_a_short_synthetic_dropout_is_bridged_and_a_long_one_splits_with_settling_marked():
    short = read_imu_csv(synthetic_csv(0.03), target_rate=50)  # a 40 ms step: 3 missing
    assert len(short.segments) == 1 and sentences_with(short, "short dropout(s)")
    long = read_imu_csv(synthetic_csv(2.0), target_rate=50)
    assert len(long.segments) == 2 and sentences_with(long, "split into 2 segments")
    table = imu_table(long, "vqf")
    start = long.segments[1][0]
    expected = int(round(SETTLE_SECONDS * 50))
    assert table.settling_rows() == expected
    assert table.settling[start : start + expected].all() and not table.settling[:start].any()
    targets = table.target_values(("roll", "pitch", "gx"))
    assert np.isnan(targets[table.settling, :2]).all()
    assert np.isfinite(targets[table.settling, 2]).all()  # the gyroscope is no filter's
    (note,) = settling_note(table)
    assert note.startswith(f"Settling: {expected:,} row(s) (6 s), the first 6 s after each gap")


def test_roll_is_defined_away_from_plus_minus_90_degrees_of_pitch():
    pitch = np.radians([0.0, 84.9, 85.1, -85.1, -89.0, 90.0, np.nan])
    np.testing.assert_array_equal(
        roll_defined(pitch), [True, True, False, False, False, False, False]
    )


def test_gimbal_lock_rows_are_left_out_of_every_roll_score_alike(broad):
    recording, table, rows = broad
    truth = table.truth.copy()
    locked = rows[:30]
    truth.loc[locked, "pitch"] = np.radians(87.0)  # as if the body pointed up there
    tilted = type(table)(**{**table.__dict__, "truth": truth})
    known, defined = scored_rows(tilted, rows)
    assert known.sum() - defined.sum() == np.isfinite(table.truth.to_numpy()[locked]).all(1).sum()
    estimates = filter_estimates(recording, ["vqf", "complementary"])
    scores = attitude_scores(tilted, rows, estimates).set_index("estimator")
    for method, estimate in estimates.items():
        label = scores.index[list(estimates).index(method)]
        keep = rows[defined]
        error = np.angle(np.exp(1j * (estimate[keep, 0] - truth["roll"].to_numpy()[keep])))
        assert scores.loc[label, "roll RMSE (deg)"] == pytest.approx(
            np.degrees(np.sqrt(np.mean(error**2))), rel=1e-9
        )


def test_the_header_names_the_step_whose_weights_are_scored():
    history = np.full((3, len(COLUMNS)), np.nan)
    history[:, COLUMNS.index("step")] = [300, 900, 1100]
    history[:, COLUMNS.index("val_loss")] = [0.5, 0.2, 0.3]
    assert scored_step(history, 1100, True) == (
        "weights of step 900, the best validation loss; trained to 1,100"
    )
    assert scored_step(history, 1100, False) == "weights of step 1,100"


def test_the_csv_and_the_checkpoint_say_at_which_rate_the_filter_ran(broad):
    _, table, _ = broad
    rate = table.filter_rate
    assert filter_rate_column(table) == {"vqf_ran_at_hz": rate}
    csv = predictions_csv(
        np.arange(2.0),
        ("roll", "gx"),
        np.zeros((2, 2)),
        np.zeros((2, 2)),
        None,
        ("vqf estimate", "true"),
        filter_rate_column(table),
    )
    frame = pd.read_csv(io.BytesIO(csv))
    assert list(frame.columns) == [
        "time_s",
        "roll_vqf_estimate_deg",
        "roll_pred_deg",
        "gx_true_deg_per_s",
        "gx_pred_deg_per_s",
        "vqf_ran_at_hz",
    ]
    assert (frame["vqf_ran_at_hz"] == rate).all()


def test_without_a_truth_the_reference_is_the_filters_estimate():
    gait = imu_table(read_imu_csv(GAIT, target_rate=50))
    assert reference_of(gait) == "VQF estimate"
    result = ForecastEvaluation(
        ("roll", "pitch", "gx"), *([np.zeros(0)] * 6), None, reference=reference_of(gait)
    )
    assert result.reference_names() == ("vqf estimate", "vqf estimate", "true")
    assert result.reference_name("gx") == "truth"


def test_the_exports_model_json_says_at_which_rate_the_filter_ran(broad):
    _, table, _ = broad
    data = prepare_imu(table, 20, ImuTask())
    config = ModelConfig(input_size=8, output_size=5, hidden_size=4, task_shape="many_to_one")
    graph = ExportGraph(build_model(config, seed=0), data)
    sidecar = model_json(graph, data, table)
    assert sidecar["attitude_rate_hz"] == pytest.approx(285.714, abs=0.01)
    assert sidecar["sample_rate_hz"] == 50.0


def test_downsampling_averages_an_odd_number_of_samples_centred_on_each_row(broad):
    recording = broad[0]
    assert sentences_with(recording, "Averaged over 7 samples before resampling")
    t = np.arange(2000) / 285.7
    ramp = t[:, None].copy()  # (M, 1): a centred average of a ramp is the ramp itself
    out, _, _, _ = resample(t, ramp, None, [(0, t.size)], 50.0, 7)
    grid = np.arange(out.shape[0]) / 50.0
    np.testing.assert_allclose(out[2:-2, 0], grid[2:-2], atol=1e-12)
