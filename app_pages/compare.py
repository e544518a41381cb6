"""Compare: RNN, LSTM and GRU on the same data, split and seed, side by side and live."""

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.evaluation.compare import compare_configs, trivial_baseline, with_and_without_clipping
from rnn_core.live.budget import seeds_duration
from ui.compare.cells import (
    compare_active,
    compare_train_config,
    compare_view,
    comparison_estimate,
    start_runs,
)
from ui.lecture.presets import preset_banner, take_pending
from ui.session.budget import budget_line
from ui.session.controls import config_for_data, task_shape_control
from ui.session.experiment import seq_len
from ui.session.plain import as_text, plain
from ui.session.presenter import knobs_and_view
from ui.session.run_store import kept_in_store
from ui.session.source import current_source, stop_without_data
from ui.session.state import chosen, device, seed, stop_compare_runs, widget
from ui.train.live import loss_scale, loss_unit

st.title("7 · Compare the cells")
preset_banner()
source = current_source()
stop_without_data("Train them all", key="btn.compare")
window = "" if source.own_length else f" · window {seq_len()}"

# in presenter mode the chart and table come first and take the width, the knobs folded below
left, right, button_area = knobs_and_view("Cells and training knobs")
with left:
    st.caption(
        f"{plain(source.label, 160)}{window} · seed {seed()} · every cell gets the same data, "
        "split, batches and initial seed; change the data on **1 · Data**"
    )
    cells = st.multiselect(**widget("compare.cells"))
    task_shape = task_shape_control(source)
    c1, c2 = st.columns(2)
    hidden = c1.number_input(**widget("compare.hidden"))
    layers = c2.number_input(**widget("compare.layers"))
    st.radio(**widget("compare.init"))
    budget = st.toggle(
        **widget("compare.budget"),
        help="Each cell gets the hidden size whose parameter count is closest to the first "
        "cell's at the hidden size above, instead of the same hidden size.",
    )
    train_config, unclipped = compare_train_config()
    seeds = int(
        st.number_input(
            **widget("compare.seeds"),
            help="Each cell trains once per seed (from the session's seed up) on the same data; "
            "above 1 the chart shows the mean with a band and the table mean ± spread.",
        )
    )
    if seeds > 1:
        st.radio(**widget("sweep.band"))
    if not cells:
        st.info("Choose at least one cell.")
        st.stop()
    try:
        data = source.prepare(seq_len(), task_shape, "cpu")  # each run moves it
        base = config_for_data(
            data,
            hidden_size=int(hidden),
            num_layers=int(layers),
            recurrent_init=chosen("compare.init"),
        )
        configs = dict(
            zip(cells, compare_configs(base, chosen("compare.cells"), budget), strict=True)
        )
        runs = with_and_without_clipping(configs, train_config, unclipped)
    except (DataError, ValueError) as err:  # DataError is a ValueError too
        st.error(as_text(f"{err} (The window length is set on 1 · Data.)"))
        st.stop()
with button_area:
    cost = comparison_estimate(data, runs)
    affordable = budget_line(cost, compare=True)
    if seeds > 1:
        st.caption(seeds_duration(cost, seeds))
    affordable = kept_in_store(where=st, runs=len(runs) * seeds) and affordable
    b1, b2 = st.columns(2)
    start = b1.button("Train them all", type="primary", key="btn.compare", disabled=not affordable)
    start = (take_pending("compare") or start) and affordable
    stop = b2.button("Stop", key="btn.compare_stop", disabled=not compare_active())

if start:
    start_runs(data, runs, seed(), (source.key, seq_len(), task_shape), device(), seeds)
    st.rerun()
if stop:
    stop_compare_runs()
    st.rerun()
with right:
    band = chosen("sweep.band") if seeds > 1 else "min-max"
    compare_view(trivial_baseline(data), loss_unit(data), loss_scale(data), band)
