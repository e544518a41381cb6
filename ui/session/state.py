"""Session settings that outlive a page switch, and the session's experiment and trainings.

Read on every page, Home included: nothing here imports torch (see `ui.session.preload`)."""

from __future__ import annotations

import streamlit as st

from rnn_core.devices import available_devices
from ui.session.settings import SETTINGS, default

PERSIST = "opt."  # prefix of the keys of widgets whose values last the whole session
_DEFAULT = object()
TRAIN_NOTE = "train.note"  # session key: a sentence Train shows once (what another page set)
COMPARE_RUNS = "compare.runs"  # session key: {"key": ..., "runs": {label: (config, runner)}}


def persisted(key: str, value=_DEFAULT) -> dict:
    """Widget arguments that keep its value for the whole session, across page switches; the
    first value is `value`, else the setting's default in `ui.session.settings`. Use as
    `st.slider(..., **persisted("dropout"))`."""
    full = PERSIST + key
    st.session_state.setdefault(full, default(key) if value is _DEFAULT else value)
    return {"key": full, "persist_state": "session"}


def setting(key: str, value=_DEFAULT):
    """A persistent setting's value (`value`, else its default in `ui.session.settings`, until
    set)."""
    if value is _DEFAULT:
        value = default(key)
    return st.session_state.get(PERSIST + key, value)


def widget(key: str, **arguments) -> dict:
    """A setting's widget arguments from `ui.session.settings`: its label, its options (a choice) or
    bounds (a number), and `persisted(key)`; `arguments` add to or replace them. Use as
    `st.selectbox(**widget("cell"))`."""
    spec = SETTINGS[key]
    found = {"label": spec.label}
    if spec.choices is not None:
        found["options"] = list(spec.choices)
    elif spec.low is not None:
        found.update(min_value=spec.low, max_value=spec.high)
    return {**found, **persisted(key), **arguments}


def chosen(key: str):
    """The value the core takes for a setting's current choice ("LSTM" -> ("lstm", "tanh"))."""
    return SETTINGS[key].value(setting(key))


def device() -> str:
    """The device training runs on: CUDA when present unless the user forced the CPU."""
    devices = available_devices()
    chosen = setting("device", devices[0])
    return chosen if chosen in devices else "cpu"


def seed() -> int:
    """The session's seed."""
    return int(setting("seed"))


def existing_experiment():
    """The session's experiment (`rnn_core.live.experiment.Experiment`) if one was made, without
    preparing anything; else None."""
    return st.session_state.get("experiment")


def stop_compare_runs() -> None:
    """Stop every training of the session's comparison."""
    for _, runner in st.session_state.get(COMPARE_RUNS, {}).get("runs", {}).values():
        runner.stop(wait=0)
