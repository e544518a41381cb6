"""A series forecast on the test part: the truth, the model and each baseline against time, and
their RMSE against the steps ahead. Pure builders: a SeriesMeta and a SeriesEvaluation in, plotly
Figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rnn_core.datasets.series.prepare import SeriesMeta
from rnn_core.evaluation.forecast_scores import SeriesEvaluation
from rnn_core.evaluation.series_report import target_rows, time_title, with_unit
from rnn_core.figures.colors import OKABE_ITO
from rnn_core.figures.curves import TARGET_COLOR, VAL_COLOR, _f32, _layout

# One look per forecaster on every series chart; the model solid, the baselines thinner.
FORECAST_LINES = {
    "model": dict(color=VAL_COLOR, width=2),
    "persistence": dict(color=OKABE_ITO["bluish green"], width=1, dash="dot"),
    "seasonal naive": dict(color=OKABE_ITO["sky blue"], width=1, dash="dash"),
    "linear AR": dict(color=OKABE_ITO["reddish purple"], width=1),
}


def _steps_said(h: int) -> str:
    """'1 step ahead', '3 steps ahead'."""
    return f"{h} step{'s' if h != 1 else ''} ahead"


def series_forecast_figure(
    meta: SeriesMeta, evaluation: SeriesEvaluation, target_index: int = 0, step_index: int = -1
) -> go.Figure:
    """One target over the test block: the truth, the model's forecast and each baseline's for
    one step ahead, each at the time of the row it forecasts, with a range slider to zoom."""
    h = meta.task.steps[step_index]
    x = meta.clock(target_rows(meta)[:, step_index])  # (W,) dates, seconds or rows
    x = x if not isinstance(x, np.ndarray) else np.asarray(x, np.float64)
    fig = go.Figure()
    fig.add_scatter(
        x=x,
        y=_f32(evaluation.truth[:, step_index, target_index]),  # (W,)
        name="truth",
        mode="lines",
        line=dict(color=TARGET_COLOR, width=2),
    )
    for name, values in evaluation.forecasts.items():
        fig.add_scatter(
            x=x,
            y=_f32(values[:, step_index, target_index]),  # (W,)
            name=name,
            mode="lines",
            line=FORECAST_LINES.get(name, {}),
        )
    target = meta.task.targets[target_index]
    label = with_unit(target, meta.units[target_index])
    title = f"{target}: forecasts {_steps_said(h)}, test part"
    _layout(fig, title, time_title(meta), label, f"series.forecast.{target}.{h}")
    fig.update_xaxes(rangeslider=dict(visible=True, thickness=0.06))
    return fig.update_layout(height=420)


def horizon_errors_figure(
    evaluation: SeriesEvaluation, meta: SeriesMeta, target_index: int = 0
) -> go.Figure:
    """RMSE of the model and each baseline against the steps ahead for one target (one line
    each; markers alone when a single step is forecast)."""
    target = meta.task.targets[target_index]
    rows = evaluation.by_step[evaluation.by_step["target"] == target]  # one per step ahead
    mode = "markers" if len(rows) == 1 else "lines+markers"
    fig = go.Figure()
    for name in evaluation.forecasts:
        fig.add_scatter(
            x=rows["steps ahead"].to_numpy(),
            y=_f32(rows[f"{name} RMSE"]),  # (S,)
            name=name,
            mode=mode,
            line=FORECAST_LINES.get(name, {}),
            marker=dict(size=7),
        )
    fig.update_xaxes(dtick=1 if len(rows) <= 12 else None)
    unit = meta.units[target_index]
    title = f"{target}: RMSE against the steps ahead, test part"
    return _layout(fig, title, "steps ahead", f"RMSE ({unit})" if unit else "RMSE", "horizon")
