"""IMU figures: the recording's signals with its label track, forecasts against truth and the
baselines, and a confusion matrix. Pure builders: arrays in, plotly Figure out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnn_core.datasets.imu.units import wrap
from rnn_core.evaluation.metrics import WRAPPED_ANGLES, display_unit
from rnn_core.figures.angles import break_at_wraps
from rnn_core.figures.colors import OKABE_ITO, SERIES_COLORS
from rnn_core.figures.curves import TARGET_COLOR, VAL_COLOR, _f32

PALETTE = SERIES_COLORS  # Okabe-Ito: distinct for colour-blind eyes and on a projector
SIGNAL_GROUPS = (
    ("accelerometer (m/s^2)", ("ax", "ay", "az")),
    ("gyroscope (deg/s)", ("gx", "gy", "gz")),
    ("roll, pitch (deg)", ("roll", "pitch")),
)


def thinning(rows: int, max_points: int) -> slice:
    """Every k-th row so that at most about max_points are drawn."""
    return slice(None, None, max(1, -(-rows // max_points)))


def label_runs(labels: np.ndarray) -> list[tuple[int, int, str]]:
    """Runs of equal labels as (first row, last row + 1, label), in order."""
    labels = np.asarray(labels)
    if len(labels) == 0:
        return []
    edges = np.flatnonzero(labels[1:] != labels[:-1]) + 1  # rows where a new run starts
    starts = np.concatenate([[0], edges])
    ends = np.concatenate([edges, [len(labels)]])
    return [(int(a), int(b), str(labels[a])) for a, b in zip(starts, ends, strict=True)]


def add_label_track(fig: go.Figure, time: np.ndarray, labels: np.ndarray, row: int | None) -> None:
    """One thick horizontal bar per label run on subplot `row` (None: a figure without subplots),
    a colour per label."""
    classes = sorted(set(np.asarray(labels).tolist()))
    color = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(classes)}
    x: dict[str, list] = {name: [] for name in classes}
    for a, b, name in label_runs(labels):
        x[name] += [float(time[a]), float(time[b - 1]), None]  # None breaks the line
    for name in classes:
        fig.add_scatter(
            x=x[name],
            y=[name if v is not None else None for v in x[name]],
            mode="lines",
            line=dict(color=color[name], width=14),
            name=name,
            legendgroup="labels",
            hovertemplate=f"{name}<extra></extra>",
            **({} if row is None else dict(row=row, col=1)),
        )


def label_track_figure(labels: np.ndarray, title: str = "activity label at each step") -> go.Figure:
    """A window's labels (T,) as a coloured track over its steps t, to sit under the heatmaps."""
    fig = go.Figure()
    steps = np.arange(len(labels))
    add_label_track(fig, steps, np.asarray(labels), row=None)
    fig.update_layout(
        title=title,
        xaxis_title="t",
        height=150,
        margin=dict(l=60, r=20, t=40, b=40),
        legend=dict(orientation="h", y=1.3, x=1, xanchor="right"),
        uirevision="inside.labels",
    )
    return fig


def imu_signals_figure(
    time: np.ndarray,
    values: pd.DataFrame,
    labels: np.ndarray | None = None,
    part_starts: Sequence[int] = (),
    max_points: int = 4000,
) -> go.Figure:
    """Accelerometer, gyroscope and roll / pitch over time (SI in, display units out), with the
    label track under them when there are labels and the split edges as dashed lines."""
    groups = [(title, [c for c in cols if c in values]) for title, cols in SIGNAL_GROUPS]
    groups = [(title, cols) for title, cols in groups if cols]
    rows = len(groups) + (labels is not None)
    heights = [1.0] * len(groups) + ([0.35] if labels is not None else [])
    titles = [title for title, _ in groups] + (["label"] if labels is not None else [])
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        row_heights=heights,
        subplot_titles=titles,
    )
    keep = thinning(len(time), max_points)
    drawn = 0  # a colour per signal across the panels: ax, gx and roll do not share one
    for row, (_, cols) in enumerate(groups, start=1):
        for col in cols:
            factor = display_unit(col)[1]
            fig.add_scatter(
                **_top_row(time[keep], values[col].to_numpy()[keep] * factor, col),
                name=col,
                mode="lines",
                line=dict(width=1.2, color=PALETTE[drawn % len(PALETTE)]),
                row=row,
                col=1,
            )
            drawn += 1
    if labels is not None:
        add_label_track(fig, time, labels, rows)
    for edge in part_starts:
        if 0 <= edge < len(time):
            fig.add_vline(x=float(time[edge]), line=dict(color="#888", dash="dash", width=1))
    fig.update_xaxes(title_text="time (s)", row=rows, col=1)
    fig.update_layout(
        height=190 * len(groups) + (90 if labels is not None else 0) + 60,
        margin=dict(l=60, r=20, t=40, b=45),
        uirevision="imu.signals",
        showlegend=True,
        legend=dict(orientation="v", y=1, x=1.01, xanchor="left"),
    )
    return fig


def _error(target: str, values: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Forecast minus truth in SI; for roll and yaw the short way round (359 deg is -1 deg)."""
    error = values - truth
    if target in WRAPPED_ANGLES:
        error = wrap(error)
    return error


def prediction_figure(
    time: np.ndarray,
    truth: np.ndarray,
    prediction: np.ndarray,
    persistence: np.ndarray,
    target: str,
    propagation: np.ndarray | None = None,
    max_points: int = 5000,
    truth_name: str = "truth",
) -> go.Figure:
    """One target over time ((W,) arrays in SI), in display units: truth, the model and the
    baselines on top, each one's error (forecast - truth) below, with a range slider to zoom.
    truth_name names the reference (a filter's estimate, where the file has no truth)."""
    unit, factor = display_unit(target)
    keep = thinning(len(time), max_points)
    x = _f32(time[keep])
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.6, 0.4]
    )
    fig.add_scatter(
        **_top_row(x, np.asarray(truth)[keep] * factor, target),
        name=truth_name,
        mode="lines",
        line=dict(color=TARGET_COLOR, width=2),
        row=1,
        col=1,
    )
    series = [
        ("model", prediction, dict(color=VAL_COLOR, width=1.5)),
        ("persistence", persistence, dict(color=OKABE_ITO["bluish green"], width=1, dash="dot")),
    ]
    if propagation is not None:
        series.append(
            (
                "gyro propagation",
                propagation,
                dict(color=OKABE_ITO["reddish purple"], width=1),
            )
        )
    for name, values, line in series:
        values = np.asarray(values)[keep]
        fig.add_scatter(
            **_top_row(x, values * factor, target),
            name=name,
            mode="lines",
            line=line,
            legendgroup=name,
            row=1,
            col=1,
        )
        fig.add_scatter(
            x=x,
            y=_f32(_error(target, values, np.asarray(truth)[keep]) * factor),
            name=f"{name} error",
            mode="lines",
            line=line,
            legendgroup=name,
            showlegend=False,
            row=2,
            col=1,
        )
    label = f"{target} ({unit})" if unit else target
    fig.update_yaxes(title_text=label, row=1, col=1)
    fig.update_yaxes(title_text=f"error ({unit})" if unit else "error", row=2, col=1)
    fig.update_xaxes(title_text="time (s)", rangeslider=dict(visible=True, thickness=0.06), row=2)
    fig.update_layout(
        title=f"{target}: forecast against {truth_name} on the test part",
        height=520,
        margin=dict(l=60, r=20, t=50, b=45),
        uirevision="imu.prediction",
        # at the right of the plot: a legend of two rows above it covered the curves when narrow
        legend=dict(orientation="v", yanchor="top", y=1, x=1.01, xanchor="left"),
    )
    return fig


def _top_row(x: np.ndarray, y: np.ndarray, target: str) -> dict:
    """x and y of a line in display units, broken where the angle `target` wraps."""
    if target in WRAPPED_ANGLES:
        x, y = break_at_wraps(x, y, 360.0 if display_unit(target)[0] == "deg" else 2 * np.pi)
    return dict(x=_f32(x), y=_f32(y))


def confusion_figure(confusion: np.ndarray, classes: Sequence[str]) -> go.Figure:
    """The confusion matrix as a heatmap: rows true classes, columns predicted, counts written."""
    fig = go.Figure(
        go.Heatmap(
            z=confusion,
            x=list(classes),
            y=list(classes),
            colorscale="Blues",
            text=confusion,
            texttemplate="%{text}",
            hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Confusion matrix on the test part",
        xaxis_title="predicted",
        yaxis=dict(title="true", autorange="reversed"),
        height=360,
        margin=dict(l=60, r=20, t=50, b=45),
    )
    return fig
