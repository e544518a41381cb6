"""IMU simulator: rest against gravity and bias, body rates against the Euler-rate kinematics,
the accelerometer against the closed-form tilt, labels with distinct motion, and the exports."""

import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from rnn_core.datasets import DataError
from rnn_core.datasets.imu.export import FORMATS, quaternion_from_euler, to_format
from rnn_core.datasets.imu.simulator import G, SimulatorConfig, simulate
from rnn_core.datasets.imu.units import euler_from_quaternion

STILL = SimulatorConfig(duration_s=20.0, tilt_deg=0.0, yaw_deg=0.0, linear_accel_std=0.0)


def euler_rates(angles: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """d(roll, pitch, yaw)/dt (3,) from Z-Y-X angles (3,) and body rates p, q, r (3,)."""
    roll, pitch, _ = angles
    p, q, r = rates
    turn = q * np.sin(roll) + r * np.cos(roll)
    return np.array([p + turn * np.tan(pitch), q * np.cos(roll) - r * np.sin(roll),
                     turn / np.cos(pitch)])  # fmt: skip


def integrate(start: np.ndarray, body_rates: np.ndarray, dt: float) -> np.ndarray:
    """Euler angles (N, 3) from body rates (N, 3) by RK4, rates linear between samples."""
    angles = [start]
    for now, later in zip(body_rates[:-1], body_rates[1:], strict=True):
        a, middle = angles[-1], (now + later) / 2
        k1 = euler_rates(a, now)
        k2 = euler_rates(a + dt / 2 * k1, middle)
        k3 = euler_rates(a + dt / 2 * k2, middle)
        k4 = euler_rates(a + dt * k3, later)
        angles.append(a + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4))
    return np.array(angles)


def test_at_rest_accelerometer_reads_gravity_and_gyroscope_the_bias():
    frame = simulate(STILL)
    accel = frame[["ax", "ay", "az"]].to_numpy()
    gyro = frame[["gx", "gy", "gz"]].to_numpy()
    np.testing.assert_allclose(accel.mean(axis=0), [0.0, 0.0, G], atol=0.01)
    np.testing.assert_allclose(gyro.mean(axis=0), STILL.gyro_bias, atol=0.001)
    np.testing.assert_allclose(accel.std(axis=0), STILL.accel_noise, rtol=0.1)
    np.testing.assert_allclose(frame[["roll", "pitch", "yaw"]].to_numpy(), 0.0)


def test_integrating_the_body_rates_recovers_the_true_angles():
    config = SimulatorConfig(
        duration_s=60.0, gyro_bias=(0.0, 0.0, 0.0), gyro_noise=0.0, accel_noise=0.0, labels=True
    )
    frame = simulate(config)
    truth = frame[["roll", "pitch", "yaw"]].to_numpy()
    angles = integrate(truth[0], frame[["gx", "gy", "gz"]].to_numpy(), 1 / config.rate_hz)
    error = (angles - truth + np.pi) % (2 * np.pi) - np.pi
    assert np.abs(error).max() < 2e-3  # rad, after 3000 steps


def test_accelerometer_is_gravity_rotated_into_the_body():
    frame = simulate(SimulatorConfig(duration_s=30.0, accel_noise=0.0, linear_accel_std=0.0))
    ax, ay, az = frame[["ax", "ay", "az"]].to_numpy().T
    np.testing.assert_allclose(np.arctan2(ay, az), frame["roll"], atol=1e-12)
    np.testing.assert_allclose(np.arctan2(-ax, np.hypot(ay, az)), frame["pitch"], atol=1e-12)
    np.testing.assert_allclose(np.sqrt(ax**2 + ay**2 + az**2), G, atol=1e-12)


def test_moderate_angles_and_the_columns():
    frame = simulate(SimulatorConfig())
    assert list(frame.columns) == [
        "time",
        "ax",
        "ay",
        "az",
        "gx",
        "gy",
        "gz",
        "roll",
        "pitch",
        "yaw",
    ]
    assert len(frame) == 9000 and np.allclose(np.diff(frame["time"]), 0.02)
    assert np.degrees(frame[["roll", "pitch"]].abs().to_numpy()).max() < 40
    assert frame["yaw"].between(-np.pi, np.pi).all()


def test_the_same_seed_gives_the_same_recording():
    config = SimulatorConfig(duration_s=30.0, labels=True)
    pd.testing.assert_frame_equal(simulate(config), simulate(config))
    other = simulate(SimulatorConfig(duration_s=30.0, labels=True, seed=1))
    assert not np.allclose(other["ax"], simulate(config)["ax"])


def test_labels_mark_blocks_with_distinct_motion():
    frame = simulate(SimulatorConfig(labels=True))
    assert set(frame["label"]) == {"still", "tilt", "shake"}
    blocks = (frame["label"] != frame["label"].shift()).cumsum()
    frame["block"] = blocks
    core = frame.groupby("block").apply(lambda b: b.iloc[100:-100], include_groups=False)
    spread = core.groupby("label")[["gx", "ax"]].std()
    assert spread.loc["still", "gx"] < 0.01 < spread.loc["tilt", "gx"]  # still: bias and noise
    assert spread.loc["shake", "gx"] > 3 * spread.loc["tilt", "gx"]  # shake: fast small turns
    assert spread.loc["tilt", "ax"] > 1.5 * spread.loc["shake", "ax"]  # tilt: large slow angles


def test_bad_configs_say_what_to_change():
    with pytest.raises(DataError, match="positive"):
        simulate(SimulatorConfig(duration_s=0.0))
    with pytest.raises(DataError, match="tilt"):
        simulate(SimulatorConfig(tilt_deg=80.0))


def test_quaternions_round_trip_to_euler_angles():
    frame = simulate(SimulatorConfig(duration_s=30.0))
    q = quaternion_from_euler(frame)
    np.testing.assert_allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-12)
    angles = euler_from_quaternion(q)
    np.testing.assert_allclose(angles, frame[["roll", "pitch", "yaw"]].to_numpy(), atol=1e-9)


@pytest.mark.parametrize(
    ("fmt", "first_line"),
    [
        ("x-io", b"Time (s),Gyroscope X (deg/s),Gyroscope Y (deg/s)"),
        ("phyphox", b'"Time (s)","Acceleration x (m/s^2)"'),
        ("phyphox-decimal-comma", b'"Time (s)";"Acceleration x (m/s^2)"'),
        ("arduino-raw", b"millis,ax,ay,az,gx,gy,gz"),
        ("arduino", b"ax,ay,az,gx,gy,gz"),
        ("ros", b"%time,field.header.seq,field.header.stamp,field.header.frame_id"),
        ("euroc", b"#timestamp [ns],w_RS_S_x [rad s^-1]"),
        ("px4", b"timestamp,gyro_rad[0],gyro_rad[1],gyro_rad[2],gyro_integral_dt"),
        ("generic", b"time,ax,ay,az,gx,gy,gz,roll,pitch,yaw"),
    ],
)
def test_exports_use_each_tools_header(fmt, first_line):
    data = to_format(simulate(SimulatorConfig(duration_s=5.0)), fmt)
    assert data.startswith(first_line)
    assert data.count(b"\n") == 251


def test_zip_exports_hold_one_table_per_sensor():
    frame = simulate(SimulatorConfig(duration_s=5.0))
    logger = zipfile.ZipFile(io.BytesIO(to_format(frame, "sensor-logger-zip")))
    assert logger.read("Accelerometer.csv").startswith(b"time,seconds_elapsed,z,y,x\n")
    total = pd.read_csv(io.BytesIO(logger.read("TotalAcceleration.csv")))
    linear = pd.read_csv(io.BytesIO(logger.read("Accelerometer.csv")))
    assert abs(total["z"].mean() - G) < 0.2 and abs(linear["z"].mean()) < 0.2  # gravity removed
    phyphox = zipfile.ZipFile(io.BytesIO(to_format(frame, "phyphox-zip")))
    assert {"Accelerometer.csv", "Gyroscope.csv"} <= set(phyphox.namelist())


def test_px4_reads_minus_g_on_z_and_exports_are_deterministic():
    frame = simulate(SimulatorConfig(duration_s=5.0, tilt_deg=0.0, linear_accel_std=0.0))
    px4 = pd.read_csv(io.BytesIO(to_format(frame, "px4")))
    assert abs(px4["accelerometer_m_s2[2]"].mean() + G) < 0.05
    for fmt in FORMATS:
        assert to_format(frame, fmt) == to_format(frame, fmt)
    with pytest.raises(DataError, match="Unknown export format"):
        to_format(frame, "matlab")
