"""Figure builders for looking inside a model: states and gates over time, chosen units, gate
saturation, gradients through time, the hidden-state path and input connectivity.

Pure builders like `rnn_core.figures.curves`: arrays in, plotly Figure out, `uirevision` set. Data
go in as float32, except gradient norms on a log axis: over long sequences they fall below float32's
smallest number (about 1e-38) and would vanish from the plot, so they stay float64.

    inside_figure            t ->
    +----------------------------------+
    | input (lines or characters)      |
    | h   heatmap  units x t           | [colour bar h]
    | c   ...                          | [colour bar c]
    | f   ...          |  <- t_marker  | [colour bar f]
    +----------------------------------+
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from rnn_core.analysis.inspect import Projection
from rnn_core.figures.axes import log_axis
from rnn_core.figures.colors import SERIES_COLORS, cell_color
from rnn_core.figures.curves import _f32, _layout
from rnn_core.figures.stacked import (
    MARKER_LINE,
    check_input_length,
    input_row,
    row_domains,
    stacked_figure,
    step_line,
    stride_for,
)

SIGMOID_GATES = frozenset({"i", "f", "o", "r", "z"})  # values in [0, 1]: LSTM i f o, GRU r z
TANH_CANDIDATES = frozenset({"g", "n"})  # values in [-1, 1]: LSTM g, GRU n
PANEL_LABELS = {
    "h": "h (hidden state)",
    "c": "c (cell state)",
    "i": "i (input gate)",
    "f": "f (forget gate)",
    "g": "g (cell candidate)",
    "o": "o (output gate)",
    "r": "r (reset gate)",
    "z": "z (update gate)",
    "n": "n (candidate state)",
}
GATE_SCALE, DIVERGING_SCALE = "Viridis", "RdBu_r"
UNIT_ORDERS = ("index", "similarity", "mean activation")


def unit_order(panel: np.ndarray, by: str = "index") -> np.ndarray:
    """An order of the units (U,) of a panel (T, U): by index; by mean activation over t
    (highest first); or by similarity, so that units that rise and fall together sit side by
    side (sorted by their angle on the two leading eigenvectors of the units' correlation
    matrix: positively correlated units get close angles)."""
    values = np.asarray(panel, dtype=np.float64)  # (T, U)
    U = values.shape[1]
    if by == "index" or U < 3:
        return np.arange(U)
    if by == "mean activation":
        return np.argsort(-values.mean(axis=0), kind="stable")
    if by != "similarity":
        raise ValueError(f"Order units by one of: {', '.join(UNIT_ORDERS)}.")
    centred = values - values.mean(axis=0)  # (T, U)
    norms = np.linalg.norm(centred, axis=0)  # (U,)
    unit = centred / np.where(norms > 0, norms, 1.0)  # constant units: all zeros
    correlation = unit.T @ unit  # (U, U)
    values_, vectors = np.linalg.eigh(correlation)  # ascending eigenvalues
    scaled = vectors[:, -2:] * np.sqrt(np.clip(values_[-2:], 0, None))  # (U, 2)
    angle = np.arctan2(scaled[:, 0], scaled[:, 1])  # (U,) on a circle
    moving = np.flatnonzero(norms > 0)
    around = moving[np.argsort(angle[moving], kind="stable")]
    gaps = np.diff(np.concatenate([angle[around], [angle[around[0]] + 2 * np.pi]]))
    start = (int(np.argmax(gaps)) + 1) % len(around)  # cut the circle at its widest gap
    return np.concatenate([np.roll(around, -start), np.flatnonzero(norms == 0)])


def panel_label(name: str) -> str:
    """A panel's name with what it is, e.g. 'f (forget gate)'."""
    return PANEL_LABELS.get(name, name)


def _colour_range(name: str, values: np.ndarray) -> dict:
    """Gates 0..1 on a sequential scale; everything else diverging, symmetric around 0."""
    if name in SIGMOID_GATES:
        return dict(zmin=0.0, zmax=1.0, colorscale=GATE_SCALE)
    bound = 1.0 if name in TANH_CANDIDATES else float(np.abs(values).max(initial=0.0)) or 1.0
    return dict(zmin=-bound, zmax=bound, zmid=0.0, colorscale=DIVERGING_SCALE)


def inside_figure(
    input_values: np.ndarray | None,
    input_labels: Sequence[str] | None,
    panels: dict[str, np.ndarray],
    t_marker: int | None = None,
    max_steps: int = 400,
    max_units: int = 128,
    order: np.ndarray | None = None,
) -> go.Figure:
    """The input on top, then one heatmap per panel (T, U) as units x t, on a shared t axis;
    the units of every panel in `order` (see `unit_order`) when given, bottom to top."""
    if not panels:
        raise ValueError("Give at least one panel to draw.")
    shapes = {name: np.shape(values) for name, values in panels.items()}
    T = next(iter(shapes.values()))[0]
    if any(len(shape) != 2 or shape[0] != T for shape in shapes.values()):
        raise ValueError(f"Every panel must be (T, U) with the same T; got {shapes}.")
    check_input_length(input_values, input_labels, T)
    time_stride = stride_for(T, max_steps)
    unit_stride = stride_for(max(shape[1] for shape in shapes.values()), max_units)
    steps = np.arange(0, T, time_stride)  # (T',)
    domains = row_domains([0.6] + [1.0] * len(panels))
    rows = [input_row(input_values, input_labels, steps)]
    for (name, values), domain in zip(panels.items(), domains[1:], strict=True):
        U = shapes[name][1]
        kept = order if order is not None and len(order) == U else np.arange(U)
        units = np.asarray(kept)[::unit_stride]  # (U',)
        heatmap = _heatmap(name, np.asarray(values)[steps][:, units], steps, units, domain)
        axis = dict(title_text=f"{name}: unit")
        if order is not None:  # rows in the given order, each labelled with its unit
            axis.update(type="category", categoryorder="array", categoryarray=heatmap.y)
        rows.append(([heatmap], axis))
    return stacked_figure(
        rows,
        domains,
        title="States and gates over time" + _thinning_note(time_stride, unit_stride),
        uirevision="inside",
        height=150 + 130 * len(panels),
        right_margin=130,
        shapes=[step_line(t_marker)] if t_marker is not None else [],
    )


def _heatmap(name, values, steps, units, domain) -> go.Heatmap:
    """values (T', U') drawn as units (y) x t (x), its colour bar beside its own row."""
    return go.Heatmap(
        z=_f32(values.T),
        x=_f32(steps),
        y=[str(u) for u in units] if not _sorted(units) else _f32(units),
        name=name,
        colorbar=dict(
            title=dict(text=panel_label(name), side="right"),
            x=1.01,
            thickness=12,
            y=(domain[0] + domain[1]) / 2,
            len=domain[1] - domain[0],
            yanchor="middle",
        ),
        hovertemplate=f"{name}<br>t=%{{x}}<br>unit %{{y}}<br>%{{z:.3f}}<extra></extra>",
        **_colour_range(name, values),
    )


def _sorted(units: np.ndarray) -> bool:
    return bool(np.all(np.diff(units) > 0))


def _thinning_note(time_stride: int, unit_stride: int) -> str:
    parts = [
        f"1 {what} in {stride}"
        for what, stride in (("step", time_stride), ("unit", unit_stride))
        if stride > 1
    ]
    return f" ({' and '.join(parts)} shown)" if parts else ""


def unit_lines_figure(
    panel: np.ndarray, units: Sequence[int], name: str, t_marker: int | None = None
) -> go.Figure:
    """One line per chosen unit of a panel (T, U) against t."""
    values = np.asarray(panel)  # (T, U)
    if any(not 0 <= u < values.shape[1] for u in units):
        raise ValueError(f"Choose units between 0 and {values.shape[1] - 1}.")
    t = _f32(np.arange(values.shape[0]))  # (T,)
    fig = go.Figure()
    for k, unit in enumerate(units):
        color = SERIES_COLORS[k % len(SERIES_COLORS)]
        fig.add_scatter(
            x=t, y=_f32(values[:, unit]), name=f"unit {unit}", mode="lines", line_color=color
        )
    if t_marker is not None:
        fig.add_vline(x=t_marker, line=MARKER_LINE)
    label = panel_label(name)
    return _layout(fig, f"{label}: chosen units", "t (step)", label, "inside-lines")


def saturation_figure(
    closed: np.ndarray, open_: np.ndarray, gate_name: str, low: float = 0.1, high: float = 0.9
) -> go.Figure:
    """One marker per unit: fraction of entries nearly closed (x) and nearly open (y)."""
    units = np.arange(len(closed))  # (U,)
    fig = go.Figure(
        go.Scatter(
            x=_f32(closed),
            y=_f32(open_),
            customdata=units,
            mode="markers",
            name=gate_name,
            cliponaxis=False,
            marker=dict(size=8, opacity=0.8),
            hovertemplate="unit %{customdata}<br>nearly closed %{x:.0%}<br>"
            "nearly open %{y:.0%}<extra></extra>",
        )
    )
    # The two fractions count different entries, so no unit lies beyond x + y = 1.
    fig.add_shape(type="line", x0=0, y0=1, x1=1, y1=0, line=dict(color="#999", dash="dot"))
    # Axes zoomed to the units (most units of a smooth task sit near the origin, where a 0..1
    # square piles them into one blot), and a little beyond them.
    at_origin = int(np.sum((np.asarray(closed) == 0) & (np.asarray(open_) == 0)))
    if at_origin > 1:  # their dots lie on one another: say how many
        fig.add_annotation(x=0, y=0, text=f"{at_origin} units here", showarrow=True, ax=40, ay=-30)
    fig.update_xaxes(range=[-0.01, _reach(closed)], tickformat=".0%", zeroline=True)
    fig.update_yaxes(range=[-0.01, _reach(open_)], tickformat=".0%", zeroline=True)
    _layout(
        fig,
        f"{panel_label(gate_name)}: how often each unit is nearly closed or open",
        f"fraction nearly closed (< {low:g})",
        f"fraction nearly open (> {high:g})",
        "inside-saturation",
    )
    return fig.update_layout(height=420)


def _reach(fractions: np.ndarray) -> float:
    """The top of a fraction axis: a little above the largest value, at least 5 %, at most 1."""
    top = float(np.max(fractions, initial=0.0))
    return min(1.02, max(0.05, top * 1.15))


def grad_time_figure(norms: dict[str, np.ndarray], title: str) -> go.Figure:
    """One line of ||dL/dh_t|| (T,) per name against t, on a log axis (values kept float64)."""
    fig = go.Figure()
    for k, (name, values) in enumerate(norms.items()):
        values = np.asarray(values, dtype=np.float64)  # (T,)
        color = cell_color(name.upper() if name.islower() else name, k)  # "lstm" is LSTM's
        fig.add_scatter(
            x=_f32(np.arange(len(values))), y=values, name=name, mode="lines", line_color=color
        )
    fig.update_yaxes(**log_axis(norms.values()))
    return _layout(fig, title, "t (step)", "‖∂L/∂hₜ‖ (log scale)", "grad-time")


def snapshot_heatmap_figure(steps: np.ndarray, norms: np.ndarray) -> go.Figure:
    """log10 ||dL/dh_t|| per training snapshot (S,) and step: norms (S, T), step (y) x t (x)."""
    values = np.asarray(norms, dtype=np.float64)  # (S, T)
    with np.errstate(divide="ignore"):
        logs = np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)
    fig = go.Figure(
        go.Heatmap(
            z=_f32(logs),
            x=_f32(np.arange(values.shape[1])),
            y=_f32(steps),
            colorscale="Viridis",
            colorbar=dict(title=dict(text="log₁₀ ‖∂L/∂hₜ‖", side="right")),
            hovertemplate="training step %{y}<br>t=%{x}<br>log₁₀ norm %{z:.2f}<extra></extra>",
        )
    )
    return _layout(fig, "‖∂L/∂hₜ‖ at each snapshot", "t (step)", "training step", "grad-snap")


def trajectory_figure(projection: Projection) -> go.Figure:
    """The hidden state's path on its first two principal components, coloured by t."""
    coords, explained = projection.coords, projection.explained  # (T, 2), (2,)
    t = np.arange(len(coords))  # (T,)
    fig = go.Figure(
        go.Scatter(
            x=_f32(coords[:, 0]),
            y=_f32(coords[:, 1]),
            mode="lines+markers",
            name="h_t",
            line=dict(color="rgba(120,120,120,0.5)", width=1),
            marker=dict(
                color=_f32(t),
                colorscale="Viridis",
                size=6,
                colorbar=dict(title=dict(text="t", side="right")),
            ),
            customdata=t,
            hovertemplate="t=%{customdata}<br>(%{x:.3f}, %{y:.3f})<extra></extra>",
        )
    )
    fig.update_yaxes(scaleanchor="x", scaleratio=1)  # equal units: a circle stays a circle
    return _layout(
        fig,
        "Hidden-state path (PCA of this sample's states)",
        f"PC 1 ({explained[0]:.0%} of variance)",
        f"PC 2 ({explained[1]:.0%} of variance)",
        "inside-path",
    ).update_layout(height=460)


def connectivity_figure(
    input_values: np.ndarray | None,
    input_labels: Sequence[str] | None,
    connectivity: np.ndarray,
    step: int,
) -> go.Figure:
    """The input on top and ||d output_step / d x_t|| (T,) as bars beneath, `step` marked."""
    T = len(connectivity)
    check_input_length(input_values, input_labels, T)
    steps = np.arange(T)  # (T,)
    bars = go.Bar(x=_f32(steps), y=_f32(connectivity), name="‖∂ output / ∂ xₜ‖")
    rows = [
        input_row(input_values, input_labels, steps),
        ([bars], dict(title_text="‖∂ output / ∂ xₜ‖")),
    ]
    return stacked_figure(
        rows,
        row_domains([0.6, 1.1]),
        title=f"How much the output at step {step} depends on each input",
        uirevision="connect",
        height=420,
        shapes=[step_line(step)],
    )
