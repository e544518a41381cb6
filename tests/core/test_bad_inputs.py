"""Every bad input gets an answer: the files under tests/bad_inputs/ through the IMU reader.

Each file is refused with a sentence that says what to change (ImuFormatError), or it reads and
`recording.detected` says what was odd and what was done about it. OUTCOMES, file -> expected
fragment, is the one table: tests/browser/test_bad_inputs.py uploads the same files to the Data
page and looks for the same sentences there.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass

import numpy as np
import pytest
import torch

from rnn_core.datasets import DataError
from rnn_core.datasets.imu.prepare import imu_table, prepare_imu
from rnn_core.datasets.imu.reader import ImuFormatError, read_imu_csv
from tests.paths import ROOT

BAD_INPUTS = ROOT / "tests" / "bad_inputs"


@dataclass(frozen=True)
class Outcome:
    """What a bad file must end with: refused with `error`, or read and `detected` said."""

    error: str = ""  # a fragment of the ImuFormatError's message
    detected: str = ""  # a fragment of one sentence of recording.detected
    window: int = 0  # a window length prepare_imu refuses for this (readable) recording...
    window_error: str = ""  # ...with this fragment of its DataError


OUTCOMES: dict[str, Outcome] = {
    "empty.csv": Outcome(
        error="empty.csv is empty: upload a CSV with a header and rows of numbers."
    ),
    "header-only.csv": Outcome(error="has a header but no rows of numbers under it"),
    "one-column.csv": Outcome(
        error="has one column only: no comma, semicolon or tab between values"
    ),
    "binary.csv": Outcome(error="binary.csv looks like binary data, not text"),
    # German names are not recognized, but they are listed as written: the ² survived Latin-1
    "latin1.csv": Outcome(error="its columns: 'Zeit (s)', 'Beschleunigung x (m/s²)'"),
    "latin1-units.csv": Outcome(detected="Encoding: not UTF-8, read as Latin-1 (Windows) text."),
    "utf8-bom.csv": Outcome(detected="Encoding: UTF-8 with a byte-order mark (removed)."),
    "semicolon-decimal-comma.csv": Outcome(
        detected="Delimiter: semicolon; decimal mark: comma (1,23 is read as 1.23)."
    ),
    "tabs.tsv": Outcome(detected="Delimiter: tab; decimal mark: point."),
    "non-numeric-middle.csv": Outcome(
        error="Line 32 of non-numeric-middle.csv, column 'az': 'oops' is not a number"
    ),
    "nan-inf-few.csv": Outcome(
        detected="Dropped 2 row(s) with empty, NaN or infinite values (the first at line 12)."
    ),
    "nan-many.csv": Outcome(
        error="Column 'ay' of nan-many.csv has 20 empty, NaN or infinite cells (33% of rows"
    ),
    "constant-columns.csv": Outcome(
        detected="Constant (ax, ay, az, gx, gy, gz): the same value in every row"
    ),
    "time-goes-back.csv": Outcome(
        error="Time goes back at line 42 of time-goes-back.csv (from 0.78 s to 0 s"
    ),
    "time-out-of-order-jitter.csv": Outcome(
        detected="1 row(s) were slightly out of time order (jitter): sorted by time."
    ),
    "duplicated-timestamps.csv": Outcome(
        detected="1 row(s) repeated the previous timestamp: merged (values averaged)."
    ),
    "huge-gap.csv": Outcome(
        detected="1 gap(s) longer than 5 sample periods and 50 ms (the longest 60 s, after "
        "0.78 s): split into 2 segments"
    ),
    "too-few-rows.csv": Outcome(
        error="too-few-rows.csv has 10 usable row(s) at 50 Hz; at least 50 are needed (1 s)"
    ),
    "shorter-than-window.csv": Outcome(
        detected="Sample rate: 50 Hz in the file",
        window=30,
        window_error="The validation part has no stretch of 31 rows without a gap (its longest "
        "has 9, 0.18 s): shorten the window to at most 8 steps",
    ),
    "html-names.csv": Outcome(
        error="(its columns: 'time', '<script>alert(1)</script>', '<b>ay</b>', '**az**', "
        "'[x](javascript:alert(1))', 'gy', 'gz', ':smile:', ':material/home:', "
        "'`t` ~~x~~ $x$ &amp;')"
    ),
    "html-labels.csv": Outcome(
        detected="(6 distinct: <script>alert(1)</script>, <b>walk</b>, **run**, "
        "[x](javascript:alert(1)), :red[sit], $x^2$ &amp; _lie_)"
    ),
}


def corpus_files() -> list[str]:
    """The corpus as committed: every file under tests/bad_inputs/ but the script."""
    return sorted(p.name for p in BAD_INPUTS.iterdir() if p.suffix in (".csv", ".tsv"))


def test_every_file_of_the_corpus_has_one_expected_outcome():
    assert corpus_files() == sorted(OUTCOMES)
    for name, outcome in OUTCOMES.items():
        assert bool(outcome.error) != bool(outcome.detected), name
        assert bool(outcome.window) == bool(outcome.window_error) and not (
            outcome.window and outcome.error
        ), name


def test_the_committed_files_are_what_the_script_writes():
    spec = importlib.util.spec_from_file_location("make_corpus", BAD_INPUTS / "make_corpus.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    written = script.corpus()
    assert sorted(written) == corpus_files()
    for name, data in written.items():
        assert (BAD_INPUTS / name).read_bytes() == data, name


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_the_reader_answers_each_bad_input_with_a_sentence(name):
    outcome = OUTCOMES[name]
    if outcome.error:
        with pytest.raises(ImuFormatError) as caught:
            read_imu_csv(BAD_INPUTS / name)
        message = str(caught.value)
        assert outcome.error in message
        assert message.endswith(".") and "Traceback" not in message
        return
    recording = read_imu_csv(BAD_INPUTS / name)
    assert [s for s in recording.detected if outcome.detected in s], recording.detected
    assert np.isfinite(recording.channels.to_numpy()).all()
    assert len(recording.channels) >= 50


@pytest.mark.parametrize("name", [n for n, o in OUTCOMES.items() if o.window])
def test_a_window_longer_than_a_part_is_refused_with_the_longest_that_fits(name):
    outcome = OUTCOMES[name]
    table = imu_table(read_imu_csv(BAD_INPUTS / name))
    with pytest.raises(DataError) as caught:
        prepare_imu(table, outcome.window)
    assert outcome.window_error in str(caught.value)
    fits = int(re.search(r"at most (\d+) steps", str(caught.value)).group(1))
    data = prepare_imu(table, fits)  # the advice works: every part has a window
    assert min(len(data.train), len(data.validation), len(data.test)) >= 1
    with pytest.raises(DataError):
        prepare_imu(table, fits + 1)


def test_constant_columns_read_and_give_finite_windows():
    recording = read_imu_csv(BAD_INPUTS / "constant-columns.csv")
    assert "Gyroscope: reads zero almost throughout" in " ".join(recording.detected)
    data = prepare_imu(imu_table(recording), 20)
    for part in (data.train, data.validation, data.test):
        assert len(part) > 0
        assert torch.isfinite(part.inputs).all() and torch.isfinite(part.targets).all()
    assert np.all(data.meta.input_standardizer.std > 0)


def test_a_recording_without_constant_columns_says_nothing_about_them():
    recording = read_imu_csv(BAD_INPUTS / "tabs.tsv")
    assert not [s for s in recording.detected if s.startswith("Constant (")]


MARKED_UP = [
    "<script>alert(1)</script>",
    "<b>ax</b>",
    "**ax**",
    "[x](javascript:alert(1))",
    ":red[sit] :smile: :material/home: :+1: $x^2$ 12:30:45",
    "&lt;b&gt; _a_ `code` ~~gone~~ | {x} \\",
    "1. first",
    "# heading",
    "- item",
    "> quote",
]


@pytest.mark.parametrize("text", MARKED_UP)
def test_as_text_escapes_every_mark_and_takes_nothing_away(text):
    from ui.sources.imu import as_text

    escaped = as_text(text)
    assert re.sub(r"\\(.)", r"\1", escaped) == text  # Markdown's unescaping gives it back
    left = re.sub(r"\\.", "", escaped)  # what is not escaped
    assert not re.search(r"[\\`*_\[\]<>$~|&{}]|:\S|^\s*([#+\-=>]|\d+[.)])", left), left


@pytest.mark.parametrize("sample", ["imu-sim-phyphox.zip", "imu-sim-arduino.csv"])
def test_as_text_leaves_sentences_without_marks_as_they_are(sample):
    from ui.sources.imu import as_text

    for sentence in read_imu_csv(ROOT / "data" / sample).detected:
        assert as_text(sentence) == sentence
