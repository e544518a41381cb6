"""The Data page's sets of recordings: the shipped BROAD set or several uploads, a role per
recording (train / validation / test) in a table the person edits, and the task: forecast the next
state, or correct VQF."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.datasets.imu.broad_set import BROAD_SET_PATH, read_broad_set
from rnn_core.datasets.imu.correction import CorrectionTask
from rnn_core.datasets.imu.parse import ImuFormatError, named_bytes
from rnn_core.datasets.imu.prepare import ImuTask
from rnn_core.datasets.imu.reader import ImuRecording
from rnn_core.datasets.imu.recordings import ROLES, check_roles, read_recordings
from rnn_core.datasets.imu.table import ImuTable, imu_table
from ui.session.plain import as_text
from ui.session.settings import IMU_SET_CHOICES, IMU_SET_TASKS, shortened
from ui.session.state import setting, widget

SET_SAMPLE, SET_UPLOAD = IMU_SET_CHOICES
FORECAST_SET, CORRECT_VQF = IMU_SET_TASKS
FILES = "imu.set_files"  # session key: (name, bytes) of each file of the last upload of a set
NAME_CHARS = 80  # a recording's name as shown


@dataclass(frozen=True)
class ImuSetChoice:
    """Which recordings, each in which role, for which task: the identity of a set source."""

    digest: str  # sha1 over every file's name and bytes, in order ("broad-set" for the sample)
    names: tuple[str, ...]  # one per recording
    roles: tuple[str, ...]  # a role of ROLES per recording
    task: ImuTask | CorrectionTask = ImuTask()

    @property
    def corrects(self) -> bool:
        """True for the task that corrects VQF's estimate."""
        return isinstance(self.task, CorrectionTask)


@st.cache_resource(max_entries=2, show_spinner="Reading the recordings and running VQF on each…")
def _loaded(digest: str, _files: tuple[tuple[str, bytes], ...] | None):
    """(names, recordings, tables, default roles) of a set, read once per server; the sample
    when `_files` is None. Kept by reference: callers must not change them."""
    if _files is None:
        names, recordings, roles = read_broad_set()
    else:
        read = [pair for name, data in _files for pair in read_recordings(named_bytes(name, data))]
        names = [name for name, _ in read]
        recordings = [recording for _, recording in read]
        roles = default_roles(len(read))
    tables = [imu_table(recording, "vqf") for recording in recordings]
    return tuple(names), tuple(recordings), tuple(tables), tuple(roles)


def default_roles(count: int) -> list[str]:
    """Uploads' roles until edited: the last recording tests, the one before validates, the rest
    train."""
    roles = ["train"] * count
    if count >= 1:
        roles[-1] = "test"
    if count >= 2:
        roles[-2] = "validation"
    return roles


def set_recordings(
    choice: ImuSetChoice,
) -> tuple[tuple[str, ...], tuple[ImuRecording, ...], tuple[ImuTable, ...]]:
    """(names, recordings, tables) of a set choice, tables with VQF at its defaults."""
    names, recordings, tables, _ = _loaded(choice.digest, _files_of(choice.digest))
    return names, recordings, tables


def _files_of(digest: str) -> tuple[tuple[str, bytes], ...] | None:
    """The uploaded files of a set (None for the shipped sample)."""
    if digest == "broad-set":
        return None
    files = st.session_state.get(FILES)
    if files is None or files_digest(files) != digest:
        raise DataError("Upload the recordings again: this session no longer holds them.")
    return files


def files_digest(files) -> str:
    """sha1 over the files' names and bytes."""
    sha = hashlib.sha1()
    for name, data in files:
        sha.update(name.encode("utf-8") + b"\0" + hashlib.sha1(data).digest())
    return sha.hexdigest()


def _picked(draw: bool) -> str | None:
    """The chosen set's digest (its files kept in the session); None until files are uploaded."""
    if setting("imu.choice") == SET_SAMPLE:
        if not BROAD_SET_PATH.exists():
            raise DataError("The BROAD set is missing from data/: reinstall the app's data.")
        return "broad-set"
    uploads = st.session_state.get("imu.set_upload")
    if draw:
        limit = st.get_option("server.maxUploadSize")
        uploads = st.file_uploader(
            "Several CSVs, one recording each, or a zip of such CSVs (each file up to "
            f"{limit:g} MB)",
            type=["csv", "txt", "tsv", "zip"],
            accept_multiple_files=True,
            key="imu.set_upload",
        )
    if uploads:
        st.session_state[FILES] = tuple((f.name, f.getvalue()) for f in uploads)
    files = st.session_state.get(FILES)
    return None if not files else files_digest(files)


def restore_set(files: tuple[tuple[str, bytes], ...], roles) -> None:
    """Make kept files the session's uploaded set, as if uploaded again, with the roles they
    had as its defaults (read like an upload when used)."""
    st.session_state[FILES] = files
    st.session_state[_kept_roles_key(files_digest(files))] = tuple(roles)


def _kept_roles_key(digest: str) -> str:
    return f"imu.set.kept_roles.{digest}"


def _roles_key(digest: str) -> str:
    return f"imu.set.roles.{digest}"


def _roles(digest: str, names, defaults) -> tuple[str, ...]:
    """The roles the person set in the table (its edits in the session), else the defaults."""
    return with_role_edits(defaults, st.session_state.get(_roles_key(digest)))


def with_role_edits(defaults, edits: dict | None) -> tuple[str, ...]:
    """The default roles with a role table's edits (st.data_editor's state: {"edited_rows":
    {row: {"role": role}}}) applied; a cleared cell keeps its default."""
    roles = list(defaults)
    for row, changed in ((edits or {}).get("edited_rows") or {}).items():
        if changed.get("role") and 0 <= int(row) < len(roles):
            roles[int(row)] = changed["role"]
    return tuple(roles)


def _role_table(digest: str, names, defaults) -> None:
    """The table where the person gives each recording its role."""
    shown = pd.DataFrame(
        {"recording": [shortened(n, NAME_CHARS) for n in names], "role": list(defaults)}
    )
    st.data_editor(
        shown,
        column_config={
            "recording": st.column_config.TextColumn("recording", disabled=True),
            "role": st.column_config.SelectboxColumn("role", options=list(ROLES), required=True),
        },
        hide_index=True,
        num_rows="fixed",
        key=_roles_key(digest),
    )
    st.caption(
        "Whole recordings train, validate (early stopping) or test (scored on Evaluate, never "
        "seen in training); z-scores come from the training recordings only. Every recording is "
        "read with VQF at its defaults, at the recording's own rate."
    )


def _task(tables, draw: bool) -> ImuTask | CorrectionTask:
    """The set's task: the next-state forecast, or correcting VQF (only where every recording
    has a ground truth)."""
    with_truth = all(t.truth is not None for t in tables)
    options = list(IMU_SET_TASKS) if with_truth else [FORECAST_SET]
    if draw:
        st.radio(**widget("imu.set_task", options=options), horizontal=False)
        if not with_truth:
            st.caption(
                "Correct VQF needs a ground-truth orientation in every recording: some of these "
                "have none, so only the forecast is offered."
            )
    if setting("imu.set_task") == CORRECT_VQF and with_truth:
        return CorrectionTask()
    if draw:
        c1, c2 = st.columns(2)
        c1.number_input(**widget("imu.horizon"))
        c2.checkbox(**widget("imu.change"))
    horizon, change = int(setting("imu.horizon")), bool(setting("imu.change"))
    return ImuTask(horizon=horizon, predict_change=change)


def imu_set_choice(draw: bool) -> ImuSetChoice | None:
    """The set the settings choose, with its widgets when `draw`; None until files are uploaded
    (DataError or ImuFormatError with a sentence for roles or files that cannot be used)."""
    if draw:
        st.radio(**widget("imu.choice"))
    digest = _picked(draw)
    if digest is None:
        if draw:
            st.info("Upload two or more recordings (or a zip of CSVs), or choose the BROAD set.")
        return None
    names, _, tables, defaults = _loaded(digest, _files_of(digest))
    kept = st.session_state.get(_kept_roles_key(digest))  # a kept run's roles
    defaults = kept if kept is not None and len(kept) == len(names) else defaults
    if draw:
        _role_table(digest, names, defaults)
    roles = _roles(digest, names, defaults)
    check_roles(names, roles)
    return ImuSetChoice(digest, names, roles, _task(tables, draw))


def set_error(err: Exception) -> str:
    """A refused set as one plain sentence."""
    said = str(err)
    if isinstance(err, ImuFormatError):
        said = f"One of the files cannot be read: {said}"
    return as_text(said)


def set_label(choice: ImuSetChoice) -> str:
    """What training will use, in words."""
    counts = {role: choice.roles.count(role) for role in ROLES}
    task = "correct VQF" if choice.corrects else "next-state forecast"
    return (
        f"IMU set: {len(choice.names)} recordings ({counts['train']} train, "
        f"{counts['validation']} validation, {counts['test']} test; {task})"
    )


def set_preview(choice: ImuSetChoice) -> None:
    """Each recording's rate, length, truth and role."""
    names, recordings, tables = set_recordings(choice)
    rows = [
        {
            "recording": shortened(name, NAME_CHARS),
            "role": role,
            "rate (Hz)": f"{recording.sample_rate:g}",
            "duration (s)": f"{len(table.values) / recording.sample_rate:.1f}",
            "ground truth": "yes" if table.truth is not None else "no",
        }
        for name, recording, table, role in zip(
            names, recordings, tables, choice.roles, strict=True
        )
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="data.imu_set")
    if len(names) == 1:
        st.caption("One recording: choose it alone (Upload a CSV or zip) for its temporal split.")
