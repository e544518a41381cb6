"""The reader's first look and its size limits: a wide header is read, an archive that unpacks
past the limit is called too large, a line no CSV has is refused for what it is."""

import io
import zipfile

import pytest

import rnn_core.datasets.imu.archive
from rnn_core.datasets.imu.parse import SNIFF_BYTES, SNIFF_MAX
from rnn_core.datasets.imu.reader import ImuFormatError, read_imu_csv
from tests.files import named_file


def _rows(extra: int, count: int = 300) -> bytes:
    header = ",".join(
        ["time", "ax", "ay", "az", "gx", "gy", "gz"] + [f"extra_{i:05d}" for i in range(extra)]
    )
    rows = [
        ",".join([f"{i / 50:.3f}", "0.1", "0.2", "9.8", "0.01", "0.02", "0.03", *["0"] * extra])
        for i in range(count)
    ]
    return (header + "\n" + "\n".join(rows) + "\n").encode()


def test_a_header_wider_than_the_first_look_is_read():
    data = _rows(extra=6000)
    assert data.index(b"\n") > SNIFF_BYTES
    recording = read_imu_csv(named_file(data, "wide.csv"))
    assert recording.sample_rate == pytest.approx(50.0)


def test_a_line_longer_than_any_csv_row_is_refused_for_what_it_is():
    data = b"time," + b"x" * (SNIFF_MAX + 10) + b"\n1,2\n"
    with pytest.raises(ImuFormatError, match="line longer than 16 MiB"):
        read_imu_csv(named_file(data, "long.csv"))


def test_an_archive_that_unpacks_past_the_limit_is_called_too_large(monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Accelerometer.csv", _rows(extra=0))
    monkeypatch.setattr(rnn_core.datasets.imu.archive, "MAX_UNZIPPED", 1000)
    with pytest.raises(ImuFormatError, match="too large") as caught:
        read_imu_csv(named_file(buffer.getvalue(), "big.zip"))
    assert "damaged" not in str(caught.value)
