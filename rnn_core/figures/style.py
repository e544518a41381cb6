"""Restyle any figure of the app for a projector: larger text, thicker lines, larger markers.

A pure function over a finished figure, so the builders in `rnn_core.figures` stay as they are
and a page chooses the style when it draws. Font sizes are explicit at every level (title, axes,
ticks, legend, annotations, hover, colour bars) because Streamlit's chart theme sets each of them
itself; a size set only on `layout.font` would not reach them.
"""

from __future__ import annotations

from numbers import Number

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

# Font sizes in px; Plotly's default is 12 and Streamlit's chart theme uses about 12 to 16.
BASE_FONT, TITLE_FONT, AXIS_TITLE_FONT, TICK_FONT, LEGEND_FONT = 18, 24, 19, 16, 17
HOVER_FONT, ANNOTATION_FONT = 16, 17
LINE_GROWTH, MIN_LINE = 2.0, 3.0  # a line gets 2x wider, and at least 3 px
BAR_LIKE_LINE = 6.0  # lines this wide already act as bars (the label track): left as they are
MARKER_GROWTH, DEFAULT_MARKER, DEFAULT_LINE = 1.5, 6.0, 2.0  # Plotly's defaults: 6 px, 2 px
MARGIN_GROWTH = {"l": 20, "t": 20, "b": 15}  # px added to each margin that is set


def for_projector(fig: go.Figure) -> go.Figure:
    """A copy of `fig` readable on a projector; `fig` itself is left untouched. The copy is for
    drawing: it keeps no frames and no `make_subplots` grid (row/col lookups)."""
    # Deep copies as plain dicts, arrays kept as numpy (to_dict would pack them in base64);
    # editing dicts is 1.5-2.5x faster than Plotly's validating setters (~20 ms a figure).
    spec = {
        "data": [trace.to_plotly_json() for trace in fig.data],
        "layout": fig.layout.to_plotly_json(),
    }
    layout = spec["layout"]
    for trace in spec["data"]:
        _restyle_trace(trace)
    _put(layout, "font", "size", value=BASE_FONT)
    _put(layout, "title", "font", "size", value=TITLE_FONT)
    _put(layout, "legend", "font", "size", value=LEGEND_FONT)
    _put(layout, "hoverlabel", "font", "size", value=HOVER_FONT)
    for axis in _axis_names(spec):
        _put(layout, axis, "tickfont", "size", value=TICK_FONT)
        _put(layout, axis, "title", "font", "size", value=AXIS_TITLE_FONT)
    for annotation in layout.get("annotations", []):  # subplot titles, hline and split labels
        font = annotation.setdefault("font", {})
        font["size"] = max(font.get("size", 0), ANNOTATION_FONT)
    for shape in layout.get("shapes", []):
        line = shape.setdefault("line", {})
        if line.get("width") != 0:  # a zero-width border (shaded splits) stays invisible
            line["width"] = thicker(line.get("width"))
    _grow_margins(layout)
    return go.Figure(spec)


def thicker(width: float | None) -> float:
    """A line width for a projector: twice as wide and at least `MIN_LINE`; bar-like widths stay."""
    width = DEFAULT_LINE if width is None else float(width)
    return width if width >= BAR_LIKE_LINE else max(width * LINE_GROWTH, MIN_LINE)


def _put(tree: dict, *path: str, value) -> None:
    """tree[path[0]][path[1]]... = value, creating the dicts on the way."""
    for name in path[:-1]:
        tree = tree.setdefault(name, {})
    tree[path[-1]] = value


def _axis_names(spec: dict) -> set[str]:
    """Every Cartesian axis of the figure: those the layout sets and those the traces use."""
    names = {key for key in spec["layout"] if key.startswith(("xaxis", "yaxis"))}
    for trace in spec["data"]:
        names |= {"xaxis" + trace.get("xaxis", "x")[1:], "yaxis" + trace.get("yaxis", "y")[1:]}
    return names


def _restyle_trace(trace: dict) -> None:
    """Thicker lines and larger markers and text on a scatter; larger colour-bar and cell text."""
    kind = trace.get("type", "scatter")
    if kind == "scatter":
        mode = trace.get("mode", "lines+markers")  # Plotly's choice for short traces when unset
        if "lines" in mode:
            _put(trace, "line", "width", value=thicker(trace.get("line", {}).get("width")))
        if "markers" in mode:
            _put(trace, "marker", "size", value=_larger(trace.get("marker", {}).get("size")))
    if (kind == "scatter" and "text" in trace.get("mode", "")) or kind == "heatmap":
        _put(trace, "textfont", "size", value=BASE_FONT)  # characters, counts written in cells
    owner = trace if kind == "heatmap" else trace.get("marker", {})
    if kind == "heatmap" or "colorscale" in owner:  # it draws a colour bar
        _put(owner, "colorbar", "tickfont", "size", value=TICK_FONT)
        _put(owner, "colorbar", "title", "font", "size", value=AXIS_TITLE_FONT)


def _larger(size):
    """A marker size (a number or one per point) grown by `MARKER_GROWTH`."""
    if size is None:
        return DEFAULT_MARKER * MARKER_GROWTH
    if isinstance(size, Number):
        return float(size) * MARKER_GROWTH
    return np.asarray(size, dtype=np.float32) * MARKER_GROWTH  # (N,)


def _grow_margins(layout: dict) -> None:
    """Room for the larger text in the margins the figure set (Plotly's defaults are already
    wide), added to the height so the plot area keeps its size."""
    margin = layout.get("margin", {})
    added = 0
    for side, extra in MARGIN_GROWTH.items():
        if side in margin:
            margin[side] += extra
            added += extra
    if "height" in layout:
        layout["height"] += added


# What Streamlit's chart theme gives a Plotly figure, for a figure drawn outside st.plotly_chart
# (the Live page's charts): its text colour and font, light grid lines, no background.
LIVE_LOOK = {
    "font": {"family": '"Source Sans", "Source Sans Pro", sans-serif', "color": "#31333F"},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
}
_LIVE_TEMPLATE: list[dict] = []  # plotly_white as Plotly.js reads it, made once


def live_json(fig: go.Figure) -> str:
    """The figure as Plotly.js reads it (JSON, arrays written as lists) in the app's look, for a
    chart the browser updates in place. Written without Plotly's validation a second time: the
    figure was validated as it was built (a few ms, where a validated copy takes tens)."""
    if not _LIVE_TEMPLATE:
        _LIVE_TEMPLATE.append(pio.templates["plotly_white"].to_plotly_json())
    spec = {
        "data": [trace.to_plotly_json() for trace in fig.data],
        "layout": fig.layout.to_plotly_json() | LIVE_LOOK | {"template": _LIVE_TEMPLATE[0]},
    }
    return pio.to_json(spec, validate=False)
