"""IMU reader errors: every bad input gives an ImuFormatError whose sentence names the problem
(line, column, what to do); nothing else escapes, even for random bytes and cut files."""

import io
import zipfile

import numpy as np
import pytest

from rnn_core.datasets import DataError
from rnn_core.datasets.imu.export import to_format
from rnn_core.datasets.imu.reader import ImuFormatError, read_imu_csv
from rnn_core.datasets.imu.simulator import SimulatorConfig, simulate


@pytest.fixture(scope="module")
def lines() -> list[str]:
    """A generic recording (header: time,ax,ay,az,gx,gy,gz,roll,pitch,yaw) as text lines."""
    return to_format(simulate(SimulatorConfig(duration_s=20.0)), "generic").decode().splitlines()


def joined(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def with_cell(lines: list[str], row: int, column: int, text: str) -> bytes:
    """The file with one cell replaced: row counts data rows from 1 (line row + 1)."""
    cells = lines[row].split(",")
    cells[column] = text
    return joined([*lines[:row], ",".join(cells), *lines[row + 1 :]])


def test_imu_format_error_is_a_data_error():
    assert issubclass(ImuFormatError, DataError)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "is empty"),
        (b" \n\n  \n", "is empty"),
        (b"time,ax,ay,az,gx,gy,gz\n", "header but no rows of numbers"),
        (b"time\n0.1\n0.2\n0.3\n", "one column only"),
        (bytes(range(256)) * 20, "binary data, not text"),
        (b"\x89PNG\r\n\x1a\n" + bytes(300), "binary data, not text"),
        (b"PK\x03\x04" + bytes(300), "damaged zip archive"),
        (b"time,ax,ay,az\n" + b"0.1,0,0,9.8\n" * 60, "No gyroscope column for gx, gy, gz"),
        (b"time,x,y,z\n" + b"0.1,0,0,9.8\n" * 60, "upload the whole zip export"),
    ],
)
def test_unusable_files_say_why(data, words):
    with pytest.raises(ImuFormatError, match=words):
        read_imu_csv(data)


def test_a_cell_that_is_not_a_number_names_its_line_and_column(lines):
    with pytest.raises(ImuFormatError, match=r"Line 301 of the file, column 'az': 'abc'"):
        read_imu_csv(with_cell(lines, 300, 3, "abc"))
    with pytest.raises(ImuFormatError, match=r"Line 12 of the file, column 'time': '0.2.1'"):
        read_imu_csv(with_cell(lines, 11, 0, "0.2.1"))


def test_a_few_missing_cells_are_dropped_and_many_are_refused(lines):
    few = read_imu_csv(
        with_cell(with_cell(lines, 300, 4, "nan").decode().splitlines(), 7, 5, "inf")
    )
    assert any("Dropped 2 row(s)" in s and "line 8" in s for s in few.detected)
    many = [line if i % 3 else ",".join(["", *line.split(",")[1:]]) for i, line in enumerate(lines)]
    with pytest.raises(
        ImuFormatError, match=r"Column 'time' .* empty, NaN or infinite cells \(33%"
    ):
        read_imu_csv(joined([lines[0], *many[1:]]))


def test_too_few_rows_say_how_many_are_needed(lines):
    with pytest.raises(ImuFormatError, match=r"has 30 usable row\(s\) .* at least 50 are needed"):
        read_imu_csv(joined(lines[:31]))
    assert len(read_imu_csv(joined(lines[:31]), min_rows=20).time) == 30
    with pytest.raises(ImuFormatError, match="at least 2,000 are needed"):
        read_imu_csv(joined(lines), min_rows=2000)


def test_time_that_jumps_back_and_files_without_time(lines):
    with pytest.raises(
        ImuFormatError, match=r"Time goes back at line 202 .* more than one recording"
    ):
        read_imu_csv(joined([*lines[:201], *lines[1:]]))
    no_time = joined([",".join(line.split(",")[1:]) for line in lines])
    with pytest.raises(ImuFormatError, match="no time column: give the rate"):
        read_imu_csv(no_time)
    assert read_imu_csv(no_time, target_rate=50.0).sample_rate == 50.0
    with pytest.raises(ImuFormatError, match="target rate must be a positive number"):
        read_imu_csv(joined(lines), target_rate=-5)


def test_gravity_removed_and_constant_columns(lines):
    header = "time,ax,ay,az,gx,gy,gz\n"
    zeros = "".join(f"{i / 50:.2f},0,0,0,0,0,0\n" for i in range(100))
    with pytest.raises(ImuFormatError, match="gravity seems to be removed"):
        read_imu_csv((header + zeros).encode())
    level = "".join(f"{i / 50:.2f},0,0,9.81,0,0,0\n" for i in range(100))
    still = read_imu_csv((header + level).encode())  # nothing divides by zero
    assert np.isfinite(still.channels.to_numpy()).all() and still.channels["az"].eq(9.81).all()
    linear = b"Time (s),Linear Acceleration x (m/s^2),Linear Acceleration y (m/s^2),"
    linear += b"Linear Acceleration z (m/s^2),Gyroscope x (rad/s),Gyroscope y (rad/s),"
    linear += b"Gyroscope z (rad/s)\n" + b"0.1,0,0,0.1,0,0,0\n" * 60
    with pytest.raises(ImuFormatError, match="only linear acceleration"):
        read_imu_csv(linear)


def test_missing_paths_and_bad_zips():
    with pytest.raises(ImuFormatError, match="There is no file at"):
        read_imu_csv("no/such/recording.csv")
    with pytest.raises(ImuFormatError, match="Give a file path, bytes or an uploaded file"):
        read_imu_csv(42)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "no tables here")
    with pytest.raises(ImuFormatError, match="zip without a CSV"):
        read_imu_csv(buffer.getvalue())


def test_a_cut_off_last_line_is_dropped(lines):
    data = joined(lines)
    recording = read_imu_csv(data[: len(data) // 2 + 5])
    assert len(recording.time) > 400 and any("Dropped 1 row" in s or "cut off" in s
                                             for s in recording.detected)  # fmt: skip


def test_fuzz_only_imu_format_errors_escape(lines):
    rng = np.random.default_rng(7)
    data = joined(lines)
    zipped = to_format(simulate(SimulatorConfig(duration_s=5.0)), "phyphox-zip")
    inputs = [rng.bytes(int(n)) for n in rng.integers(1, 3000, 20)]
    inputs += [data[: int(n)] for n in rng.integers(0, len(data), 20)]
    inputs += [zipped[: int(n)] for n in rng.integers(0, len(zipped), 10)]
    for _ in range(20):  # random characters sprinkled over the text
        noisy = bytearray(data)
        for at in rng.integers(0, len(noisy), 5):
            noisy[at] = int(rng.choice(list(b";,\t\n.-eE x\x00\xff")))
        inputs.append(bytes(noisy))
    for given in inputs:
        try:
            read_imu_csv(given)
        except ImuFormatError as error:
            assert str(error)[0].isupper() and str(error).strip().endswith((".", ")"))


def test_shuffled_columns_are_mapped_by_name(lines):
    rng = np.random.default_rng(3)
    order = rng.permutation(10)
    shuffled = [",".join(np.array(line.split(","))[order]) for line in lines]
    plain = read_imu_csv(joined(lines))
    again = read_imu_csv(joined(shuffled))
    np.testing.assert_allclose(again.channels.to_numpy(), plain.channels.to_numpy())
