"""Several recordings as one experiment: whole recordings train, validate or test.

files (CSVs, or a zip of CSVs) -> one ImuRecording each -> a role each (train / validation / test)
    -> imu_table per recording (its attitude filter at the recording's own rate)
    -> each recording's windows (prepare_imu over all of it, statistics not yet applied)
    -> z-scores fitted on the training recordings only
    -> one PreparedData: train windows from the training recordings, validation and test windows
       from theirs; a window never crosses from one recording into the next

The temporal split inside one recording (`prepare_imu`) stays the way to use a single file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch

from rnn_core.datasets.imu.parse import ImuFormatError, is_zip, load_input, named_bytes
from rnn_core.datasets.imu.prepare import ImuTable, ImuTask, prepare_imu
from rnn_core.datasets.imu.reader import ImuRecording, read_imu_csv
from rnn_core.datasets.imu.table import recording_fingerprint
from rnn_core.datasets.prepare import SPLIT_NAMES, PreparedData
from rnn_core.datasets.windows import DataError, Standardizer, WindowSet

ROLES = SPLIT_NAMES  # train, validation, test: the role of a whole recording


@dataclass(frozen=True)
class Stream:
    """One recording's rows as a model reads them, before z-scores (WindowSet's layout)."""

    inputs: np.ndarray  # (L + 1, F): row i is input row i; the last row pads
    targets: np.ndarray  # (L + 1, K): index i holds what row i - 1 must give (NaN: no truth)
    starts: np.ndarray  # (W,) first row of each window, all inside one gap-free piece


@dataclass(frozen=True)
class SetMeta:
    """What reading a set's results back needs: which recording each window comes from."""

    names: tuple[str, ...]  # of every recording, in the order given
    roles: tuple[str, ...]  # a role of ROLES per recording
    fingerprints: tuple[str, ...]  # recording_fingerprint of each recording's table
    windows: dict[str, tuple[tuple[int, int], ...]]  # split -> (recording, window count) in order
    input_standardizer: Standardizer  # fitted on the training recordings only
    task: Any  # the task every recording was prepared for (an ImuTask, a CorrectionTask)

    def trained_on(self) -> tuple[tuple[str, str], ...]:
        """(name, fingerprint) of every recording the model trained on."""
        return tuple(
            (name, print_)
            for name, print_, role in zip(self.names, self.fingerprints, self.roles, strict=True)
            if role == "train"
        )

    def fingerprint(self) -> dict[str, list[dict[str, str]]]:
        """JSON-ready: per role, the recordings (name and fingerprint) that played it."""
        return {
            role: [
                {"name": n, "fingerprint": f}
                for n, f, r in zip(self.names, self.fingerprints, self.roles, strict=True)
                if r == role
            ]
            for role in ROLES
        }


def read_recordings(source) -> list[tuple[str, ImuRecording]]:
    """(name, recording) of every recording in a file: one for a CSV or a sensor zip (phyphox,
    Sensor Logger), one per member for a zip whose CSVs are each a whole recording."""
    data, name = load_input(source)
    if is_zip(data):
        members = _recording_members(data)
        if members is not None:
            return members
    return [(name, read_imu_csv(named_bytes(name, data)))]


def read_zip_members(source, members: Sequence[str]) -> list[tuple[str, ImuRecording]]:
    """(name, recording) of chosen CSV members of a zip of whole recordings, in that order."""
    data, _ = load_input(source)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(m, read_imu_csv(named_bytes(m, archive.read(m)))) for m in members]


def _recording_members(data: bytes) -> list[tuple[str, ImuRecording]] | None:
    """Each CSV member read alone, when at least two are whole recordings; None for a zip whose
    members only make a recording together (one CSV per sensor), or are unreadable."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None
    names = sorted(
        n
        for n in archive.namelist()
        if n.lower().endswith(".csv") and not n.startswith("__MACOSX") and not n.endswith("/")
    )
    read = []
    for member in names:
        try:
            recording = read_imu_csv(named_bytes(member, archive.read(member)))
        except ImuFormatError:
            continue
        read.append((member.rsplit("/", 1)[-1], recording))
    return read if len(read) >= 2 else None


def check_roles(names: Sequence[str], roles: Sequence[str]) -> None:
    """Refuse, with a sentence, roles that cannot make an experiment."""
    if len(names) != len(roles):
        raise DataError("Give every recording one role: train, validation or test.")
    unknown = sorted({r for r in roles if r not in ROLES})
    if unknown:
        raise DataError(f"Unknown role {', '.join(unknown)}: choose train, validation or test.")
    missing = [role for role in ROLES if role not in roles]
    if missing:
        raise DataError(
            f"No recording plays {' or '.join(missing)}: give at least one recording each role "
            "(train, validation, test), or use one recording with its temporal split."
        )


def forecast_stream(
    table: ImuTable, seq_len: int, task: ImuTask, task_shape: str
) -> tuple[Stream, PreparedData]:
    """A recording's windows for `task` over all of it (prepare_imu), in SI, and that data."""
    F, K = len(task.inputs), len(task.targets)
    identity = (_identity(F), _identity(K), ())
    data = prepare_imu(table, seq_len, task, task_shape, (0.0, 0.0, 1.0), fitted=identity)
    windows = data.test
    return Stream(
        windows.inputs[0].numpy().astype(np.float64),
        windows.targets[0].numpy().astype(np.float64),
        windows.starts.numpy(),
    ), data


def _identity(width: int) -> Standardizer:
    """Statistics that leave values as they are."""
    return Standardizer(mean=np.zeros(width, np.float32), std=np.ones(width, np.float32))


def prepare_set(
    tables: Sequence[ImuTable],
    names: Sequence[str],
    roles: Sequence[str],
    seq_len: int,
    task: ImuTask | None = None,
    task_shape: str = "many_to_one",
) -> PreparedData:
    """One experiment over several recordings: windows for `task` (ImuTask() by default) from
    each, train windows from the training recordings only, z-scores fitted there (DataError with
    a sentence)."""
    task = task or ImuTask()
    if task.classify:
        raise DataError("A set of recordings forecasts; classify the activity of one recording.")
    check_roles(names, roles)
    streams = [forecast_stream(t, seq_len, task, task_shape)[0] for t in tables]
    return assemble(streams, tables, names, roles, seq_len, task_shape, task, task.targets)


def assemble(
    streams: Sequence[Stream],
    tables: Sequence[ImuTable],
    names: Sequence[str],
    roles: Sequence[str],
    seq_len: int,
    task_shape: str,
    task: Any,
    target_names: Sequence[str],
    center_targets: bool = True,
) -> PreparedData:
    """PreparedData from every recording's stream: statistics from the training streams only
    (targets not centred when `center_targets` is off, so an output of 0 stays 0 in SI)."""
    check_roles(names, roles)
    train = [s for s, role in zip(streams, roles, strict=True) if role == "train"]
    inputs = Standardizer.fit(np.concatenate([s.inputs[:-1] for s in train])[None])
    learned = np.concatenate([_window_targets(s, seq_len, task_shape) for s in train])  # (R, K)
    targets = Standardizer.fit(learned[None])
    if not center_targets:
        targets = replace(targets, mean=np.zeros_like(targets.mean))
    sets, windows = {}, {}
    for split in ROLES:
        chosen = [i for i, role in enumerate(roles) if role == split]
        sets[split] = _joined([streams[i] for i in chosen], inputs, targets, seq_len, task_shape)
        windows[split] = tuple((i, len(streams[i].starts)) for i in chosen)
    meta = SetMeta(
        tuple(names),
        tuple(roles),
        tuple(recording_fingerprint(t) for t in tables),
        windows,
        inputs,
        task,
    )
    return PreparedData(
        "regression",
        sets["train"],
        sets["validation"],
        sets["test"],
        input_size=streams[0].inputs.shape[1],
        output_size=streams[0].targets.shape[1],
        seq_len=seq_len,
        task_shape=task_shape,
        standardizer=targets,
        target_names=tuple(target_names),
        meta=meta,
    )


def _window_targets(stream: Stream, seq_len: int, task_shape: str) -> np.ndarray:
    """The target rows the windows of a stream learn from, (R, K): the last one of each window,
    or every one a window covers (many_to_many)."""
    length = len(stream.targets)
    if task_shape == "many_to_one":
        return stream.targets[stream.starts + seq_len]
    edges = np.zeros(length + 1, dtype=np.int64)  # covered rows s+1 .. s+T of every window
    np.add.at(edges, stream.starts + 1, 1)
    np.add.at(edges, stream.starts + seq_len + 1, -1)
    return stream.targets[np.cumsum(edges[:-1]) > 0]


def _joined(streams, inputs: Standardizer, targets: Standardizer, seq_len, task_shape):
    """One WindowSet over the streams laid end to end (each keeps its padding row, so no window
    reaches into the next recording)."""
    if not streams:
        raise DataError("Every role needs at least one recording.")
    x = np.concatenate([inputs.transform(s.inputs) for s in streams])  # (sum L + 1, F)
    y = np.concatenate([targets.transform(s.targets) for s in streams])  # (sum L + 1, K)
    offsets = np.cumsum([0] + [len(s.inputs) for s in streams[:-1]])
    starts = np.concatenate([s.starts + o for s, o in zip(streams, offsets, strict=True)])
    if len(starts) == 0:
        raise DataError("These recordings are too short for one window: shorten the window.")
    return WindowSet(
        torch.from_numpy(x)[None],  # (1, L, F)
        torch.from_numpy(y)[None],  # (1, L, K)
        seq_len,
        task_shape,
        torch.from_numpy(starts.astype(np.int64)),
    )


def window_slices(meta: SetMeta, split: str) -> dict[int, slice]:
    """Recording index -> the slice of the split's windows that come from it."""
    out, at = {}, 0
    for index, count in meta.windows[split]:
        out[index] = slice(at, at + count)
        at += count
    return out
