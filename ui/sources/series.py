"""Any time series as a source: the shipped sample or an upload, what was detected, the inputs
and targets, the horizon, the season and the test block."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import streamlit as st

from rnn_core.bounds import MAX_SERIES_BYTES, mib_text
from rnn_core.datasets import DataError
from rnn_core.datasets.imu.parse import named_bytes
from rnn_core.datasets.prepare import PreparedData
from rnn_core.datasets.series import SeriesTable, SeriesTask, prepare_series_table, read_series_csv
from rnn_core.datasets.series.grid import duration_words
from rnn_core.datasets.series.reader import SeriesFormatError
from rnn_core.live.capped_read import read_series_capped
from rnn_core.runs.blobs import RunData
from ui.session.plain import as_text
from ui.session.session_end import release_uploads_at_session_end
from ui.session.settings import SERIES_CHOICES
from ui.session.source import Source
from ui.session.state import setting, widget
from ui.session.upload_slot import UploadSlot
from ui.sources.imu_attitude import test_block_from_settings

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE_FILE = "pjm-east-hourly-2016-2017.csv"
SAMPLE, UPLOAD = SERIES_CHOICES
SLOT = UploadSlot(
    "series.upload", "series.last_upload", "series.refused", "series.by_digest", SeriesFormatError
)
HELD = SLOT.held  # session key: (name, bytes) of the session's upload


@dataclass(frozen=True)
class SeriesChoice:
    """Which file, for which task, split where: the identity of a series source."""

    digest: str  # sha1 of the file's bytes
    name: str  # the file's name
    task: SeriesTask
    test_at: float | None = None  # share of the rows where the test part starts; None: the end


@dataclass(frozen=True)
class SeriesSource(Source):
    """A time series and its forecast: chosen columns in, chosen columns 1..H steps ahead out."""

    series: SeriesChoice
    kind: ClassVar[str] = "series"
    kept_kinds: ClassVar[tuple[str, ...]] = ("series-upload",)
    fixed_shape: ClassVar[str] = (
        "A forecast: the targets after the window, one output per target and step ahead."
    )

    @property
    def task_shape(self) -> str:
        """One forecast after each window."""
        return "many_to_one"

    def prepare(self, length: int, task_shape: str, on: str) -> PreparedData:
        """Windows of the series' pieces, never across a gap or a split."""
        choice = self.series
        table = table_of(choice.digest, choice.name)
        return prepare_series_table(table, length, choice.task, test_at=choice.test_at, device=on)

    @classmethod
    def controls(cls) -> Source | None:
        """The file, what was detected and the task; None until a file reads."""
        picked = _file()
        if picked is None:
            st.info("Upload a CSV to forecast it, or choose the sample.")
            return None
        name, data = picked
        digest = _hold(name, data)
        try:
            table = table_of(digest, name)
        except DataError as err:
            st.error(as_text(str(err)))
            if setting("series.choice") == UPLOAD:
                SLOT.refuse(name, str(err))
            return None
        what_was_detected(table)
        task = _task_controls(table)
        return cls.of(SeriesChoice(digest, name, task, test_block_from_settings("series.test_at")))

    @classmethod
    def from_settings(cls) -> Source | None:
        """The series the settings choose, with the task the session chose for its columns (the
        defaults until then); None while it needs an upload."""
        picked = _chosen_file()
        if picked is None:
            return None
        name, data = picked
        digest = _hold(name, data)
        task = series_task(table_of(digest, name))
        return cls.of(SeriesChoice(digest, name, task, test_block_from_settings("series.test_at")))

    @classmethod
    def of(cls, choice: SeriesChoice) -> SeriesSource:
        """The source of a choice, labelled by its file and task."""
        task = choice.task
        ahead = f"{task.horizon} step{'s' if task.horizon > 1 else ''} ahead"
        if task.every_step and task.horizon > 1:
            ahead = f"every step 1 to {task.horizon} ahead"
        return cls(f"Series: {choice.name} ({', '.join(task.targets)}, {ahead})", choice)

    @classmethod
    def needs_a_file(cls) -> bool:
        """An uploaded series."""
        return setting("series.choice") == UPLOAD

    def kept_data(self) -> RunData | None:
        """The uploaded file, while the session holds the one this source read."""
        if setting("series.choice") != UPLOAD:
            return None
        return SLOT.kept("series-upload", self.series.digest)

    @classmethod
    def held_files(cls, data_kind: str) -> list[tuple[str, bytes]]:
        """The session's upload."""
        return SLOT.files()

    @classmethod
    def restore_kept(cls, entry: dict, files: tuple[tuple[str, bytes], ...]) -> None:
        """The kept file made the session's upload again."""
        restore_series_upload(*files[0])


@st.cache_resource(max_entries=2, show_spinner="Reading the series…")
def _sample_table(digest: str, name: str, _data: bytes) -> SeriesTable:
    """The shipped sample's table, read once for all sessions (callers must not change it)."""
    return read_series_csv(named_bytes(name, _data))


@st.cache_resource(max_entries=2, scope="session", show_spinner="Reading the series…")
def _upload_table(digest: str, name: str, _data: bytes) -> SeriesTable:
    """An upload's table, read in a capped process of its own and held for its session only."""
    return read_series_capped(_data, name)


@st.cache_resource(show_spinner=False)
def _sample_digest() -> str:
    return hashlib.sha1((DATA / SAMPLE_FILE).read_bytes()).hexdigest()


def _hold(name: str, data: bytes) -> str:
    """Keep the chosen file's bytes for this session (an earlier upload is let go); its sha1."""
    digest = hashlib.sha1(data).hexdigest()
    if digest not in st.session_state.get("series.by_digest", {}):
        st.session_state["series.by_digest"] = {digest: (name, data)}
        release_uploads_at_session_end()
    return digest


def table_of(digest: str, name: str) -> SeriesTable:
    """The table of a held file (SeriesFormatError with a sentence)."""
    held = st.session_state.get("series.by_digest", {}).get(digest)
    if held is None:  # another file was chosen since
        raise SeriesFormatError(f"{name} is no longer chosen: choose it again on 1 · Data.")
    read = _sample_table if digest == _sample_digest() else _upload_table
    return read(digest, held[0], held[1])


def _file() -> tuple[str, bytes] | None:
    """The radio and, for an upload, the uploader; (name, bytes) of the chosen file."""
    choice = st.radio(**widget("series.choice"), horizontal=True)
    if choice == UPLOAD:
        st.file_uploader(
            "A CSV (or a zip of one) with a time column (dates, seconds, Unix time) or none "
            "(one row a step), and columns of numbers; up to "
            f"{mib_text(MAX_SERIES_BYTES)}",
            type=["csv", "txt", "tsv", "zip"],
            key="series.upload",
        )
        SLOT.drawn()
    return _chosen_file()


def _chosen_file() -> tuple[str, bytes] | None:
    """(name, bytes) of the file the settings choose: the sample, or the session's last upload
    (taken from the uploader as soon as it arrives: the banner reads it before the page)."""
    if setting("series.choice") != UPLOAD:
        return SAMPLE_FILE, (DATA / SAMPLE_FILE).read_bytes()
    return SLOT.current()


def restore_series_upload(name: str, data: bytes) -> None:
    """Make kept bytes the session's upload, as if uploaded again: read like one when used."""
    SLOT.restore(name, data)


def what_was_detected(table: SeriesTable) -> None:
    """The step, rows, span and segments, and every detection sentence."""
    found = table.detected
    rate = "one row" if found.time_kind == "row index" else duration_words(found.step_seconds)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Step", rate)
    c2.metric("Rows", f"{len(table.time):,}")
    span = "" if found.time_kind == "row index" else duration_words(float(table.time[-1]))
    c3.metric("Span", span or f"{len(table.time):,} rows")
    c4.metric("Segments", f"{len(table.segments)}")
    with st.expander("What was detected", expanded=True):
        for sentence in found.sentences:
            st.markdown(f"- {as_text(sentence)}")


def _task_controls(table: SeriesTable) -> SeriesTask:
    """Inputs, targets, horizon, every step or the last, season and test block."""
    columns = list(table.columns)
    c1, c2 = st.columns(2)
    c1.multiselect(
        "Inputs (what the model reads each step)",
        columns,
        default=_defaults(columns),
        key=_columns_key("inputs", columns),
    )
    c2.multiselect(
        "Targets (what it forecasts)",
        columns,
        default=_defaults(columns),
        key=_columns_key("targets", columns),
    )
    c1, c2, c3 = st.columns(3)
    c1.number_input(**widget("series.horizon"))
    c2.number_input(
        **widget("series.season"),
        help="The seasonal naive forecast repeats the value one season before (24 for a day "
        "of hours). 0 finds it from the autocorrelation of the training part.",
    )
    c3.checkbox(
        **widget("series.every"),
        help="Off: only the value the horizon ahead. On: one output for every step up to it.",
    )
    st.slider(
        **widget("series.test_at"),
        help="The test part is 15 % of the rows, validation the 15 % before it (after it when it "
        "starts before 15 %), training the rest. Z-scores use the training part only.",
    )
    return series_task(table)


def _defaults(columns: list[str]) -> list[str]:
    """The first column, read from itself: a univariate forecast until more are chosen."""
    return columns[:1]


def _columns_key(what: str, columns: list[str]) -> str:
    return f"series.{what}." + ",".join(columns)


def series_task(table: SeriesTable) -> SeriesTask:
    """The task the settings give for this table: inputs and targets as chosen on the Data page
    for its columns (the first column until then), horizon, every step or the last, the season
    (DataError
    when no input or target is chosen)."""
    columns = list(table.columns)
    inputs = st.session_state.get(_columns_key("inputs", columns), _defaults(columns))
    targets = st.session_state.get(_columns_key("targets", columns), _defaults(columns))
    if not inputs or not targets:
        raise DataError("Choose at least one input column and one target column.")
    horizon, every = int(setting("series.horizon")), bool(setting("series.every"))
    season = int(setting("series.season"))
    return SeriesTask(tuple(inputs), tuple(targets), horizon, every and horizon > 1, season)
