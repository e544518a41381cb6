"""A time series as the Data page shows it: one panel per column, the split edges dashed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnn_core.figures.imu import thinning

MAX_PANELS = 6  # columns drawn, one panel each; the rest are named in the title


def series_data_figure(
    clock: np.ndarray,
    values: np.ndarray,
    columns: Sequence[str],
    units: Sequence[str],
    edges: Sequence[int] = (),
    max_points: int = 4000,
) -> go.Figure:
    """Each column (values (M, K), NaN where missing: drawn as a break) against `clock` (M,),
    a panel each with its unit, and a dashed line at each split edge (a table row)."""
    shown = list(range(min(len(columns), MAX_PANELS)))
    titles = [f"{columns[k]} ({units[k]})" if units[k] else columns[k] for k in shown]
    fig = make_subplots(
        rows=len(shown), cols=1, shared_xaxes=True, vertical_spacing=0.05, subplot_titles=titles
    )
    keep = thinning(len(clock), max_points)
    x = np.asarray(clock)[keep]  # (M',)
    for row, k in enumerate(shown, start=1):
        fig.add_scatter(
            x=x, y=values[keep, k], name=columns[k], mode="lines", row=row, col=1,
            connectgaps=False, line={"width": 1},
        )  # fmt: skip
    for edge in edges:
        at = np.asarray(clock)[min(edge, len(clock) - 1)]
        fig.add_vline(x=at, line_dash="dash", line_color="grey", opacity=0.8)
    more = len(columns) - len(shown)
    title = "The series and its split" + (f" ({more} more column(s) not drawn)" if more else "")
    fig.update_layout(
        title=title,
        height=160 + 150 * len(shown),
        showlegend=False,
        margin={"l": 60, "r": 20, "t": 70, "b": 40},
    )
    return fig
