"""Charts on a page: a figure from `rnn_core`, in the projector style in presenter mode."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from rnn_core.figures.style import for_projector
from ui.session.presenter import presenter_on


def chart(fig, key: str, container: DeltaGenerator | None = None, **kwargs) -> None:
    """`st.plotly_chart` of a Plotly figure from `rnn_core` (in `container`, e.g. a column, when
    given), in the projector style in presenter mode; other keyword arguments go to
    `plotly_chart` unchanged. (No plotly import here: the face builds no figures.)"""
    shown = for_projector(fig) if presenter_on() else fig
    # No Plotly mode bar: it sits over the title and the legend while the pointer is on the
    # chart. Dragging still zooms and a double click resets; Streamlit's own toolbar (full
    # screen) stays above the chart.
    config = {"displayModeBar": False, **kwargs.pop("config", {})}
    (st if container is None else container).plotly_chart(shown, key=key, config=config, **kwargs)
