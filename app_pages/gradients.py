"""Gradients through time: how much the loss depends on each earlier hidden state."""

import streamlit as st

from rnn_core.analysis.display import decay_ratio, input_for_display
from rnn_core.analysis.gradient_race import race_problem
from rnn_core.analysis.gradients import hidden_grad_norms, input_connectivity
from rnn_core.analysis.inspect import model_with_weights, snapshot_grad_norms
from rnn_core.figures.inside import connectivity_figure, grad_time_figure, snapshot_heatmap_figure
from ui.inspect.common import batch, race, snapshot_picker, trained_experiment
from ui.lecture.presets import preset_banner
from ui.session.charts import chart
from ui.session.presenter import presenter_on
from ui.session.state import widget

# Why the profile of a model with a loss at every step rises toward t = 0, unlike the race's.
EVERY_STEP_LOSS = (
    "This model has a loss at every step, so ‖∂L/∂hₜ‖ sums the gradient of step t's own loss "
    "and of every later loss that hₜ feeds: each step back adds its own term, and the curve "
    "rises toward t = 0 even while each single path back fades. (In the race above only the "
    "last step has a loss, so there it can only fade or grow with distance.)"
)


def model_view(exp) -> None:
    """||dL/dh_t|| of the session's model per layer, at a snapshot and at initialisation."""
    model, step = snapshot_picker(exp, key="grad.snapshot")
    x, y = batch(exp)
    norms = hidden_grad_norms(model, x, y)  # (L, T)
    layers = len(norms)
    # a layer is named only when there are several; the earlier line is the last layer's
    named = [f"layer {k + 1}, " if layers > 1 else "" for k in range(layers)]
    lines = {f"{named[k]}step {step}": norms[k] for k in range(layers)}
    snapshots = exp.run.snapshots.items()
    if snapshots and snapshots[0][0] != step:
        initial = model_with_weights(model, snapshots[0][1])
        lines[f"{named[-1]}step {snapshots[0][0]}"] = hidden_grad_norms(initial, x, y)[-1]
    chart(grad_time_figure(lines, "‖∂L/∂hₜ‖ on validation windows"), key="grad.model")
    if model.config.task_shape == "many_to_many":
        st.caption(EVERY_STEP_LOSS)
    if len(snapshots) > 1:
        steps, grid = snapshot_grad_norms(model, snapshots, x, y, layer=-1, max_snapshots=20)
        chart(snapshot_heatmap_figure(steps, grid), key="grad.snapshots")
        st.caption(
            "Each row is a training snapshot: how the gradient profile changes as it learns."
        )


def connectivity_view(exp) -> None:
    """How much one output depends on each earlier input."""
    model, _ = snapshot_picker(exp, key="grad.connect_snapshot")
    x, _ = batch(exp)
    c1, c2 = st.columns(2)
    sample = c1.number_input("Sample", 0, x.shape[0] - 1, 0, key="grad.sample")
    last = x.shape[1] - 1
    at = c2.slider(
        "Output at step",
        0,
        last,
        last,
        key="grad.step",
        disabled=model.config.task_shape == "many_to_one",
    )
    connection = input_connectivity(model, x[sample : sample + 1], at)
    values, labels = input_for_display(exp.data, x[sample])
    chart(connectivity_figure(values, labels, connection, at), key="grad.connectivity")
    st.caption(
        "How much the output at the chosen step depends on each earlier input: the norm of "
        "∂output/∂xₜ (Distill, “Memorization in RNNs”). A short memory shows as bars only near "
        "the step."
    )


def race_view() -> None:
    """One-layer RNN, LSTM and GRU of the same size on the same batch: ||dL/dh_t|| against t.
    In presenter mode the ratios and the chart come first, the knobs folded under them."""
    if presenter_on():
        shown, knobs = st.container(), st.expander("Hidden size, length and initialisation")
    else:
        knobs = st.container()
        shown = st.container()
    c1, c2, c3, c4 = knobs.columns(4)
    hidden = c1.number_input(**widget("grad.hidden"))
    length = c2.number_input(**widget("grad.length"))
    default_gates = c3.checkbox(**widget("grad.default_bias"))
    bias = c3.slider(**widget("grad.bias"), step=0.25, disabled=default_gates)
    rescale = c4.checkbox(**widget("grad.rescale"))
    radius = c4.slider(**widget("grad.radius"), step=0.1, disabled=not rescale)
    problem = race_problem(int(hidden), int(length))
    if problem:  # the race runs in the server process: within the analysis memory limit
        st.error(problem)
        return
    norms_by_cell = race(
        int(hidden),
        int(length),
        float(radius) if rescale else None,
        None if default_gates else float(bias),
    )
    norms_by_cell = {cell.upper(): norms for cell, norms in norms_by_cell.items()}  # as the tiles
    last = subscript(int(length) - 1)
    with shown:
        tiles = st.columns(len(norms_by_cell))
        for col, (cell, norms) in zip(tiles, norms_by_cell.items(), strict=True):
            col.metric(f"{cell}: ‖∂L/∂h₀‖ / ‖∂L/∂h{last}‖", f"{decay_ratio(norms):.2e}")
        chart(grad_time_figure(norms_by_cell, "‖∂L/∂hₜ‖, loss on the last step"), key="grad.race")
    st.caption(
        "Three one-layer models of the same size and seed on the same random batch; only the last "
        f"step, t = {int(length) - 1}, has a loss, so every earlier gradient arrives through time. "
        "With its forget gates initialised open (bias 2) the LSTM loses about two orders of "
        "magnitude over 100 steps, the plain RNN about twenty. Tick PyTorch's default biases and "
        "the LSTM's gradient vanishes too: gates help only once they learn (or start) to stay "
        "open. Rescale the RNN's W_hh towards 3 and its gradient explodes instead."
    )


def subscript(number: int) -> str:
    """A step number as subscript digits: h₉₉."""
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


st.title("4 · Gradients through time")
preset_banner()
INTRODUCTION = (
    "Backpropagation through time multiplies one Jacobian per step. When those products shrink, "
    "‖∂L/∂hₜ‖ falls as t goes back and early steps stop learning (vanishing gradients); when "
    "they grow, it explodes. Gates give the LSTM and GRU an additive path that keeps it."
)
if not presenter_on():  # in presenter mode it follows the chart, under the tabs
    st.markdown(INTRODUCTION)
TABS = {  # tab label -> what it shows
    "RNN vs LSTM vs GRU": race_view,
    "This model, as it trains": lambda: model_view(trained_experiment()),
    "Connectivity": lambda: connectivity_view(trained_experiment()),
}
tabs = st.tabs(list(TABS), key="grad.tab", on_change="rerun")
for tab, view in zip(tabs, TABS.values(), strict=True):
    if tab.open:  # only the open tab runs: each takes its own gradient passes
        with tab:
            view()
if presenter_on():
    st.caption(INTRODUCTION)
