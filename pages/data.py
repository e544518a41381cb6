"""Data: choose the source, see it, and get a plain sentence for anything unusable."""

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.datasets.imu_prepare import split_pieces
from rnn_core.datasets.text import char_statistics
from rnn_core.figures import char_frequency_figure, series_figure
from rnn_core.figures_imu import imu_signals_figure
from ui.imu_source import recording_of
from ui.navigation import run_through_app
from ui.presets import IMU_PRESET, apply_preset
from ui.sources import (
    SINE_FRACTIONS,
    imu_source,
    sine_controls,
    sine_series,
    source_text,
    text_controls,
)
from ui.state import persisted

if run_through_app():
    st.stop()
st.title("1 · Data")
kind = st.radio(
    "Source",
    ["Sine waves", "Text", "IMU recording"],
    **persisted("source_kind", "Sine waves"),
    horizontal=True,
)
st.number_input(
    "Window length (steps the model reads at a time)", 2, 2000, **persisted("seq_len", 50)
)

try:
    if kind == "Sine waves":
        source = sine_controls()
    elif kind == "Text":
        source = text_controls()
    else:
        source = imu_source()
except DataError as err:
    st.error(str(err))
    st.stop()
if source is None:
    st.stop()
st.session_state["source"] = source
st.success(f"Training will use: {source.label}. Go to **2 · Train** to start.")

if source.kind == "sine":
    series = sine_series(source.sine)
    fig = series_figure(series, source.sine.sample_rate, SINE_FRACTIONS)
    st.plotly_chart(fig, key="data.series")
    st.caption(
        "Shaded: the temporal split. Standardization uses the training part's statistics only."
    )
elif source.kind == "imu":
    st.button(
        "Use the IMU preset",
        on_click=apply_preset,
        args=(IMU_PRESET,),
        key="btn.imu_preset",
        help="20-step windows (0.4 s at 50 Hz) into a 2-layer LSTM of 64 then 32 units with a "
        "linear head; gradient clipping and early stopping on. Every knob stays yours to change.",
    )
    recording, table = recording_of(source.imu)
    starts = split_pieces(table.segments, len(table.values))
    edges = [part[0][0] for name, part in starts.items() if part and name != "train"]
    st.plotly_chart(
        imu_signals_figure(table.time, table.values, table.labels, edges), key="data.imu"
    )
    st.caption(
        "Dashed lines: the temporal split (train, validation, test). Z-scores use the training "
        "part's statistics only; windows never cross a gap or a split."
    )
else:
    text = source_text(source)
    stats = char_statistics(text)
    c1, c2, c3 = st.columns(3)
    c1.metric("Characters", f"{len(text):,}")
    c2.metric("Distinct characters", f"{len(stats):,}")
    c3.metric("Lines", f"{text.count(chr(10)) + 1:,}")
    st.plotly_chart(char_frequency_figure(stats), key="data.chars")
    st.text_area("First 1,000 characters", text[:1000], height=200, disabled=True)
