"""IMU reader details: the time base (jitter, repeats, order, gaps, rate), units and frames told
by names or data, quaternions in either order, and a person's own column mapping."""

import numpy as np
import pandas as pd
import pytest

from rnn_core.datasets.imu.export import quaternion_from_euler
from rnn_core.datasets.imu.reader import CHANNELS, ImuFormatError, detect_columns, read_imu_csv
from rnn_core.datasets.imu.simulator import SimulatorConfig, simulate
from tests.core.reading import csv_bytes, sentences_with

SMOOTH = SimulatorConfig(duration_s=40.0, rate_hz=500.0, gyro_noise=0.0, accel_noise=0.0)


@pytest.fixture(scope="module")
def fine():
    """A noise-free motion at 500 Hz, to pick irregular samples from."""
    return simulate(SMOOTH)


@pytest.fixture(scope="module")
def motion():
    return simulate(SimulatorConfig(duration_s=30.0, seed=3))


def test_jittered_times_are_resampled_by_linear_interpolation(fine):
    rng = np.random.default_rng(0)
    picks = np.arange(5, len(fine) - 5, 10) + rng.integers(-3, 4, len(fine) // 10 - 1)  # ~50 Hz
    recording = read_imu_csv(csv_bytes(fine.iloc[picks]))
    assert recording.sample_rate == 50.0 and sentences_with(recording, "jitter")
    start = fine["time"].iloc[picks[0]]
    truth = fine.set_index("time")[list(CHANNELS)]
    at = np.round((start + recording.time) * 500).astype(int)  # the grid on the 500 Hz motion
    np.testing.assert_allclose(recording.channels[list(CHANNELS)], truth.iloc[at], atol=0.02)


def test_repeated_rows_merge_and_slightly_late_rows_are_sorted(motion):
    rows = list(range(len(motion)))
    rows[100:102] = [101, 100]  # a swap: jitter
    rows[200:203] = [200, 200, 201, 201, 202, 202]  # repeated timestamps
    shuffled = motion.iloc[rows]
    recording = read_imu_csv(csv_bytes(shuffled))
    assert sentences_with(recording, "1 row(s) were slightly out of time order")
    assert sentences_with(recording, "3 row(s) repeated the previous timestamp: merged")
    np.testing.assert_allclose(recording.channels["ax"], motion["ax"], atol=1e-12)


def test_a_gap_splits_the_recording_into_segments(motion):
    cut = motion.drop(index=range(500, 600))  # 2 s missing
    recording = read_imu_csv(csv_bytes(cut))
    assert recording.segments == ((0, 500), (500, 1400))
    assert sentences_with(recording, "1 gap(s)", "2 segments", "not interpolated across")
    np.testing.assert_allclose(recording.channels["gx"], cut["gx"], atol=1e-12)
    np.testing.assert_allclose(np.diff(recording.time), 0.02)  # segments laid end to end


def test_a_lower_target_rate_averages_before_resampling(motion):
    recording = read_imu_csv(csv_bytes(motion), target_rate=10.0)
    assert recording.sample_rate == 10.0 and len(recording.time) == 300
    assert sentences_with(recording, "Averaged over 5 samples")
    assert recording.channels["az"].std() < motion["az"].std()


def test_labels_take_the_row_at_or_before(motion):
    frame = motion.assign(activity=np.where(motion["time"] < 12.0, "walk", "run"))
    recording = read_imu_csv(csv_bytes(frame), target_rate=20.0)
    expected = np.where(recording.time < 12.0 - 1e-9, "walk", "run")
    np.testing.assert_array_equal(recording.labels, expected)


@pytest.mark.parametrize(
    ("name", "scale", "offset", "unit"),
    [
        ("timestamp", 1e3, 0, "milliseconds"),
        ("t", 1e6, 0, "microseconds"),
        ("time", 1e9, 1_700_000_000 * 10**9, "nanoseconds"),
        ("time", 1.0, 1_700_000_000, "seconds"),
    ],
)
def test_the_time_unit_by_the_size_of_the_numbers(motion, name, scale, offset, unit):
    frame = motion.drop(columns="time")
    frame.insert(0, name, np.round(motion["time"] * scale).astype(np.int64) + offset)
    if scale == 1.0:
        frame[name] = motion["time"] + offset
    recording = read_imu_csv(csv_bytes(frame, float_format="%.6f"))
    assert sentences_with(recording, f"column '{name}' in {unit}") and recording.sample_rate == 50.0


def test_iso_times_and_angles_in_degrees(motion):
    stamps = pd.Timestamp("2024-05-01T12:00:00Z") + pd.to_timedelta(motion["time"], unit="s")
    frame = motion.assign(time=stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    frame[["roll", "pitch", "yaw"]] = np.degrees(motion[["roll", "pitch", "yaw"]])
    recording = read_imu_csv(csv_bytes(frame))
    assert sentences_with(recording, "ISO date-time") and sentences_with(
        recording, "Angles: degrees"
    )
    np.testing.assert_allclose(recording.channels["roll"], motion["roll"], atol=1e-6)


@pytest.mark.parametrize(
    "names",
    [("qw", "qx", "qy", "qz"), ("qx", "qy", "qz", "qw"), ("q0", "q1", "q2", "q3"),
     ("w", "x", "y", "z"), ("orientation.x", "orientation.y", "orientation.z", "orientation.w")],
)  # fmt: skip
def test_quaternions_in_either_order_give_roll_and_pitch(motion, names):
    q = dict(zip(("w", "x", "y", "z"), quaternion_from_euler(motion).T, strict=True))
    columns = {n: q[n.split(".")[-1][-1] if not n[-1].isdigit() else "wxyz"[int(n[-1])]]
               for n in names}  # fmt: skip
    frame = motion.drop(columns=["roll", "pitch", "yaw"]).assign(**columns)
    recording = read_imu_csv(csv_bytes(frame))
    assert recording.has_orientation and sentences_with(recording, "from the quaternion")
    for key in ("roll", "pitch"):
        np.testing.assert_allclose(recording.channels[key], motion[key], atol=1e-6)


def test_a_frame_reading_minus_g_is_turned_to_plus_g(motion):
    flipped = motion.assign(**{k: -motion[k] for k in ("ax", "ay", "az")})
    recording = read_imu_csv(csv_bytes(flipped))
    assert sentences_with(recording, "Frame:", "negated")
    np.testing.assert_allclose(recording.channels["az"], motion["az"], atol=1e-12)


def test_arduino_logs_without_a_header(motion):
    counts = np.round(motion[list(CHANNELS[:3])] / 9.80665 * 16384).astype(int)
    gyro = np.round(np.degrees(motion[list(CHANNELS[3:])]) * 131).astype(int)
    millis = np.round(motion["time"] * 1000).astype(int)
    body = pd.concat([millis, counts, gyro], axis=1).to_csv(index=False, header=False)
    recording = read_imu_csv(("MPU6050 ready\n" + body).encode())
    assert recording.source_format == "arduino" and sentences_with(recording, "No header")
    np.testing.assert_allclose(recording.channels["gz"], motion["gz"], atol=1e-4)


def test_latin1_text_is_read_and_said(motion):
    frame = motion[["time", *CHANNELS]].copy()
    frame.columns = [
        "Zeit (s)",
        *(f"Acc {a} (g)" for a in "XYZ"),
        *(f"Gyr {a} (°/s)" for a in "XYZ"),
    ]
    frame.iloc[:, 1:4] /= 9.80665
    frame.iloc[:, 4:] = np.degrees(frame.iloc[:, 4:])
    data = frame.to_csv(index=False, sep=";", decimal=",").encode("latin-1")
    recording = read_imu_csv(
        data, column_map={"time": "Zeit (s)", **dict(zip(CHANNELS, frame.columns[1:], strict=True))}
    )
    assert sentences_with(recording, "Latin-1") and sentences_with(
        recording, "Gyroscope: deg/s, from the header"
    )
    assert sentences_with(recording, "semicolon", "comma") and recording.source_format == "generic"
    np.testing.assert_allclose(recording.channels["gy"], motion["gy"], atol=1e-6)


def test_a_column_map_reads_what_detection_cannot(motion):
    frame = motion[["time", *CHANNELS]].copy()
    frame.columns = ["Zeit", "A1", "A2", "A3", "W1", "W2", "W3"]
    frame["Zeit"] = np.round(motion["time"] * 1000).astype(int)
    frame[["A1", "A2", "A3"]] /= 9.80665
    data = csv_bytes(frame)
    names, proposed = detect_columns(data)
    assert names == list(frame.columns) and "ax" not in proposed
    with pytest.raises(ImuFormatError, match="No accelerometer column .* map the columns by hand"):
        read_imu_csv(data)
    mapping = dict(zip(("time", *CHANNELS), frame.columns, strict=True))
    units = {"time_unit": "ms", "accel_unit": "g", "gyro_unit": "rad/s"}
    recording = read_imu_csv(data, column_map={**mapping, **units})
    assert sentences_with(recording, "Accelerometer: g, as chosen by hand")
    np.testing.assert_allclose(
        recording.channels[list(CHANNELS)], motion[list(CHANNELS)], atol=1e-6
    )


def test_unit_keys_alone_keep_the_detected_columns(motion):
    frame = motion.assign(**{k: np.degrees(motion[k]) for k in CHANNELS[3:]})
    recording = read_imu_csv(csv_bytes(frame), column_map={"gyro_unit": "deg/s"})
    assert sentences_with(recording, "Gyroscope: deg/s, as chosen by hand")
    np.testing.assert_allclose(recording.channels["gx"], motion["gx"], atol=1e-9)


def test_a_wrong_column_map_says_what_to_change(motion):
    data = csv_bytes(motion)
    with pytest.raises(ImuFormatError, match="'nope' for gx, but the file has no such column"):
        read_imu_csv(data, column_map={"time": "time", "gx": "nope"})
    with pytest.raises(ImuFormatError, match="unknown key"):
        read_imu_csv(data, column_map={"gyroscope": "gx"})
    with pytest.raises(ImuFormatError, match="accel_unit 'G' is not one of g, m/s\\^2"):
        read_imu_csv(data, column_map={"accel_unit": "G"})


def test_zip_sensors_on_their_own_clocks_meet_on_the_accelerometers(fine):
    import io
    import zipfile

    accel = fine.iloc[0::5]  # 100 Hz
    gyro = fine.iloc[2:-300:5]  # 100 Hz, 4 ms later, stopping 0.6 s early
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        names = {"time": "Time (s)", **{f"a{a}": f"Acceleration {a} (m/s^2)" for a in "xyz"}}
        archive.writestr(
            "Accelerometer.csv", accel[list(names)].rename(columns=names).to_csv(index=False)
        )
        names = {"time": "Time (s)", **{f"g{a}": f"Gyroscope {a} (rad/s)" for a in "xyz"}}
        archive.writestr(
            "Gyroscope.csv", gyro[list(names)].rename(columns=names).to_csv(index=False)
        )
    recording = read_imu_csv(buffer.getvalue())
    assert recording.sample_rate == 100.0 and sentences_with(recording, "Kept the", "base rows")
    kept = accel[accel["time"].between(gyro["time"].iloc[0], gyro["time"].iloc[-1])]
    assert len(recording.time) == len(kept)
    np.testing.assert_allclose(recording.channels["gx"], kept["gx"], atol=2e-3)
    np.testing.assert_allclose(recording.channels["az"], kept["az"], atol=1e-9)
