"""An IMU recording as the model sees it: the channels, the attitude a device would have, and the
ground truth kept apart.

recording (SI, uniform rate) -> values: channels + roll, pitch as the model reads them
                                         (an attitude filter's estimate, or the truth to teach)
                             -> truth:  roll, pitch of the file's reference (NaN in its holes)
                             -> motion: the movement phases, when the file marks them

Targets are the truth wherever the file has one; persistence and every forecast baseline start
from `values` (what a device has), never from the truth.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnn_core.datasets.imu.attitude import ATTITUDE_METHODS, estimate_attitude
from rnn_core.datasets.imu.reader import ImuRecording
from rnn_core.datasets.imu.samples import SETTLE_SECONDS, settling
from rnn_core.datasets.windows import DataError

ANGLES = ("roll", "pitch")
WRAPPED = ("roll", "yaw")  # angles on a circle: 359 deg is 1 deg from 0 (pitch lives in +-90)
TRUTH_INPUT = "truth"  # the attitude input read from the reference (teaching only)
DEFAULT_ATTITUDE = "vqf"
_REFERENCE_ONLY = ("roll", "pitch", "yaw", "qw", "qx", "qy", "qz")  # never an input by stealth


@dataclass(frozen=True)
class ImuTable:
    """A recording's columns with roll and pitch as the model reads them, and the truth apart."""

    values: pd.DataFrame  # (N, C) SI: sensor channels, then roll and pitch (attitude_source)
    time: np.ndarray  # (N,) seconds
    sample_rate: float  # Hz
    segments: tuple[tuple[int, int], ...]  # row ranges [start, end) without gaps
    labels: np.ndarray | None  # (N,) str activity labels, when the file has them
    truth: pd.DataFrame | None  # (N, 2) roll, pitch (rad) of the reference; NaN in its holes
    motion: np.ndarray | None  # (N,) bool movement phases, when the file marks them
    attitude_source: str  # a key of ATTITUDE_METHODS, or TRUTH_INPUT
    orientation_note: str  # where roll and pitch come from, for the page to say
    settling: np.ndarray | None = None  # (N,) bool: a filter still settling after a gap
    filter_rate: float | None = None  # Hz the attitude filter ran at (the file's); None: truth

    def target_values(self, names) -> np.ndarray:
        """(N, K) float64 of each target: the truth for roll and pitch when there is one; roll
        and pitch NaN (no loss, no score) where the filters are settling after a gap."""
        columns = [
            self.truth[n] if self.truth is not None and n in ANGLES else self.values[n]
            for n in names
        ]
        out = np.column_stack([c.to_numpy(np.float64) for c in columns])  # (N, K)
        if self.settling is not None:
            angles = [k for k, n in enumerate(names) if n in ANGLES]
            out[np.ix_(self.settling, angles)] = np.nan
        return out

    def settling_rows(self) -> int:
        """How many rows are left out of targets and scores while the filters settle."""
        return 0 if self.settling is None else int(self.settling.sum())

    def moving(self) -> np.ndarray:
        """(N,) bool: the file's movement phases, else rows whose rotation rate passes 0.2 rad/s
        (smoothed over a quarter second)."""
        if self.motion is not None:
            return self.motion
        gyro = self.values[["gx", "gy", "gz"]].to_numpy(np.float64)
        rate = np.linalg.norm(gyro, axis=1)  # (N,) rad/s
        width = max(1, int(round(0.25 * self.sample_rate)))
        smooth = np.convolve(rate, np.ones(width) / width, mode="same")
        return smooth > MOVING_RATE


MOVING_RATE = 0.2  # rad/s (11 deg/s): slower is taken as rest where the file does not say


def attitude_label(source: str) -> str:
    """A person's name for an attitude source."""
    if source == TRUTH_INPUT:
        return "the ground truth"
    return ATTITUDE_METHODS[source].label


def imu_table(
    recording: ImuRecording,
    attitude: str = DEFAULT_ATTITUDE,
    gains: tuple[tuple[str, float], ...] = (),
    use_mag: bool = False,
) -> ImuTable:
    """The recording with roll and pitch from `attitude` (a filter at `gains`, with the
    magnetometer when `use_mag`, or TRUTH_INPUT when the file has a truth), the truth kept apart
    (DataError with a sentence for an unknown source or a gain it cannot take)."""
    ch = recording.channels
    has_truth = recording.has_orientation
    if attitude == TRUTH_INPUT and not has_truth:
        raise DataError(
            "This recording has no ground-truth orientation to read as input: choose an "
            "attitude filter."
        )
    if attitude != TRUTH_INPUT and attitude not in ATTITUDE_METHODS:
        raise DataError(
            f"Unknown attitude source '{attitude}': choose one of "
            f"{', '.join(ATTITUDE_METHODS)} or {TRUTH_INPUT}."
        )
    truth = ch[list(ANGLES)].copy() if has_truth else None
    values = ch.drop(columns=[c for c in _REFERENCE_ONLY if c in ch.columns])
    if attitude == TRUTH_INPUT:
        values[list(ANGLES)] = truth.to_numpy()
    else:
        try:
            estimate = estimate_attitude(recording, attitude, use_mag=use_mag, **dict(gains))
        except ValueError as error:
            raise DataError(str(error)) from None
        values["roll"], values["pitch"] = estimate["roll"], estimate["pitch"]
    return ImuTable(
        values=values,
        time=recording.time,
        sample_rate=recording.sample_rate,
        segments=recording.segments,
        labels=recording.labels,
        truth=truth,
        motion=recording.motion,
        attitude_source=attitude,
        orientation_note=_note(attitude, has_truth),
        settling=_settling(recording),
        filter_rate=None if attitude == TRUTH_INPUT else _filter_rate(recording),
    )


def _filter_rate(recording: ImuRecording) -> float:
    """The rate (Hz) the attitude filters run at: the file's own, else the recording's."""
    return recording.raw.rate if recording.raw is not None else recording.sample_rate


def settling_note(table: ImuTable) -> list[str]:
    """A sentence on the rows left out while the filters settle after a gap; none without."""
    rows = table.settling_rows()
    if rows == 0:
        return []
    return [
        f"Settling: {rows:,} row(s) ({rows / table.sample_rate:.3g} s), the first "
        f"{SETTLE_SECONDS:g} s after each gap, where every attitude filter has restarted and is "
        "still settling: left out of the roll and pitch targets and of every score."
    ]


def _settling(recording: ImuRecording) -> np.ndarray | None:
    """(N,) bool rows where the filters settle after a gap; None without a gap."""
    if recording.raw is None or len(recording.segments) < 2:
        return None
    return settling(recording.raw, recording.segments)


def _note(attitude: str, has_truth: bool) -> str:
    """Where the model's roll and pitch come from, and what the targets are."""
    if attitude == TRUTH_INPUT:
        return (
            "Roll and pitch inputs are the ground truth (teaching): a device never has them, so "
            "scores here flatter the model. Targets are the truth."
        )
    source = attitude_label(attitude)
    if has_truth:
        return (
            f"Roll and pitch inputs come from {source}, as a device would estimate them; the "
            "targets are the file's ground truth, so the model is scored against the truth."
        )
    return (
        f"The file has no orientation: roll and pitch come from {source}, an estimate and not "
        "ground truth, so they are both input and target, and filters can only be compared "
        "with each other."
    )


def recording_fingerprint(table: ImuTable) -> str:
    """A short hash of the sensor channels and rate: the same recording read the same way."""
    sensor = table.values[["ax", "ay", "az", "gx", "gy", "gz"]].to_numpy(np.float32)
    digest = hashlib.sha256(np.ascontiguousarray(sensor).tobytes())
    digest.update(f"{table.sample_rate:.9g}".encode())
    return digest.hexdigest()[:16]
