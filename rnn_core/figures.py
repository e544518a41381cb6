"""Pure figure builders: data in, plotly Figure out. No state, no training, no streamlit.

Arrays go in as float32 (Plotly ships them compactly) and every figure sets `uirevision`, so a
user's zoom survives the live updates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rnn_core.predict import ForecastPreview

TRAIN_COLOR, VAL_COLOR, TARGET_COLOR = "#1f77b4", "#ff7f0e", "#555555"
SPLIT_COLORS = {
    "train": "rgba(31,119,180,0.06)",
    "validation": "rgba(255,127,14,0.10)",
    "test": "rgba(44,160,44,0.10)",
}


def _f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def _layout(fig: go.Figure, title: str, x: str, y: str, revision: str) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        uirevision=revision,
        height=320,
        margin=dict(l=60, r=20, t=50, b=45),
        legend=dict(orientation="h", y=1.12, x=1, xanchor="right"),
    )
    return fig


def _live(fig: go.Figure) -> go.Figure:
    """For a chart redrawn a few times a second while training: the fixed margins only, and tick
    labels drawn without measuring each against the chart's edge, so that the browser lays it out
    in one pass (Chromium measured at 0.52 of a core for the Train page, 0.63 without). Numeric axes
    only: their labels fit the margins of `_layout`."""
    fig.update_xaxes(automargin=False, ticklabeloverflow="allow")
    fig.update_yaxes(automargin=False, ticklabeloverflow="allow")
    return fig


def loss_figure(
    history: pd.DataFrame, unit: str = "MSE", baseline: float | None = None
) -> go.Figure:
    """Training loss per step and validation loss where measured, on a log axis, with the
    trivial baseline's loss as a dashed line when there is one."""
    fig = go.Figure()
    fig.add_scatter(
        x=_f32(history["step"]),
        y=_f32(history["loss"]),
        name="train",
        mode="lines",
        line=dict(color=TRAIN_COLOR, width=1.5),
    )
    val = history.dropna(subset=["val_loss"])
    fig.add_scatter(
        x=_f32(val["step"]),
        y=_f32(val["val_loss"]),
        name="validation",
        mode="lines+markers",
        line=dict(color=VAL_COLOR, width=2),
        marker=dict(size=5),
    )
    _baseline_line(fig, baseline)
    fig.update_yaxes(type="log")
    return _live(_layout(fig, "Loss", "step", f"loss ({unit}, log scale)", "loss"))


def _baseline_line(fig: go.Figure, baseline: float | None) -> None:
    """The trivial baseline's loss as a dashed horizontal line."""
    if baseline is not None:
        fig.add_hline(
            y=baseline,
            line=dict(color="#444", dash="dash", width=1.5),
            annotation_text="trivial baseline",
            annotation_position="top right",
        )


def grad_norm_figure(history: pd.DataFrame, clip_norm: float | None = None) -> go.Figure:
    """Global gradient norm per step (before clipping), with the clipping threshold if any."""
    fig = go.Figure()
    fig.add_scatter(
        x=_f32(history["step"]),
        y=_f32(history["grad_norm"]),
        name="‖∇θ L‖",
        mode="lines",
        line=dict(color="#2ca02c", width=1.5),
    )
    if clip_norm is not None:
        fig.add_hline(
            y=clip_norm,
            line_dash="dash",
            line_color="#d62728",
            annotation_text=f"clip at {clip_norm:g}",
        )
    fig.update_yaxes(type="log")
    return _live(_layout(fig, "Gradient norm", "step", "global L2 norm (log scale)", "grad"))


def forecast_figure(preview: ForecastPreview, feature: int = 0) -> go.Figure:
    """Target and one-step-ahead prediction along a validation series."""
    fig = go.Figure()
    fig.add_scatter(
        x=_f32(preview.steps),
        y=_f32(preview.target[:, feature]),
        name="target",
        mode="lines",
        line=dict(color=TARGET_COLOR, width=2),
    )
    fig.add_scatter(
        x=_f32(preview.steps),
        y=_f32(preview.prediction[:, feature]),
        name="prediction",
        mode="lines",
        line=dict(color=VAL_COLOR, width=2, dash="dot"),
    )
    _shade_splits(fig, (0, *preview.split_starts, int(preview.steps[-1]) + 1))
    name = preview.feature_names[feature] if preview.feature_names else "value"
    return _live(_layout(fig, "One-step forecast along series 0", "step", name, "forecast"))


def _shade_splits(fig: go.Figure, edges) -> None:
    """Shade the train / validation / test parts between consecutive x edges."""
    for (name, color), start, end in zip(SPLIT_COLORS.items(), edges[:-1], edges[1:], strict=True):
        fig.add_vrect(
            x0=start,
            x1=end,
            fillcolor=color,
            line_width=0,
            annotation_text=name,
            annotation_position="top left",
        )


def series_figure(
    series: np.ndarray,
    sample_rate: float,
    fractions: tuple[float, float, float],
    max_series: int = 4,
) -> go.Figure:
    """The first few series (N, L, 1) against time, with the train/validation/test parts shaded."""
    length = series.shape[1]
    t = np.arange(length) / sample_rate  # (L,)
    fig = go.Figure()
    for n in range(min(max_series, series.shape[0])):
        fig.add_scatter(x=_f32(t), y=_f32(series[n, :, 0]), name=f"series {n}", mode="lines")
    _shade_splits(fig, np.cumsum((0.0, *fractions)) * length / sample_rate)
    return _layout(fig, "Sine series", "time (s)", "value", "series")


def char_frequency_figure(stats: pd.DataFrame, top: int = 40) -> go.Figure:
    """Bar chart of the most frequent characters (from `char_statistics`)."""
    head = stats.head(top)
    fig = go.Figure(go.Bar(x=head["char"], y=_f32(head["count"]), marker_color=TRAIN_COLOR))
    fig.update_xaxes(type="category")
    return _layout(
        fig, f"Most frequent characters (top {len(head)})", "character", "count", "chars"
    )


def probability_figure(frame: pd.DataFrame, context: str) -> go.Figure:
    """Bar chart of the most likely next characters (columns 'char', 'probability')."""
    fig = go.Figure(go.Bar(x=frame["char"], y=_f32(frame["probability"]), marker_color=TRAIN_COLOR))
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 1])
    return _layout(fig, f"Next character after …{context}", "character", "probability", "next")


CELL_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


def compare_loss_figure(
    histories: dict[str, pd.DataFrame], unit: str = "MSE", baseline: float | None = None
) -> go.Figure:
    """Every cell's training loss (thin) and validation loss (markers) on one log axis, with the
    trivial baseline's loss as a dashed line when there is one."""
    fig = go.Figure()
    for (label, history), color in zip(histories.items(), CELL_COLORS * 4, strict=False):
        fig.add_scatter(
            x=_f32(history["step"]),
            y=_f32(history["loss"]),
            name=f"{label} train",
            mode="lines",
            line=dict(color=color, width=1),
            opacity=0.45,
            legendgroup=label,
        )
        val = history.dropna(subset=["val_loss"])
        fig.add_scatter(
            x=_f32(val["step"]),
            y=_f32(val["val_loss"]),
            name=f"{label} validation",
            mode="lines+markers",
            line=dict(color=color, width=2),
            marker=dict(size=5),
            legendgroup=label,
        )
    _baseline_line(fig, baseline)
    fig.update_yaxes(type="log")
    fig = _live(_layout(fig, "Loss, every cell", "step", f"loss ({unit}, log scale)", "compare"))
    fig.update_layout(height=420)
    return fig


def sequence_figure(x: np.ndarray, feature_names: tuple[str, ...], title: str) -> go.Figure:
    """One input sequence (T, F) as a heatmap: a row per feature, a column per step."""
    fig = go.Figure(
        go.Heatmap(
            z=_f32(x).T,  # (F, T)
            y=list(feature_names),
            x=np.arange(x.shape[0]),
            colorscale="Blues",
            showscale=False,
        )
    )
    _layout(fig, title, "step", "", "sequence")
    fig.update_yaxes(type="category")
    fig.update_layout(height=max(160, 40 + 22 * len(feature_names)))
    return fig
