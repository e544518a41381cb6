"""Presenter style over every figure builder of the app: larger text, thicker lines, same data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from rnn_core.analysis.inspect import Projection
from rnn_core.analysis.predict import ForecastPreview
from rnn_core.datasets.text import char_statistics
from rnn_core.figures.curves import (
    char_frequency_figure,
    compare_loss_figure,
    forecast_figure,
    grad_norm_figure,
    loss_figure,
    probability_figure,
    series_figure,
)
from rnn_core.figures.imu import (
    confusion_figure,
    imu_signals_figure,
    label_track_figure,
    prediction_figure,
)
from rnn_core.figures.inside import (
    connectivity_figure,
    grad_time_figure,
    inside_figure,
    saturation_figure,
    snapshot_heatmap_figure,
    trajectory_figure,
    unit_lines_figure,
)
from rnn_core.figures.phone import channels_figure
from rnn_core.figures.style import (
    AXIS_TITLE_FONT,
    BAR_LIKE_LINE,
    BASE_FONT,
    LIVE_LOOK,
    MIN_LINE,
    TICK_FONT,
    TITLE_FONT,
    for_projector,
    live_json,
    thicker,
)

RNG = np.random.default_rng(0)
HISTORY = pd.DataFrame(
    {
        "step": [1.0, 2, 3, 4],
        "loss": [1.0, 0.5, 0.25, 0.125],
        "val_loss": [np.nan, 0.6, np.nan, 0.2],
        "grad_norm": [3.0, 2, 1, 0.5],
    }
)
T, U = 12, 4
TIME = np.arange(60) / 20.0  # (W,) seconds
IMU = pd.DataFrame({name: RNG.normal(size=60) for name in ("ax", "ay", "gx", "roll")})
LABELS = np.array(["walk"] * 30 + ["run"] * 30)
PANELS = {"h": RNG.normal(size=(T, U)), "f": RNG.random((T, U))}
PREVIEW = ForecastPreview(np.arange(5, 10), np.ones((5, 1)), np.zeros((5, 1)), ("v",), (7, 8))

BUILDERS = {
    "loss": lambda: loss_figure(HISTORY),
    "grad_norm": lambda: grad_norm_figure(HISTORY, clip_norm=1.5),
    "forecast": lambda: forecast_figure(PREVIEW),
    "series": lambda: series_figure(np.zeros((2, 50, 1)), 10.0, (0.7, 0.15, 0.15)),
    "chars": lambda: char_frequency_figure(char_statistics("aaab\n")),
    "next": lambda: probability_figure(
        pd.DataFrame({"char": ["a", "b"], "probability": [0.7, 0.3]}), "x"
    ),
    "compare": lambda: compare_loss_figure({"LSTM": HISTORY, "GRU": HISTORY}, baseline=0.5),
    "inside": lambda: inside_figure(RNG.normal(size=(T, 1)), None, PANELS, t_marker=3),
    "inside_text": lambda: inside_figure(None, list("abcdefghijkl"), PANELS),
    "unit_lines": lambda: unit_lines_figure(PANELS["h"], [0, 2], "h", t_marker=4),
    "saturation": lambda: saturation_figure(RNG.random(U), RNG.random(U), "f"),
    "grad_time": lambda: grad_time_figure({"LSTM": RNG.random(T), "GRU": RNG.random(T)}, "g"),
    "snapshots": lambda: snapshot_heatmap_figure(np.arange(3), RNG.random((3, T))),
    "path": lambda: trajectory_figure(Projection(RNG.normal(size=(T, 2)), np.array([0.6, 0.3]))),
    "connectivity": lambda: connectivity_figure(RNG.normal(size=(T, 1)), None, RNG.random(T), 6),
    "imu_signals": lambda: imu_signals_figure(TIME, IMU, LABELS, [40]),
    "imu_prediction": lambda: prediction_figure(
        TIME, IMU["ax"], IMU["ay"], IMU["gx"], "ax", propagation=IMU["roll"]
    ),
    "label_track": lambda: label_track_figure(LABELS),
    "confusion": lambda: confusion_figure(np.array([[5, 1], [2, 7]]), ["run", "walk"]),
}


def line_width(trace) -> float:
    return 2.0 if trace.line.width is None else trace.line.width  # Plotly draws 2 px by default


def has(mode, part: str) -> bool:
    return part in (mode or "lines+markers")


@pytest.mark.parametrize("name", list(BUILDERS))
def test_projector_style_keeps_the_data_and_leaves_the_original_alone(name):
    fig = BUILDERS[name]()
    before = fig.to_json()
    styled = for_projector(fig)
    assert fig.to_json() == before
    assert styled is not fig and len(styled.data) == len(fig.data)
    for old, new in zip(fig.data, styled.data, strict=True):
        assert new.type == old.type
        for field in ("x", "y", "z", "text", "customdata"):
            if getattr(old, field, None) is not None:
                np.testing.assert_array_equal(np.asarray(getattr(new, field)), getattr(old, field))
    assert styled.layout.uirevision == fig.layout.uirevision


@pytest.mark.parametrize("name", list(BUILDERS))
def test_projector_style_enlarges_text_and_thickens_lines(name):
    fig = BUILDERS[name]()
    styled = for_projector(fig)
    layout = styled.layout
    assert layout.font.size == BASE_FONT and layout.title.font.size == TITLE_FONT
    assert layout.legend.font.size > 12 and layout.hoverlabel.font.size > 12
    for axis in [*styled.select_xaxes(), *styled.select_yaxes()]:
        assert axis.tickfont.size == TICK_FONT and axis.title.font.size == AXIS_TITLE_FONT
    for old, new in zip(fig.layout.annotations, layout.annotations, strict=True):
        assert new.font.size > (old.font.size or 12)
    for old, new in zip(fig.layout.shapes, layout.shapes, strict=True):
        if old.line.width == 0:
            assert new.line.width == 0  # shaded parts stay borderless
        else:
            assert new.line.width >= max(2 * (old.line.width or 2), MIN_LINE)
            assert new.line.dash == old.line.dash and new.line.color == old.line.color
    for old, new in zip(fig.data, styled.data, strict=True):
        if old.type == "scatter" and has(old.mode, "lines"):
            if line_width(old) < BAR_LIKE_LINE:
                assert new.line.width >= max(2 * line_width(old), MIN_LINE)
            assert new.line.dash == old.line.dash and new.line.color == old.line.color
        if old.type == "scatter" and has(old.mode, "markers"):
            assert new.marker.size > (old.marker.size or 6)
        if old.type == "heatmap":
            assert new.textfont.size == BASE_FONT
            assert new.colorbar.tickfont.size == TICK_FONT
            assert new.colorscale == old.colorscale and new.zmin == old.zmin


def test_heights_grow_with_the_margins_so_the_plot_area_keeps_its_size():
    fig = loss_figure(HISTORY)
    styled = for_projector(fig)
    grown = sum(styled.layout.margin[s] - fig.layout.margin[s] for s in "ltb")
    assert grown > 0 and styled.layout.height == fig.layout.height + grown
    assert styled.layout.margin.r == fig.layout.margin.r


def test_a_bare_figure_gets_the_style_too():
    styled = for_projector(go.Figure(go.Scatter(x=[0, 1], y=[1, 0])))
    assert styled.layout.xaxis.tickfont.size == TICK_FONT
    assert styled.data[0].line.width == 4.0 and styled.data[0].marker.size == 9.0


@pytest.mark.parametrize(
    ("width", "expected"), [(None, 4.0), (1, 3.0), (1.5, 3.0), (2, 4.0), (14, 14.0)]
)
def test_thicker(width, expected):
    assert thicker(width) == expected


def test_the_live_charts_json_is_the_figure_in_the_apps_look():
    """What the live chart hands to Plotly.js: every trace's values as the figure holds them,
    its layout unchanged but for the font, the backgrounds and the white template."""
    time = np.arange(300) / 50.0
    accel, gyro = np.random.default_rng(0).normal(size=(2, 300, 3))
    fig = channels_figure(time, accel, gyro)
    spec = json.loads(live_json(fig))
    assert len(spec["data"]) == len(fig.data) == 6
    for sent, trace in zip(spec["data"], fig.data, strict=True):
        np.testing.assert_array_equal(np.asarray(sent["x"], dtype=float), trace.x)
        np.testing.assert_array_equal(np.asarray(sent["y"], dtype=float), trace.y)
        assert sent["name"] == trace.name and sent["line"]["color"] == trace.line.color
    layout = spec["layout"]
    assert (
        layout["title"]["text"] == fig.layout.title.text and layout["height"] == fig.layout.height
    )
    assert layout["font"] == LIVE_LOOK["font"] and layout["plot_bgcolor"] == "rgba(0,0,0,0)"
    white = pio.templates["plotly_white"].layout.plot_bgcolor
    assert layout["template"]["layout"]["plot_bgcolor"] == white
    assert fig.layout.font.family is None  # the figure itself is left as it was
