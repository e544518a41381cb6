"""An upload read in a capped child process gives the very recording the reader gives in the
server (every array, column and sentence), the same sentence for a file it refuses, and a
sentence of its own when the file needs more memory than the cap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnn_core.datasets.imu.reader import ImuFormatError, detect_columns, read_imu_csv
from rnn_core.live import capped_read as capped
from rnn_core.live.capped_read import (
    detect_columns_capped,
    read_imu_capped,
    recording_from_parts,
    recording_parts,
)
from tests.paths import ROOT, SHARED

FILES = [
    ROOT / "data" / "imu-sim-arduino.csv",  # raw counts, millis
    ROOT / "data" / "imu-sim-labelled.csv",  # labels
    ROOT / "data" / "imu-sim-phyphox.zip",  # a zip, one CSV per sensor
    ROOT / "tests" / "bad_inputs" / "huge-gap.csv",  # segments
    SHARED / "imu-samples" / "xio-fusion-sensor_data.csv",  # x-io, magnetometer
]


def same_array(a, b) -> bool:
    """Both None, or the same dtype, shape and values (NaN equal to NaN)."""
    if a is None or b is None:
        return a is None and b is None
    return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def assert_same_recording(got, want) -> None:
    for field in ("time", "labels", "motion"):
        assert same_array(getattr(got, field), getattr(want, field)), field
    pd.testing.assert_frame_equal(got.channels, want.channels, check_exact=True)
    for field in ("sample_rate", "segments", "detected", "source_format", "has_orientation"):
        assert getattr(got, field) == getattr(want, field), field
    assert (got.raw is None) == (want.raw is None)
    if want.raw is not None:
        for field in ("time", "accel", "gyro", "mag", "row_time"):
            assert same_array(getattr(got.raw, field), getattr(want.raw, field)), field
        assert (got.raw.segments, got.raw.rate) == (want.raw.segments, want.raw.rate)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_parts_rebuild_the_recording(path):
    want = read_imu_csv(path)
    fields, arrays = recording_parts(want)
    assert all(a.dtype != object for a in arrays.values())  # saved without pickles
    assert_same_recording(recording_from_parts(fields, arrays), want)


@pytest.mark.parametrize("path", FILES[:3], ids=lambda p: p.name)
def test_a_capped_reading_gives_the_same_recording(path):
    data = path.read_bytes()
    got = read_imu_capped(data, path.name, None, 25.0 if "labelled" in path.name else None)
    want = read_imu_csv(path, None, 25.0 if "labelled" in path.name else None)
    assert_same_recording(got, want)
    assert detect_columns_capped(data, path.name) == detect_columns(path)


def test_a_mapping_by_hand_reaches_the_child():
    path = ROOT / "data" / "imu-sim-arduino.csv"
    mapping = {"gyro_unit": "deg/s"}
    got = read_imu_capped(path.read_bytes(), path.name, mapping)
    assert_same_recording(got, read_imu_csv(path, mapping))


def test_a_refused_file_gets_the_readers_own_sentence():
    path = ROOT / "tests" / "bad_inputs" / "binary.csv"
    with pytest.raises(ImuFormatError) as want:
        read_imu_csv(path)
    with pytest.raises(ImuFormatError) as got:
        read_imu_capped(path.read_bytes(), path.name)
    assert str(got.value) == str(want.value)


def test_a_file_needing_more_than_the_cap_is_refused_with_a_sentence(monkeypatch):
    monkeypatch.setenv("RNN_EXPLORER_UPLOAD_PARSE_MIB", "1")
    path = ROOT / "data" / "imu-sim-arduino.csv"
    with pytest.raises(ImuFormatError) as refused:
        read_imu_capped(path.read_bytes(), path.name)
    assert str(refused.value) == (
        "imu-sim-arduino.csv needs more memory to read than the server gives one file (1 MiB): "
        "send a shorter recording, or fewer columns."
    )


def test_a_reading_that_does_not_end_is_ended_with_a_sentence(monkeypatch):
    monkeypatch.setattr(capped, "PARSE_TIMEOUT_S", 0.0)  # the child is still starting
    path = ROOT / "data" / "imu-sim-arduino.csv"
    with pytest.raises(ImuFormatError) as refused:
        read_imu_capped(path.read_bytes(), path.name)
    assert str(refused.value) == (
        "imu-sim-arduino.csv took longer than 0 s to read: send a shorter recording."
    )
