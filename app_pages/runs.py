"""Runs: every training kept, listed, compared, renamed, deleted, downloaded and imported."""

import streamlit as st

from ui.runs.actions import download_button, rename_and_delete, share_control, shared_view, summary
from ui.runs.opening import open_and_resume_buttons
from ui.runs.table import import_box, named, pick_runs, quota_line, run_curves, runs_table
from ui.session.owner import owner, shared_link
from ui.session.plain import as_text
from ui.session.run_store import interrupt_dead_replicas, run_store, store_problem
from ui.session.settings import shortened

st.title("Runs")
problem = store_problem()
if problem:
    st.error(as_text(problem))
    st.stop()
store = run_store()
interrupt_dead_replicas(store)
shared = shared_link()
if shared is not None:
    shared_view(store, shared, run_curves)
    st.stop()

me = owner()
records = store.runs(me)
st.caption(
    "Every training on Train, Compare and Sweep is kept here as it goes, private to this "
    "browser, with the runs you import. A run is named by where it came from and the settings "
    "in which it differs from its siblings; text losses read in bits per character. Pick runs "
    "to overlay their curves."
)
quota_line(store, me, named(records, records))  # a run to delete named as the table names it
import_box(store, me)
if not records:
    st.info("No runs yet: start a training on **2 · Train** or **7 · Compare**.")
    st.stop()
shown = runs_table(records)
chosen = pick_runs(shown)
if not chosen:
    st.caption("Choose runs above to see their curves.")
    st.stop()
run_curves(store, chosen)

st.subheader("One run")
by_id = {r.id: r for r in chosen}
picked = st.selectbox(
    "Run",
    list(by_id),
    format_func=lambda run_id: shortened(by_id[run_id].name, 80),  # options are plain text
    key="runs.one",
)
record = by_id[picked]
summary(record)
open_and_resume_buttons(store, record)
download_button(store, record, key="runs")
share_control(store, me, record)
rename_and_delete(store, me, record)
