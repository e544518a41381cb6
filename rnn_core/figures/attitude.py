"""Roll and pitch over a whole recording: the truth, each attitude filter and the model."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnn_core.figures.angles import break_at_wraps
from rnn_core.figures.curves import _f32
from rnn_core.figures.imu import thinning

DEG = 180.0 / np.pi
# Okabe-Ito colours, distinct for colour-blind viewers; the truth in black, the model in vermilion.
TRUTH_COLOR, MODEL_COLOR = "#000000", "#D55E00"
FILTER_COLORS = ("#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#7F7F7F")  # none near vermilion


def attitude_figure(
    time: np.ndarray,
    truth: np.ndarray,
    estimates: dict[str, np.ndarray],
    model_time: np.ndarray | None = None,
    model: np.ndarray | None = None,
    shown: tuple[str, ...] = (),
    max_points: int = 4000,
) -> go.Figure:
    """Roll (top) and pitch (bottom) in degrees against time in seconds: truth (N, 2) rad with
    NaN in its holes, each filter's estimate (label -> (N, 2) rad; hidden until clicked unless
    in `shown`) and the model's forecasts (R, 2) rad at model_time (R,) s."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06)
    keep = thinning(len(time), max_points)
    x = _f32(time[keep])
    lines = [("truth", truth, TRUTH_COLOR, True, 2.0)]
    for i, (label, estimate) in enumerate(estimates.items()):
        color = FILTER_COLORS[i % len(FILTER_COLORS)]
        lines.append((label, estimate, color, label in shown, 1.2))
    for name, values, color, visible, width in lines:
        for row in (1, 2):
            # roll wraps at ±180°: a gap there, not a vertical line across the panel
            shown_x, shown_y = break_at_wraps(x, np.asarray(values)[keep, row - 1] * DEG)
            fig.add_scatter(
                x=_f32(shown_x),
                y=_f32(shown_y),
                name=name,
                legendgroup=name,
                showlegend=row == 1,
                visible=True if visible else "legendonly",
                mode="lines",
                line=dict(color=color, width=width),
                connectgaps=False,
                row=row,
                col=1,
            )
    if model is not None and len(model):
        picked = thinning(len(model_time), max_points)
        for row in (1, 2):
            fig.add_scatter(
                x=_f32(model_time[picked]),
                y=_f32(model[picked, row - 1] * DEG),
                name="model (forecast, parts it never trained on)",
                legendgroup="model",
                showlegend=row == 1,
                mode="markers",
                marker=dict(color=MODEL_COLOR, size=3),
                row=row,
                col=1,
            )
    fig.update_yaxes(title_text="roll (deg)", row=1, col=1)
    fig.update_yaxes(title_text="pitch (deg)", row=2, col=1)
    fig.update_xaxes(title_text="time (s)", row=2, col=1)
    fig.update_layout(
        height=520,
        # at the right of the panels: a wide legend never lies over a curve
        legend=dict(orientation="v", yanchor="top", y=1, x=1.01, xanchor="left"),
        margin=dict(t=30),
        uirevision="attitude",
    )
    return fig
