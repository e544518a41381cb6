"""Presets: the Data page's IMU knobs, and the lecture demos of `ui.session.demos` once opened
(their links are in `ui.session.link`): a banner that says what to look at, and the training
they start."""

from __future__ import annotations

import streamlit as st

from ui.session.controls import model_config, train_config
from ui.session.demos import IMU_KNOBS, PRESETS, window_steps
from ui.session.experiment import experiment as session_experiment
from ui.session.link import ACTIVE_PRESET, PENDING, PRESET_ICONS
from ui.session.live_view import Drawn, polled_view
from ui.session.presenter import presenter_on
from ui.session.state import PERSIST, chosen, existing_experiment, seed
from ui.session.status import refresh_interval


def apply_preset(values: dict) -> None:
    """Set the persisted widgets' values (use as a button's on_click)."""
    for key, value in values.items():
        st.session_state[PERSIST + key] = value


def apply_imu_preset(sample_rate: float) -> None:
    """The IMU preset with its window in seconds (0.4 s at this recording's rate), and a
    sentence for the page on what it set (use as a button's on_click)."""
    steps = window_steps(sample_rate)
    apply_preset({**IMU_KNOBS, "seq_len": steps})
    st.session_state[IMU_PRESET_SAID] = (
        f"IMU preset set: windows of {steps} steps = {steps / sample_rate:.3g} s at "
        f"{sample_rate:g} Hz, a 2-layer LSTM of 64 then 32 units, clipping and early stopping."
    )


IMU_PRESET_SAID = "imu.preset_said"


def preset_banner() -> None:
    """Under a page's title: the active preset's caption, and its training started and followed
    when the page itself does not train (the page is drawn again when the training ends)."""
    preset = PRESETS.get(st.session_state.get(ACTIVE_PRESET) or "")
    if preset is None:
        return
    _banner(preset)
    if st.session_state.get(PENDING) == "train":
        st.session_state[PENDING] = None
        try:
            start_training()
        except ValueError as err:  # a DataError too
            st.error(str(err))
    experiment = existing_experiment()
    runner = experiment.run if experiment is not None else None
    if preset.action == "train" and preset.page != "app_pages/train.py" and runner is not None:
        _follow(runner)


def _banner(preset) -> None:
    """The preset's title and what to look at; in presenter mode one row, the title beside a
    folded "What to look at", so that the point is on the first screen."""
    icon = PRESET_ICONS[preset.key]
    if not presenter_on():
        st.info(f"**{preset.title}**  \n{preset.caption}", icon=icon)
        return
    title, notes = st.columns([3, 2], vertical_alignment="center")
    title.info(f"**{preset.title}**", icon=icon)
    notes.expander("What to look at").markdown(preset.caption)


def _follow(runner) -> None:
    """The training's progress, redrawn while it runs; the whole page once it ends."""

    def progress() -> Drawn:
        runner.heartbeat()
        done = runner.snapshot(max_points=2).steps_done
        total = runner.config.max_steps
        said = f"Trained {done:,} steps"
        if runner.active:
            said = f"Training: step {done:,} of {total:,}"
        st.progress(min(done / total, 1.0) if runner.active else 1.0, text=said)
        return runner.active, None  # at its end the page shows the trained model

    polled_view("preset", runner.active, refresh_interval(), progress)


def take_pending(action: str) -> bool:
    """True once when the active preset asks this page to start (`action`: "compare")."""
    if st.session_state.get(PENDING) != action:
        return False
    st.session_state[PENDING] = None
    return True


def start_training() -> None:
    """Start the session's training from its settings, from fresh initial weights, as the
    Train page's Start would (ValueError with a sentence when the settings cannot train)."""
    experiment = session_experiment(chosen("task_shape"))  # a new one: see apply_link
    data = experiment.data
    experiment.run_for(model_config(data), train_config(data), seed()).start()
