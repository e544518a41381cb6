"""The live attitude filters follow a recording in chunks of any size exactly as the lab's batch
filters run over the whole of it."""

import numpy as np
import pytest

from rnn_core.datasets.imu import attitude_filters as hand
from rnn_core.datasets.imu.attitude import roll_pitch
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.phone.live_filters import LiveAttitude
from tests.paths import SHARED

SAMPLE = SHARED / "imu-samples" / "xio-fusion-sensor_data.csv"


@pytest.fixture(scope="module")
def recording():
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is not here")
    recording = read_imu_csv(SAMPLE)
    start, end = recording.segments[0]
    channels = recording.channels.iloc[start:end]
    return (
        recording.time[start:end],  # (N,) uniform
        channels[["ax", "ay", "az"]].to_numpy(np.float64),  # (N, 3)
        channels[["gx", "gy", "gz"]].to_numpy(np.float64),  # (N, 3)
    )


def in_chunks(live, time, accel, gyro, seed):
    """The live filter fed chunks of random sizes (1 to 300 rows): roll, pitch (deg), (N,) each."""
    rng, at, rolls, pitches = np.random.default_rng(seed), 0, [], []
    while at < time.size:
        part = slice(at, at + int(rng.integers(1, 300)))
        roll, pitch = live.update(time[part], accel[part], gyro[part])
        rolls.append(roll)
        pitches.append(pitch)
        at = part.stop
    return np.concatenate(rolls), np.concatenate(pitches)


def degrees(up):
    return np.degrees(np.stack(roll_pitch(up)))  # (2, N)


def test_the_live_complementary_filter_is_the_batch_one(recording):
    time, accel, gyro = recording
    batch = degrees(hand.complementary_vertical(time, accel, gyro, 1.0))
    for seed in (0, 1):
        live = np.stack(in_chunks(LiveAttitude("complementary"), time, accel, gyro, seed))
        difference = np.abs(live - batch).max()
        assert difference < 1e-9, difference  # measured: 0 (the same steps, bit for bit)


def test_the_live_vqf_is_the_batch_one(recording):
    time, accel, gyro = recording
    period = (time[-1] - time[0]) / (time.size - 1)  # what vqf_vertical takes
    batch = degrees(hand.vqf_vertical(time, accel, gyro, None, 3.0, 9.0))
    live = np.stack(in_chunks(LiveAttitude("vqf", period), time, accel, gyro, 2))
    difference = np.abs(live - batch).max()
    assert difference < 1e-6, difference  # measured: 0 deg


def test_a_new_segment_restarts_the_filter(recording):
    time, accel, gyro = recording
    live = LiveAttitude("complementary")
    live.update(time[:500], accel[:500], gyro[:500])
    segment = np.ones(300, np.int64)
    roll, pitch = live.update(time[500:800], accel[500:800], gyro[500:800], segment)
    fresh = degrees(hand.complementary_vertical(time[500:800], accel[500:800], gyro[500:800], 1.0))
    assert np.abs(np.stack([roll, pitch]) - fresh).max() < 1e-9


def test_unknown_methods_and_gains_are_refused():
    with pytest.raises(ValueError, match="one of complementary, vqf"):
        LiveAttitude("madgwick")
    with pytest.raises(ValueError, match="its gains are time_constant"):
        LiveAttitude("complementary", alpha=0.9)
