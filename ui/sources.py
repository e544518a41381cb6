"""The Data page's widgets and the session's chosen source (sine or text), loaded through caches."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.datasets.sine import SineConfig, make_sine
from rnn_core.datasets.text import CORPORA, decode_text_bytes
from ui.imu_source import ImuChoice, imu_controls
from ui.state import persisted

SINE_FRACTIONS = (0.7, 0.15, 0.15)
TEXT_FRACTIONS = (0.8, 0.1, 0.1)
PASTE, UPLOAD = "Paste text", "Upload a .txt file"


@dataclass(frozen=True)
class Source:
    """What the session trains on: a sine config, a text, or an IMU recording and task."""

    kind: str  # "sine", "text" or "imu"
    label: str
    sine: SineConfig | None = None
    text_digest: str = ""  # identifies the text without hashing it on every rerun
    imu: ImuChoice | None = None

    @property
    def key(self) -> tuple:
        """Hashable identity of the data."""
        return (self.kind, self.sine, self.text_digest, self.imu)


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
    num_series = c1.number_input("Number of series", 1, 256, **persisted("sine.num_series", 8))
    length = c1.number_input("Samples per series", 20, 20_000, **persisted("sine.length", 400))
    rate = c1.number_input("Sample rate (Hz)", 1.0, 1000.0, **persisted("sine.rate", 20.0))
    freqs = c2.text_input(
        "Frequencies (Hz), a mix",
        **persisted("sine.freqs", "0.5"),
        help="One or more frequencies separated by commas, e.g. 0.5, 1.3",
    )
    amps = c2.text_input(
        "Amplitudes",
        **persisted("sine.amps", "1.0"),
        help="One for all components, or one per frequency",
    )
    phase = c3.slider("Phase (radians)", 0.0, 6.28, **persisted("sine.phase", 0.0))
    random_phase = c3.checkbox("Each series at a random phase", **persisted("sine.random", True))
    noise = c3.slider("Noise (std)", 0.0, 1.0, step=0.01, **persisted("sine.noise", 0.0))
    data_seed = c3.number_input(
        "Data seed",
        0,
        2**31 - 1,
        **persisted("sine.seed", 0),
        help="Random phases and noise; the model's seed is on Home",
    )
    config = SineConfig(
        num_series=int(num_series),
        length=int(length),
        sample_rate=float(rate),
        frequencies=_floats(freqs, "Frequencies"),
        amplitudes=_floats(amps, "Amplitudes"),
        phase=float(phase),
        random_phase=bool(random_phase),
        noise_std=float(noise),
        seed=int(data_seed),
    )
    sine_series(config)  # validates now, so the message appears on this page
    label = f"Sine: {num_series} series × {length} samples at {rate:g} Hz"
    return Source("sine", label, sine=config)


def text_controls() -> Source | None:
    """Widgets for the text source; returns it, or None until the user gives some text."""
    options = [*CORPORA, PASTE, UPLOAD]
    choice = st.radio("Text", options, **persisted("text.choice", options[0]), horizontal=True)
    if choice == PASTE:
        text = st.text_area("Your text", **persisted("text.pasted", ""), height=180)
        if not text.strip():
            st.info("Paste some text above to train on it.")
            return None
        return _text_source("Pasted text", text)
    if choice == UPLOAD:
        file = st.file_uploader("A UTF-8 .txt file", type=["txt"], key="text.upload")
        if file is None:
            return st.session_state.get("text.last_upload")
        source = _text_source(f"File {file.name}", uploaded_text(file.getvalue()))
        st.session_state["text.last_upload"] = source
        return source
    return _text_source(choice, corpus_text(choice))


def imu_source() -> Source | None:
    """Widgets for the IMU source; returns it, or None until a file reads."""
    choice = imu_controls()
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


def current_source() -> Source:
    """The session's source; a default sine until the Data page chooses one."""
    source = st.session_state.get("source")
    if source is None:
        source = Source("sine", "Sine: default", sine=SineConfig())
    return source
