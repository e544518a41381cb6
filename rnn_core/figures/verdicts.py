"""An IMU model's scores at a glance: per target, its RMSE over the best baseline's, coloured by
the verdict. Pure builder: the score table in, plotly Figure out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rnn_core.evaluation.imu_scores import BEATS, WORSE
from rnn_core.figures.colors import GREY, OKABE_ITO
from rnn_core.figures.curves import LEGEND_ABOVE, _f32

VERDICT_COLORS = {BEATS: OKABE_ITO["bluish green"], WORSE: OKABE_ITO["vermillion"]}
VERDICT_NAMES = {BEATS: "beats it", WORSE: "worse than it"}
OTHER = "cannot be told from it"  # within noise, or too few windows


def rmse_ratios(table: pd.DataFrame) -> np.ndarray:
    """Per row of a forecast score table: model RMSE / the best baseline's RMSE (K,)."""
    best = [row[f"{row['best baseline']} RMSE"] for row in table.to_dict("records")]
    return table["model RMSE"].to_numpy(float) / np.asarray(best, float)


def rmse_ratio_figure(table: pd.DataFrame) -> go.Figure:
    """Bars of `rmse_ratios` per target (1: as good as the best baseline), one colour per
    verdict, named in the legend; each bar's hover names its baseline."""
    ratios = rmse_ratios(table)
    fig = go.Figure()
    verdicts = table["verdict"].to_numpy()
    for verdict in dict.fromkeys(verdicts):  # in the table's order
        rows = np.flatnonzero(verdicts == verdict)
        fig.add_bar(
            x=[table["target"].iloc[k] for k in rows],
            y=_f32(ratios[rows]),
            name=VERDICT_NAMES.get(verdict, OTHER),
            marker_color=VERDICT_COLORS.get(verdict, GREY),
            text=[f"{ratios[k]:.2f}" for k in rows],  # short: readable at any bar width
            hovertext=[f"against {table['best baseline'].iloc[k]}" for k in rows],
            textposition="outside",
            cliponaxis=False,
        )
    fig.add_hline(y=1.0, line=dict(color=GREY, dash="dash", width=1.5))
    top = float(np.nanmax(ratios)) if len(ratios) else 1.0
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(table["target"]))
    fig.update_yaxes(range=[0, max(1.2, top * 1.25)], title_text="RMSE ratio")
    fig.update_layout(
        title="Model RMSE ÷ best baseline's (below 1: better)",
        height=320,
        margin=dict(l=60, r=20, t=70, b=45),
        legend=LEGEND_ABOVE,
        uirevision="imu.ratios",
        bargap=0.35,
        barmode="overlay",  # one bar per target: a trace per verdict, not a group per target
    )
    return fig
