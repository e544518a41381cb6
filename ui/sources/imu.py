"""The Data page's IMU source: a sample or an upload, what was read, a mapping by hand, a task."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.datasets.imu.formats import UNIT_KEYS
from rnn_core.datasets.imu.parse import named_bytes
from rnn_core.datasets.imu.prepare import IMU_INPUTS, IMU_TARGETS, ImuTable, ImuTask, imu_table
from rnn_core.datasets.imu.reader import (
    CHANNELS,
    OPTIONAL,
    ImuFormatError,
    ImuRecording,
    detect_columns,
    read_imu_csv,
)
from rnn_core.datasets.imu.table import settling_note
from rnn_core.live.capped_read import detect_columns_capped, read_imu_capped
from ui.session.plain import as_text
from ui.session.session_end import release_uploads_at_session_end
from ui.session.settings import IMU_CHOICES, IMU_TASKS
from ui.session.state import setting, widget
from ui.session.upload_slot import IMU_SLOT
from ui.sources.imu_attitude import (
    attitude_controls,
    attitude_from_settings,
    filter_controls,
    test_block_from_settings,
)

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE_FILES = (
    "imu-sim-phyphox.zip",
    "imu-sim-arduino.csv",
    "imu-sim-labelled.csv",
    "broad-02-excerpt.csv",
)
SAMPLES = dict(zip(IMU_CHOICES[:-1], SAMPLE_FILES, strict=True))
UPLOAD = IMU_CHOICES[-1]
FORECAST, ACTIVITY = IMU_TASKS
MAPPED_KEYS = ("time", *CHANNELS, "roll", "pitch", "label")
NOT_MAPPED = "(none)"
SLOT = replace(IMU_SLOT, error=ImuFormatError)  # the keys live once, in the kernel
HELD = SLOT.held  # session key: (name, bytes) of the session's upload


@dataclass(frozen=True)
class ImuChoice:
    """Which recording, read how, for which task: the identity of an IMU source."""

    digest: str  # sha1 of the file's bytes
    name: str  # the file's name
    column_map: tuple[tuple[str, str], ...] = ()  # key -> column (and units) chosen by hand
    target_rate: float | None = None  # Hz; None for the file's own rate
    task: ImuTask = ImuTask()
    attitude: str = (
        "vqf"  # where the roll and pitch inputs come from (the imu.attitude setting's values)
    )
    gains: tuple[tuple[str, float], ...] = ()  # the filter's gains where they leave its defaults
    use_mag: bool = False  # the filter reads the magnetometer too
    test_at: float | None = None  # share of the rows where the test part starts; None: the end


def _bytes_store() -> dict[str, bytes]:
    return st.session_state.setdefault("imu.by_digest", {})


def _hold(digest: str, data: bytes) -> None:
    """Keep one file's bytes for this session (the chosen one): an earlier upload is let go."""
    st.session_state["imu.by_digest"] = {digest: data}
    release_uploads_at_session_end()


@st.cache_resource(show_spinner=False)
def _sample_digests() -> frozenset[str]:
    """The sha1 of every sample the app ships (their reading is shared by all sessions)."""
    return frozenset(hashlib.sha1((DATA / name).read_bytes()).hexdigest() for name in SAMPLE_FILES)


def _read(name: str, column_map: tuple, target_rate, attitude: tuple, data: bytes, read=None):
    """(recording, table) of a file's bytes, read with a mapping, rate and attitude filter
    (by `read`, an upload's reading in a capped process, else here)."""
    if read is None:
        recording = read_imu_csv(named_bytes(name, data), dict(column_map) or None, target_rate)
    else:
        recording = read(data, name, dict(column_map) or None, target_rate)
    return recording, imu_table(recording, *attitude)


@st.cache_resource(max_entries=6, show_spinner="Reading the recording…")
def _loaded_sample(digest: str, name: str, column_map: tuple, target_rate, attitude: tuple, _data):
    """A sample's (recording, table), read once per (file, mapping, rate, attitude with its
    gains and magnetometer) for all sessions; kept by reference, so callers must not change it."""
    return _read(name, column_map, target_rate, attitude, _data)


@st.cache_resource(max_entries=2, scope="session", show_spinner="Reading the recording…")
def _loaded_upload(digest: str, name: str, column_map: tuple, target_rate, attitude: tuple, _data):
    """An upload's (recording, table), held for its session only: let go when the session ends
    (nothing user-specific in a process-wide cache). Read in a capped process of its own."""
    return _read(name, column_map, target_rate, attitude, _data, read_imu_capped)


@st.cache_data(max_entries=2, scope="session", show_spinner=False)
def _upload_columns(digest: str, name: str, _data: bytes) -> tuple[list[str], dict[str, str]]:
    """An upload's columns and detection's mapping, read once in a capped process."""
    return detect_columns_capped(_data, name)


def recording_of(choice: ImuChoice) -> tuple[ImuRecording, ImuTable]:
    """The recording and table of an IMU choice (ImuFormatError with a sentence)."""
    data = _bytes_store().get(choice.digest)
    if data is None:  # another file was chosen since
        raise ImuFormatError(f"{choice.name} is no longer chosen: choose it again on 1 · Data.")
    attitude = (choice.attitude, choice.gains, choice.use_mag)
    loaded = _loaded_sample if choice.digest in _sample_digests() else _loaded_upload
    return loaded(choice.digest, choice.name, choice.column_map, choice.target_rate, attitude, data)


def _file() -> tuple[str, bytes] | None:
    """(name, bytes) of the chosen sample or upload; None until a file is uploaded."""
    choice = st.radio(**widget("imu.choice"))
    if choice == UPLOAD:
        limit = st.get_option("server.maxUploadSize")  # MB; a larger file is refused in the browser
        file = st.file_uploader(
            "A CSV (phyphox, Sensor Logger, Arduino/ESP32 log, ROS, EuRoC, PX4, x-io, or ax..gz "
            f"columns) or a zip export with one CSV per sensor, up to {limit:g} MB",
            type=["csv", "txt", "tsv", "zip"],
            key="imu.upload",
        )
        SLOT.drawn()
        if file is not None:
            st.session_state[HELD] = (file.name, file.getvalue())
    return _chosen_file()


def restore_upload(name: str, data: bytes) -> None:
    """Make kept bytes the session's upload, as if uploaded again: read like one when used."""
    SLOT.restore(name, data)


def _chosen_file() -> tuple[str, bytes] | None:
    """(name, bytes) of the file the settings choose: a sample, or the session's last upload."""
    choice = setting("imu.choice")
    if choice != UPLOAD:
        return SAMPLES[choice], (DATA / SAMPLES[choice]).read_bytes()
    return SLOT.current()


def imu_choice_from_settings() -> ImuChoice | None:
    """The IMU choice the session's settings describe, without drawing a widget: the chosen
    file with detected columns and the task's defaults (ImuFormatError with a sentence)."""
    picked = _chosen_file()
    if picked is None:
        return None
    name, data = picked
    digest = hashlib.sha1(data).hexdigest()
    _hold(digest, data)
    choice = ImuChoice(digest, name, (), float(setting("imu.rate")) or None)
    recording, _ = recording_of(choice)
    choice = replace(
        choice,
        attitude=attitude_from_settings(recording.has_orientation),
        test_at=test_block_from_settings(),
    )
    _, table = recording_of(choice)
    return replace(choice, task=imu_task(table))


def imu_controls() -> ImuChoice | None:
    """Widgets for the IMU source; the choice once a file reads, else None with the reason shown."""
    picked = _file()
    if picked is None:
        st.info("Upload a recording to train on it, or choose a sample.")
        return None
    name, data = picked
    digest = hashlib.sha1(data).hexdigest()
    _hold(digest, data)
    rate = st.number_input(**widget("imu.rate"))
    column_map = _mapping_controls(name, data, digest)
    has_columns = column_map is not None  # None: not even the columns could be read
    column_map = column_map or ()
    choice = ImuChoice(digest, name, column_map, float(rate) or None)
    try:
        recording, _ = recording_of(choice)
        attitude = attitude_controls(recording.has_orientation)
        gains, use_mag = filter_controls(attitude, "mx" in recording.channels.columns)
        choice = replace(
            choice,
            attitude=attitude,
            gains=gains,
            use_mag=use_mag,
            test_at=test_block_from_settings(),
        )
        recording, table = recording_of(choice)
    except (ImuFormatError, DataError) as err:
        st.error(as_text(str(err)))
        if setting("imu.choice") == UPLOAD:
            SLOT.refuse(name, str(err))
        if has_columns:
            st.caption("Map the columns by hand above if detection got them wrong.")
        return None
    _what_was_read(recording, table)
    return replace(choice, task=_task_controls(table))


def _mapping_controls(name: str, data: bytes, digest: str) -> tuple | None:
    """Columns chosen by hand, when the person opens the mapping; () keeps detection's, None
    when the file has no columns to map (the reason is shown)."""
    with st.expander("Map the columns by hand", expanded=False):
        try:
            if digest in _sample_digests():
                columns, proposed = detect_columns(named_bytes(name, data))
            else:
                columns, proposed = _upload_columns(digest, name, data)
        except ImuFormatError as err:
            st.error(as_text(str(err)))
            return None
        by_hand = st.toggle("Use this mapping instead of detection", key=f"imu.by_hand.{digest}")
        picks, options = {}, [NOT_MAPPED, *columns]
        grid = st.columns(4)
        for i, key in enumerate(MAPPED_KEYS):
            default = proposed.get(key, NOT_MAPPED)
            picks[key] = grid[i % 4].selectbox(
                key,
                options,
                index=options.index(default) if default in options else 0,
                key=f"imu.map.{digest}.{key}",
            )
        units = st.columns(3)
        for i, (key, choices) in enumerate(UNIT_KEYS.items()):
            picks[key] = units[i].selectbox(
                key.replace("_", " "),
                ["detect", *choices],
                key=f"imu.map.{digest}.{key}",
            )
        if not by_hand:
            return ()
        return tuple(
            (key, value) for key, value in picks.items() if value not in (NOT_MAPPED, "detect")
        )


def _what_was_read(recording: ImuRecording, table: ImuTable) -> None:
    """Rate, length, format and every detection sentence."""
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Sample rate", f"{recording.sample_rate:g} Hz")
    c2.metric("Rows", f"{len(table.values):,}")
    c3.metric("Duration", f"{len(table.values) / recording.sample_rate:.1f} s")
    c4.metric("Segments", f"{len(recording.segments)}")
    with st.expander("What was detected", expanded=True):
        for sentence in (*recording.detected, table.orientation_note, *settling_note(table)):
            st.markdown(f"- {as_text(sentence)}")


def _task_controls(table: ImuTable) -> ImuTask:
    """Inputs, targets, horizon, and forecasting or classifying."""
    columns = _columns(table)
    kinds = [FORECAST] + ([ACTIVITY] if table.labels is not None else [])
    st.radio(**widget("imu.task", options=kinds), horizontal=True)
    kind = setting("imu.task")
    st.multiselect(
        "Inputs (what the model reads each step)",
        columns,
        default=_default_columns(IMU_INPUTS, columns),
        key=_columns_key("inputs", columns),
    )
    if kind == ACTIVITY and table.labels is not None:
        return imu_task(table)
    c1, c2 = st.columns([3, 1])
    c1.multiselect(
        "Targets (the next state it predicts)",
        columns,
        default=_default_columns(IMU_TARGETS, columns),
        key=_columns_key("targets", columns),
    )
    c2.number_input(**widget("imu.horizon"))
    st.slider(
        **widget("imu.test_at"),
        help="The test part is 15 % of the rows, validation the 15 % before it (after it when it "
        "starts before 15 %), training the rest. Put it where the recording moves: a still test "
        "part cannot tell a good model from persistence.",
    )
    st.checkbox(
        **widget("imu.change"),
        help="The head's output is added to the window's last value, so an untrained model "
        "starts at persistence and learns what persistence misses. The forecast is still the "
        "next state, scored in degrees and deg/s.",
    )
    return imu_task(table)


def _columns(table: ImuTable) -> list[str]:
    return [c for c in table.values.columns if c in (*CHANNELS, *OPTIONAL)]


def _default_columns(wanted, columns: list[str]) -> list[str]:
    return [c for c in wanted if c in columns]


def _columns_key(what: str, columns: list[str]) -> str:
    return f"imu.{what}." + ",".join(columns)


def imu_task(table: ImuTable) -> ImuTask:
    """The task the session's settings give for this recording: inputs and targets as chosen on
    the Data page for these columns (the defaults until then), horizon, forecasting or
    classifying (DataError when no input or target is chosen)."""
    columns = _columns(table)
    inputs = st.session_state.get(
        _columns_key("inputs", columns), _default_columns(IMU_INPUTS, columns)
    )
    if setting("imu.task") == ACTIVITY and table.labels is not None:
        return ImuTask(inputs=tuple(inputs), targets=(), classify=True)
    targets = st.session_state.get(
        _columns_key("targets", columns), _default_columns(IMU_TARGETS, columns)
    )
    if not inputs or not targets:
        raise DataError("Choose at least one input and one target.")
    horizon, change = int(setting("imu.horizon")), bool(setting("imu.change"))
    return ImuTask(tuple(inputs), tuple(targets), horizon, False, change)
