"""What one can do with one stored run: rename, delete, download, share; and a shared run's view."""

from __future__ import annotations

import re

import streamlit as st

from rnn_core.runs.archive import run_zip
from rnn_core.runs.store import RunRecord, RunStore
from ui.owner import forget_shared_link
from ui.plain import as_text, plain

MAX_NAME = 80


def summary(record: RunRecord) -> None:
    """A run's state, steps and message in one caption."""
    best = "" if record.best_val is None else f" · best validation loss {record.best_val:.4g}"
    st.caption(
        as_text(
            f"{record.cell} · {record.source} · seed {record.seed} · {record.steps:,} steps"
            f"{best} · {record.state.replace('_', ' ')}"
        )
    )
    if record.message:
        st.caption(plain(record.message, 300))


def download_button(store: RunStore, record: RunRecord, key: str) -> None:
    """The run as a zip (settings.json, history.csv, model.pt), made when clicked."""
    safe = re.sub(r"[^\w.-]+", "-", record.name).strip("-")[:40] or "run"
    st.download_button(
        "Download (.zip)",
        data=lambda: run_zip(store, store.get(record.id)),
        file_name=f"{safe}.zip",
        mime="application/zip",
        key=f"{key}.download",
        icon=":material/download:",
    )


def rename_and_delete(store: RunStore, owner: str, record: RunRecord) -> None:
    """Rename the run; delete it after a confirmation (never while it trains)."""
    left, right = st.columns(2)
    with left.form("runs.rename", border=False):
        name = st.text_input("Name", value=record.name, max_chars=MAX_NAME, key="runs.name")
        if st.form_submit_button("Rename", icon=":material/edit:"):
            if name.strip():
                store.rename(owner, record.id, name.strip())
                st.rerun()
            st.error("A run needs a name: type one, then Rename.")
    with right:
        if record.active:
            st.caption("A run that trains cannot be deleted: stop it on its page first.")
            return
        sure = st.checkbox("Delete this run, its history and its weights", key="runs.sure")
        if st.button("Delete", disabled=not sure, key="runs.delete", icon=":material/delete:"):
            store.delete(owner, record.id)
            st.session_state.pop("runs.sure", None)
            st.rerun()


def share_control(store: RunStore, owner: str, record: RunRecord) -> None:
    """A link that opens this one run read-only in any browser."""
    if st.button("Share a read-only link", key="runs.share", icon=":material/share:"):
        st.session_state["runs.share_for"] = record.id
    if st.session_state.get("runs.share_for") == record.id:
        token = store.share(owner, record.id)
        st.code(f"{st.context.url or ''}?run={record.id}&share={token}", language=None)
        st.caption(
            "Whoever has this link can see this run, its curves and download it, but not "
            "change it, nor see your other runs."
        )


def shared_view(store: RunStore, shared: tuple[str, str], run_curves) -> None:
    """A run opened from a shared link: read-only, nothing else of its owner's."""
    record = store.shared(*shared) if shared[0] else None
    if st.button("Back to your runs", key="runs.back", icon=":material/arrow_back:"):
        forget_shared_link()
        st.rerun()
    if record is None:
        st.error(
            "This shared link does not open a run: it was mistyped, or the run was deleted. "
            "Ask for the link again."
        )
        return
    st.subheader(plain(record.name, MAX_NAME))
    st.info("Opened from a shared link: read-only.", icon=":material/visibility:")
    summary(record)
    run_curves(store, [record], key="shared")
    download_button(store, record, key="shared")
