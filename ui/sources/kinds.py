"""The kinds of data a session trains on, one class each (text in `ui.sources.text`): its widgets on
the Data page, the source its settings describe, the task shape it fixes, whether it needs a file,
and its windows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.datasets.imu.correction import prepare_correction
from rnn_core.datasets.imu.prepare import prepare_imu
from rnn_core.datasets.imu.recordings import ROLES, prepare_set
from rnn_core.datasets.memory import AddingConfig, CopyConfig, prepare_adding, prepare_copy
from rnn_core.datasets.prepare import PreparedData, prepare_series
from rnn_core.datasets.sine import SineConfig, make_sine
from rnn_core.runs.blobs import RunData
from ui.session.settings import IMU_SET_CHOICES, SETTINGS
from ui.session.source import Source
from ui.session.state import chosen, setting, widget
from ui.sources.imu import SLOT as IMU_SLOT
from ui.sources.imu import UPLOAD as IMU_UPLOAD
from ui.sources.imu import (
    ImuChoice,
    imu_choice_from_settings,
    imu_controls,
    recording_of,
    restore_upload,
)
from ui.sources.imu_sets import FILES as SET_FILES
from ui.sources.imu_sets import (
    SET_UPLOAD,
    ImuSetChoice,
    files_digest,
    imu_set_choice,
    restore_set,
    set_label,
    set_recordings,
)

SINE_FRACTIONS = (0.7, 0.15, 0.15)
MEMORY_TASKS = {  # what each task asks, shown under its name
    "adding": "Each sequence holds random numbers, two of them marked (one in each half); the "
    "model must output their sum at the end. Guessing the mean sum, 1, scores MSE 1/6.",
    "copy": "The first symbols of each sequence must be reproduced, in order, after a delay of "
    "blanks and a go signal; the model outputs a blank everywhere else.",
}


@st.cache_data(max_entries=32, show_spinner=False)
def sine_series(config: SineConfig) -> np.ndarray:
    """The series of a sine config (cached: the same knobs give the same array)."""
    return make_sine(config)


def _floats(text: str, what: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.replace(";", ",").split(",") if v.strip())
    except ValueError:
        raise DataError(f"{what} must be numbers separated by commas, like 0.5, 1.3.") from None
    if not values:
        raise DataError(f"Give at least one value for {what.lower()}.")
    return values


@dataclass(frozen=True)
class SineSource(Source):
    """Sine waves: a mix of frequencies, several series, noise."""

    sine: SineConfig
    kind: ClassVar[str] = "sine"

    def prepare(self, length: int, task_shape: str, on: str) -> PreparedData:
        """Windows of the series, split in time."""
        series = sine_series(self.sine)  # (N, L, 1)
        return prepare_series(
            series, length, task_shape, SINE_FRACTIONS, feature_names=("value",), device=on
        )

    @classmethod
    def controls(cls) -> Source:
        """Widgets for the sine waves; the source (DataError for unusable knobs)."""
        c1, c2, c3 = st.columns(3)
        c1.number_input(**widget("sine.num_series"))
        c1.number_input(**widget("sine.length"))
        c1.number_input(**widget("sine.rate"))
        c2.text_input(
            **widget("sine.freqs"),
            help="One or more frequencies separated by commas, e.g. 0.5, 1.3",
        )
        c2.text_input(**widget("sine.amps"), help="One for all components, or one per frequency")
        c3.slider(**widget("sine.phase"))
        c3.checkbox(**widget("sine.random"))
        c3.slider(**widget("sine.noise"), step=0.01)
        c3.number_input(
            **widget("sine.seed"), help="Random phases and noise; the model's seed is on Home"
        )
        return cls.from_settings()

    @classmethod
    def default(cls) -> SineSource:
        """The default sine waves: what stands in for knobs that cannot be used."""
        return cls("Sine: default", SineConfig())

    @classmethod
    def from_settings(cls) -> Source:
        """The sine waves the settings describe (DataError for unusable knobs)."""
        config = SineConfig(
            num_series=int(setting("sine.num_series")),
            length=int(setting("sine.length")),
            sample_rate=float(setting("sine.rate")),
            frequencies=_floats(setting("sine.freqs"), "Frequencies"),
            amplitudes=_floats(setting("sine.amps"), "Amplitudes"),
            phase=float(setting("sine.phase")),
            random_phase=bool(setting("sine.random")),
            noise_std=float(setting("sine.noise")),
            seed=int(setting("sine.seed")),
        )
        sine_series(config)  # validates now, so the message appears where the source is chosen
        rate = config.sample_rate
        label = f"Sine: {config.num_series} series × {config.length} samples at {rate:g} Hz"
        return cls(label, config)


@dataclass(frozen=True)
class ImuSource(Source):
    """An IMU recording and its task: forecast the next state, or classify the activity."""

    imu: ImuChoice
    kind: ClassVar[str] = "imu"
    kept_kinds: ClassVar[tuple[str, ...]] = ("imu-upload",)
    fixed_shape: ClassVar[str] = "Activity: one class for each window."

    @property
    def task_shape(self) -> str | None:
        """One class per window when classifying; else the person's choice."""
        return "many_to_one" if self.imu.task.classify else None

    def recording(self) -> tuple:
        """The recording and its table (ImuFormatError with a sentence)."""
        return recording_of(self.imu)

    def kept_data(self) -> RunData | None:
        """The uploaded recording, while the session holds the one this source read."""
        if setting("imu.choice") != IMU_UPLOAD:
            return None
        return IMU_SLOT.kept("imu-upload", self.imu.digest)

    @classmethod
    def held_files(cls, data_kind: str) -> list[tuple[str, bytes]]:
        """The session's upload."""
        return IMU_SLOT.files()

    @classmethod
    def restore_kept(cls, entry: dict, files: tuple[tuple[str, bytes], ...]) -> None:
        """The kept file made the session's upload again."""
        restore_upload(*files[0])

    def prepare(self, length: int, task_shape: str, on: str) -> PreparedData:
        """Windows of the recording's parts, never across a gap or a split."""
        _, table = recording_of(self.imu)
        task, test_at = self.imu.task, self.imu.test_at
        return prepare_imu(table, length, task, task_shape, device=on, test_at=test_at)

    @classmethod
    def controls(cls) -> Source | None:
        """The recording (or set), what was read and the task; None until a file reads."""
        if setting("imu.choice") in IMU_SET_CHOICES:
            return ImuSetSource.of(imu_set_choice(draw=True))
        return cls.of(imu_controls())

    @classmethod
    def from_settings(cls) -> Source | None:
        """The recording (or set) the settings choose; None while it needs an upload."""
        if setting("imu.choice") in IMU_SET_CHOICES:
            return ImuSetSource.of(imu_set_choice(draw=False))
        return cls.of(imu_choice_from_settings())

    @classmethod
    def of(cls, choice: ImuChoice | None) -> Source | None:
        """The source of an IMU choice (None for none)."""
        if choice is None:
            return None
        task = "activity" if choice.task.classify else "next-state forecast"
        return cls(f"IMU: {choice.name} ({task})", choice)

    @classmethod
    def needs_a_file(cls) -> bool:
        """An uploaded recording."""
        return setting("imu.choice") in (IMU_UPLOAD, SET_UPLOAD)


@dataclass(frozen=True)
class ImuSetSource(Source):
    """Several IMU recordings, each a whole training, validation or test recording; the task
    forecasts the next state or corrects VQF. The IMU kind's controls return it for a set."""

    imu_set: ImuSetChoice
    kind: ClassVar[str] = "imu_set"
    kept_kinds: ClassVar[tuple[str, ...]] = ("imu-set",)
    fixed_shape: ClassVar[str] = (
        "Correct VQF: the attitude at every step, as a correction added to VQF's estimate."
    )

    @property
    def task_shape(self) -> str | None:
        """A correction at every step; else the person's choice."""
        return "many_to_many" if self.imu_set.corrects else None

    def recordings(self) -> tuple:
        """(names, recordings, tables) of the set, tables with VQF at its defaults."""
        return set_recordings(self.imu_set)

    def kept_data(self) -> RunData | None:
        """The uploaded files and their roles, while the session holds the ones it read."""
        files = st.session_state.get(SET_FILES)
        if (
            setting("imu.choice") == SET_UPLOAD
            and files
            and files_digest(files) == self.imu_set.digest
        ):
            roles = ("roles", list(self.imu_set.roles))
            return RunData("imu-set", self.label, tuple(files), (roles,))
        return None

    @classmethod
    def held_files(cls, data_kind: str) -> list[tuple[str, bytes]]:
        """The session's uploaded set."""
        return list(st.session_state.get(SET_FILES) or ())

    @classmethod
    def restore_kept(cls, entry: dict, files: tuple[tuple[str, bytes], ...]) -> None:
        """The kept files made the session's set again, with their roles when they fit."""
        roles = entry.get("roles")
        fits = isinstance(roles, list) and all(role in ROLES for role in roles)
        restore_set(files, roles if fits else ())

    def prepare(self, length: int, task_shape: str, on: str) -> PreparedData:
        """Windows of every recording for its role, statistics from the training recordings."""
        choice = self.imu_set
        names, _, tables = set_recordings(choice)
        if choice.corrects:
            return prepare_correction(tables, names, choice.roles, length, choice.task)
        return prepare_set(tables, names, choice.roles, length, choice.task, task_shape)

    @classmethod
    def of(cls, choice: ImuSetChoice | None) -> Source | None:
        """The source of a set choice (None for none)."""
        return None if choice is None else cls(set_label(choice), choice)


@dataclass(frozen=True)
class MemorySource(Source):
    """A generated memory task: the adding problem or copy memory."""

    memory: AddingConfig | CopyConfig
    kind: ClassVar[str] = "memory"
    fixed_shape: ClassVar[str] = (
        "A memory task: its own outputs (the sum at the end, or the recalled symbols)."
    )
    own_length: ClassVar[bool] = True

    @property
    def task_shape(self) -> str:
        """The sum after the sequence, or the recalled symbols at every step."""
        return "many_to_one" if isinstance(self.memory, AddingConfig) else "many_to_many"

    def prepare(self, length: int, task_shape: str, on: str) -> PreparedData:
        """The task's own sequences (its length and shape, not the window's)."""
        make = prepare_adding if isinstance(self.memory, AddingConfig) else prepare_copy
        return make(self.memory, on)

    @classmethod
    def controls(cls) -> Source:
        """Widgets for the memory tasks; the source."""
        st.radio(**widget("memory.task"), horizontal=True)
        adding = chosen("memory.task") == "adding"
        st.caption(MEMORY_TASKS[chosen("memory.task")])
        c1, c2 = st.columns(2)
        delay = "Delay (steps between the symbols and recall)"
        c1.number_input(
            **widget("memory.length", label=SETTINGS["memory.length"].label if adding else delay),
            help="The knob that makes it hard: how far back the model must remember.",
        )
        c2.number_input(**widget("memory.seed"))
        return cls.from_settings()

    @classmethod
    def from_settings(cls) -> Source:
        """The memory task the settings describe."""
        length, data_seed = int(setting("memory.length")), int(setting("memory.seed"))
        if chosen("memory.task") == "adding":
            config = AddingConfig(length=length, seed=data_seed)
            return cls(f"Adding problem, length {length}", config)
        config = CopyConfig(delay=length, seed=data_seed)
        label = f"Copy task: {config.copy_length} symbols recalled after {length} steps"
        return cls(label, config)
