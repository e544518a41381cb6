"""The live phone's charts: the six channels, roll and pitch from two filters, and a model's
one-step forecast beside what happened. Time is the phone's clock (seconds), so the charts move.

    channels:  accelerometer (m/s^2) above, gyroscope (rad/s) below, x y z in the series colours
    attitude:  roll and pitch (deg), VQF solid, complementary dashed
    forecast:  one panel per target, what happened solid, the forecast dotted, RMSE in the title
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnn_core.figures.colors import OKABE_ITO, SERIES_COLORS

AXES = "xyz"
FILTER_DASH = {"vqf": "solid", "complementary": "dash"}
FILTER_NAMES = {"vqf": "VQF", "complementary": "complementary"}
HEIGHT = 340


def _ago(time: np.ndarray) -> np.ndarray:
    """The phone's times (M,) as drawn: seconds on its clock."""
    return np.asarray(time, dtype=np.float64)


def channels_figure(time: np.ndarray, accel: np.ndarray, gyro: np.ndarray) -> go.Figure:
    """The six channels: time (M,) s, accel (M, 3) m/s^2, gyro (M, 3) rad/s."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    ago = _ago(time)
    for row, (values, sensor) in enumerate(((accel, "a"), (gyro, "g")), start=1):
        for i, axis in enumerate(AXES):
            fig.add_trace(
                go.Scatter(
                    x=ago,
                    y=values[:, i],
                    name=f"{sensor}{axis}",
                    mode="lines",
                    line={"color": SERIES_COLORS[i], "width": 1.5},
                    legendgroup=axis,
                ),
                row=row,
                col=1,
            )
    fig.update_yaxes(title_text="accel (m/s²)", row=1, col=1)
    fig.update_yaxes(title_text="gyro (rad/s)", row=2, col=1)
    fig.update_xaxes(title_text="phone time (s)", row=2, col=1)
    fig.update_layout(
        title="The phone's six channels", height=HEIGHT + 60, margin={"t": 50, "b": 40},
        legend={"orientation": "h", "y": 1.08, "x": 1, "xanchor": "right"},
    )  # fmt: skip
    return fig


def attitude_figure(time: np.ndarray, angles: dict[str, np.ndarray]) -> go.Figure:
    """Roll and pitch (deg) per filter: time (M,) s, angles {filter: (M, 2)}."""
    fig = go.Figure()
    ago = _ago(time)
    for method, values in angles.items():
        for i, (angle, color) in enumerate((("roll", "blue"), ("pitch", "vermillion"))):
            fig.add_trace(
                go.Scatter(
                    x=ago,
                    y=values[:, i],
                    name=f"{angle} · {FILTER_NAMES.get(method, method)}",
                    mode="lines",
                    line={"color": OKABE_ITO[color], "dash": FILTER_DASH.get(method, "dot")},
                )
            )
    fig.update_layout(
        title="Roll and pitch: VQF (solid) and the complementary filter (dashed)",
        height=HEIGHT, margin={"t": 50, "b": 40},
        xaxis_title="phone time (s)", yaxis_title="degrees",
        legend={"orientation": "h", "y": -0.25},
    )  # fmt: skip
    return fig


def forecast_figure(
    time: np.ndarray,
    actual: np.ndarray,
    forecast: np.ndarray,
    targets: tuple[str, ...],
    rmse: dict[str, float],
    units: dict[str, str],
    panel_px: int = 120,
) -> go.Figure:
    """Per target, what happened (solid) and the one-step forecast made for that row (dotted):
    time (M,) s, actual (M, K), forecast (M, K) in the units shown, rmse per target in them;
    `panel_px` high per target."""
    fig = make_subplots(
        rows=len(targets),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[f"{t} · RMSE {rmse.get(t, float('nan')):.3g} {units.get(t, '')}"
                        for t in targets],
    )  # fmt: skip
    ago = _ago(time)
    for k, name in enumerate(targets):
        color = SERIES_COLORS[k % len(SERIES_COLORS)]
        for values, kind, dash in (
            (actual, "what happened", "solid"),
            (forecast, "forecast", "dot"),
        ):
            fig.add_trace(
                go.Scatter(
                    x=ago, y=values[:, k], mode="lines", name=f"{name} · {kind}",
                    line={"color": color, "dash": dash}, showlegend=k == 0,
                    legendgroup=kind,
                ),
                row=k + 1, col=1,
            )  # fmt: skip
        fig.update_yaxes(title_text=units.get(name, ""), row=k + 1, col=1)
    fig.update_xaxes(title_text="phone time (s)", row=len(targets), col=1)
    fig.update_layout(
        title="Next-step forecast (dotted) and what happened",
        height=panel_px * len(targets) + 120, margin={"t": 70, "b": 40}, showlegend=False,
    )  # fmt: skip
    return fig


def hidden_figure(time: np.ndarray, states: np.ndarray) -> go.Figure:
    """The model's top-layer hidden state after each live row, units (y) x phone time (x):
    time (M,) s, states (M, U). Diverging around 0 on [-1, 1], the range of an LSTM's, a GRU's
    and a tanh RNN's state (wider only when a ReLU RNN's goes past it)."""
    states = np.asarray(states, dtype=np.float32)  # (M, U)
    bound = max(1.0, float(np.abs(states).max(initial=0.0)))
    fig = go.Figure(
        go.Heatmap(
            z=states.T,  # (U, M)
            x=_ago(time),
            y=np.arange(states.shape[1]),
            zmin=-bound,
            zmax=bound,
            zmid=0.0,
            colorscale="RdBu_r",
            colorbar={"title": {"text": "state", "side": "right"}, "thickness": 12},
            hovertemplate="t=%{x:.2f} s<br>unit %{y}<br>%{z:.3f}<extra></extra>",
        )  # fmt: skip
    )
    fig.update_layout(
        title="Hidden state, live (a row per unit)",
        height=HEIGHT, margin={"t": 50, "b": 40},
        xaxis_title="phone time (s)", yaxis_title="unit",
    )  # fmt: skip
    return fig
