"""Data: choose the source, see it, and get a plain sentence for anything unusable."""

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.datasets.text import char_statistics
from rnn_core.figures import char_frequency_figure, series_figure
from ui.navigation import run_through_app
from ui.sources import SINE_FRACTIONS, sine_controls, sine_series, source_text, text_controls
from ui.state import persisted

if run_through_app():
    st.stop()
st.title("1 · Data")
kind = st.radio(
    "Source", ["Sine waves", "Text"], **persisted("source_kind", "Sine waves"), horizontal=True
)
st.number_input(
    "Window length (steps the model reads at a time)", 2, 2000, **persisted("seq_len", 50)
)

try:
    source = sine_controls() if kind == "Sine waves" else text_controls()
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
else:
    text = source_text(source)
    stats = char_statistics(text)
    c1, c2, c3 = st.columns(3)
    c1.metric("Characters", f"{len(text):,}")
    c2.metric("Distinct characters", f"{len(stats):,}")
    c3.metric("Lines", f"{text.count(chr(10)) + 1:,}")
    st.plotly_chart(char_frequency_figure(stats), key="data.chars")
    st.text_area("First 1,000 characters", text[:1000], height=200, disabled=True)
