"""Live views: fragments that poll the session's runner a few times a second and redraw in place."""

from __future__ import annotations

import streamlit as st

from rnn_core.datasets.prepare import PreparedData
from rnn_core.figures import forecast_figure, grad_norm_figure, loss_figure
from rnn_core.history import History
from rnn_core.losses import nats_to_bits, perplexity
from rnn_core.predict import TextPreview
from rnn_core.runner import RunnerSnapshot, TrainingRunner, active_runners
from ui.experiment import existing_experiment
from ui.presenter import chart

REFRESH_S = 0.4  # seconds between redraws while training alone (2.5 a second; at 0.45 a loaded
# two-core machine drew 1.8 to 2.1 a second, under the 2 the charts must keep)
MAX_REFRESH_S = 4.0  # the slowest redraw, however many train
PREVIEW_REFRESH_S = 1.0  # the prediction preview: the training process computes one a second
SIDEBAR_REFRESH_S = 1.0  # the sidebar's status line, at most this often (and the live rate)
STATE_LABELS = {
    "idle": "Ready",
    "queued": "Waiting for a free training slot",
    "running": "Training",
    "paused": "Paused",
    "stopped": "Stopped",
    "finished": "Finished",
    "early_stopped": "Stopped early",
    "diverged": "Diverged",
    "error": "Error",
}


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


def sidebar_status() -> None:
    """A small status line in the sidebar on every page; it also keeps the training alive."""
    experiment = existing_experiment()
    runner = experiment.runner if experiment is not None else None
    if runner is None:
        return

    @st.fragment(run_every=max(SIDEBAR_REFRESH_S, refresh_interval()) if runner.active else None)
    def status() -> None:
        runner.heartbeat()
        snap = runner.snapshot(max_points=2)
        st.caption(f"**{STATE_LABELS[snap.state]}** · step {snap.steps_done:,}")

    with st.sidebar:
        status()


def state_message(snap: RunnerSnapshot) -> None:
    """The runner's state as a coloured sentence."""
    label = STATE_LABELS[snap.state]
    if snap.state == "queued":
        st.warning(f"{label}: position {snap.queue_position or 1} in the queue.")
    elif snap.state in ("diverged", "error"):
        st.error(f"{label}. {snap.message}")
    elif snap.state in ("finished", "early_stopped"):
        st.success(f"{(snap.message or label).rstrip('.')}. Trained on {snap.device}.")
    else:
        st.info(
            f"{label} · step {snap.steps_done:,} · {snap.device}"
            + (f". {snap.message}" if snap.message else "")
        )


def metrics_row(snap: RunnerSnapshot, data: PreparedData) -> None:
    """Step, speed and the latest losses; for text in bits per character and as perplexity."""
    text = data.is_text
    history = snap.history
    train = history["loss"].iloc[-1] if len(history) else None
    val = history["val_loss"].dropna()
    val = val.iloc[-1] if len(val) else None
    show = nats_to_bits if text else float
    unit = " (bits/char)" if text else f" ({loss_unit(data).split(',')[0]})"
    metrics = [
        ("Step", f"{snap.steps_done:,}"),
        ("Steps per second", f"{snap.steps_per_second:.0f}" if snap.steps_per_second else "–"),
        ("Train loss" + unit, f"{show(train):.4g}" if train is not None else "–"),
        ("Validation loss" + unit, f"{show(val):.4g}" if val is not None else "–"),
    ]
    if text:
        metrics.append(
            ("Train perplexity", f"{perplexity(train):.3g}" if train is not None else "–")
        )
        metrics.append(
            ("Validation perplexity", f"{perplexity(val):.3g}" if val is not None else "–")
        )
    for column, (label, value) in zip(st.columns(len(metrics)), metrics, strict=True):
        column.metric(label, value)


def empty_charts(data: PreparedData, clip_norm: float | None, baseline: float) -> None:
    """The loss and gradient charts, still empty, before the first Start: the browser loads
    its chart library while the person sets the knobs, and the first point shows as soon as
    training begins."""
    empty = History().frame()
    c1, c2 = st.columns(2)
    loss = loss_figure(empty, loss_unit(data), baseline)
    chart(loss, key="train.loss.empty", container=c1)
    chart(grad_norm_figure(empty, clip_norm), key="train.grad.empty", container=c2)


def _nothing_moves(snap: RunnerSnapshot) -> bool:
    """Paused, or in the queue for a slot (not merely about to take one): nothing new to draw."""
    return snap.state == "paused" or snap.queue_position is not None


def loss_unit(data: PreparedData) -> str:
    """What the loss axis measures: cross-entropy for classes, MSE for values (of z-scores when
    the data is standardized)."""
    if data.kind == "classification":
        return "cross-entropy, nats"
    return "MSE, standardized" if data.standardizer is not None else "MSE"


def live_view(
    runner: TrainingRunner, data: PreparedData, clip_norm: float | None, baseline: float
) -> None:
    """Loss, gradient norm and prediction charts, redrawn in place while training runs."""
    st.session_state["train.polling"] = runner.active
    interval = refresh_interval(waiting=_nothing_moves(runner.snapshot(max_points=2)))

    @st.fragment(run_every=interval if runner.active else None)
    def view() -> None:
        runner.heartbeat()
        snap = runner.snapshot()
        state_message(snap)
        metrics_row(snap, data)
        c1, c2 = st.columns(2)
        loss = loss_figure(snap.history, loss_unit(data), baseline)
        chart(loss, key="train.loss", container=c1)
        chart(grad_norm_figure(snap.history, clip_norm), key="train.grad", container=c2)
        if not runner.active and st.session_state.get("train.polling"):
            st.session_state["train.polling"] = False
            st.rerun()  # the run ended: redraw the buttons and stop polling
        elif runner.active and refresh_interval(waiting=_nothing_moves(snap)) != interval:
            st.rerun()  # trainings began or ended elsewhere: poll at the rate that fits now

    view()

    @st.fragment(run_every=max(PREVIEW_REFRESH_S, interval) if runner.active else None)
    def preview() -> None:
        shown = runner.snapshot(max_points=2).preview
        if isinstance(shown, TextPreview):
            st.markdown(
                "**A sample from the model** (temperature 0.8, after a prompt from the "
                "validation text)"
            )
            st.code(shown.prompt + "⟫" + shown.sample, language=None, wrap_lines=True)
        elif shown is not None:
            chart(forecast_figure(shown), key="train.forecast")

    preview()
