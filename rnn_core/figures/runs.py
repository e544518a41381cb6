"""Stored runs' curves overlaid: one line per run, or per group of seeds a mean with its range."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rnn_core.figures.axes import log_axis
from rnn_core.figures.colors import SERIES_COLORS, translucent
from rnn_core.figures.curves import LEGEND_ABOVE

QUANTITIES = {  # column: (title, y axis)
    "loss": ("Training loss", "loss (log scale)"),
    "val_loss": ("Validation loss", "loss (log scale)"),
    "grad_norm": ("Gradient norm", "global L2 norm (log scale)"),
}


def runs_figure(
    lines: list[tuple[str, pd.DataFrame]],
    bands: list[tuple[str, pd.DataFrame]],
    column: str,
    unit: str | None = None,
    first_color: int = 0,
) -> go.Figure:
    """`column` of each run in `lines` (label, history) against step, and each group in `bands`
    (label, `mean_over_seeds` frame) as its mean over a shaded range (min to max), on a log axis
    fitted to them; a loss's axis names its `unit` ("bits/char") when given. Colours start at
    `first_color` (a chart drawn beside another, for runs in another unit, then repeats none of
    its colours); the legend names even a single line."""
    fig, curves = go.Figure(), []
    for index, (label, band) in enumerate(bands, start=first_color):
        color = SERIES_COLORS[index % len(SERIES_COLORS)]
        steps = np.asarray(band["step"], dtype=np.float32)
        fig.add_scatter(
            x=np.concatenate([steps, steps[::-1]]),
            y=np.concatenate([band["max"], band["min"][::-1]]).astype(np.float32),
            fill="toself",
            fillcolor=translucent(color),
            line=dict(width=0),
            hoverinfo="skip",
            name=f"{html.escape(label)}: range over seeds",
        )
        fig.add_scatter(
            x=steps,
            y=np.asarray(band["mean"], dtype=np.float32),
            name=f"{html.escape(label)}: mean",
            mode="lines",
            line=dict(color=color, width=2),
        )
        curves += [band["min"], band["max"]]
    for index, (label, history) in enumerate(lines, start=first_color + len(bands)):
        measured = history.loc[np.isfinite(history[column])]
        fig.add_scatter(
            x=np.asarray(measured["step"], dtype=np.float32),
            y=np.asarray(measured[column], dtype=np.float32),
            name=html.escape(label),  # a run's name is the user's text, not markup
            mode="lines+markers" if column == "val_loss" else "lines",
            line=dict(color=SERIES_COLORS[index % len(SERIES_COLORS)], width=1.5),
            marker=dict(size=4),
        )
        curves.append(measured[column])
    title, y_title = QUANTITIES[column]
    if unit is not None and column in ("loss", "val_loss"):
        y_title = f"loss ({unit}, log scale)"  # as Train's loss axis says it
    fig.update_yaxes(**log_axis(curves))
    fig.update_layout(
        title=title,
        xaxis_title="step",
        yaxis_title=y_title,
        uirevision=f"runs-{column}",
        height=340,
        margin=dict(l=60, r=20, t=50, b=45),
        legend=LEGEND_ABOVE,
        showlegend=True,
    )
    return fig
