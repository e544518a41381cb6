"""Sweep: up to two knobs of the Train page over typed values, times seeds, on this machine or a
Ray cluster; mean and spread per setting, a heatmap, and the best setting one click from Train."""

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.evaluation.compare import trivial_baseline
from ui.session.budget import budget_line
from ui.session.controls import model_config, train_config
from ui.session.experiment import seq_len
from ui.session.plain import as_text, plain
from ui.session.presenter import knobs_and_view
from ui.session.run_store import kept_in_store
from ui.session.source import current_source, stop_without_data
from ui.session.state import chosen, device, seed, widget
from ui.sweep.setup import (
    SWEEP,
    best_of,
    best_setting_sentence,
    configured_cluster,
    start_sweep,
    stop_sweep,
    sweep_active,
    sweep_controls,
    sweep_duration,
    sweep_estimate,
    train_with,
    where_line,
)
from ui.sweep.view import sweep_view
from ui.train.live import loss_scale, loss_unit

st.title("8 · Sweep")
source = current_source()
stop_without_data("Start", key="btn.sweep")
st.caption(
    f"{plain(source.label, 160)} · seed {seed()} and up · every other knob as set on "
    "**2 · Train**; every run trains on the same data"
)

# the knobs folded away above, the heatmap and tables take the width
left, right, button_area = knobs_and_view("Knobs, values and seeds")
with left:
    task_shape = source.task_shape or chosen("task_shape")  # as the Train page has it
    try:
        data = source.prepare(seq_len(), task_shape, "cpu")  # each run moves it
        spec = sweep_controls(model_config(data), train_config(data))
    except (DataError, ValueError) as err:  # DataError is a ValueError too
        st.error(as_text(str(err)))
        st.stop()
    st.radio(**widget("sweep.band"))
    address = configured_cluster()
    runs = len(spec.runs())
    st.caption(f"{runs} runs: {len(spec.settings())} settings × {len(spec.seeds)} seeds.")
with button_area:
    cost = sweep_estimate(spec, data)
    affordable = budget_line(cost)
    affordable = kept_in_store(where=st, runs=runs) and affordable
    st.caption(as_text(where_line(address)))  # beside Start: the knobs may be folded away
    if address is None:
        st.caption(sweep_duration(spec, cost))
    b1, b2 = st.columns(2)
    active = sweep_active()
    start = b1.button("Start", type="primary", key="btn.sweep", disabled=active or not affordable)
    stop = b2.button("Stop", key="btn.sweep_stop", disabled=not active)

if start and affordable:
    try:
        start_sweep(spec, data, device(), address)
    except ImportError:
        st.error("Ray is not installed here: `pip install -r requirements-ray.txt`, then restart.")
        st.stop()
    except Exception as err:  # a sentence, not a traceback (the cluster is reached elsewhere)
        st.error(as_text(f"The sweep could not start: {err}"))
        st.stop()
    st.rerun()
if stop:
    stop_sweep()
    st.rerun()

with right:
    sweep_view(trivial_baseline(data)[0], loss_unit(data), loss_scale(data), chosen("sweep.band"))
    kept = st.session_state.get(SWEEP)
    if kept and not sweep_active():
        best = best_of(kept["executor"].results(), kept["spec"].knob_names)
        if best is not None:
            names = kept["spec"].knob_names
            said = ", ".join(f"{n.lower()} {v}" for n, v in zip(names, best, strict=True))
            st.success(f"Lowest mean final validation loss: {said}.")
            if st.button(
                "Train with the best setting",
                key="btn.sweep_best",
                help=best_setting_sentence(names, best) + ", then opens it.",
            ):
                train_with(names, best)
