"""The Sweep page's knobs, where its runs train (this machine or a Ray cluster), its live view and
the one click that takes the best setting to the Train page."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from rnn_core.live.budget import Estimate, data_bytes, duration_text, estimate
from rnn_core.sweeps.aggregate import best_setting, run_table, summary_table
from rnn_core.sweeps.ray_sweep import cluster_name
from rnn_core.sweeps.spec import KNOBS, SweepSpec, seeds_from, setting_label
from rnn_core.training.history import mean_and_spread, mean_over_seeds
from ui.session.run_store import session_listener
from ui.session.settings import NO_KNOB
from ui.session.state import PERSIST, TRAIN_NOTE, seed, widget

SWEEP = "sweep.current"  # session key: {"executor", "spec", "id"}
ADDRESS_VARIABLE = "RAY_ADDRESS"  # the operator's setting: where sweeps train
MAX_CURVES = 8  # settings drawn as mean curves: the best ones when there are more
# Where each knob lives on the Train page: the settings "Train with the best setting" writes.
TRAIN_SETTINGS = {
    "Learning rate": lambda v: {"lr": v},
    "Hidden size": lambda v: {"hidden": v, "layer_sizes": ""},
    "Cell": lambda v: {"cell": v},
    "Layers": lambda v: {"layers": v, "layer_sizes": ""},
    "Batch size": lambda v: {"batch": v},
    "Max gradient norm": lambda v: {"clip": True, "max_norm": v},
    "Weight decay": lambda v: {"wd": v},
    "Optimizer": lambda v: {"optimizer": v},
    "Steps": lambda v: {"unit": "steps", "amount": v},
}


def sweep_controls(model_config, train_config) -> SweepSpec:
    """Up to two knobs with the values typed for each, and the number of seeds; the Train
    page's settings for everything else (ValueError with a sentence)."""
    first = st.selectbox(**widget("sweep.knob1"))
    first_values = st.text_input(
        **widget("sweep.values1", label=f"Values of {first.lower()}"),
        help=f"Separated by commas, like {KNOBS[first].example}",
    )
    second = st.selectbox(**widget("sweep.knob2"))
    knobs = [(first, KNOBS[first].parse(first_values))]
    if second != NO_KNOB:
        second_values = st.text_input(
            **widget("sweep.values2", label=f"Values of {second.lower()}"),
            help=f"Separated by commas, like {KNOBS[second].example}",
        )
        knobs.append((second, KNOBS[second].parse(second_values)))
    seeds = st.number_input(
        **widget("sweep.seeds"),
        help="Every setting trains once per seed (from the session's seed up) on the same data.",
    )
    return SweepSpec(tuple(knobs), seeds_from(seed(), int(seeds)), model_config, train_config)


def configured_cluster() -> str | None:
    """The Ray cluster the server's operator set (RAY_ADDRESS when the app started); None:
    sweeps train on this machine. Only the operator chooses where code runs: no widget or link
    sets it."""
    return os.environ.get(ADDRESS_VARIABLE, "").strip() or None


def where_line(address: str | None) -> str:
    """Where this server sends sweeps, as the page says it."""
    if address is None:
        return (
            "Runs train on this machine, one per core. (The server's operator can send sweeps "
            "to a Ray cluster instead: see the README.)"
        )
    return f"Runs train on {cluster_name(address)}, as the server's operator set it."


def sweep_estimate(spec: SweepSpec, data) -> Estimate:
    """The cost of one run of the sweep's largest setting: the memory every run must fit in
    (they train one per core, each within one training's share)."""
    found = [
        estimate(model, train, data.seq_len, 1, data_bytes(data))
        for model, train in {(r.model_config, r.train_config) for r in spec.runs()}
    ]
    return max(found, key=lambda e: (e.bytes_per_run, e.seconds_per_step * e.steps))


def sweep_duration(spec: SweepSpec, found: Estimate) -> str:
    """About how long the whole sweep takes here, one run per core, as a caption says it."""
    runs = len(spec.runs())
    total = replace(found, runs=runs).seconds_to_finish()
    return (
        f"{runs} runs, one per core at a time: about {duration_text(total)} in all on this machine."
    )


def start_sweep(spec: SweepSpec, data, device: str, address: str | None) -> None:
    """Stop the session's previous sweep, then start this one here or on the cluster."""
    stop_sweep()
    sweep_id = uuid.uuid4().hex
    runs = spec.runs()
    if address is None:
        from rnn_core.sweeps.local import LocalSweep

        executor = LocalSweep(runs, data, device, listener_for=listener_for(sweep_id))
    else:
        from rnn_core.sweeps.ray_sweep import RaySweep

        executor = RaySweep(runs, data, address, listener_for=listener_for(sweep_id))
    st.session_state[SWEEP] = {"executor": executor, "spec": spec, "id": sweep_id}
    executor.start()


def listener_for(sweep_id: str):
    """The RunListener for each run of a sweep: the run store records every run, tagged with
    `sweep_id`."""
    return lambda spec: session_listener(spec, sweep=f"sweep-{sweep_id}", kind="sweep")


def stop_sweep() -> None:
    """Stop every run of the session's sweep (local runs save their state as stopped)."""
    kept = st.session_state.get(SWEEP)
    if kept:
        kept["executor"].stop()


def sweep_active() -> bool:
    """True while a run of the session's sweep waits or trains."""
    kept = st.session_state.get(SWEEP)
    return bool(kept) and kept["executor"].active


def progress_line(results) -> str:
    """How many runs ended, train, wait: one sentence."""
    states = [r.state for r in results]
    waiting = sum(s in ("queued", "idle") for s in states)
    training = sum(s in ("training", "paused") for s in states)
    ended = len(states) - waiting - training
    return f"{ended} of {len(states)} runs ended · {training} training · {waiting} waiting"


def failures(results, most: int = 3) -> list[str]:
    """One sentence per distinct reason runs failed (at most `most`), with how many it ended."""
    reasons: dict[str, int] = {}
    for r in results:
        if r.state == "failed":
            reasons[r.message] = reasons.get(r.message, 0) + 1
    return [
        f"{count} run{'s' if count > 1 else ''} failed. {message}"
        for message, count in list(reasons.items())[:most]
    ]


def shown_summary(summary: pd.DataFrame, knob_names, scale: float, unit: str) -> pd.DataFrame:
    """The per-setting table as text: mean ± std of the final and best validation loss (times
    `scale`, in `unit`), seeds that completed, diverged and failed."""
    short = unit.split(",")[0]
    table = pd.DataFrame({name: summary[name].map(_value) for name in knob_names})
    table["seeds done"] = summary["seeds done"]
    for which in ("final", "best"):
        table[f"{which} val. ({short}), mean ± std"] = [
            mean_and_spread(m * scale, s * scale)
            for m, s in zip(summary[f"{which} mean"], summary[f"{which} std"], strict=True)
        ]
    table["diverged"] = summary["diverged"]
    table["failed"] = summary["failed"]
    return table


def shown_runs(results, knob_names, scale: float) -> pd.DataFrame:
    """Every run as text: its setting, seed, state, steps, losses, where it trains, and what
    went wrong for a run that diverged or failed."""
    table = run_table(results, knob_names)
    for column in knob_names:
        table[column] = table[column].map(_value)
    for column in ("final val", "best val"):
        table[column] = [f"{v * scale:.4g}" if np.isfinite(v) else "–" for v in table[column]]
    table["note"] = [
        r.message if r.state in ("diverged", "failed", "interrupted") else "" for r in results
    ]
    return table


def _value(value) -> str:
    return setting_label((value,))


def curves_to_draw(results, summary: pd.DataFrame, knob_names) -> dict[str, pd.DataFrame]:
    """Mean validation curves over seeds of up to MAX_CURVES settings (the best first when
    there are more), by label."""
    ranked = summary.sort_values("final mean", na_position="last").head(MAX_CURVES)
    curves = {}
    for row in ranked.to_dict("records"):  # each column keeps its type (iterrows would not)
        setting = tuple(row[name] for name in knob_names)
        histories = [r.history for r in results if r.run.setting == setting and len(r.history)]
        if histories:
            curves[setting_label(setting)] = mean_over_seeds(histories)
    return curves


def best_setting_sentence(knob_names, setting) -> str:
    """What "Train with the best setting" sets, as a sentence: 'Set Learning rate 0.03 and
    Hidden size 16 on 2 · Train'."""
    said = " and ".join(
        f"{name} {_value(value)}" for name, value in zip(knob_names, setting, strict=True)
    )
    return f"Set {said} on 2 · Train"


def train_with(knob_names, setting) -> None:
    """Set the Train page's knobs to a sweep's setting and open the Train page, which says
    which knobs were set."""
    for name, value in zip(knob_names, setting, strict=True):
        for key, train_value in TRAIN_SETTINGS[name](value).items():
            st.session_state[PERSIST + key] = train_value
    st.session_state[TRAIN_NOTE] = best_setting_sentence(knob_names, setting) + (
        ", the sweep's best setting; the other knobs are as they were."
    )
    st.switch_page("app_pages/train.py")


def best_of(results, knob_names):
    """The setting with the lowest mean final validation loss, None before any completes."""
    return best_setting(summary_table(results, knob_names), knob_names)
