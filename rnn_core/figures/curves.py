"""Pure figure builders: data in, plotly Figure out. No state, no training, no streamlit.

Arrays go in as float32 (Plotly ships them compactly) and every figure sets `uirevision`, so a
user's zoom survives the live updates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rnn_core.analysis.predict import ForecastPreview
from rnn_core.figures.axes import log_axis
from rnn_core.figures.colors import (
    GREY,
    OKABE_ITO,
    PREVIOUS_COLOR,
    SERIES_COLORS,
    TARGET_COLOR,
    TRAIN_COLOR,
    VAL_COLOR,
    cell_color,
)
from rnn_core.figures.panels import add_clipped_panel, needs_panel

SPLIT_COLORS = {
    "train": "rgba(0,114,178,0.07)",
    "validation": "rgba(230,159,0,0.13)",
    "test": "rgba(0,158,115,0.12)",
}
# Above the plot area, right of the title: never over a curve, a baseline or a split's label.
LEGEND_ABOVE = dict(orientation="h", yanchor="bottom", y=1.02, x=1, xanchor="right")


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
        legend=LEGEND_ABOVE,
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
    history: pd.DataFrame,
    unit: str = "MSE",
    baseline: float | None = None,
    scale: float = 1.0,
    previous: pd.DataFrame | None = None,
    references: dict[str, float] | None = None,
) -> go.Figure:
    """Training loss per step and validation loss where measured, times `scale` (e.g. nats to
    bits), on a log axis fitted to them, with the trivial baseline's loss as a dashed line when
    there is one, each of `references` (name -> a forecast baseline's validation loss) dotted,
    and a `previous` run's validation curve, faint, to compare with."""
    fig = go.Figure()
    curves = []
    if previous is not None and len(previous):
        old = previous.dropna(subset=["val_loss"])
        curves.append(_f32(old["val_loss"]) * scale)
        fig.add_scatter(
            x=_f32(old["step"]),
            y=curves[-1],
            name="previous run (validation)",
            mode="lines",
            line=dict(color=PREVIOUS_COLOR, width=2, dash="dot"),
        )
    curves.append(_f32(history["loss"]) * scale)
    fig.add_scatter(
        x=_f32(history["step"]),
        y=curves[-1],
        name="train",
        mode="lines",
        line=dict(color=TRAIN_COLOR, width=1.5),
    )
    val = history.dropna(subset=["val_loss"])
    curves.append(_f32(val["val_loss"]) * scale)
    fig.add_scatter(
        x=_f32(val["step"]),
        y=curves[-1],
        name="validation",
        mode="lines+markers",
        line=dict(color=VAL_COLOR, width=2),
        marker=dict(size=5),
    )
    baseline = None if baseline is None else baseline * scale
    _baseline_line(fig, baseline)
    lines = [baseline]
    for name, loss in (references or {}).items():
        if np.isfinite(loss) and loss > 0:
            lines.append(loss * scale)
            _log_hline(fig, lines[-1], f"{name} (validation)", REFERENCE_LINE)
    fig.update_yaxes(**log_axis(curves, lines))
    return _live(_layout(fig, "Loss", "step", f"loss ({unit}, log scale)", "loss"))


REFERENCE_LINE = dict(color=GREY, dash="dot", width=1.5)  # a forecast baseline's loss


def _baseline_line(fig: go.Figure, baseline: float | None) -> None:
    """The trivial baseline's loss as a dashed horizontal line on the log axis."""
    if baseline is not None:
        _log_hline(fig, baseline, "trivial baseline", dict(color=GREY, dash="dash", width=1.5))


def _log_hline(fig: go.Figure, y: float, text: str, line: dict) -> None:
    """A horizontal line at `y` on a log y axis, named just under it at the right. (Plotly
    places an annotation on a log axis by log10 of its value: add_hline's own label, given the
    value itself, lands a decade off, often out of view.)"""
    fig.add_hline(y=y, line=line)
    if y > 0:
        fig.add_annotation(
            text=text,
            x=1,
            xref="x domain",
            xanchor="right",
            y=float(np.log10(y)),
            yref="y",
            yanchor="top",
            showarrow=False,
        )


def grad_norm_figure(history: pd.DataFrame, clip_norm: float | None = None) -> go.Figure:
    """Global gradient norm per step (before clipping), with the clipping threshold if any."""
    fig = go.Figure()
    fig.add_scatter(
        x=_f32(history["step"]),
        y=_f32(history["grad_norm"]),
        name="‖∇θ L‖",
        mode="lines",
        line=dict(color=OKABE_ITO["bluish green"], width=1.5),
    )
    if clip_norm is not None:
        line = dict(color=OKABE_ITO["vermillion"], dash="dash")
        _log_hline(fig, clip_norm, f"clip at {clip_norm:g}", line)
    fig.update_yaxes(**log_axis([history["grad_norm"]], [clip_norm]))
    return _live(_layout(fig, "Gradient norm", "step", "global L2 norm (log scale)", "grad"))


def forecast_figure(
    preview: ForecastPreview, feature: int = 0, sample_rate: float | None = None
) -> go.Figure:
    """Target and one-step-ahead prediction along a validation series, against the step, or
    against time in seconds when the `sample_rate` (Hz) is known (a recording)."""
    per = 1.0 if sample_rate is None else 1.0 / sample_rate
    x = _f32(preview.steps) * per
    fig = go.Figure()
    fig.add_scatter(
        x=x,
        y=_f32(preview.target[:, feature]),
        name="target",
        mode="lines",
        line=dict(color=TARGET_COLOR, width=2),
    )
    fig.add_scatter(
        x=x,
        y=_f32(preview.prediction[:, feature]),
        name="prediction",
        mode="lines",
        line=dict(color=VAL_COLOR, width=2, dash="dot"),
    )
    edges = (0, *preview.split_starts, int(preview.steps[-1]) + 1)
    # short names: the validation and test parts are narrow here, their full names ran together
    _shade_splits(fig, [edge * per for edge in edges], ("train", "val.", "test"))
    name = preview.feature_names[feature] if preview.feature_names else "value"
    x_title = "step" if sample_rate is None else "time (s)"
    return _live(_layout(fig, "One-step forecast along series 0", x_title, name, "forecast"))


def _shade_splits(fig: go.Figure, edges, names=tuple(SPLIT_COLORS)) -> None:
    """Shade the train / validation / test parts between consecutive x edges, each named."""
    parts = zip(names, SPLIT_COLORS.values(), edges[:-1], edges[1:], strict=True)
    for name, color, start, end in parts:
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
        color = SERIES_COLORS[n % len(SERIES_COLORS)]
        fig.add_scatter(
            x=_f32(t), y=_f32(series[n, :, 0]), name=f"series {n}", mode="lines", line_color=color
        )
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


def probability_figure(frame: pd.DataFrame, context: str, actual: str | None = None) -> go.Figure:
    """Bar chart of the most likely next characters (columns 'char', 'probability') after the
    last characters of `context`; the character that really comes next, when given, is drawn
    in its own colour and named under the axis."""
    colors = [VAL_COLOR if c == actual else TRAIN_COLOR for c in frame["char"]]
    fig = go.Figure(go.Bar(x=frame["char"], y=_f32(frame["probability"]), marker_color=colors))
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 1])
    x_title = "character"
    if actual is not None:
        quoted = f"“{actual}”"  # quoted: a bracket or a comma reads as itself
        if actual in set(frame["char"]):
            x_title = f"character (orange: the true next one, {quoted})"
        else:
            x_title = f"character (the true next one, {quoted}, is not in the top {len(frame)})"
    title = f"Next character after …{context[-CONTEXT_SHOWN:]}"
    return _layout(fig, title, x_title, "probability", "next")


CONTEXT_SHOWN = 16  # characters of context in a title that must fit a projector's column


def compare_loss_figure(
    histories: dict[str, pd.DataFrame],
    unit: str = "MSE",
    baseline: float | None = None,
    scale: float = 1.0,
) -> go.Figure:
    """Every run's training loss (thin, faint) and validation loss (markers) times `scale` on
    one log axis fitted to them, a colour per cell (a run without clipping dashed), with the
    trivial baseline's loss as a dashed line when there is one."""
    fig = go.Figure()
    curves, by_run = [], {}
    for k, (label, history) in enumerate(histories.items()):
        color = cell_color(label, k)
        dash = "dash" if "no clipping" in label else "solid"
        curves.append(_f32(history["loss"]) * scale)
        by_run[label] = [curves[-1]]
        fig.add_scatter(
            x=_f32(history["step"]),
            y=curves[-1],
            name=f"{label} train",
            mode="lines",
            line=dict(color=color, width=1, dash=dash),
            opacity=0.45,
            legendgroup=label,
            # one legend entry per run: its validation curve's, until it has one (a run that
            # diverged before its first evaluation has none); the caption says which is which
            showlegend=not history["val_loss"].notna().any(),
        )
        val = history.dropna(subset=["val_loss"])
        curves.append(_f32(val["val_loss"]) * scale)
        by_run[label].append(curves[-1])
        fig.add_scatter(
            x=_f32(val["step"]),
            y=curves[-1],
            name=f"{label} validation",
            mode="lines+markers",
            line=dict(color=color, width=2, dash=dash),
            marker=dict(size=5),
            legendgroup=label,
            showlegend=bool(len(val)),
        )
    baseline = None if baseline is None else baseline * scale
    _baseline_line(fig, baseline)
    fig.update_yaxes(**log_axis(curves, [baseline]))
    fig = _live(_layout(fig, "Loss, every cell", "step", f"loss ({unit}, log scale)", "compare"))
    fig.update_layout(height=440, margin_t=80)  # room for two rows of legend above the plot
    if needs_panel(by_run, [baseline]):  # the clipped runs squeezed by an exploding one
        add_clipped_panel(fig, by_run, [baseline], unit.split(",")[0])
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
