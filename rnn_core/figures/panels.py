"""A second panel under a loss chart for the runs whose range the first one squeezes.

When a run without clipping explodes, the shared log axis spans tens of decades and the clipped
runs' whole descent takes a few per cent of its height. The panel draws the clipped runs again on
an axis fitted to them alone, sharing the step axis:

    y   (domain TOP)     every run, the full range
    y2  (domain BOTTOM)  the clipped runs only, their own range; the step axis title here
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rnn_core.figures.axes import log_axis, log_range

TOP, BOTTOM = (0.45, 1.0), (0.0, 0.33)  # paper units of the two panels
WORTH_A_PANEL = 4.0  # decades the full axis spans beyond the clipped runs' own range, at least
PANEL_HEIGHT = 60  # px added to the figure for the panel (kept small: the first screen)


def unclipped(label: str) -> bool:
    """Whether a run's label names it as the one without clipping."""
    return "no clipping" in label


def needs_panel(curves: dict[str, list[np.ndarray]], include: list[float | None]) -> bool:
    """True when some runs are unclipped and the clipped runs' own log range is squeezed by
    them: the full axis spans `WORTH_A_PANEL` decades more than the clipped runs alone."""
    clipped = [c for label, cs in curves.items() if not unclipped(label) for c in cs]
    if len(clipped) == sum(len(cs) for cs in curves.values()):
        return False
    everything = [c for cs in curves.values() for c in cs]
    own, full = log_range(clipped, include), log_range(everything, include)
    if own is None or full is None:
        return False
    return (full[1] - full[0]) - (own[1] - own[0]) >= WORTH_A_PANEL


def add_clipped_panel(
    fig: go.Figure,
    curves: dict[str, list[np.ndarray]],
    include: list[float | None],
    unit: str = "MSE",
) -> None:
    """Copy the clipped runs' traces onto a lower panel fitted to them (see the module's
    diagram), with the baseline `include[0]` as a dashed line there too."""
    clipped = [c for label, cs in curves.items() if not unclipped(label) for c in cs]
    for trace in list(fig.data):
        if trace.legendgroup is not None and not unclipped(trace.legendgroup):
            copy = go.Scatter(trace)
            copy.update(xaxis="x2", yaxis="y2", showlegend=False)
            fig.add_trace(copy)
    baseline = include[0] if include else None
    if baseline:
        fig.add_shape(
            type="line",
            xref="x2 domain",
            x0=0,
            x1=1,
            yref="y2",
            y0=baseline,
            y1=baseline,
            line=dict(color="#7F7F7F", dash="dash", width=1.5),
        )
    fig.update_layout(
        # short titles: each is centred on its own panel, a long one would run into the other
        yaxis=dict(domain=TOP, title_text=f"every run ({unit}, log)"),
        yaxis2=dict(
            domain=BOTTOM,
            anchor="x2",
            title_text=f"clipped ({unit}, log)",
            **log_axis(clipped, include),
        ),
        xaxis=dict(showticklabels=True, title_text=None),
        xaxis2=dict(anchor="y2", matches="x", title_text="step"),
        height=(fig.layout.height or 440) + PANEL_HEIGHT,
    )
