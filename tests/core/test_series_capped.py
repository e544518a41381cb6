"""A series upload read in a capped child process gives the very table the reader gives in the
server (every array, field and sentence of what was detected), the reader's own sentence for a
file it refuses, and a sentence of its own when the file needs more memory than the cap."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import numpy as np
import pytest

from rnn_core.datasets.series.reader import Detected, SeriesFormatError, read_series_csv
from rnn_core.live import capped_read as capped
from rnn_core.live.capped_read import read_series_capped, table_from_parts, table_parts
from tests.paths import ROOT

SERIES = ROOT / "tests" / "data" / "series"
FILES = [*sorted(SERIES.glob("*.csv")), ROOT / "data" / "pjm-east-hourly-2016-2017.csv"]
AIR = SERIES / "uci-air-quality-semicolon-excerpt.csv"


def named(data: bytes, name: str) -> io.BytesIO:
    """The bytes as an upload gives them: a file object with a name."""
    file = io.BytesIO(data)
    file.name = name
    return file


def assert_same_table(got, want) -> None:
    """Every field equal: arrays by dtype, shape and values (NaN where NaN), the rest by ==
    and by type, so that JSON's lists came back as the Detected's tuples."""
    for field in ("time", "values"):
        a, b = getattr(got, field), getattr(want, field)
        assert (a.dtype, a.shape) == (b.dtype, b.shape), field
        np.testing.assert_array_equal(a, b, err_msg=field)  # NaN positions too
    for field in ("name", "columns", "units", "segments"):
        assert getattr(got, field) == getattr(want, field), field
        assert type(getattr(got, field)) is type(getattr(want, field)), field
    assert all(type(s) is tuple for s in got.segments)
    for field in dataclasses.fields(Detected):
        a, b = getattr(got.detected, field.name), getattr(want.detected, field.name)
        assert a == b, field.name
        assert isinstance(a, type(b)) or isinstance(b, type(a)), field.name
    assert all(type(gap) is tuple for gap in got.detected.gaps)
    assert list(got.detected.missing_cells) == list(want.detected.missing_cells)  # the order


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_parts_rebuild_the_table(path):
    want = read_series_csv(path)
    fields, arrays = table_parts(want)
    assert all(a.dtype != object for a in arrays.values())  # saved without pickles
    assert_same_table(table_from_parts(fields, arrays), want)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_capped_reading_gives_the_same_table(path):
    data = path.read_bytes()
    assert_same_table(read_series_capped(data, path.name), read_series_csv(named(data, path.name)))


def test_the_time_column_and_missing_codes_reach_the_child():
    data = AIR.read_bytes()
    got = read_series_capped(data, AIR.name, missing_codes=(-200,))
    want = read_series_csv(named(data, AIR.name), missing_codes=(-200,))
    assert_same_table(got, want)
    assert any("-200" in sentence for sentence in got.detected.sentences)
    with pytest.raises(SeriesFormatError, match="no column 'when'"):
        read_series_capped(data, AIR.name, time_column="when")


def test_a_zip_of_one_csv_is_read_in_the_child_too():
    path = FILES[0]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(path, path.name)
    data = archive.getvalue()
    assert_same_table(read_series_capped(data, "one.zip"), read_series_csv(named(data, "one.zip")))


@pytest.mark.parametrize(
    "data",
    [b"time,label\n1,a\n2,b\n3,c\n", b"", b"\x00\x01binary" * 10],
    ids=["no-numbers", "empty", "binary"],
)
def test_a_refused_file_gets_the_readers_own_sentence(data):
    with pytest.raises(SeriesFormatError) as want:
        read_series_csv(named(data, "upload.csv"))
    with pytest.raises(SeriesFormatError) as got:
        read_series_capped(data, "upload.csv")
    assert str(got.value) == str(want.value)


def test_a_file_needing_more_than_the_cap_is_refused_with_a_sentence(monkeypatch):
    monkeypatch.setenv("RNN_EXPLORER_UPLOAD_PARSE_MIB", "1")
    path = FILES[-1]  # the PJM sample
    with pytest.raises(SeriesFormatError) as refused:
        read_series_capped(path.read_bytes(), path.name)
    assert str(refused.value) == (
        "pjm-east-hourly-2016-2017.csv needs more memory to read than the server gives one file "
        "(1 MiB): send a shorter series, or fewer columns."
    )


def test_a_reading_that_does_not_end_is_ended_with_a_sentence(monkeypatch):
    monkeypatch.setattr(capped, "PARSE_TIMEOUT_S", 0.0)  # the child is still starting
    path = FILES[-1]
    with pytest.raises(SeriesFormatError) as refused:
        read_series_capped(path.read_bytes(), path.name)
    assert str(refused.value) == (
        "pjm-east-hourly-2016-2017.csv took longer than 0 s to read: send a shorter series."
    )


def test_a_child_that_stops_without_a_result_is_said_in_a_sentence():
    refusal = capped._refusal(None, "series", "upload.csv", -9)
    assert isinstance(refusal, SeriesFormatError)
    assert str(refusal) == (
        "upload.csv could not be read (the reader stopped, code -9): check that it is a CSV "
        "(or a zip of one) of a series."
    )


def test_the_server_never_parses_the_file(monkeypatch):
    path = FILES[0]
    want = read_series_csv(path)

    def refuse(*args, **kwargs):
        raise AssertionError("the server's own process parsed the upload")

    monkeypatch.setattr(capped, "read_series_csv", refuse)  # here only: the child has its own
    assert_same_table(read_series_capped(path.read_bytes(), path.name), want)
