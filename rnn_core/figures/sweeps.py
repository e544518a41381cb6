"""Figures of many seeds and settings: a mean validation curve with a labelled band per setting,
and a heatmap of the final validation loss (mean over seeds) over a grid of two knobs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rnn_core.figures.axes import log_axis
from rnn_core.figures.colors import cell_color, translucent
from rnn_core.figures.curves import LEGEND_ABOVE, _baseline_line, _f32, _layout, _live

LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.16, x=0, xanchor="left")
BANDS = {"min-max": "min to max over seeds", "std": "mean ± 1 standard deviation"}  # labels


def band_edges(curve: pd.DataFrame, band: str) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper edge of a mean curve's band: its min and max over seeds, or the mean
    minus and plus one standard deviation (the mean itself where one seed has the step)."""
    if band == "min-max":
        return curve["min"].to_numpy(float), curve["max"].to_numpy(float)
    std = np.nan_to_num(curve["std"].to_numpy(float))
    mean = curve["mean"].to_numpy(float)
    return mean - std, mean + std


def band_figure(
    curves: dict[str, pd.DataFrame],
    band: str = "min-max",
    unit: str = "MSE",
    baseline: float | None = None,
    scale: float = 1.0,
) -> go.Figure:
    """Per label, the validation loss's mean over seeds (line with markers) inside a shaded band
    (`band`: "min-max" or "std"), times `scale`, on a log axis fitted to them; the trivial
    baseline dashed. `curves` are `rnn_core.training.history.mean_over_seeds` frames."""
    fig, drawn = go.Figure(), []
    for k, (label, curve) in enumerate(curves.items()):
        color = cell_color(label, k)
        low, high = band_edges(curve, band)
        x = _f32(curve["step"])
        seeds = int(curve["count"].max()) if len(curve) else 0
        drawn += [low * scale, high * scale]
        fig.add_scatter(
            x=np.concatenate([x, x[::-1]]),
            y=_f32(np.concatenate([high, low[::-1]]) * scale),
            fill="toself",
            fillcolor=translucent(color),
            line=dict(width=0),
            name=f"{label}: {BANDS[band]}",
            legendgroup=label,
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=x,
            y=_f32(curve["mean"]) * scale,
            name=f"{label}: mean of {seeds} seed{'s' * (seeds != 1)}",
            mode="lines+markers",
            line=dict(color=color, width=2),
            marker=dict(size=5),
            legendgroup=label,
        )
    baseline = None if baseline is None else baseline * scale
    _baseline_line(fig, baseline)
    fig.update_yaxes(**log_axis(drawn, [baseline]))
    title = f"Validation loss, mean over seeds; shaded: {BANDS[band]}"
    fig = _live(_layout(fig, title, "step", f"validation loss ({unit}, log scale)", "bands"))
    # one entry per setting can be many: under the plot, where they never cover the title
    fig.update_layout(height=480, margin_b=110, legend=LEGEND_BELOW)
    return fig


def heatmap_figure(
    columns: Sequence,
    rows: Sequence,
    matrix: np.ndarray,
    column_knob: str,
    row_knob: str = "",
    unit: str = "MSE",
    scale: float = 1.0,
) -> go.Figure:
    """The final validation loss, mean over seeds, per setting: columns the first knob's
    values, rows the second's, each cell written out; colour on a log scale (darker: lower),
    a setting without a value yet left blank."""
    values = np.asarray(matrix, dtype=float) * scale  # (rows, columns)
    with np.errstate(divide="ignore", invalid="ignore"):
        shade = np.where(values > 0, np.log10(values), np.nan)
    text = [[f"{v:.4g}" if np.isfinite(v) else "–" for v in row] for row in values]
    fig = go.Figure(
        go.Heatmap(
            x=[_category(v) for v in columns],
            y=[_category(v) for v in rows],
            z=shade,
            text=text,
            texttemplate="%{text}",
            customdata=values,
            hovertemplate=f"{column_knob} %{{x}}<br>{row_knob} %{{y}}<br>"
            f"final validation loss %{{customdata:.4g}} {unit}<extra></extra>",
            colorscale="Viridis",
            colorbar=dict(title=f"log₁₀ {unit}"),
        )
    )
    fig.update_xaxes(type="category", title=column_knob)
    fig.update_yaxes(type="category", title=row_knob or None, showticklabels=bool(row_knob))
    fig.update_layout(
        title=f"Final validation loss ({unit}), mean over seeds",
        height=360,
        margin=dict(l=80, r=20, t=50, b=50),
        legend=LEGEND_ABOVE,
        uirevision="heatmap",
    )
    return fig


def _category(value) -> str:
    return format(value, "g") if isinstance(value, float) else str(value)
