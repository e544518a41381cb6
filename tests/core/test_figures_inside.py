"""Figure builders for the inside pages, checked on fig.data and fig.layout against their inputs."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest

from rnn_core.analysis.inspect import Projection
from rnn_core.figures.inside import (
    connectivity_figure,
    grad_time_figure,
    inside_figure,
    saturation_figure,
    snapshot_heatmap_figure,
    trajectory_figure,
    unit_lines_figure,
    unit_order,
)
from rnn_core.figures.stacked import row_domains

RNG = np.random.default_rng(0)


def lstm_panels(T=12, U=4):
    """h and c around 0, gates in [0, 1], g in [-1, 1]: (T, U) each."""
    panels = {name: RNG.normal(size=(T, U)) for name in ("h", "c")}
    panels.update({name: RNG.random((T, U)) for name in ("i", "f", "o")})
    panels["g"] = np.tanh(RNG.normal(size=(T, U)))
    return panels


def heatmaps(fig):
    return [trace for trace in fig.data if trace.type == "heatmap"]


def domain_of(fig, trace):
    """The paper domain (bottom, top) of the row a trace is drawn in."""
    name = "yaxis" + trace.yaxis[1:]
    return fig.layout[name].domain


def marker_lines(fig):
    return [(s.x0, s.x1) for s in fig.layout.shapes if s.x0 == s.x1]


def test_inside_figure_holds_each_panel_in_its_own_row():
    values = RNG.normal(size=(12, 2))
    panels = lstm_panels()
    fig = inside_figure(values, None, panels, t_marker=5)
    lines = [trace for trace in fig.data if trace.type == "scatter"]
    assert [line.name for line in lines] == ["input 0", "input 1"]
    for f, line in enumerate(lines):
        np.testing.assert_array_equal(line.x, np.arange(12))
        np.testing.assert_array_equal(line.y, values[:, f].astype(np.float32))
        assert line.yaxis == "y"
    maps = heatmaps(fig)
    assert [m.name for m in maps] == list(panels)
    rows = [m.yaxis for m in maps]
    assert len(set(rows)) == len(panels) and "y" not in rows
    for heatmap, (name, panel) in zip(maps, panels.items(), strict=True):
        assert heatmap.z.dtype == np.float32
        np.testing.assert_array_equal(heatmap.z, panel.T.astype(np.float32))  # units x t
        np.testing.assert_array_equal(heatmap.x, np.arange(12))
        np.testing.assert_array_equal(heatmap.y, np.arange(4))
        assert heatmap.colorbar.title.text.startswith(name)
        bottom, top = domain_of(fig, heatmap)
        assert bottom < heatmap.colorbar.y < top  # the colour bar sits beside its own row
    assert marker_lines(fig) == [(5, 5)]
    assert fig.layout.shapes[0].yref == "paper"  # through every row
    assert fig.layout.uirevision and fig.layout.title.text == "States and gates over time"


def test_inside_figure_colour_scales():
    panels = lstm_panels()
    maps = {m.name: m for m in heatmaps(inside_figure(None, None, panels))}
    for gate in ("i", "f", "o"):
        assert (maps[gate].zmin, maps[gate].zmax) == (0, 1) and maps[gate].zmid is None
    assert (maps["g"].zmin, maps["g"].zmid, maps["g"].zmax) == (-1, 0, 1)
    for state in ("h", "c"):
        bound = np.abs(panels[state]).max()
        assert maps[state].zmid == 0
        assert maps[state].zmax == pytest.approx(bound) and maps[state].zmin == -maps[state].zmax
    assert maps["h"].colorscale != maps["f"].colorscale


def test_inside_figure_axes_share_t_and_rows_do_not_overlap():
    fig = inside_figure(RNG.normal(size=(12, 1)), None, lstm_panels())
    x_axes = [fig.layout[f"xaxis{k}"] for k in ["", 2, 3, 4, 5, 6, 7]]
    assert all(axis.matches == "x" for axis in x_axes[1:])
    assert [bool(axis.showticklabels) for axis in x_axes] == [False] * 6 + [True]
    assert x_axes[-1].title.text == "t (step)"
    domains = [fig.layout[f"yaxis{k}"].domain for k in ["", 2, 3, 4, 5, 6, 7]]
    assert domains[0][1] == 1 and domains[-1][0] == 0
    assert all(below[1] < above[0] for above, below in pairwise(domains))


@pytest.mark.parametrize(
    ("T", "U", "time_stride", "unit_stride"),
    [(400, 128, 1, 1), (401, 129, 2, 2), (1000, 300, 3, 3), (50, 1000, 1, 8)],
)
def test_inside_figure_downsamples_within_bounds(T, U, time_stride, unit_stride):
    panel = RNG.normal(size=(T, U)).astype(np.float32)
    fig = inside_figure(panel[:, :1], None, {"h": panel})
    (heatmap,) = heatmaps(fig)
    assert len(heatmap.x) <= 400 and len(heatmap.y) <= 128
    np.testing.assert_array_equal(heatmap.z, panel[::time_stride, ::unit_stride].T)
    np.testing.assert_array_equal(heatmap.x, np.arange(0, T, time_stride))
    np.testing.assert_array_equal(heatmap.y, np.arange(0, U, unit_stride))
    np.testing.assert_array_equal(fig.data[0].y, panel[::time_stride, 0])
    title = fig.layout.title.text
    assert (f"1 step in {time_stride}" in title) == (time_stride > 1)
    assert (f"1 unit in {unit_stride}" in title) == (unit_stride > 1)


def test_inside_figure_text_input_and_bad_shapes():
    characters = list("(ab)\n(cd)")
    fig = inside_figure(None, characters, {"h": np.zeros((9, 2))}, max_steps=5)
    text = fig.data[0]
    assert text.mode == "text" and list(text.text) == characters[::2]
    np.testing.assert_array_equal(text.x, np.arange(0, 9, 2))
    assert fig.layout.yaxis.title.text == "character" and fig.layout.yaxis.showticklabels is False
    assert marker_lines(fig) == []
    with pytest.raises(ValueError, match="same T"):
        inside_figure(None, None, {"h": np.zeros((9, 2)), "c": np.zeros((8, 2))})
    with pytest.raises(ValueError, match="steps"):
        inside_figure(None, characters[:5], {"h": np.zeros((9, 2))})


def test_row_domains_add_up():
    domains = row_domains([1.0, 2.0, 1.0], gap=0.1)
    heights = [top - bottom for bottom, top in domains]
    np.testing.assert_allclose(heights, [0.2, 0.4, 0.2])
    np.testing.assert_allclose([d[1] for d in domains], [1.0, 0.7, 0.2])


def test_unit_lines_figure():
    panel = RNG.normal(size=(15, 6))
    fig = unit_lines_figure(panel, [4, 1], "f", t_marker=7)
    assert [trace.name for trace in fig.data] == ["unit 4", "unit 1"]
    for trace, unit in zip(fig.data, [4, 1], strict=True):
        np.testing.assert_array_equal(trace.x, np.arange(15))
        np.testing.assert_array_equal(trace.y, panel[:, unit].astype(np.float32))
    assert marker_lines(fig) == [(7, 7)]
    assert "forget gate" in fig.layout.yaxis.title.text and fig.layout.uirevision
    assert marker_lines(unit_lines_figure(panel, [0], "h")) == []
    with pytest.raises(ValueError, match="units"):
        unit_lines_figure(panel, [6], "h")


def test_saturation_figure():
    closed, opened = np.array([0.1, 0.7, 0.0]), np.array([0.5, 0.2, 1.0])
    fig = saturation_figure(closed, opened, "z")
    (points,) = fig.data
    np.testing.assert_array_equal(points.x, closed.astype(np.float32))
    np.testing.assert_array_equal(points.y, opened.astype(np.float32))
    np.testing.assert_array_equal(points.customdata, [0, 1, 2])
    assert "customdata" in points.hovertemplate and points.mode == "markers"
    # each axis zoomed to its units, a little beyond the largest
    assert fig.layout.xaxis.range == (-0.01, pytest.approx(0.7 * 1.15))
    assert fig.layout.yaxis.range == (-0.01, 1.02)
    near_origin = saturation_figure(np.array([0.0, 0.01]), np.array([0.02, 0.0]), "f")
    assert near_origin.layout.xaxis.range[1] == near_origin.layout.yaxis.range[1] == 0.05
    piled = saturation_figure(np.zeros(5), np.array([0, 0, 0, 0.5, 0]), "f")
    assert [a.text for a in piled.layout.annotations] == ["4 units here"]
    assert fig.layout.annotations == ()
    assert "0.1" in fig.layout.xaxis.title.text and "0.9" in fig.layout.yaxis.title.text
    assert "update gate" in fig.layout.title.text and fig.layout.uirevision


def test_grad_time_figure_is_log_and_keeps_tiny_values():
    norms = {"rnn": np.logspace(-60, 0, 5), "lstm": np.array([1e-3, 1e-2, 0.1, 0.5, 1.0])}
    fig = grad_time_figure(norms, "race")
    assert fig.layout.yaxis.type == "log" and fig.layout.title.text == "race"
    assert [trace.name for trace in fig.data] == ["rnn", "lstm"]
    for trace, values in zip(fig.data, norms.values(), strict=True):
        np.testing.assert_array_equal(trace.x, np.arange(5))
        np.testing.assert_array_equal(trace.y, values)  # 1e-60 survives: float64, not float32
    assert fig.layout.uirevision


def test_snapshot_heatmap_figure():
    steps = np.array([0, 25, 75])
    norms = np.array([[1e-3, 1e-1, 1.0], [1e-6, 0.0, 10.0], [1e-2, 1e-2, 1e-2]])
    fig = snapshot_heatmap_figure(steps, norms)
    (heatmap,) = fig.data
    expected = np.array([[-3, -1, 0], [-6, np.nan, 1], [-2, -2, -2]], dtype=np.float32)
    np.testing.assert_allclose(heatmap.z, expected, atol=1e-6)  # nan where the norm is zero
    np.testing.assert_array_equal(heatmap.y, steps)
    np.testing.assert_array_equal(heatmap.x, np.arange(3))
    assert "log" in heatmap.colorbar.title.text
    assert fig.layout.yaxis.title.text == "training step" and fig.layout.uirevision


def test_trajectory_figure():
    theta = np.linspace(0, 2 * math.pi, 9)
    coords = np.stack([np.cos(theta), 0.5 * np.sin(theta)], axis=1)
    fig = trajectory_figure(Projection(coords=coords, explained=np.array([0.8, 0.2])))
    (path,) = fig.data
    np.testing.assert_array_equal(path.x, coords[:, 0].astype(np.float32))
    np.testing.assert_array_equal(path.y, coords[:, 1].astype(np.float32))
    np.testing.assert_array_equal(path.marker.color, np.arange(9))
    assert path.marker.colorbar.title.text == "t" and "lines" in path.mode
    assert "80%" in fig.layout.xaxis.title.text and "20%" in fig.layout.yaxis.title.text
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.uirevision


@pytest.mark.parametrize("text", [False, True])
def test_connectivity_figure(text):
    connection = np.abs(RNG.normal(size=8))
    values, labels = (None, list("abcdefgh")) if text else (RNG.normal(size=(8, 1)), None)
    fig = connectivity_figure(values, labels, connection, step=6)
    top, bars = fig.data
    assert bars.type == "bar" and bars.yaxis == "y2" and top.yaxis == "y"
    np.testing.assert_array_equal(bars.y, connection.astype(np.float32))
    np.testing.assert_array_equal(bars.x, np.arange(8))
    if text:
        assert list(top.text) == labels
    else:
        np.testing.assert_array_equal(top.y, values[:, 0].astype(np.float32))
    assert marker_lines(fig) == [(6, 6)]
    assert "step 6" in fig.layout.title.text and fig.layout.uirevision
    assert fig.layout.xaxis2.title.text == "t (step)"


def test_unit_order_groups_units_that_move_together():
    t = np.linspace(0, 6 * np.pi, 200)
    up, down = np.sin(t), -np.sin(t)
    # units 0, 2, 4 follow the sine, 1 and 3 its opposite, 5 is constant
    panel = np.stack([up, down, up * 0.5, down * 2, up + 0.1, np.zeros_like(t)], axis=1)
    order = unit_order(panel, "similarity")
    assert sorted(order.tolist()) == list(range(6))
    positions = {unit: k for k, unit in enumerate(order.tolist())}
    ups = sorted(positions[u] for u in (0, 2, 4))
    downs = sorted(positions[u] for u in (1, 3))
    assert ups[-1] - ups[0] == 2 and downs[-1] - downs[0] == 1  # each group side by side
    assert order[-1] == 5  # a unit that never moves goes last
    means = np.array([[1.0, 3.0, 2.0]] * 4)
    assert unit_order(means, "mean activation").tolist() == [1, 2, 0]
    assert unit_order(means).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="Order units by"):
        unit_order(means, "colour")


def test_inside_figure_draws_units_in_the_given_order():
    panels = {"h": np.arange(12.0).reshape(3, 4)}  # (T, U)
    fig = inside_figure(np.zeros(3), None, panels, order=np.array([2, 0, 3, 1]))
    heatmap = fig.data[-1]
    assert list(heatmap.y) == ["2", "0", "3", "1"]
    np.testing.assert_array_equal(heatmap.z, panels["h"][:, [2, 0, 3, 1]].T)
    assert fig.layout.yaxis2.type == "category"
