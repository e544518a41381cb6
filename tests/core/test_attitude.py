"""The attitude filters against the optical truth of two BROAD trials and known motions: the
inclination error, the time constant's rate invariance, upside down, near +-90 deg of pitch."""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from rnn_core.datasets.imu.units import euler_from_quaternion
from rnn_core.evaluation.baselines import (
    ATTITUDE_METHODS,
    complementary_filter,
    estimate_attitude,
    estimate_attitude_arrays,
    inclination_error,
)
from tests.core.test_baselines import body_rates, specific_force
from tests.paths import SHARED

TRIALS = {
    "02": "broad-02_undisturbed_slow_rotation_B.csv",
    "07": "broad-07_undisturbed_fast_rotation_B.csv",
}
# Inclination RMSE (deg) over the movement rows with a truth, per method and trial: each a little
# above what the filter measures at its defaults (trial 02 / 07: complementary 0.64 / 2.40,
# Madgwick 0.60 / 2.04, Mahony 0.54 / 1.67, VQF 0.43 / 1.02, Fusion 0.67 / 1.76), VQF at the
# issue's bound.
BOUNDS = {
    "complementary": {"02": 2.0, "07": 3.0},
    "madgwick": {"02": 1.0, "07": 2.5},
    "mahony": {"02": 1.0, "07": 2.2},
    "vqf": {"02": 1.0, "07": 1.2},
    "fusion": {"02": 1.0, "07": 2.2},
}


def wrap(angle):
    return (angle + np.pi) % (2 * np.pi) - np.pi


def read_trial(name):
    """A BROAD trial: time, accel, gyro, mag (N, 3), truth roll and pitch (N,) from the optical
    quaternion (body to ENU; NaN where it dropped out), movement (N,) bool."""
    frame = pd.read_csv(SHARED / "imu-samples" / TRIALS[name])
    quaternion = frame[["quat_w", "quat_x", "quat_y", "quat_z"]].to_numpy()
    truth = euler_from_quaternion(quaternion)  # (N, 3), NaN rows where the reference is empty
    return SimpleNamespace(
        time=frame["time_s"].to_numpy(),
        accel=frame[["acc_x", "acc_y", "acc_z"]].to_numpy(),
        gyro=frame[["gyr_x", "gyr_y", "gyr_z"]].to_numpy(),
        mag=frame[["mag_x", "mag_y", "mag_z"]].to_numpy(),
        roll=truth[:, 0],
        pitch=truth[:, 1],
        scored=(frame["movement"].to_numpy() == 1) & ~np.isnan(quaternion[:, 0]),
        rest=(frame["movement"].to_numpy() == 0) & ~np.isnan(quaternion[:, 0]),
    )


@pytest.fixture(scope="module")
def trials():
    return {name: read_trial(name) for name in TRIALS}


@pytest.fixture(scope="module")
def estimates(trials):
    """Every method at its defaults on both trials, computed once: (method, trial) -> dict."""
    return {
        (method, name): estimate_attitude_arrays(trial.time, trial.accel, trial.gyro, None, method)
        for method in ATTITUDE_METHODS
        for name, trial in trials.items()
    }


def inclination_rmse_degrees(estimate, trial, rows):
    error = inclination_error(estimate["roll"], estimate["pitch"], trial.roll, trial.pitch)
    return float(np.degrees(np.sqrt(np.mean(error[rows] ** 2))))


def test_the_truth_is_body_to_enu_and_agrees_with_gravity_at_rest(trials):
    for trial in trials.values():
        # At rest the accelerometer reads the vertical: the quaternion rotates body to world.
        up = trial.accel / np.linalg.norm(trial.accel, axis=1, keepdims=True)
        accel_roll, accel_pitch = np.arctan2(up[:, 1], up[:, 2]), np.arcsin(-up[:, 0])
        error = inclination_error(accel_roll, accel_pitch, trial.roll, trial.pitch)
        assert np.degrees(np.median(error[trial.rest])) < 1.0


@pytest.mark.parametrize("method", list(ATTITUDE_METHODS))
@pytest.mark.parametrize("trial_name", list(TRIALS))
def test_each_method_against_the_optical_truth(trials, estimates, method, trial_name):
    trial = trials[trial_name]
    estimate = estimates[method, trial_name]
    assert np.isfinite(estimate["roll"]).all() and np.isfinite(estimate["pitch"]).all()
    rmse = inclination_rmse_degrees(estimate, trial, trial.scored)
    assert rmse < BOUNDS[method][trial_name], f"{method} on trial {trial_name}: {rmse:.2f} deg"


def test_the_best_filter_meets_the_benchmark(trials, estimates):
    for trial_name, bound in (("02", 1.0), ("07", 1.2)):
        trial = trials[trial_name]
        best = min(
            inclination_rmse_degrees(estimates[method, trial_name], trial, trial.scored)
            for method in ATTITUDE_METHODS
        )
        assert best < bound
    # The fixed complementary filter at its default time constant, on the slow trial.
    assert (
        inclination_rmse_degrees(
            estimates["complementary", "02"], trials["02"], trials["02"].scored
        )
        < 2.0
    )


def recording_of(trial, rows=slice(None), with_mag=True, segments=None):
    """The trial as a reader's recording: time, channels (ax..gz, mx..mz), rate, segments."""
    columns = {f"a{k}": trial.accel[rows, i] for i, k in enumerate("xyz")}
    columns |= {f"g{k}": trial.gyro[rows, i] for i, k in enumerate("xyz")}
    if with_mag:
        columns |= {f"m{k}": trial.mag[rows, i] for i, k in enumerate("xyz")}
    time = trial.time[rows]
    return SimpleNamespace(
        time=time,
        channels=pd.DataFrame(columns),
        sample_rate=285.7,
        segments=segments or ((0, len(time)),),
    )


@pytest.mark.parametrize("method", ["vqf", "fusion"])
def test_the_magnetometer_reaches_the_filters_that_use_one(trials, method):
    trial = trials["02"]
    with_mag = estimate_attitude(recording_of(trial), method, use_mag=True)
    assert inclination_rmse_degrees(with_mag, trial, trial.scored) < 1.0
    arrays = estimate_attitude_arrays(trial.time, trial.accel, trial.gyro, trial.mag, method)
    np.testing.assert_array_equal(with_mag["roll"], arrays["roll"])


def test_each_segment_starts_afresh_and_gaps_stay_empty(trials):
    trial = trials["07"]
    rows = slice(20_000, 26_000)
    segments = ((0, 2000), (2500, 6000))
    recording = recording_of(trial, rows, segments=segments)
    for method in ATTITUDE_METHODS:
        together = estimate_attitude(recording, method)
        for start, end in segments:
            alone = estimate_attitude(
                recording_of(trial, slice(20_000 + start, 20_000 + end)), method
            )
            np.testing.assert_array_equal(together["roll"][start:end], alone["roll"])
            np.testing.assert_array_equal(together["pitch"][start:end], alone["pitch"])
        assert np.isnan(together["roll"][2000:2500]).all()


def motion_at(rate, duration=60.0):
    """A smooth, fast-turning motion with a swaying linear acceleration and a gyro bias, sampled
    finely and resampled to `rate` by interpolation: time, accel, gyro at that rate."""
    fine = np.arange(0, duration, 1 / 2000)
    roll = 0.8 * np.sin(0.7 * fine) + 0.3 * np.sin(2.1 * fine)
    pitch, yaw = 0.5 * np.sin(0.45 * fine + 1.0), 0.3 * fine
    sway = np.column_stack([1.5 * np.sin(3 * fine), 1.0 * np.cos(2.3 * fine), 0 * fine])
    accel = specific_force(roll, pitch, yaw) + sway
    gyro = body_rates(fine, roll, pitch, yaw) + 0.02
    t = np.arange(0, duration, 1 / rate)
    return t, *(
        np.column_stack([np.interp(t, fine, v[:, i]) for i in range(3)]) for v in (accel, gyro)
    )


def test_the_complementary_filter_is_the_same_at_any_sample_rate():
    def filtered(rate, time_constant=1.0):
        t, accel, gyro = motion_at(rate)
        roll, pitch = complementary_filter(t, *accel.T, *gyro.T, time_constant=time_constant)
        step = rate // 50  # onto the 50 Hz timestamps, which every rate here shares
        return roll[::step], pitch[::step]

    roll_50, pitch_50 = filtered(50)
    for rate in (100, 400):
        roll, pitch = filtered(rate)
        assert np.degrees(np.abs(wrap(roll - roll_50))).max() < 0.5
        assert np.degrees(np.abs(pitch - pitch_50)).max() < 0.5
    # Not vacuous: the time constant matters on this motion far beyond 0.5 deg.
    roll_fast, _ = filtered(50, time_constant=0.25)
    assert np.degrees(np.abs(wrap(roll_fast - roll_50))).max() > 2.0


def known_motion(roll, pitch, yaw, t):
    return specific_force(roll, pitch, yaw), body_rates(t, roll, pitch, yaw)


T = np.arange(0, 30, 0.01)
SETTLED = T >= 5.0  # Fusion and VQF start from level and take a few seconds to turn over


@pytest.mark.parametrize("method", list(ATTITUDE_METHODS))
@pytest.mark.parametrize(
    "case",
    [
        "upside down at rest",
        "upside down",
        "rolling over",
        "pitch +85",
        "pitch -85",
        "through the vertical",
    ],
)
def test_known_motions_upside_down_and_near_vertical(method, case):
    roll, pitch, yaw = {
        "upside down at rest": (np.pi + 0 * T, 0 * T, 0 * T),
        "upside down": (np.pi + 0.4 * np.sin(0.5 * T), 0.3 * np.sin(0.3 * T), 0.2 * T),
        "rolling over": (0.6 * T, 0.2 * np.sin(0.3 * T), 0.1 * T),
        "pitch +85": (0.3 * np.sin(0.4 * T), np.radians(85 + 3 * np.sin(0.5 * T)), 0.3 * T),
        "pitch -85": (0.3 * np.sin(0.4 * T), np.radians(-85 + 3 * np.sin(0.5 * T)), 0.3 * T),
        "through the vertical": (0.0 * T, np.radians(70 + 30 * np.sin(0.4 * T)), 0.0 * T),
    }[case]
    accel, gyro = known_motion(roll, pitch, yaw, T)
    if case == "upside down at rest":
        np.testing.assert_allclose(accel, [[0.0, 0.0, -9.81]] * len(T), atol=1e-12)
    got = estimate_attitude_arrays(T, accel, gyro, None, method)
    assert np.isfinite(got["roll"]).all() and np.isfinite(got["pitch"]).all()
    error = np.degrees(inclination_error(got["roll"], got["pitch"], roll, pitch))
    assert error[SETTLED].max() < 0.5
    if case != "through the vertical":  # beyond 90 deg ZYX pitch folds back: the vertical holds
        assert np.degrees(np.abs(wrap(got["roll"] - roll)))[SETTLED].max() < 1.5
        assert np.degrees(np.abs(got["pitch"] - pitch))[SETTLED].max() < 0.5
    # No jump but the +-pi wrap: consecutive samples differ by far less than a degree.
    steps = np.degrees(np.abs(wrap(np.diff(got["roll"][SETTLED]))))
    assert steps.max() < 2.0 or case == "through the vertical"
    if case.startswith("upside down"):
        assert np.degrees(np.abs(got["roll"][SETTLED])).min() > 150  # near +-180, never 0


def test_inclination_error_is_the_angle_between_verticals_and_ignores_heading():
    assert inclination_error(0.0, 0.0, 0.0, 0.0) == 0.0
    assert np.degrees(inclination_error(np.radians(10), 0.0, 0.0, 0.0)) == pytest.approx(10)
    assert np.degrees(inclination_error(0.0, np.radians(-25), 0.0, 0.0)) == pytest.approx(25)
    # Upside down is 180 deg from level, and roll +180 is roll -180.
    assert np.degrees(inclination_error(np.pi, 0.0, 0.0, 0.0)) == pytest.approx(180)
    assert inclination_error(np.pi, 0.0, -np.pi, 0.0) == pytest.approx(0, abs=1e-12)
    rng = np.random.default_rng(1)
    r1, p1, r2, p2 = rng.uniform(-1.5, 1.5, (4, 200))
    up1, up2 = (
        specific_force(r, p, rng.uniform(-3, 3, 200)) / 9.81 for r, p in ((r1, p1), (r2, p2))
    )
    expected = np.arccos(np.clip(np.sum(up1 * up2, axis=1), -1, 1))
    np.testing.assert_allclose(inclination_error(r1, p1, r2, p2), expected, atol=1e-7)


def test_the_methods_are_described_for_a_page():
    assert list(ATTITUDE_METHODS) == ["complementary", "madgwick", "mahony", "vqf", "fusion"]
    assert ATTITUDE_METHODS["vqf"].label == "VQF (Laidig & Seel 2022)"
    assert {k for k, m in ATTITUDE_METHODS.items() if m.uses_magnetometer} == {"vqf", "fusion"}
    for method in ATTITUDE_METHODS.values():
        assert method.gains and all(
            g.minimum <= g.default <= g.maximum and g.help for g in method.gains
        )
    with pytest.raises(dataclasses.FrozenInstanceError):
        ATTITUDE_METHODS["vqf"].label = "changed"


@pytest.mark.parametrize(
    "method, kwargs, match",
    [
        ("kalman", {}, "choose one of complementary, madgwick, mahony, vqf, fusion"),
        ("madgwick", {"alpha": 0.98}, "its gains are beta"),
        ("complementary", {"alpha": 0.98}, "its gains are time_constant"),
        ("mahony", {"kp": -1.0}, "kp must be between 0 and 100"),
        ("vqf", {"tau_acc": 0.0}, "tau_acc must be between"),
        ("fusion", {"gain": float("nan")}, "gain must be between"),
    ],
)
def test_bad_methods_and_gains_are_refused_with_a_sentence(trials, method, kwargs, match):
    trial = trials["02"]
    rows = slice(0, 100)
    with pytest.raises(ValueError, match=match):
        estimate_attitude_arrays(
            trial.time[rows], trial.accel[rows], trial.gyro[rows], None, method, **kwargs
        )


def test_the_magnetometer_is_refused_where_it_cannot_be_used(trials):
    trial = trials["02"]
    rows = slice(0, 100)
    with pytest.raises(ValueError, match="does not use a magnetometer"):
        estimate_attitude(recording_of(trial, rows), "madgwick", use_mag=True)
    with pytest.raises(ValueError, match="no magnetometer"):
        estimate_attitude(recording_of(trial, rows, with_mag=False), "vqf", use_mag=True)
    with pytest.raises(ValueError, match="does not use a magnetometer"):
        estimate_attitude_arrays(
            trial.time[rows], trial.accel[rows], trial.gyro[rows], trial.mag[rows], "mahony"
        )


@pytest.mark.parametrize("method", list(ATTITUDE_METHODS))
def test_missing_values_are_refused_with_a_sentence(trials, method):
    trial = trials["02"]
    gyro = trial.gyro[:100].copy()
    gyro[40, 1] = np.nan
    with pytest.raises(ValueError, match="missing values between rows 0 and 100"):
        estimate_attitude_arrays(trial.time[:100], trial.accel[:100], gyro, None, method)


def test_mahony_integral_gain_learns_a_gyro_bias():
    t = np.arange(0, 60, 0.01)
    roll, pitch, yaw = 0.2 * np.sin(0.3 * t), 0.1 * np.sin(0.2 * t), 0 * t
    accel, gyro = known_motion(roll, pitch, yaw, t)
    gyro = gyro + [0.05, -0.04, 0.0]  # rad/s: a bias kp alone leaves as a standing tilt error
    late = t > 40

    def late_error(ki):
        got = estimate_attitude_arrays(t, accel, gyro, None, "mahony", kp=0.5, ki=ki)
        return np.degrees(inclination_error(got["roll"], got["pitch"], roll, pitch))[late].max()

    assert late_error(0.0) > 3.0
    assert late_error(0.05) < 0.3
