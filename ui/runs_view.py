"""The Runs page's parts: the table with its filter, the overlaid curves, the quota, import."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import streamlit as st

from rnn_core.figures.runs import QUANTITIES, runs_figure
from rnn_core.runs.archive import ArchiveError, read_run, store_run
from rnn_core.runs.compare import lines_and_bands, seed_groups
from rnn_core.runs.imported import checked_settings
from rnn_core.runs.location import is_postgres
from rnn_core.runs.quota import quota_from_environment, quota_problem
from rnn_core.runs.store import RunRecord, RunStore
from rnn_core.untrusted import Untrusted
from ui.charts import chart
from ui.plain import as_text, plain
from ui.settings import shortened

MAX_COMPARED = 12  # runs overlaid at once: more lines than colours cannot be told apart
MAX_NAME_SHOWN = 80  # characters of a run's name in the table, a legend or a sentence
MAX_DRAWN = 3000  # points per curve: a long history is thinned evenly, its last row kept


def state_word(state: str) -> str:
    """A run state as a page writes it (early_stopped -> early stopped)."""
    return state.replace("_", " ")


def runs_frame(records: list[RunRecord]) -> pd.DataFrame:
    """One row per run, the columns the table shows."""
    return pd.DataFrame(
        {
            "name": [shortened(r.name, MAX_NAME_SHOWN) for r in records],
            "source": [r.source for r in records],
            "cell": [r.cell for r in records],
            "parameters": [r.parameters for r in records],
            "steps": [r.steps for r in records],
            "best validation loss": [r.best_val for r in records],
            "state": [state_word(r.state) for r in records],
            "date": [datetime.fromtimestamp(r.created) for r in records],
        }
    )


def filtered(records: list[RunRecord], text: str) -> list[RunRecord]:
    """The runs whose name, source, cell or state contains `text` (any case)."""
    needle = text.strip().casefold()
    fields = lambda r: (r.name, r.source, r.cell, state_word(r.state))  # noqa: E731
    return [r for r in records if not needle or any(needle in f.casefold() for f in fields(r))]


def runs_table(records: list[RunRecord]) -> list[RunRecord]:
    """The filter and the table (sortable by its headers); returns the runs shown."""
    text = st.text_input("Filter", key="runs.filter", placeholder="name, source, cell or state")
    shown = filtered(records, text)
    st.dataframe(
        runs_frame(shown),
        key="runs.table",
        hide_index=True,
        column_config={
            "best validation loss": st.column_config.NumberColumn(format="%.4g"),
            "date": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        },
    )
    if text and not shown:
        st.info(as_text(f"No run matches “{text.strip()[:60]}”: clear the filter to see them all."))
    return shown


def pick_runs(records: list[RunRecord]) -> list[RunRecord]:
    """The runs chosen to compare (the newest by default)."""
    by_id = {r.id: r for r in records}
    chosen = st.multiselect(
        "Runs to compare",
        list(by_id),
        default=[records[0].id] if records else [],
        format_func=lambda run_id: shortened(f"{by_id[run_id].name} · {by_id[run_id].cell}", 80),
        key="runs.compare",
        max_selections=MAX_COMPARED,
    )
    return [by_id[run_id] for run_id in chosen]


def run_curves(store: RunStore, records: list[RunRecord], key: str = "runs") -> None:
    """Loss, validation loss and gradient norm of `records` overlaid, in tabs; runs that differ
    only in their seed as a mean with the range, when asked."""
    histories = {r.id: store.history(r.id) for r in records}
    groupable = all(_usable(r) for r in records)  # groups compare the settings
    seeded = groupable and any(len(group) > 1 for group in seed_groups(records))
    as_bands = seeded and st.toggle(
        "Runs that differ only in their seed: mean and range",
        value=True,
        key=f"{key}.bands",
        help="Such runs are drawn as their mean, with the band from the lowest to the highest.",
    )  # offered only when some runs differ only in their seed
    for tab, column in zip(st.tabs([t for t, _ in QUANTITIES.values()]), QUANTITIES, strict=True):
        lines, bands = lines_and_bands(records, histories, column, as_bands)
        lines, bands = _drawn(lines, column), _drawn(bands, "mean")
        chart(runs_figure(lines, bands, column), key=f"{key}.{column}", container=tab)


def _usable(record: RunRecord) -> bool:
    """True when the run's settings are what this app stores (a run kept before imports were
    checked may hold others: it is drawn alone, and refused with a sentence when opened)."""
    try:
        checked_settings(record.settings)
    except Untrusted:
        return False
    return True


def _drawn(curves: list[tuple[str, pd.DataFrame]], column: str) -> list[tuple[str, pd.DataFrame]]:
    """Each (label, frame) with its label shortened and the rows that measured `column` thinned
    to MAX_DRAWN (a validation loss is measured every few steps only)."""
    return [
        (shortened(label, MAX_NAME_SHOWN), thinned(frame.loc[np.isfinite(frame[column])]))
        for label, frame in curves
    ]


def thinned(frame: pd.DataFrame, most: int = MAX_DRAWN) -> pd.DataFrame:
    """Every k-th row of `frame` so that at most `most` (and its last row) are left."""
    if len(frame) <= most:
        return frame
    stride = -(-len(frame) // most)  # ceil
    return pd.concat([frame.iloc[:-1:stride], frame.iloc[-1:]])


def quota_line(store: RunStore, owner: str, records: list[RunRecord]) -> str | None:
    """What this browser's runs take against its quota; the sentence when it is reached."""
    quota, usage = quota_from_environment(), store.usage(owner)
    st.caption(
        f"{usage.runs} of {quota.max_runs} runs · {usage.megabytes:.1f} of "
        f"{quota.max_megabytes:g} MB · kept "
        + ("in PostgreSQL" if is_postgres(store.location) else "on this server")
    )
    problem = quota_problem(usage, quota, records)
    if problem:
        st.warning(as_text(problem))
    return problem


def import_box(store: RunStore, owner: str) -> None:
    """Upload a run's zip (from Download) to add it to this browser's runs: checked whole before
    anything is stored, and against the quota with what it would add."""
    with st.expander("Import a run (.zip)", icon=":material/upload:"):
        upload = st.file_uploader("A zip downloaded from the Runs page", ["zip"], key="runs.upload")
        if upload is None:
            return
        said = st.session_state.get("runs.imported")
        if said and said[0] == upload.file_id:  # a rerun must not read the same file again
            (st.success if said[1] else st.error)(said[2])
            return
        try:
            run = read_run(upload.getvalue())
            problem = quota_problem(
                store.usage(owner), quota_from_environment(), store.runs(owner), run.usage
            )
        except ArchiveError as error:
            problem = str(error)
        if problem:
            st.session_state["runs.imported"] = (upload.file_id, False, as_text(problem))
            st.error(as_text(problem))
            return
        record = store_run(store, owner, run)
        said = f"Imported “{plain(record.name, MAX_NAME_SHOWN)}”."
        st.session_state["runs.imported"] = (upload.file_id, True, said)
        st.rerun()
