"""The recorder keeps what the phone sends from Record to Stop and writes files the lab reads."""

import datetime
import io
import zipfile

import numpy as np

from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.phone.batches import SensorBatch
from rnn_core.phone.recorder import Recorder
from rnn_core.phone.stream import LiveStream


def phone(rate, seconds, start, seed, level=False):
    """Jittered times (N,) at about `rate` Hz and values (N, 3) like a phone on a table, moved."""
    rng = np.random.default_rng(seed)
    count = int(seconds * rate)
    time = start + np.arange(count) / rate + rng.uniform(-0.1, 0.1, count) / rate
    wobble = np.column_stack([np.sin(time * f) for f in (1.3, 2.1, 0.7)])  # (N, 3)
    return time, (wobble + [0, 0, 9.81]) if level else 0.3 * wobble


def recorded(now=datetime.datetime(2026, 12, 7, 14, 32)):
    recorder, stream = Recorder(), LiveStream(100.0)
    recorder.record(now)
    accel, gyro = phone(100, 6.0, 1000.002, 1, level=True), phone(100, 6.0, 1000.007, 2)
    for at in range(0, 600, 25):
        for name, (time, values) in (("accel", accel), ("gyro", gyro)):
            batch = SensorBatch(name, time[at : at + 25], values[at : at + 25])
            stream.add(batch)
            recorder.add(batch)
    recorder.add_rows(stream.rows())
    recorder.stop()
    recorder.add(SensorBatch("accel", accel[0][:5] + 10, accel[1][:5]))  # after Stop: not kept
    return recorder, accel, gyro


def test_the_phyphox_zip_reads_back_in_the_lab():
    recorder, accel, gyro = recorded()
    data, name = recorder.phyphox_zip()
    assert name == "phone-2026-12-07-1432.zip"
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == ["Accelerometer.csv", "Gyroscope.csv", "meta/device.csv"]
    recording = read_imu_csv_bytes(data, name)
    assert recording.source_format == "phyphox"
    assert recording.sample_rate == 100
    origin = min(accel[0][0], gyro[0][0])
    raw = recording.raw  # the accelerometer's own samples, the gyroscope interpolated onto them
    first = np.searchsorted(accel[0] - origin, raw.time[0] - 1e-12)
    kept = slice(first, first + raw.time.size)
    assert np.allclose(raw.time, accel[0][kept] - origin, atol=1e-9)
    assert np.abs(raw.accel - accel[1][kept]).max() < 1e-9
    want_gyro = np.column_stack(
        [np.interp(raw.time, gyro[0] - origin, gyro[1][:, i]) for i in range(3)]
    )
    assert np.abs(raw.gyro - want_gyro).max() < 1e-9
    units = " ".join(recording.detected)
    assert "Accelerometer: m/s^2, from the header" in units and "Gyroscope: rad/s" in units
    assert raw.time.size == 599  # 6 s at 100 Hz, less the accelerometer rows outside the gyro's


def read_imu_csv_bytes(data, name):
    """read_imu_csv on bytes under a file name (as an upload arrives)."""
    upload = io.BytesIO(data)
    upload.name = name
    return read_imu_csv(upload)


def test_the_aligned_rows_read_back_as_a_generic_csv():
    recorder, _, _ = recorded()
    time, accel, gyro = recorder.aligned_rows()
    data, name = recorder.rows_csv()
    assert name.endswith(".csv") and time.size > 500
    recording = read_imu_csv_bytes(data, name)
    assert recording.sample_rate == 100 and len(recording.time) == time.size
    assert recording.source_format == "generic"
    channels = recording.channels
    assert np.abs(channels[["ax", "ay", "az"]].to_numpy() - accel).max() < 1e-9
    assert np.abs(channels[["gx", "gy", "gz"]].to_numpy() - gyro).max() < 1e-9


def test_the_bound_is_said_when_reached():
    recorder = Recorder(max_seconds=1.0, max_rate_hz=100.0)
    recorder.record()
    time, values = phone(100, 3.0, 0.0, 3)
    recorder.add(SensorBatch("accel", time, values))
    assert recorder.full and "reached its bound (100 samples per sensor" in recorder.sentence
    assert recorder.sensor_samples()["accel"][0].size == 100
