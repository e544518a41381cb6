"""Baselines against rotation matrices: Euler-rate kinematics, gravity's attitude, the filter."""

import numpy as np
import pytest

from rnn_core.evaluation.baselines import (
    accel_attitude,
    complementary_filter,
    euler_rates,
    persistence_forecast,
)

G = 9.81


def rotation(roll, pitch, yaw):
    """Body-to-world rotations R = Rz(yaw) Ry(pitch) Rx(roll): (N, 3, 3)."""
    cr, sr, cp, sp, cy, sy = (f(a) for a in (roll, pitch, yaw) for f in (np.cos, np.sin))
    one, zero = np.ones_like(roll), np.zeros_like(roll)
    rx = np.stack([one, zero, zero, zero, cr, -sr, zero, sr, cr], -1).reshape(-1, 3, 3)
    ry = np.stack([cp, zero, sp, zero, one, zero, -sp, zero, cp], -1).reshape(-1, 3, 3)
    rz = np.stack([cy, -sy, zero, sy, cy, zero, zero, zero, one], -1).reshape(-1, 3, 3)
    return rz @ ry @ rx


def body_rates(time, roll, pitch, yaw):
    """Body angular velocity (N, 3) as vee(R^T dR/dt), dR/dt by second-order differences."""
    R = rotation(roll, pitch, yaw)
    skew = R.transpose(0, 2, 1) @ np.gradient(R, time, axis=0, edge_order=2)  # (N, 3, 3)
    skew = (skew - skew.transpose(0, 2, 1)) / 2
    return np.stack([skew[:, 2, 1], skew[:, 0, 2], skew[:, 1, 0]], axis=-1)


def specific_force(roll, pitch, yaw):
    """What a resting accelerometer reads: gravity's reaction in the body frame, (N, 3)."""
    return rotation(roll, pitch, yaw).transpose(0, 2, 1) @ np.array([0.0, 0.0, G])


def trajectory(pitch_offset=0.0, pitch_swing=0.3, yaw_rate=0.3, duration=60.0, rate=100.0):
    """Time and a known roll, pitch, yaw (rad) that keep turning."""
    t = np.arange(int(duration * rate)) / rate
    roll = 0.5 * np.sin(0.4 * t) + 0.2 * np.sin(1.3 * t)
    pitch = pitch_offset + pitch_swing * np.sin(0.25 * t + 1.0)
    yaw = yaw_rate * t + 0.5 * np.sin(0.2 * t)
    return t, roll, pitch, yaw


def imu(t, roll, pitch, yaw, gyro_bias=0.0, gyro_noise=0.0, accel_noise=0.0, seed=0):
    """Six channels ax..gz from the trajectory, with a gyro bias and white noise."""
    rng = np.random.default_rng(seed)
    accel = specific_force(roll, pitch, yaw) + accel_noise * rng.standard_normal((len(t), 3))
    gyro = (
        body_rates(t, roll, pitch, yaw) + gyro_bias + gyro_noise * rng.standard_normal((len(t), 3))
    )
    return (*accel.T, *gyro.T)


def reference_filter(t, channels, alpha, small_angle=False):
    """Euler angles integrated from the gyro and blended with the accelerometer's attitude with a
    weight alpha per sample (the filter before it had a time constant); alpha = 1 is pure Euler-
    rate integration, optionally with the small-angle rates."""
    ax, ay, az, gx, gy, gz = channels
    accel_roll, accel_pitch = accel_attitude(ax, ay, az)
    roll, pitch = np.empty(len(t)), np.empty(len(t))
    roll[0], pitch[0] = accel_roll[0], accel_pitch[0]
    for k in range(1, len(t)):
        if small_angle:
            roll_rate, pitch_rate = gx[k - 1], gy[k - 1]
        else:
            roll_rate, pitch_rate = euler_rates(
                roll[k - 1], pitch[k - 1], gx[k - 1], gy[k - 1], gz[k - 1]
            )
        dt = t[k] - t[k - 1]
        roll[k] = alpha * (roll[k - 1] + roll_rate * dt) + (1 - alpha) * accel_roll[k]
        pitch[k] = alpha * (pitch[k - 1] + pitch_rate * dt) + (1 - alpha) * accel_pitch[k]
    return roll, pitch


def vertical_filter(t, channels, time_constant):
    """The complementary filter written out sample by sample on the vertical v: v turned by the
    mean gyro over dt (rotation vector theta, v' = v cos|theta| + (v x theta_hat) sin|theta| +
    theta_hat (theta_hat . v)(1 - cos|theta|)), blended with the unit accelerometer with weight
    tau / (tau + dt), normalised; roll and pitch read off v."""
    accel, gyro = np.stack(channels[:3], 1), np.stack(channels[3:], 1)
    up = accel / np.linalg.norm(accel, axis=1, keepdims=True)
    v = up[0]
    out = [v]
    for k in range(1, len(t)):
        dt = t[k] - t[k - 1]
        theta = (gyro[k - 1] + gyro[k]) / 2 * dt
        angle = np.linalg.norm(theta)
        axis = theta / angle
        turned = (
            v * np.cos(angle)
            + np.cross(v, axis) * np.sin(angle)
            + axis * (axis @ v) * (1 - np.cos(angle))
        )
        weight = time_constant / (time_constant + dt)
        v = weight * turned + (1 - weight) * up[k]
        v = v / np.linalg.norm(v)
        out.append(v)
    x, y, z = np.array(out).T
    return np.arctan2(y, z), np.arctan2(-x, np.hypot(y, z))


def angle_rmse(estimate, truth):
    return float(np.sqrt(np.mean((np.asarray(estimate) - truth) ** 2)))


def test_euler_rates_match_the_rotation_of_a_known_trajectory():
    t = np.linspace(0.0, 10.0, 20001)
    roll, pitch, yaw = (
        0.8 * np.sin(0.7 * t) + 0.3,
        1.2 * np.sin(0.5 * t),
        2 * np.sin(0.3 * t) + 0.4 * t,
    )
    omega = body_rates(t, roll, pitch, yaw)
    roll_rate, pitch_rate = euler_rates(roll, pitch, *omega.T)
    np.testing.assert_allclose(roll_rate, 0.56 * np.cos(0.7 * t), atol=1e-5)
    np.testing.assert_allclose(pitch_rate, 0.6 * np.cos(0.5 * t), atol=1e-5)
    # The small-angle sum (roll_dot = gx, pitch_dot = gy) is far off once the attitude tilts.
    assert np.abs(omega[:, 0] - 0.56 * np.cos(0.7 * t)).max() > 0.3
    assert np.abs(omega[:, 1] - 0.6 * np.cos(0.5 * t)).max() > 0.3


def test_euler_rates_reduce_to_the_body_rates_when_level():
    roll_rate, pitch_rate = euler_rates(0.0, 0.0, 0.1, -0.2, 0.7)
    assert roll_rate == pytest.approx(0.1) and pitch_rate == pytest.approx(-0.2)


def test_accel_attitude_recovers_the_rotation_of_gravity():
    grid = np.meshgrid(np.radians(np.linspace(-179, 179, 37)), np.radians(np.linspace(-89, 89, 31)))
    roll, pitch = (a.ravel() for a in grid)
    yaw = np.random.default_rng(0).uniform(-np.pi, np.pi, roll.shape)
    got_roll, got_pitch = accel_attitude(*specific_force(roll, pitch, yaw).T)
    np.testing.assert_allclose(got_roll, roll, atol=1e-12)
    np.testing.assert_allclose(got_pitch, pitch, atol=1e-12)
    assert accel_attitude(0.0, 0.0, G) == (0.0, 0.0)  # level at rest: +g on z


@pytest.fixture(scope="module")
def noisy():
    """One minute at 100 Hz: gyro with a bias and noise, accelerometer with noise. The heading
    turns slowly: a fast turn would carry a body-frame gyro bias round in circles and hide its
    drift."""
    t, roll, pitch, yaw = trajectory(yaw_rate=0.02)
    channels = imu(t, roll, pitch, yaw, gyro_bias=0.02, gyro_noise=0.005, accel_noise=0.4)
    return t, roll, pitch, channels


def test_filter_beats_accelerometer_alone_and_gyro_alone(noisy):
    t, roll, pitch, channels = noisy
    filtered = complementary_filter(t, *channels, time_constant=0.5)
    accel_only = accel_attitude(*channels[:3])
    gyro_only = reference_filter(t, channels, alpha=1.0)
    for k, truth in enumerate((roll, pitch)):
        error = angle_rmse(filtered[k], truth)
        assert error < 0.4 * angle_rmse(accel_only[k], truth)
        assert error < 0.1 * angle_rmse(gyro_only[k], truth)
        assert np.degrees(error) < 1.0


def test_filter_equals_the_formula_written_out(noisy):
    t, _, _, channels = noisy
    rows = slice(0, 600)
    short = (t[rows], *(c[rows] for c in channels))
    for time_constant in (1.0, 0.05, 100.0):
        got = complementary_filter(*short, time_constant=time_constant)
        expected = vertical_filter(short[0], short[1:], time_constant)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


def test_filter_with_time_constant_zero_is_the_accelerometer(noisy):
    t, _, _, channels = noisy
    got = complementary_filter(t, *channels, time_constant=0.0)
    np.testing.assert_allclose(got, accel_attitude(*channels[:3]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("pitch_degrees", [80.0, -80.0])
def test_filter_tracks_near_vertical_where_the_small_angle_sum_fails(pitch_degrees):
    t, roll, pitch, yaw = trajectory(np.radians(pitch_degrees), pitch_swing=np.radians(4))
    channels = imu(t, roll, pitch, yaw)
    for time_constant, alpha in ((1.0, 0.99), (100.0, 1.0)):
        proper = complementary_filter(t, *channels, time_constant=time_constant)
        small = reference_filter(t, channels, alpha, small_angle=True)
        assert np.degrees(angle_rmse(proper[0], roll)) < 0.5
        assert np.degrees(angle_rmse(proper[1], pitch)) < 0.5
        # tan(80 deg) = 5.7 carries the yaw turn into the roll rate; the small-angle sum drops it.
        assert np.degrees(angle_rmse(small[0], roll)) > 5.0


def test_each_segment_starts_afresh_and_gaps_stay_empty(noisy):
    t, _, _, channels = noisy
    segments = ((0, 1000), (1200, 3000), (3000, 4000))
    roll, pitch = complementary_filter(t, *channels, segments=segments)
    for start, end in segments:
        alone = complementary_filter(t[start:end], *(c[start:end] for c in channels))
        np.testing.assert_array_equal(roll[start:end], alone[0])
        np.testing.assert_array_equal(pitch[start:end], alone[1])
    assert np.isnan(roll[1000:1200]).all() and np.isnan(pitch[4000:]).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"time_constant": -1.0}, "time_constant"),
        ({"time_constant": float("nan")}, "time_constant"),
        ({"segments": ((0, 10), (5, 20))}, "non-overlapping"),
        ({"segments": ((0, 10_000),)}, "non-overlapping"),
        ({"segments": ((5, 5),)}, "non-overlapping"),
    ],
)
def test_filter_refuses_bad_arguments(noisy, kwargs, match):
    t, _, _, channels = noisy
    with pytest.raises(ValueError, match=match):
        complementary_filter(t, *channels, **kwargs)


def test_filter_refuses_time_going_backwards(noisy):
    t, _, _, channels = noisy
    shuffled = t.copy()
    shuffled[10], shuffled[11] = t[11], t[10]
    with pytest.raises(ValueError, match="sort the samples"):
        complementary_filter(shuffled, *channels)
    complementary_filter(shuffled, *channels, segments=((0, 11), (11, len(t))))


def test_persistence_forecast_repeats_the_last_value():
    values = np.arange(12.0).reshape(6, 2)
    np.testing.assert_array_equal(persistence_forecast(values), values[:-1])
    forecast = persistence_forecast(values, horizon=3)
    assert forecast.shape == (3, 2)
    np.testing.assert_array_equal(forecast[1], values[1])  # predicts values[4]
    assert persistence_forecast(values, horizon=9).shape == (0, 2)
    with pytest.raises(ValueError, match="at least 1"):
        persistence_forecast(values, horizon=0)
