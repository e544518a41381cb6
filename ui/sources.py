"""The Data page's widgets and the session's chosen source (sine or text), loaded through caches."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.datasets.memory import AddingConfig, CopyConfig
from rnn_core.datasets.sine import SineConfig, make_sine
from rnn_core.datasets.text import CORPORA, decode_text_bytes
from ui.imu_source import UPLOAD as IMU_UPLOAD
from ui.imu_source import ImuChoice, imu_choice_from_settings, imu_controls
from ui.plain import as_text
from ui.settings import TEXT_CHOICES, shortened
from ui.state import persisted, setting

NO_SOURCE = "source.none"  # session key: why the session has no data of its own to train on
SINE_FRACTIONS = (0.7, 0.15, 0.15)
TEXT_FRACTIONS = (0.8, 0.1, 0.1)
PASTE, UPLOAD = TEXT_CHOICES[-2:]
ADDING = "Adding problem"
MEMORY_TASKS = {  # what each task asks, shown under its name
    ADDING: "Each sequence holds random numbers, two of them marked (one in each half); the "
    "model must output their sum at the end. Guessing the mean sum, 1, scores MSE 1/6.",
    "Copy task": "The first symbols of each sequence must be reproduced, in order, after a "
    "delay of blanks and a go signal; the model outputs a blank everywhere else.",
}


@dataclass(frozen=True)
class Source:
    """What the session trains on: a sine config, a text, or an IMU recording and task."""

    kind: str  # "sine", "text", "imu" or "memory"
    label: str
    sine: SineConfig | None = None
    text_digest: str = ""  # identifies the text without hashing it on every rerun
    imu: ImuChoice | None = None
    memory: AddingConfig | CopyConfig | None = None

    @property
    def key(self) -> tuple:
        """Hashable identity of the data."""
        return (self.kind, self.sine, self.text_digest, self.imu, self.memory)

    @property
    def task_shape(self) -> str | None:
        """The task shape this data fixes, or None when the person chooses: every next
        character of a text, one class per IMU window, the memory task's own shape."""
        if self.kind == "text":
            return "many_to_many"
        if self.kind == "imu" and self.imu.task.classify:
            return "many_to_one"
        if self.kind == "memory":
            return "many_to_one" if isinstance(self.memory, AddingConfig) else "many_to_many"
        return None


@st.cache_data(max_entries=32, show_spinner=False)
def sine_series(config: SineConfig) -> np.ndarray:
    """The series of a sine config (cached: the same knobs give the same array)."""
    return make_sine(config)


@st.cache_data(max_entries=8, show_spinner="Reading the corpus…")
def corpus_text(name: str) -> str:
    """A corpus that needs no file, by its name in CORPORA."""
    return CORPORA[name]()


@st.cache_data(max_entries=8, show_spinner=False)
def uploaded_text(data: bytes) -> str:
    """Decoded upload, cached on the bytes."""
    return decode_text_bytes(data)


def _floats(text: str, what: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.replace(";", ",").split(",") if v.strip())
    except ValueError:
        raise DataError(f"{what} must be numbers separated by commas, like 0.5, 1.3.") from None
    if not values:
        raise DataError(f"Give at least one value for {what.lower()}.")
    return values


def sine_controls() -> Source:
    """Widgets for the sine source; returns it (raises DataError for unusable knobs)."""
    c1, c2, c3 = st.columns(3)
    c1.number_input("Number of series", 1, 256, **persisted("sine.num_series"))
    c1.number_input("Samples per series", 20, 20_000, **persisted("sine.length"))
    c1.number_input("Sample rate (Hz)", 1.0, 1000.0, **persisted("sine.rate"))
    c2.text_input(
        "Frequencies (Hz), a mix",
        **persisted("sine.freqs"),
        help="One or more frequencies separated by commas, e.g. 0.5, 1.3",
    )
    c2.text_input(
        "Amplitudes",
        **persisted("sine.amps"),
        help="One for all components, or one per frequency",
    )
    c3.slider("Phase (radians)", 0.0, 6.28, **persisted("sine.phase"))
    c3.checkbox("Each series at a random phase", **persisted("sine.random"))
    c3.slider("Noise (std)", 0.0, 1.0, step=0.01, **persisted("sine.noise"))
    c3.number_input(
        "Data seed",
        0,
        2**31 - 1,
        **persisted("sine.seed"),
        help="Random phases and noise; the model's seed is on Home",
    )
    return sine_source()


def sine_source() -> Source:
    """The sine source the session's settings describe (DataError for unusable knobs)."""
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
    return Source("sine", label, sine=config)


def text_controls() -> Source | None:
    """Widgets for the text source; returns it, or None until the user gives some text."""
    choice = st.radio("Text", list(TEXT_CHOICES), **persisted("text.choice"), horizontal=True)
    if choice == PASTE:
        text = st.text_area("Your text", **persisted("text.pasted"), height=180)
        if not text.strip():
            st.info("Paste some text above to train on it.")
    if choice == UPLOAD:
        limit = st.get_option("server.maxUploadSize")  # MB; a larger file is refused
        file = st.file_uploader(
            f"A UTF-8 .txt file, up to {limit:g} MB", type=["txt"], key="text.upload"
        )
        if file is not None:
            st.session_state.pop("text.last_upload", None)  # a refused file leaves none
            upload = _text_source(f"File {file.name}", uploaded_text(file.getvalue()))
            st.session_state["text.last_upload"] = upload
    return text_source()


def text_source() -> Source | None:
    """The text source the session's settings describe; None while there is no text yet."""
    choice = setting("text.choice")
    if choice == PASTE:
        text = setting("text.pasted")
        return _text_source("Pasted text", text) if text.strip() else None
    if choice == UPLOAD:
        return st.session_state.get("text.last_upload")
    return _text_source(choice, corpus_text(choice))


def imu_source(draw: bool = False) -> Source | None:
    """The IMU source: with `draw`, from the Data page's widgets; else from the settings. None
    until a file reads."""
    choice = imu_controls() if draw else imu_choice_from_settings()
    if choice is None:
        return None
    task = "activity" if choice.task.classify else "next-state forecast"
    return Source("imu", f"IMU: {choice.name} ({task})", imu=choice)


def _text_source(label: str, text: str) -> Source:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
    st.session_state.setdefault("text.by_digest", {})[digest] = text
    return Source("text", f"{label} ({len(text):,} characters)", text_digest=digest)


def source_text(source: Source) -> str:
    """The text of a text source, as kept for this session."""
    return st.session_state["text.by_digest"][source.text_digest]


def memory_controls() -> Source:
    """Widgets for the memory tasks; returns the source."""
    adding = st.radio("Task", list(MEMORY_TASKS), **persisted("memory.task"), horizontal=True)
    st.caption(MEMORY_TASKS[adding])
    c1, c2 = st.columns(2)
    c1.number_input(
        "Sequence length" if adding == ADDING else "Delay (steps between the symbols and recall)",
        2,
        1000,
        **persisted("memory.length"),
        help="The knob that makes it hard: how far back the model must remember.",
    )
    c2.number_input("Data seed", 0, 2**31 - 1, **persisted("memory.seed"))
    return memory_source()


def memory_source() -> Source:
    """The memory task the session's settings describe."""
    length, data_seed = int(setting("memory.length")), int(setting("memory.seed"))
    if setting("memory.task") == ADDING:
        config = AddingConfig(length=length, seed=data_seed)
        return Source("memory", f"Adding problem, length {length}", memory=config)
    config = CopyConfig(delay=length, seed=data_seed)
    label = f"Copy task: {config.copy_length} symbols recalled after {length} steps"
    return Source("memory", label, memory=config)


def source_from_settings() -> Source | None:
    """The source the session's settings describe, without drawing a widget (a link or a preset
    sets them before the Data page is opened); None while it needs a file or text."""
    kind = setting("source_kind")
    if kind == "Text":
        return text_source()
    if kind == "IMU recording":
        return imu_source()
    if kind == "Memory task":
        return memory_source()
    return sine_source()


def needs_a_file() -> bool:
    """True when the settings' data is an upload or pasted text: nothing may stand in for it."""
    kind = setting("source_kind")
    if kind == "Text":
        return setting("text.choice") in (PASTE, UPLOAD)
    return kind == "IMU recording" and setting("imu.choice") == IMU_UPLOAD


def _missing_sentence() -> str:
    """Why the session has no data of its own yet."""
    if setting("source_kind") == "Text" and setting("text.choice") == PASTE:
        what = "pasted text, and none is pasted yet"
    else:
        what = "an uploaded file, which is not part of a link and has not been uploaded (or was "
        what += "refused) in this session"
    return (
        f"This experiment trains on {what}: choose its data on 1 · Data. Nothing trains until then."
    )


def current_source() -> Source:
    """The session's source: the Data page's choice, else the one the settings describe; the
    default sine when they describe none that can be used (the reason is kept for the page).
    An upload or pasted text that is missing or refused has no stand-in: `missing_source()`
    then says so, and Train and Compare start nothing."""
    source = st.session_state.get("source")
    if source is not None:
        return source
    st.session_state.pop(NO_SOURCE, None)
    try:
        source = source_from_settings()
    except DataError as err:  # an ImuFormatError is a DataError too
        if needs_a_file():
            st.session_state[NO_SOURCE] = f"The chosen file cannot be used: {err} " + (
                "Nothing trains until other data is chosen on 1 · Data."
            )
        else:
            st.session_state["source.problem"] = str(err)
        source = None
    if source is None:
        if needs_a_file() and NO_SOURCE not in st.session_state:
            st.session_state[NO_SOURCE] = _missing_sentence()
        return Source("sine", "Sine: default", sine=SineConfig())
    st.session_state["source"] = source
    return source


def missing_source() -> str | None:
    """A sentence when the session's data is an upload or pasted text it does not have (or that
    was refused); None when it has data to train on."""
    current_source()
    if st.session_state.get("source") is not None:  # data chosen since the sentence was kept
        st.session_state.pop(NO_SOURCE, None)
    return st.session_state.get(NO_SOURCE)


def stop_without_data(start_label: str, key: str) -> None:
    """No stand-in for missing data: the page's start button drawn disabled, and the page
    stopped (the sentence that says why is at the top of every page)."""
    if missing_source():
        st.button(start_label, type="primary", disabled=True, key=key)
        st.stop()


def warn_unusable_source() -> None:
    """Say why the data the settings describe cannot be used: once when the default sine stands
    in for unusable knobs, on every page when an upload or pasted text is missing."""
    missing = missing_source()  # builds the source the settings describe, noting why it cannot
    if missing:
        st.warning(as_text(shortened(missing, 400)))
    problem = st.session_state.pop("source.problem", None)
    if problem:
        st.warning(
            as_text(f"{problem} The default sine waves are used until this is fixed on 1 · Data.")
        )
