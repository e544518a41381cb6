"""A stored run made the session's own again: Open (its model for every page) and Resume (its
training continued from the last save, on the Train page)."""

from __future__ import annotations

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.runs.imported import checked_settings
from rnn_core.runs.live import HERE, reopened_run
from rnn_core.runs.store import RunRecord, RunStore
from rnn_core.untrusted import Untrusted
from ui.experiment import experiment
from ui.link import use_settings
from ui.plain import as_text
from ui.run_data import restore_run_data
from ui.settings import settings_from_link
from ui.state import device, existing_experiment

OPENED = "runs.opened"  # session key: the stored run the session's model came from


def open_run(store: RunStore, record: RunRecord) -> bool:
    """Make the run the session's experiment: its settings, data and last saved model (not
    training); False, with a sentence on the page, when that cannot be done."""
    current = existing_experiment()
    if current is not None and current.run is not None and current.run.active:
        st.error("A training of this session is going: stop it on 2 · Train, then open the run.")
        return False
    try:  # a run stored before imports were checked may hold settings no page can use
        checked_settings(record.settings)
    except Untrusted as error:
        st.error(as_text(f"This run cannot be opened: {error}. Delete it on this page."))
        return False
    values, problems = settings_from_link(record.settings["link"])
    use_settings(values)
    for problem in problems:
        st.warning(as_text(f"{problem} (from the run's settings)"))
    if not restore_run_data(store, record):  # its upload or text, kept with it
        return False
    try:
        exp = experiment(record.settings["model"].get("task_shape", "many_to_many"))
        exp.run = reopened_run(store, record, exp.data, device())
        exp.run.listener.experiment_key = exp.key  # a reload finds it again while it trains
    except (DataError, ValueError) as error:
        st.error(as_text(f"This run cannot be opened: {error}"))
        return False
    st.session_state[OPENED] = record.id
    return True


def open_and_resume_buttons(store: RunStore, record: RunRecord) -> None:
    """Open (the run's model on every page) and Resume (continue it on Train)."""
    left, right = st.columns(2)
    if left.button(
        "Open", key="runs.open", icon=":material/open_in_browser:", disabled=record.active
    ) and open_run(store, record):
        st.success(
            "Opened: Inside the cell, Gradients, Text lab and Evaluate now show this run's "
            "model, and Start on 2 · Train continues it."
        )
    resumable = not record.active and record.checkpoint_step is not None
    if right.button(
        "Resume", key="runs.resume", icon=":material/play_arrow:", disabled=not resumable
    ) and open_run(store, record):
        exp = existing_experiment()
        exp.run.start()
        st.switch_page("app_pages/train.py")
    if record.active:
        st.caption(store.elsewhere(record.id) or HERE)
