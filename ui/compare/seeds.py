"""Compare over several seeds: every cell's mean validation curve with a labelled band, and a
table of mean ± spread of its final and best validation loss, with how many seeds diverged."""

from __future__ import annotations

import numpy as np
import streamlit as st

from rnn_core.figures.sweeps import band_figure
from rnn_core.sweeps.seeds import SeededRun, seed_curves, seed_table
from rnn_core.training.history import mean_and_spread
from ui.session.charts import chart
from ui.session.live_view import Drawn, polled_view
from ui.session.status import refresh_interval


def seeds_view(kept: dict, baseline: tuple[float, str], unit: str, scale: float, band: str) -> None:
    """The comparison's cells over their seeds, redrawn while any seed trains."""
    runs, cells = kept["runs"], kept["cells"]
    active = any(run.active for _, run in runs.values())
    interval = refresh_interval(own=min(len(runs), 2))

    def view() -> Drawn:
        seeded = {}
        for label, names in cells.items():
            config = runs[names[0]][0]
            seeded[label] = (config, [_seeded(runs[name][1]) for name in names])
        loss, said = baseline
        chart(band_figure(seed_curves(seeded), band, unit, loss, scale), key="compare.loss")
        st.caption(
            f"Lines with markers: the validation loss's mean over {kept['seeds']} seeds at each "
            f"step where it was measured; shaded around it, as the title says. Dashed: the "
            f"trivial baseline, {said}: validation loss {loss * scale:.4g} ({unit.split(',')[0]})."
        )
        st.table(shown_seed_table(seed_table(seeded), scale, unit), hide_index=True)
        st.caption(
            "Mean ± sample standard deviation over the seeds that trained to their end; a seed "
            "that diverged is counted apart and left out of the mean. Parameters: PyTorch's "
            "count. ms per step: mean over the seeds, on this machine."
        )
        return any(run.active for _, run in runs.values()), None

    polled_view("compare", active, interval, view)


def _seeded(run) -> SeededRun:
    run.heartbeat()
    return SeededRun(run.spec.seed, run.state.value, run.history.frame())


def shown_seed_table(table, scale: float, unit: str):
    """The per-cell table as text, losses times `scale` in `unit`."""
    short = unit.split(",")[0]
    shown = table[["cell", "hidden size", "parameters"]].copy()
    shown["parameters"] = [f"{v:,}" for v in table["parameters"]]
    for which in ("final", "best"):
        shown[f"{which} val. ({short}), mean ± std"] = [
            mean_and_spread(m * scale, s * scale)
            for m, s in zip(
                table[f"{which} validation loss (mean)"],
                table[f"{which} validation loss (std)"],
                strict=True,
            )
        ]
    shown["diverged"] = table["diverged"]
    shown["ms/step"] = [f"{v:.2f}" if np.isfinite(v) else "–" for v in table["ms per step"]]
    shown["state"] = table["state"]
    return shown.rename(columns={"cell": "run", "hidden size": "hidden", "parameters": "params"})
