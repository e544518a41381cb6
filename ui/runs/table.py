"""The Runs page's parts: the table with its filter, the overlaid curves, the quota, import."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from rnn_core.figures.runs import QUANTITIES, runs_figure
from rnn_core.runs.archive import ArchiveError, read_run, store_run
from rnn_core.runs.columns import (
    LOSS,
    RunFilter,
    by_unit,
    filtered,
    groups,
    runs_frame,
)
from rnn_core.runs.compare import lines_and_bands, seed_groups
from rnn_core.runs.imported import checked_settings
from rnn_core.runs.location import is_postgres
from rnn_core.runs.naming import ORIGIN_LABELS, display_names, origin_of
from rnn_core.runs.quota import quota_from_environment, quota_problem
from rnn_core.runs.store import RunRecord, RunStore
from rnn_core.units import in_unit
from rnn_core.untrusted import Untrusted
from ui.session.charts import chart
from ui.session.plain import as_text, plain
from ui.session.settings import shortened

MAX_COMPARED = 12  # runs overlaid at once: more lines than colours cannot be told apart
MAX_NAME_SHOWN = 80  # characters of a run's name in the table, a legend or a sentence
MAX_DRAWN = 3000  # points per curve: a long history is thinned evenly, its last row kept


def runs_table(records: list[RunRecord]) -> list[RunRecord]:
    """The filters and the table (sortable by its headers); returns the runs shown, each with
    the name the table gives it (`rnn_core.runs.naming`)."""
    chosen = run_filter(records)
    shown = filtered(records, chosen)
    frame = runs_frame(shown, records)
    frame["name"] = [shortened(name, MAX_NAME_SHOWN) for name in frame["name"]]
    (loss,) = [column for column in frame.columns if column.startswith(LOSS)]
    numbers = {loss: st.column_config.NumberColumn(format="%.4g")} if loss != LOSS else {}
    st.dataframe(
        frame,
        key="runs.table",
        hide_index=True,
        column_config={
            **numbers,
            "lr": st.column_config.NumberColumn(format="%g", help="Learning rate"),
            "date": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        },
    )
    if not shown and chosen != RunFilter():
        st.info("No run matches these filters: clear them to see every run.")
    return named(shown, records)


def run_filter(records: list[RunRecord]) -> RunFilter:
    """The filters above the table: words, origins, and one sweep or comparison."""
    words, kinds, group = st.columns([2, 2, 1])
    text = words.text_input(
        "Filter",
        key="runs.filter",
        placeholder="name, origin, source, state or a setting (lr 0.03)",
    )
    present = [kind for kind in ORIGIN_LABELS if any(origin_of(r).kind == kind for r in records)]
    origins = kinds.multiselect(
        "Origin",
        present,
        format_func=ORIGIN_LABELS.get,
        key="runs.origins",
        placeholder="every origin",
    )
    labels = groups(records)
    if st.session_state.get("runs.group") not in (None, *labels):
        del st.session_state["runs.group"]  # its runs were deleted since
    picked = group.selectbox(
        "Sweep or comparison",
        labels,
        index=None,
        key="runs.group",
        placeholder="all",
        disabled=not labels,
    )
    return RunFilter(text, tuple(origins), picked)


def named(records: list[RunRecord], everyone: list[RunRecord]) -> list[RunRecord]:
    """`records` with the names the Runs page shows, made over all of the owner's runs."""
    names = display_names(everyone)
    return [replace(record, name=names[record.id]) for record in records]


def pick_runs(records: list[RunRecord]) -> list[RunRecord]:
    """The runs chosen to compare (the newest by default)."""
    by_id = {r.id: r for r in records}
    chosen = st.multiselect(
        "Runs to compare",
        list(by_id),
        default=[records[0].id] if records else [],
        format_func=lambda run_id: shortened(marked(by_id[run_id]), MAX_NAME_SHOWN),
        key="runs.compare",
        max_selections=MAX_COMPARED,
    )
    return [by_id[run_id] for run_id in chosen]


def marked(record: RunRecord) -> str:
    """The run's name, with "· imported" after a name an import brought that does not say so."""
    imported = origin_of(record).kind == "import" and "import" not in record.name.casefold()
    return f"{record.name} · imported" if imported else record.name


def run_curves(store: RunStore, records: list[RunRecord], key: str = "runs") -> None:
    """Loss, validation loss and gradient norm of `records` overlaid, in tabs, losses in their
    unit (a chart per unit when runs measure theirs in several); runs that differ only in their
    seed as a mean with the range, when asked."""
    units = by_unit(records)
    histories = {
        r.id: in_unit(store.history(r.id), unit) for unit, runs in units.items() for r in runs
    }
    groupable = all(_usable(r) for r in records)  # groups compare the settings
    seeded = groupable and any(len(group) > 1 for group in seed_groups(records))
    as_bands = seeded and st.toggle(
        "Runs that differ only in their seed: mean and range",
        value=True,
        key=f"{key}.bands",
        help="Such runs are drawn as their mean, with the band from the lowest to the highest.",
    )  # offered only when some runs differ only in their seed
    ordered = [record for runs in units.values() for record in runs]  # colours as in the parts
    for tab, column in zip(st.tabs([t for t, _ in QUANTITIES.values()]), QUANTITIES, strict=True):
        shared = column == "grad_norm" or len(units) == 1  # a gradient norm has no loss unit
        parts = [(next(iter(units)), ordered)] if shared else list(units.items())
        colors = 0
        for index, (unit, runs) in enumerate(parts):
            lines, bands = lines_and_bands(runs, histories, column, as_bands)
            lines, bands = _drawn(lines, column), _drawn(bands, "mean")
            figure = runs_figure(lines, bands, column, unit.axis, first_color=colors)
            colors += len(lines) + len(bands)
            chart(figure, key=f"{key}.{column}" + (f".{index}" if index else ""), container=tab)


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
