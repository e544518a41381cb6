"""Home: what the dashboard is, the pages in lecture order, the device and the seed. It imports
no torch, pandas or plotly: a fresh server draws it while they load (see `ui.session.preload`)."""

import streamlit as st

from rnn_core.devices import available_devices
from ui.session.link import preset_links
from ui.session.state import persisted, widget

st.title("RNN Explorer")
st.markdown(
    "Train small **RNN, LSTM and GRU** models live and watch them learn: loss curves, gradient "
    "norms and predictions update while the model trains. Everything runs on this machine; "
    "nothing is fetched from the internet."
)
st.subheader("Lecture demos, one click each")
st.caption(
    "Each opens the page where its point is made, sets every knob, starts what it needs and "
    "behaves the same every time (seed 0); it finishes in seconds on a laptop's CPU."
)
preset_links()
st.subheader("The pages, in the order of a lecture")
st.page_link(
    "app_pages/data.py",
    label="**1 · Data**: a mix of sine waves, text (generated, the Python standard library, or "
    "your own), or an IMU recording (a sample, or your phone's or board's export).",
    icon=":material/dataset:",
)
st.page_link(
    "app_pages/train.py",
    label="**2 · Train**: pick a cell and its knobs, then Start, "
    "Pause, Step or Stop while the curves move.",
    icon=":material/model_training:",
)

st.page_link(
    "app_pages/inside.py",
    label="**3 · Inside the cell**: hidden states and gates as heatmaps over time, one step's "
    "equations with the actual numbers, gate saturation, the hidden-state path.",
    icon=":material/grid_on:",
)
st.page_link(
    "app_pages/gradients.py",
    label="**4 · Gradients through time**: why a plain RNN forgets and an LSTM remembers, "
    "and how far back each output looks.",
    icon=":material/show_chart:",
)

st.page_link(
    "app_pages/textlab.py",
    label="**5 · Text lab**: sample a character model at any temperature, find the unit that "
    "counts brackets or tracks quotes, and read it coloured over the text.",
    icon=":material/text_fields:",
)
st.page_link(
    "app_pages/evaluate.py",
    label="**6 · Evaluate**: an IMU model scored on data it never saw, in degrees and deg/s, "
    "beside two forecast baselines (persistence, gyro propagation) and five attitude filters.",
    icon=":material/fact_check:",
)
st.page_link(
    "app_pages/compare.py",
    label="**7 · Compare**: RNN, LSTM and GRU on the same data and seed, side by side and live, "
    "with parameters, ms per step and peak memory.",
    icon=":material/compare_arrows:",
)
st.page_link(
    "app_pages/sweep.py",
    label="**8 · Sweep**: one or two knobs over values you type, times seeds, on this machine "
    "or a Ray cluster: mean and spread per setting, and the best one sent to Train.",
    icon=":material/grid_view:",
)

st.subheader("Session")
devices = available_devices()
labels = {"cuda": "GPU (CUDA)", "cpu": "CPU"}
c1, c2 = st.columns(2)
c1.selectbox(
    "Device",
    devices,
    format_func=labels.get,
    **persisted("device", devices[0]),
    help="CUDA is used when present; choose CPU to force it.",
)
if devices == ["cpu"]:
    c1.caption("No CUDA GPU found: training runs on the CPU.")
c2.number_input(
    **widget("seed"),
    help="The same seed gives the same data, initial weights and curve on the CPU.",
)
