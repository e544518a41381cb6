"""What one can do with one stored run: rename, delete, download, share; and a shared run's view."""

from __future__ import annotations

import re

import streamlit as st

from rnn_core.runs.archive import run_zip
from rnn_core.runs.columns import loss_text
from rnn_core.runs.leases import RunElsewhere
from rnn_core.runs.store import RunRecord, RunStore
from ui.session.owner import forget_shared_link
from ui.session.plain import as_text, plain

MAX_NAME = 80


def summary(record: RunRecord) -> None:
    """A run's state, steps and message in one caption."""
    best = "" if record.best_val is None else f" · best validation loss {loss_text(record)}"
    st.caption(
        as_text(
            f"{record.cell} · {record.parameters:,} parameters · {record.source} · seed "
            f"{record.seed} · {record.steps:,} steps"
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
            st.caption(
                store.elsewhere(record.id)
                or "A run that trains cannot be deleted: stop it on its page first."
            )
            return
        sure = st.checkbox("Delete this run, its history and its weights", key="runs.sure")
        if st.button("Delete", disabled=not sure, key="runs.delete", icon=":material/delete:"):
            try:
                store.delete(owner, record.id)
            except RunElsewhere as busy:  # resumed on another server since this page drew
                st.error(as_text(str(busy)))
                return
            st.session_state.pop("runs.sure", None)
            st.rerun()


def share_control(store: RunStore, owner: str, record: RunRecord) -> None:
    """A link that opens this one run read-only in any browser; Revoke ends it."""
    if st.button("Share a read-only link", key="runs.share", icon=":material/share:"):
        st.session_state["runs.share_for"] = record.id
        st.session_state.pop("runs.revoked", None)
    showing = st.session_state.get("runs.share_for") == record.id
    if showing:
        token = store.share(owner, record.id)
        st.code(f"{st.context.url or ''}?run={record.id}&share={token}", language=None)
        st.caption(
            "Whoever has this link can see this run, its curves and download it, but not "
            "change it, nor see your other runs, until you revoke it."
        )
    if showing or record.share_token:
        revoke_control(store, owner, record.id)
    elif st.session_state.get("runs.revoked") == record.id:
        st.success("The link is revoked: it opens nothing now. Share again for a new link.")


def revoke_control(store: RunStore, owner: str, run_id: str) -> None:
    """Revoke the run's share link: whoever has it sees a sentence instead of the run."""
    if st.button("Revoke the shared link", key="runs.revoke", icon=":material/link_off:"):
        store.revoke_share(owner, run_id)
        st.session_state.pop("runs.share_for", None)
        st.session_state["runs.revoked"] = run_id
        st.rerun()


def shared_view(store: RunStore, shared: tuple[str, str], run_curves) -> None:
    """A run opened from a shared link: read-only, nothing else of its owner's."""
    record = store.shared(*shared) if shared[0] else None
    if st.button("Back to your runs", key="runs.back", icon=":material/arrow_back:"):
        forget_shared_link()
        st.rerun()
    if record is None:
        revoked = bool(shared[0]) and store.share_revoked(*shared)
        st.error(
            "This shared link was revoked by the run's owner: it opens nothing now. Ask the "
            "owner for a new link."
            if revoked
            else "This shared link does not open a run: it was mistyped, or the run was "
            "deleted. Ask for the link again."
        )
        return
    st.subheader(plain(record.name, MAX_NAME))
    st.info("Opened from a shared link: read-only.", icon=":material/visibility:")
    summary(record)
    run_curves(store, [record], key="shared")
    download_button(store, record, key="shared")
