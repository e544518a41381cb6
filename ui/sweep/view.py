"""The Sweep page's live view: progress, the heatmap over the grid, mean ± spread per setting,
the mean curves with their band, and every run with where it trains."""

from __future__ import annotations

import streamlit as st

from rnn_core.figures.sweeps import band_figure, heatmap_figure
from rnn_core.sweeps.aggregate import grid, summary_table
from ui.session.charts import chart
from ui.session.live_view import Drawn, polled_view
from ui.session.plain import as_text
from ui.sweep.setup import (
    SWEEP,
    curves_to_draw,
    failures,
    progress_line,
    shown_runs,
    shown_summary,
)

SWEEP_REFRESH_S = 1.0  # a sweep's table changes as runs end: once a second is plenty


def sweep_view(baseline: float, unit: str, scale: float, band: str) -> None:
    """The session's sweep, redrawn while any of its runs waits or trains."""
    kept = st.session_state.get(SWEEP)
    if not kept:
        st.info(
            "Choose one or two knobs and their values, then press **Start**: every "
            "setting trains once per seed on the same data, and the table and heatmap fill as "
            "runs end."
        )
        return
    executor, names = kept["executor"], kept["spec"].knob_names

    def view() -> Drawn:
        results = executor.results()
        summary = summary_table(results, names)
        st.caption(as_text(f"{progress_line(results)} · on {executor.where}"))
        if getattr(executor, "connecting", False):
            st.caption(as_text(f"Connecting to {executor.where}…"))
        for problem in failures(results):
            st.error(as_text(problem))
        columns, rows, matrix = grid(summary, names)
        second = names[1] if len(names) > 1 else ""
        chart(
            heatmap_figure(columns, rows, matrix, names[0], second, unit, scale),
            key="sweep.heatmap",
        )
        st.table(shown_summary(summary, names, scale, unit), hide_index=True)
        st.caption(
            "Mean ± sample standard deviation over the seeds that trained to their end; a seed "
            "that diverged or failed is counted apart and left out of the mean."
        )
        curves = curves_to_draw(results, summary, names)
        if curves:
            chart(band_figure(curves, band, unit, baseline, scale), key="sweep.curves")
        with st.expander("Every run", expanded=False):
            st.dataframe(shown_runs(results, names, scale), hide_index=True)
        return executor.active, None  # at its end Start, Stop and the best setting follow

    polled_view("sweep", executor.active, SWEEP_REFRESH_S, view)
