"""The series reader on real files of different shapes: every detection checked.

Files (tests/data/series/README.md says where each comes from and its licence):
PJM East hourly load (dates without zone, month first, day blocks out of order, a repeated and a
missing hour at daylight saving, gaps), UCI Air Quality as published (semicolon, decimal comma,
date and time in two columns, -200 for missing) and as redistributed without its time columns
(the row index), Fingrid's Finnish consumption (ISO 8601 with a zone, semicolon, newest row
first), a Bar Crawl alcohol-bracelet series (Unix seconds, uneven steps), and the shared IMU
recordings (seconds from the start; a reference with holes).
"""

import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from rnn_core.bounds import MAX_SERIES_COLUMNS
from rnn_core.datasets.series.reader import SeriesFormatError, read_series_csv
from rnn_core.datasets.windows import DataError
from tests.paths import ROOT, SHARED

DATA = ROOT / "tests" / "data" / "series"
PJM = DATA / "pjm-east-2016-11-and-2017-03.csv"
AIR = DATA / "uci-air-quality-semicolon-excerpt.csv"
AIR_NO_TIME = DATA / "uci-air-quality-no-time-excerpt.csv"
FINGRID = DATA / "fingrid-consumption-2024-10-10.csv"
TAC = DATA / "bar-crawl-tac-bu4707.csv"
XIO = SHARED / "imu-samples" / "xio-fusion-sensor_data.csv"
BROAD = SHARED / "imu-samples" / "broad-02_undisturbed_slow_rotation_B.csv"


@pytest.fixture(scope="module")
def pjm():
    return read_series_csv(PJM)


def test_pjm_dates_without_zone_month_first_sorted_and_on_an_hourly_grid(pjm):
    d = pjm.detected
    assert (d.delimiter, d.decimal, d.time_column, d.time_kind) == (
        ",",
        ".",
        "Datetime",
        "date-time without zone",
    )
    assert d.start == "2016-10-31 01:00:00"  # the earliest row, though the file starts in December
    assert d.step_seconds == 3600 and d.rate_hz == pytest.approx(1 / 3600)
    assert pjm.columns == ("PJME_MW",) and pjm.units == ("MW",)
    assert any("%m/%d/%Y" in s for s in d.sentences)  # "12/2/2016" read as 2 December
    assert any("rows sorted by time" in s for s in d.sentences)
    # 1 Nov 2016 00:00 .. in hours from the start: the grid is exactly hourly
    assert np.allclose(np.diff(pjm.time[slice(*pjm.segments[0])]), 3600)


def test_pjm_daylight_saving_hours_and_gaps_are_said_and_masked_not_filled(pjm):
    raw = pd.read_csv(PJM)
    stamps = pd.to_datetime(raw["Datetime"], format="%m/%d/%Y %H:%M")
    d = pjm.detected
    # the fall-back hour is written twice: averaged into one step
    assert stamps.duplicated().sum() == 1 and any("1 row(s) repeat" in s for s in d.sentences)
    repeated = stamps[stamps.duplicated(keep=False)].iloc[0]
    step = int((repeated - stamps.min()) / pd.Timedelta(hours=1))
    assert pjm.values[step, 0] == raw["PJME_MW"][stamps == repeated].mean()
    # steps no row fell on are NaN (masked), as many as the sentence says
    assert d.missing_steps == int(np.isnan(pjm.values[:, 0]).sum()) == 3
    assert not pjm.mask[:, 0].all()
    # every gap longer than five hours splits: the segments hold every other row
    span = stamps.sort_values().diff().dt.total_seconds().to_numpy()[1:]
    assert len(d.gaps) == int((span > 5 * 3600).sum()) == len(pjm.segments) - 1
    assert sorted(length for _, length in d.gaps) == sorted(span[span > 5 * 3600])
    # every value of the file is on the grid at its own time
    rows = np.rint((stamps - stamps.min()) / pd.Timedelta(hours=1)).astype(int)
    on_grid = dict(zip(np.rint(pjm.time / 3600).astype(int), pjm.values[:, 0], strict=True))
    unique = ~stamps.duplicated(keep=False)
    assert all(on_grid[r] == v for r, v in zip(rows[unique], raw["PJME_MW"][unique], strict=True))


def test_air_quality_semicolon_decimal_comma_and_date_time_in_two_columns():
    table = read_series_csv(AIR, missing_codes=(-200,))
    d = table.detected
    assert (d.delimiter, d.decimal) == (";", ",")
    assert d.time_kind == "date-time without zone" and d.start == "2004-03-10 18:00:00"
    assert any("columns 'Date' and 'Time'" in s and "%d/%m/%Y" in s for s in d.sentences)
    assert d.step_seconds == 3600 and d.missing_steps == 0 and d.gaps == ()
    assert table.columns[:3] == ("CO(GT)", "PT08.S1(CO)", "NMHC(GT)") and len(table.columns) == 13
    assert set(d.left_out) == {"column 16", ",,,,,"}  # trailing delimiters: empty columns
    assert table.column("CO(GT)")[0] == 2.6 and table.column("AH")[0] == 0.7578  # 2,6 and 0,7578
    # -200 is the dataset's code for a missing value: masked when the person says so
    raw = pd.read_csv(AIR, sep=";", decimal=",", usecols=range(15))
    assert d.missing_cells["CO(GT)"] == int((raw["CO(GT)"] == -200).sum()) > 0
    assert np.isnan(table.column("CO(GT)")[raw["CO(GT)"].to_numpy() == -200]).all()
    assert (read_series_csv(AIR).column("CO(GT)") == -200).sum() == d.missing_cells["CO(GT)"]


def test_a_file_without_a_time_column_is_read_on_its_row_index():
    table = read_series_csv(AIR_NO_TIME)
    d = table.detected
    assert (d.time_column, d.time_kind, d.rate_hz, d.step_seconds) == (None, "row index", None, 1.0)
    assert "T" in table.columns  # temperature, not a time, though IMU files call time "t"
    assert np.array_equal(table.time, np.arange(700)) and table.values.shape == (700, 13)
    assert any("row index" in s for s in d.sentences)


def test_fingrid_iso_dates_with_a_zone_newest_first_on_a_quarter_hour_grid():
    table = read_series_csv(FINGRID)
    d = table.detected
    assert (d.delimiter, d.time_column, d.time_kind) == (";", "startTime", "date-time with zone")
    # the earliest row is the file's last line, 2024-10-10T00:00:00.000Z: 20,006 days after
    # 1970-01-01 (19,723 to 2024-01-01, 274 to October, 9 more), 1,728,518,400 s
    assert d.start == "2024-10-10 00:00:00+00:00"
    assert pd.Timestamp(d.start).timestamp() == 20_006 * 86_400 == 1_728_518_400
    assert d.step_seconds == 900 and d.rate_hz == pytest.approx(1 / 900)
    assert d.missing_steps == 0 and d.gaps == () and not any(d.missing_cells.values())
    assert "endTime" in d.left_out and table.columns == ("datasetId", "value")
    assert any("rows sorted by time" in s for s in d.sentences)
    assert np.array_equal(table.time, 900.0 * np.arange(96))  # 00:00 .. 23:45
    # line i of the file is 23:45 - 15 i min: grid row 95 - i
    raw = pd.read_csv(FINGRID, sep=";")
    assert np.array_equal(table.column("value"), raw["value"].to_numpy()[::-1])
    # endTime as the time: the same steps, a quarter hour later
    ends = read_series_csv(FINGRID, time_column="endTime")
    assert ends.detected.start == "2024-10-10 00:15:00+00:00"
    assert np.array_equal(ends.time, table.time) and "startTime" in ends.detected.left_out


def test_a_utc_offset_gives_the_same_instants_as_z():
    """The Fingrid times written as Finnish summer time (+0300), made here from the file: the
    clock reads three hours later and the instants are the same."""
    raw = pd.read_csv(FINGRID, sep=";", dtype=str)
    local = pd.to_datetime(raw["startTime"]) + pd.Timedelta(hours=3)
    text = raw.assign(startTime=local.dt.strftime("%Y-%m-%dT%H:%M:%S.000+0300"))
    assert text["startTime"].iloc[-1] == "2024-10-10T03:00:00.000+0300"
    table = read_series_csv(text.to_csv(sep=";", index=False).encode())
    d = table.detected
    assert (d.time_kind, d.start) == ("date-time with zone", "2024-10-10 00:00:00+00:00")
    assert np.array_equal(table.time, 900.0 * np.arange(96))
    assert np.array_equal(table.values, read_series_csv(FINGRID).values)


def test_imu_recordings_seconds_from_start_and_holes_in_a_reference():
    xio = read_series_csv(XIO)
    assert (xio.detected.time_column, xio.detected.time_kind) == ("Time (s)", "elapsed")
    assert xio.detected.rate_hz == pytest.approx(99.2, abs=0.1)
    assert xio.units[:3] == ("deg/s",) * 3 and xio.units[3] == "g"
    broad = read_series_csv(BROAD)
    assert broad.detected.rate_hz == pytest.approx(285.714, abs=1e-3)
    assert broad.detected.jitter < 1e-6 and broad.detected.missing_steps == 0
    raw = pd.read_csv(BROAD, usecols=["quat_w"])
    assert broad.detected.missing_cells["quat_w"] == int(raw["quat_w"].isna().sum()) > 0
    assert np.array_equal(np.isnan(broad.column("quat_w")), raw["quat_w"].isna().to_numpy())


def test_a_zip_of_one_csv_reads_as_the_csv_and_a_zip_of_two_is_refused(pjm):
    one, two = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(one, "w") as archive:
        archive.write(PJM, PJM.name)
    with zipfile.ZipFile(two, "w") as archive:
        archive.write(PJM, PJM.name)
        archive.write(FINGRID, FINGRID.name)
    zipped = read_series_csv(one.getvalue())
    assert np.array_equal(zipped.values, pjm.values, equal_nan=True)
    with pytest.raises(SeriesFormatError, match="holds 2 CSV files"):
        read_series_csv(two.getvalue())


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b"time,label\n1,a\n2,b\n3,c\n", "no column of numbers"),
        (b"", "is empty"),
        (b"\x00\x01binary" * 10, "binary"),
    ],
)
def test_a_file_it_cannot_use_gets_a_sentence(text, words):
    with pytest.raises(SeriesFormatError, match=words) as caught:
        read_series_csv(text)
    assert isinstance(caught.value, DataError)


def test_too_many_columns_and_an_unknown_time_column_are_refused_with_a_sentence():
    header = ",".join(f"c{i}" for i in range(MAX_SERIES_COLUMNS + 1))
    wide = header + "\n" + "\n".join(",".join(["1"] * (MAX_SERIES_COLUMNS + 1)) for _ in range(3))
    with pytest.raises(SeriesFormatError, match=f"at most {MAX_SERIES_COLUMNS}"):
        read_series_csv(wide.encode())
    with pytest.raises(SeriesFormatError, match="no column 'when'"):
        read_series_csv(FINGRID, time_column="when")


def test_files_and_series_past_the_bounds_are_refused_with_a_sentence(monkeypatch):
    from rnn_core.datasets.series import reader

    monkeypatch.setattr(reader, "MAX_SERIES_BYTES", 1000)
    with pytest.raises(SeriesFormatError, match="keep series files under"):
        read_series_csv(PJM)  # 34 KB
    monkeypatch.setattr(reader, "MAX_SERIES_BYTES", 1 << 20)
    monkeypatch.setattr(reader, "MAX_SERIES_ROWS", 1000)
    with pytest.raises(SeriesFormatError, match="spans 1,514 steps of 1 h"):
        read_series_csv(PJM)


@pytest.mark.parametrize(("unit", "scale"), [("s", 1), ("ms", 1000)])
def test_unix_time_is_told_by_the_size_of_its_values(unit, scale):
    """Unix seconds: the Bar Crawl TAC file as published. Unix milliseconds: no real file with
    them is among the test files; this one is the TAC file with its times multiplied by 1000."""
    raw = pd.read_csv(TAC)
    made = raw.assign(timestamp=raw["timestamp"] * scale).to_csv(index=False).encode()
    table = read_series_csv(TAC if scale == 1 else made)
    d = table.detected
    # 1,493,718,714 s = 17,288 days (to 2017-05-02) * 86,400 + 35,514 s (09:51:54)
    assert 17_288 * 86_400 + 9 * 3600 + 51 * 60 + 54 == raw["timestamp"].iloc[0] == 1_493_718_714
    assert (d.time_column, d.time_kind, d.start) == (
        "timestamp",
        "unix",
        "2017-05-02 09:51:54+00:00",
    )
    assert any(f"Unix {'seconds' if unit == 's' else 'milliseconds'}" in s for s in d.sentences)
    # the bracelet reads about every half hour: the median step is the grid's
    assert d.step_seconds == np.median(np.diff(raw["timestamp"])) == 1834
    assert table.columns == ("TAC_Reading",) and d.missing_cells == {"TAC_Reading": 0}
    assert table.time[-1] == pytest.approx(
        raw["timestamp"].iloc[-1] - raw["timestamp"].iloc[0], abs=1834 / 2
    )
