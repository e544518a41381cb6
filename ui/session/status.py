"""How often the live views redraw, and the sidebar's status line: read on every page, Home
included, so nothing here imports torch (see `ui.session.preload`)."""

from __future__ import annotations

import streamlit as st

from rnn_core.live.slots import active_runners
from rnn_core.live.states import RunState
from ui.session.live_view import Drawn, polled_view
from ui.session.state import existing_experiment

REFRESH_S = 0.4  # seconds between redraws while training alone (2.5 a second; at 0.45 a loaded
# two-core machine drew 1.8 to 2.1 a second, under the 2 the charts must keep)
MAX_REFRESH_S = 4.0  # the slowest redraw, however many train
PREVIEW_REFRESH_S = 1.0  # the prediction preview: the training process computes one a second
SIDEBAR_REFRESH_S = 1.0  # the sidebar's status line, at most this often (and the live rate)
LIVE_PAGE = "train"  # the page whose live view shows the session's training


def refresh_interval(own: int = 1, waiting: bool = False) -> float:
    """Seconds between redraws of a live view that shows `own` of this server's active
    trainings: REFRESH_S when it is the only one; with others, they share that rate, and a view
    whose training waits (queued or paused: nothing moves) takes MAX_REFRESH_S, so that many
    sessions' charts together cost the server and the browsers what one does. Measured on two
    cores, ten sessions with four training: redrawing every 0.4 s each, page interactions took
    0.3 to 1.8 s; with no redraws, 0.1 to 0.4 s."""
    if waiting:
        return MAX_REFRESH_S
    others = max(0, active_runners() - own)
    return round(min(MAX_REFRESH_S, REFRESH_S * (1 + others)), 2)


def nothing_moves(*snaps) -> bool:
    """True when there are runner snapshots and each is paused or in the queue for a slot (not
    merely about to take one): a view of them has nothing new to draw."""
    return bool(snaps) and all(
        s.state == RunState.PAUSED or s.queue_position is not None for s in snaps
    )


def sidebar_status(page_path: str) -> None:
    """A small status line in the sidebar, polled while training; it also keeps the training
    alive. Not on the Train page, whose live view says the same and keeps it alive: a second
    polling fragment would double the redraws that a loaded server and browser pay for."""
    experiment = existing_experiment()
    runner = experiment.run if experiment is not None else None
    if runner is None or page_path == LIVE_PAGE:
        return

    def status() -> Drawn:
        runner.heartbeat()
        snap = runner.snapshot(max_points=2)
        st.caption(f"**{snap.state.label}** · step {snap.steps_done:,}")
        return runner.active, None  # at its end the page follows (Evaluate: the last weights)

    interval = max(SIDEBAR_REFRESH_S, refresh_interval())
    with st.sidebar:
        polled_view("sidebar", runner.active, interval, status)
