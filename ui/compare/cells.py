"""The Compare page's knobs, its runs (one LiveRun per cell) and the live view."""

from __future__ import annotations

import uuid
from dataclasses import replace

import numpy as np
import streamlit as st

from rnn_core.datasets.prepare import PreparedData
from rnn_core.evaluation.compare import CellRun, compare_table
from rnn_core.figures.curves import compare_loss_figure
from rnn_core.live.budget import Estimate, check_budget, data_bytes, estimate
from rnn_core.live.run import LiveRun
from rnn_core.live.spec import RunSpec
from rnn_core.live.states import RunState
from rnn_core.models import ModelConfig
from rnn_core.training.trainer import TrainConfig
from ui.session.charts import chart
from ui.session.live_view import Drawn, polled_view
from ui.session.run_store import session_listener
from ui.session.state import COMPARE_RUNS, chosen, seed, stop_compare_runs, widget
from ui.session.status import nothing_moves, refresh_interval


def compare_train_config() -> tuple[TrainConfig, bool]:
    """Steps, optimizer, learning rate, batch and clipping, shared by every cell; and whether
    each cell also trains without clipping."""
    c1, c2 = st.columns(2)
    steps = c1.number_input(**widget("compare.steps"))
    c2.selectbox(**widget("compare.optimizer"))
    batch = c1.number_input(**widget("compare.batch"))
    lr = c2.number_input(**widget("compare.lr"), format="%.4g")
    clip = c1.number_input(**widget("compare.clip"), help="0: no clipping")
    unclipped = st.toggle(
        **widget("compare.unclipped"),
        disabled=not clip,
        help="A second run of every cell that differs only in having no gradient clipping: "
        "what clipping does, side by side.",
    )
    config = TrainConfig(
        optimizer=chosen("compare.optimizer"),
        learning_rate=float(lr),
        batch_size=int(batch),
        clip_grad_norm=float(clip) or None,
        max_steps=int(steps),
        seed=seed(),
    )
    return config, bool(unclipped)


def start_runs(
    data: PreparedData,
    runs_wanted: dict[str, tuple[ModelConfig, TrainConfig]],
    session_seed: int,
    key,
    device: str = "cpu",
    seeds: int = 1,
) -> None:
    """Stop the previous comparison, then start one run per cell and seed (same data; seed k
    sets both the initial weights and the batch order), each built in its own training process;
    BudgetError, before any run starts, when the runs would pass the memory limit."""
    check_budget(comparison_estimate(data, runs_wanted), compare=True)
    stop_compare_runs()
    runs, cells = {}, {}
    sweep = f"compare-{uuid.uuid4().hex[:12]}"  # the comparison's runs, kept as one group
    for label, (config, train_config) in runs_wanted.items():
        cells[label] = []
        for run_seed in range(session_seed, session_seed + seeds):
            name = label if seeds == 1 else f"{label} · seed {run_seed}"
            seeded = replace(train_config, seed=run_seed)
            spec = RunSpec(data, config, seeded, run_seed, device, preview=False)
            run = LiveRun(spec, session_listener(spec, sweep=sweep, kind="compare"))
            run.start()
            runs[name] = (config, run)
            cells[label].append(name)
    st.session_state[COMPARE_RUNS] = {"key": key, "runs": runs, "cells": cells, "seeds": seeds}


def compare_active() -> bool:
    """True while a run of the session's comparison trains, waits or is paused."""
    kept = st.session_state.get(COMPARE_RUNS) or {}
    return any(runner.active for _, runner in kept.get("runs", {}).values())


def comparison_estimate(
    data: PreparedData, runs_wanted: dict[str, tuple[ModelConfig, TrainConfig]]
) -> Estimate:
    """The cost of a comparison: its largest run's, times the number of runs."""
    found = [
        estimate(config, train, data.seq_len, len(runs_wanted), data_bytes(data))
        for config, train in runs_wanted.values()
    ]
    return max(found, key=lambda e: (e.bytes_per_run, e.seconds_per_step))


def compare_view(
    baseline: tuple[float, str], unit: str, scale: float = 1.0, band: str = "min-max"
) -> None:
    """Overlaid loss curves and the table, redrawn while any cell trains; losses times `scale`
    (nats to bits for text), in `unit`. Over several seeds: mean curves with a `band`."""
    kept = st.session_state.get(COMPARE_RUNS)
    if not kept:
        st.info(
            "Press **Train them all**: each cell trains on the same windows from the same seed, "
            "and the table fills with what this machine measured."
        )
        return
    if kept.get("seeds", 1) > 1:
        from ui.compare.seeds import seeds_view

        seeds_view(kept, baseline, unit, scale, band)
        return
    runs = kept["runs"]
    # this view's active trainings: their number, and whether all of them wait (queued, paused)
    moving = [runner.snapshot(max_points=2) for _, runner in runs.values() if runner.active]
    interval = refresh_interval(own=len(moving), waiting=nothing_moves(*moving))

    def view() -> Drawn:
        snaps = {}
        for label, (config, runner) in runs.items():
            runner.heartbeat()
            snaps[label] = (config, runner.snapshot(), runner)
        histories = {label: snap.history for label, (_, snap, _) in snaps.items()}
        loss, said = baseline
        chart(compare_loss_figure(histories, unit, loss, scale), key="compare.loss")
        st.caption(
            f"Thick lines with markers: validation loss; thin faint lines: training loss. "
            f"Dashed: the trivial baseline, {said}: validation loss {loss * scale:.4g} "
            f"({unit.split(',')[0]})."
        )
        table = compare_table(
            [
                CellRun(
                    label,
                    config,
                    runner.history.frame(),
                    snap.steps_done,
                    _state(snap),
                    snap.peak_memory_mib,
                )
                for label, (config, snap, runner) in snaps.items()
            ]
        )
        show_table(_shown(table, scale), unit)
        for label, (_, snap, _) in snaps.items():
            if snap.state == RunState.DIVERGED:
                st.warning(diverged_sentence(label, snap.steps_done, snap.message))
        st.caption(
            "Parameters: PyTorch's count (two bias vectors per gate). ms per step: training time "
            "per optimizer step on this machine, each cell in its own process. Peak memory: "
            "what training added to its process at the peak (resident memory on the CPU, the "
            "allocator's peak on CUDA), known when a run ends."
        )
        moving = [snap for _, snap, runner in snaps.values() if runner.active]
        return bool(moving), refresh_interval(own=len(moving), waiting=nothing_moves(*moving))

    polled_view("compare", bool(moving), interval, view)


def _state(snap) -> str:
    if snap.state == RunState.QUEUED:
        return f"waiting (position {snap.queue_position or 1})"
    return snap.state.value


def diverged_sentence(label: str, steps_done: int, message: str) -> str:
    """What a diverged run's warning says: its count of good steps as the table gives it, and
    the button this page has (the trainer's own message speaks of the Train page's Start)."""
    _, _, rest = message.partition(": ")
    rest = rest or message
    return (f"**{label}** diverged after {steps_done:,} steps: at the next one {rest}").replace(
        "press Start", "press **Train them all**"
    )


def _shown(table, scale: float = 1.0):
    """Numbers as text, so that an unknown one reads '–'; losses times `scale`."""
    shown = table.copy()
    for column in ("final validation loss", "best validation loss"):
        shown[column] = shown[column] * scale
    formats = {
        "final validation loss": "{:.4g}",
        "best validation loss": "{:.4g}",
        "ms per step": "{:.2f}",
        "peak memory (MiB)": "{:.1f}",
    }
    for column, pattern in formats.items():
        shown[column] = [pattern.format(v) if np.isfinite(v) else "–" for v in shown[column]]
    shown["parameters"] = [f"{v:,}" for v in shown["parameters"]]
    return shown


def table_headers(unit: str) -> dict[str, str]:
    """Short column headers, the loss's unit in them, so that the table fits the page's width."""
    short = unit.split(",")[0]  # as the chart's axis says it
    return {
        "cell": "run",
        "hidden size": "hidden",
        "parameters": "params",
        "final validation loss": f"final val. ({short})",
        "best validation loss": f"best val. ({short})",
        "steps": "steps",
        "ms per step": "ms/step",
        "peak memory (MiB)": "peak MiB",
        "state": "state",
    }


def show_table(shown, unit: str) -> None:
    """The table as HTML with short headers, the hidden size once under it when every run
    shares it: an HTML table wraps its headers and cells to fit the column at any width, and its
    print grows with the page's in presenter mode (a grid draws on a canvas at a fixed size)."""
    sizes = shown["hidden size"].unique()
    if len(sizes) == 1:
        shown = shown.drop(columns="hidden size")
    st.table(shown.rename(columns=table_headers(unit)), hide_index=True)
    if len(sizes) == 1:
        st.caption(f"Every run has {sizes[0]} hidden units.")
