"""A stored run made the session's own again: Open (its model for every page, its own settings on
Data and Train) and Resume (its training continued from the last save, on the Train page)."""

from __future__ import annotations

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.devices import available_devices
from rnn_core.live.spec import RunSpec
from rnn_core.runs.imported import checked_settings
from rnn_core.runs.live import HERE, reopened_run
from rnn_core.runs.store import RunRecord, RunStore
from rnn_core.untrusted import Untrusted
from ui.session.experiment import experiment
from ui.session.link import use_settings
from ui.session.plain import as_text
from ui.session.run_data import restore_run_data
from ui.session.settings import SETTINGS, default, link_of, settings_from_link
from ui.session.spec_link import KNOB_KEYS, data_keys, run_keys, spec_values
from ui.session.state import PERSIST, TRAIN_NOTE, device, existing_experiment, setting

OPENED = "runs.opened"  # session key: the stored run the session's model came from


def open_run(store: RunStore, record: RunRecord) -> bool:
    """Make the run the session's experiment: its own data settings, its model, training and
    seed on Train, and its last saved model (not training); False, with a sentence on the page,
    when that cannot be done."""
    current = existing_experiment()
    if current is not None and current.run is not None and current.run.active:
        st.error("A training of this session is going: stop it on 2 · Train, then open the run.")
        return False
    try:  # a run stored before imports were checked may hold settings no page can use
        checked_settings(record.settings)
    except Untrusted as error:
        st.error(as_text(f"This run cannot be opened: {error}. Delete it on this page."))
        return False
    # its data from its link (the knobs come from its save, below: a run stored before runs kept
    # their own link holds Train's knobs of the time there)
    data = {k: v for k, v in record.settings["link"].items() if k in data_keys()}
    values, problems = settings_from_link(data)
    others = {key: setting(key) for key in _other_keys()}  # Compare's, Sweep's: as they are
    use_settings({**others, **values})
    if not restore_run_data(store, record):  # its upload or text, kept with it
        return False
    try:
        exp = experiment(record.settings["model"].get("task_shape", "many_to_many"))
        exp.run = reopened_run(store, record, exp.data, device())
        exp.run.listener.experiment_key = exp.key  # a reload finds it again while it trains
    except (DataError, ValueError) as error:
        st.error(as_text(f"This run cannot be opened: {error}"))
        return False
    problems += set_knobs(exp.run.spec)  # what it trained with last, from its save
    problems += use_run_device(record.settings.get("device"))
    for problem in problems:
        st.warning(as_text(f"{problem} (from the run's settings)"))
    st.session_state[OPENED] = record.id
    return True


def _other_keys() -> list[str]:
    """The settings a run does not hold (other pages' knobs): Open leaves them as they are."""
    held = set(run_keys())
    return [key for key in SETTINGS if key not in held]


def use_run_device(trained_on) -> list[str]:
    """Train on the device the run trained on (`trained_on`, from its settings) when this server
    has it; else a sentence that says where it continues. Runs stored before runs kept their
    device say nothing."""
    if not isinstance(trained_on, str) or trained_on == setting("device", device()):
        return []
    if trained_on in available_devices():
        st.session_state[PERSIST + "device"] = trained_on
        return []
    return [
        f"It trained on {trained_on[:20]}, which this server does not have: Start "
        f"continues it on {device()}"
    ]


def set_knobs(spec: RunSpec) -> list[str]:
    """Set Train's knobs (model, training, seed) to the run's spec, through the same checks as
    a link; a sentence for each value that could not be used (its default is used)."""
    unread = {key: setting(key) for key in ("max_norm", "patience")}  # kept when switched off
    values = spec_values(unread, spec.model_config, spec.train_config, spec.seed)
    checked, problems = settings_from_link(link_of({k: values[k] for k in KNOB_KEYS}))
    for key in KNOB_KEYS:
        st.session_state[PERSIST + key] = checked.get(key, default(key))
    return problems


def continues_sentence(record: RunRecord, more_steps: int) -> str:
    """Where a stored run continues: its last save, the steps reported after it that are
    trained again, and the step `more_steps` more take it to."""
    saved = record.checkpoint_step or 0
    said = f"Continues from step {saved:,}"
    if record.steps > saved:
        said += f", its last save; steps {saved + 1:,}–{record.steps:,} are trained again"
    return f"{said}, up to step {saved + more_steps:,} ({more_steps:,} steps more)."


def open_and_resume_buttons(store: RunStore, record: RunRecord) -> None:
    """Open (the run's model on every page) and Resume (continue it on Train)."""
    left, right = st.columns(2)
    if left.button(
        "Open", key="runs.open", icon=":material/open_in_browser:", disabled=record.active
    ) and open_run(store, record):
        exp = existing_experiment()
        st.success(
            "Opened: Data and Train now show this run's own settings; Inside the cell, "
            "Gradients, Text lab and Evaluate show its model. Start on 2 · Train "
            + continues_sentence(record, exp.run.config.max_steps).replace("Continues", "continues")
        )
    resumable = not record.active and record.checkpoint_step is not None
    if right.button(
        "Resume", key="runs.resume", icon=":material/play_arrow:", disabled=not resumable
    ) and open_run(store, record):
        exp = existing_experiment()
        st.session_state[TRAIN_NOTE] = "Resumed. " + continues_sentence(
            record, exp.run.config.max_steps
        )
        exp.run.start()
        st.switch_page("app_pages/train.py")
    if record.active:
        st.caption(store.elsewhere(record.id) or HERE)


def train_note(where) -> None:
    """What a click on another page did to Train (Resume on Runs, the best setting of a
    sweep), said once on Train."""
    said = st.session_state.pop(TRAIN_NOTE, None)
    if said:
        where.info(said, icon=":material/play_arrow:")
