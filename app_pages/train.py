"""Train: model and training knobs, Start / Pause / Resume / Stop / Step, live charts."""

import random

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.live.budget import data_bytes, estimate
from rnn_core.live.states import RunState
from rnn_core.models import count_parameters
from ui.lecture.presets import preset_banner
from ui.runs.notes import interrupted_run_note, new_model_sentence
from ui.runs.opening import train_note
from ui.session.budget import budget_line
from ui.session.controls import model_controls, task_shape_control, train_controls
from ui.session.experiment import experiment
from ui.session.plain import as_text, plain
from ui.session.presenter import presenter_on
from ui.session.run_store import keep_training_settings, kept_in_store, run_store, store_problem
from ui.session.source import current_source, stop_without_data
from ui.session.state import PERSIST, device, seed
from ui.train.export import export_after_training
from ui.train.live import PREVIOUS_RUN, empty_charts, live_view

st.title("2 · Train")
preset_banner()
source = current_source()
stop_without_data("Start", key="btn.start")
# In presenter mode the charts come first and take the width, the buttons under them and the
# knobs folded away below; else the knobs on the left, the charts on the right.
if presenter_on():
    right = st.container()
    button_bar = st.container(key="train-buttons")
    left = st.container()
else:
    button_bar = st.container(key="train-buttons")  # filled once the knobs have been read
    left, right = st.columns([1, 2], gap="large")
with left:
    st.caption(
        f"{plain(source.label, 160)} · device: {device().upper()} · seed {seed()} "
        "· change the data on **1 · Data**, the device and seed on **Home**"
    )
    task_shape = task_shape_control(source)
    try:
        exp = experiment(task_shape)
    except DataError as err:
        st.error(as_text(f"{err} (The window length is set on 1 · Data.)"))
        st.stop()
    try:
        with st.expander("Model", expanded=not presenter_on()):
            model_config = model_controls(exp.data)
            st.caption(
                f"{count_parameters(model_config):,} parameters (PyTorch's count: "
                "two bias vectors per gate)"
            )
        with st.expander("Training", expanded=not presenter_on()):
            train_config = train_controls(exp.data)
    except ValueError as err:
        st.error(as_text(str(err)))
        st.stop()
    st.caption(
        f"{len(exp.data.train):,} training windows · {len(exp.data.validation):,} "
        f"validation · {len(exp.data.test):,} test, each {exp.data.seq_len} steps"
    )

run = exp.run
active = run is not None and run.active
paused = active and run.state == RunState.PAUSED

train_note(button_bar)
note = new_model_sentence(run, model_config, seed())
if note:
    button_bar.warning(as_text(note), icon=":material/restart_alt:")
buttons = button_bar.columns(7, gap="small")
cost = estimate(model_config, train_config, exp.data.seq_len, data_bytes=data_bytes(exp.data))
affordable = budget_line(cost, where=button_bar)
affordable = kept_in_store(where=button_bar) and affordable
start = buttons[0].button(
    "Start",
    type="primary",
    disabled=active or not affordable,
    key="btn.start",
    help="Train; after a Stop this continues from the current weights",
)
pause = buttons[1].button("Pause", disabled=not active or paused, key="btn.pause")
resume = buttons[2].button("Resume", disabled=not paused, key="btn.resume")
stop = buttons[3].button("Stop", disabled=not active, key="btn.stop")
step = buttons[4].button(
    "Step",
    disabled=(active and not paused) or not affordable,
    key="btn.step",
    help="One optimizer step, for teaching",
)
rewind = buttons[5].button(
    "Rewind",
    disabled=run is None,
    key="btn.rewind",
    help="Back to the same initial weights (same seed)",
)
reseed = buttons[6].button(
    "New seed", key="btn.reseed", disabled=not affordable, help="Start over from a new seed"
)

if not affordable:  # a click sent before the knobs passed the limit: refused above
    start = step = reseed = False
if start:
    started = exp.run_for(model_config, train_config, seed())
    keep_training_settings(started)  # a stored run continued with other knobs keeps them
    steps_before = started.steps_done
    started.start(train_config)
    started.wait_for_progress(steps_before)  # the redraw below then shows the first point
    st.rerun()
if pause:
    run.pause()
    st.rerun()
if resume:
    run.resume()
    st.rerun()
if stop:
    run.stop()
    st.rerun()
if step:
    stepped = run if paused else exp.run_for(model_config, train_config, seed())
    keep_training_settings(stepped)
    stepped.step_once()
    st.rerun()
if rewind:
    st.session_state[PREVIOUS_RUN] = run.history.frame()  # drawn faint beside the new
    exp.rewind()
    st.rerun()
if reseed:
    st.session_state.pop(PREVIOUS_RUN, None)  # a new seed is not the same experiment
    exp.stop()
    new_seed = random.randrange(2**31)
    st.session_state[PERSIST + "seed"] = new_seed
    exp.run_for(model_config, train_config, new_seed)
    st.rerun()

with right:
    if exp.run is None:
        st.session_state.pop(PREVIOUS_RUN, None)  # new data or model: nothing to compare with
        interrupted_run_note(None if store_problem() else run_store(), exp.run)
        st.info("Press **Start** to train, or **Step** to take one optimizer step at a time.")
        empty_charts(exp.data, train_config.clip_grad_norm, exp.baseline[0], exp.references)
    else:
        clip_norm = exp.run.config.clip_grad_norm
        live_view(exp.run, exp.data, clip_norm, exp.baseline[0], exp.references)
        export_after_training(exp, source)
