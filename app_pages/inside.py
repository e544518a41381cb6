"""Inside the cell: states and gates over time, one step by hand, saturation, the PCA path."""

import streamlit as st

from rnn_core.analysis.display import input_for_display, layer_panels
from rnn_core.analysis.inspect import gate_saturation, pca_2d, step_numbers
from rnn_core.analysis.trace import trace
from rnn_core.figures.imu import label_track_figure
from rnn_core.figures.inside import (
    UNIT_ORDERS,
    inside_figure,
    saturation_figure,
    trajectory_figure,
    unit_lines_figure,
    unit_order,
)
from rnn_core.models import count_parameters
from ui.inspect.common import batch, batch_labels, snapshot_picker, trained_experiment
from ui.inspect.equations import show_step
from ui.session.charts import chart

st.title("3 · Inside the cell")
exp = trained_experiment()
if exp is None:
    st.stop()
config = exp.run.spec.model_config
sizes = " → ".join(str(size) for size in config.hidden_sizes)
st.caption(
    f"{config.cell.upper()}, {config.num_layers} layer(s) of {sizes} units, "
    f"{count_parameters(config):,} parameters (PyTorch's count: two bias vectors per gate). "
    "Everything below is recomputed from the model's own weights, exactly as PyTorch does."
)

model, step = snapshot_picker(exp, key="inside.snapshot")
x, _ = batch(exp)
B, T = x.shape[0], x.shape[1]
c1, c2, c3 = st.columns(3)
sample = c1.number_input("Sample (validation window)", 0, B - 1, 0, key="inside.sample")
layer = c2.selectbox(
    "Layer",
    list(range(config.num_layers)),
    key="inside.layer",
    format_func=lambda k: f"layer {k + 1}",
)
t = c3.slider("Time step t", 0, T - 1, min(30, T - 1), key="inside.t")

layer_trace = trace(model, x).layers[layer]
panels = layer_panels(layer_trace, sample)
values, labels = input_for_display(exp.data, x[sample])
units_total = next(iter(panels.values())).shape[1]

heatmaps, step_tab, saturation_tab, path_tab = st.tabs(
    ["States and gates", "One step, by hand", "Gate saturation", "Hidden-state path"]
)
with heatmaps:
    st.caption(
        "What to look for: units that switch when the input turns (sharp vertical edges), "
        "gates that stay near 0 or 1 (a unit that always forgets or always keeps), and c "
        "growing steadily where a unit counts. Order the units by similarity to see groups "
        "that move together."
    )
    by = st.radio(
        "Order the units by",
        UNIT_ORDERS,
        horizontal=True,
        key="inside.order",
        help="similarity: units whose h rises and falls together side by side; mean "
        "activation: highest first. The order of h is used for every panel.",
    )
    order = None if by == "index" else unit_order(panels["h"], by)
    chart(inside_figure(values, labels, panels, t_marker=t, order=order), key="inside.heatmaps")
    activity = batch_labels(exp)
    if activity is not None:
        chart(label_track_figure(activity[sample]), key="inside.labels")
    default_units = list(range(min(3, units_total)))
    units = st.multiselect(
        "Units to draw", list(range(units_total)), default_units, key="inside.units"
    )
    panel = st.selectbox("Quantity", list(panels), key="inside.panel")
    chart(unit_lines_figure(panels[panel], units, panel, t), key="inside.lines")
with step_tab:
    forward_units = list(range(config.hidden_sizes[layer]))  # this layer's forward direction
    chosen = st.multiselect("Units", forward_units, forward_units[:4], key="inside.step_units")
    show_step(step_numbers(model, layer_trace, layer, sample, t, chosen))
with saturation_tab:
    if not layer_trace.gates:
        st.info("A plain RNN has no gates: choose an LSTM or GRU on 2 · Train to see them.")
    else:
        gate = st.selectbox("Gate", list(layer_trace.gates), key="inside.gate")
        closed, opened = gate_saturation(layer_trace.gates[gate].detach().cpu().numpy())
        chart(saturation_figure(closed, opened, gate), key="inside.saturation")
        st.caption(
            "Each dot is a unit: how often (over every sample and step) its gate is nearly closed "
            "(< 0.1) and nearly open (> 0.9). Units on the axes act like switches; units near the "
            "origin stay in between (Karpathy, Johnson and Fei-Fei 2015)."
        )
with path_tab:
    projection = pca_2d(panels["h"])
    chart(trajectory_figure(projection), key="inside.path")
    st.caption(
        "The hidden states of this sample, projected on their two main directions (PCA fitted on "
        "these states), drawn in time order. Move the training-step slider to watch it form; "
        "a model that has learned a sine traces a loop."
    )
