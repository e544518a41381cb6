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
    segments: Sequence[tuple[int, int]] = (),
    max_points: int = 4000,
) -> go.Figure:
    """Each column (values (M, K), NaN where missing: drawn as a break) against `clock` (M,),
    a panel each with its unit, broken between `segments` (row ranges without a gap: no line
    across a gap), and a dashed line at each split edge (a table row)."""
    shown = list(range(min(len(columns), MAX_PANELS)))
    titles = [f"{columns[k]} ({units[k]})" if units[k] else columns[k] for k in shown]
    fig = make_subplots(
        rows=len(shown), cols=1, shared_xaxes=True, vertical_spacing=0.05, subplot_titles=titles
    )
    rows = _drawn_rows(len(clock), segments, max_points)  # (R,) table rows, -1 for a break
    x = np.asarray(clock)[np.maximum(rows, 0)]  # (R,)
    for row, k in enumerate(shown, start=1):
        y = np.where(rows >= 0, values[np.maximum(rows, 0), k], np.nan)  # (R,)
        fig.add_scatter(
            x=x, y=y, name=columns[k], mode="lines", row=row, col=1, connectgaps=False,
            line={"width": 1},
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


def _drawn_rows(count: int, segments, max_points: int) -> np.ndarray:
    """Table rows to draw, every k-th, with -1 after each segment (a break in the line)."""
    step = thinning(count, max_points).step
    pieces = []
    for a, b in segments or ((0, count),):
        pieces += [np.arange(a, b, step), np.array([-1])]
    return np.concatenate(pieces)[:-1]
