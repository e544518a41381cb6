"""Live views: fragments that poll the session's run a few times a second and redraw in place."""

from __future__ import annotations

import streamlit as st

from rnn_core.analysis.predict import TextPreview
from rnn_core.datasets.prepare import PreparedData
from rnn_core.figures.axes import compact
from rnn_core.figures.curves import forecast_figure, grad_norm_figure, loss_figure
from rnn_core.live.reports import RunSnapshot
from rnn_core.live.run import LiveRun
from rnn_core.live.states import RunState
from rnn_core.training.history import History
from rnn_core.training.losses import perplexity
from rnn_core.units import loss_scale, loss_unit
from ui.session.charts import chart
from ui.session.live_view import Drawn, polled_view
from ui.session.plain import as_text
from ui.session.presenter import presenter_on
from ui.session.status import PREVIEW_REFRESH_S, nothing_moves, refresh_interval

PREVIOUS_RUN = "train.previous"  # the history before the last Rewind, drawn faint beside the new


def state_message(snap: RunSnapshot) -> None:
    """The run's state as a coloured sentence."""
    label = snap.state.label
    if snap.state == RunState.QUEUED:
        st.warning(f"{label}: position {snap.queue_position or 1} in the queue.")
    elif snap.state in (RunState.DIVERGED, RunState.FAILED):
        st.error(f"{label}. {snap.message}")
    elif snap.state in (RunState.FINISHED, RunState.EARLY_STOPPED):
        st.success(f"{(snap.message or label).rstrip('.')}. Trained on {snap.device}.")
    else:
        st.info(
            f"{label} · step {snap.steps_done:,} · {snap.device}"
            + (f". {snap.message}" if snap.message else "")
        )


def unkept_message(run: LiveRun) -> None:
    """A warning when what the run trains now is not kept (another server took it over, its
    history is full, the store cannot be written)."""
    unkept = getattr(run.listener, "unkept", None)
    sentence = unkept() if callable(unkept) else None
    if sentence:
        st.warning(as_text(sentence))


TILES_PER_ROW = 3  # more would cut labels and values in a column of a laptop's screen
PRESENTER_TILES_PER_ROW = 4  # the page's whole width: the losses on the first row


def metrics_row(snap: RunSnapshot, data: PreparedData) -> None:
    """Step, speed and the latest losses; for text in bits per character and as perplexity.
    Steps per second only while the run moves (a paused or ended run has none)."""
    text = data.is_text
    history = snap.history
    train = history["loss"].iloc[-1] if len(history) else None
    val = history["val_loss"].dropna()
    val = val.iloc[-1] if len(val) else None
    scale = loss_scale(data)
    unit = f" ({loss_unit(data).split(',')[0]})"  # as the chart's axis says it
    moving = snap.state == RunState.TRAINING and snap.steps_per_second
    metrics = [
        ("Step", f"{snap.steps_done:,}"),
        ("Steps per second", f"{snap.steps_per_second:.0f}" if moving else "–"),
        ("Train loss" + unit, compact(train * scale) if train is not None else "–"),
        ("Validation loss" + unit, compact(val * scale) if val is not None else "–"),
    ]
    if text:
        metrics.append(
            ("Train perplexity", f"{perplexity(train):.3g}" if train is not None else "–")
        )
        metrics.append(
            ("Validation perplexity", f"{perplexity(val):.3g}" if val is not None else "–")
        )
    per_row = PRESENTER_TILES_PER_ROW if presenter_on() else TILES_PER_ROW
    for start in range(0, len(metrics), per_row):
        row = metrics[start : start + per_row]
        for column, (label, value) in zip(st.columns(per_row), row, strict=False):
            column.metric(label, value)


def chart_columns():
    """Two side-by-side places for the loss and gradient charts; one above the other in
    presenter mode, where each takes the width."""
    if presenter_on():
        return st.container(), st.container()
    return st.container(key="train-charts").columns(2)  # one above the other when narrow


def empty_charts(
    data: PreparedData, clip_norm: float | None, baseline: float, references: dict | None = None
) -> None:
    """The loss and gradient charts, still empty, before the first Start: the browser loads
    its chart library while the person sets the knobs, and the first point shows as soon as
    training begins."""
    empty = History().frame()
    c1, c2 = chart_columns()
    loss = loss_figure(empty, loss_unit(data), baseline, loss_scale(data), None, references)
    chart(loss, key="train.loss.empty", container=c1)
    chart(grad_norm_figure(empty, clip_norm), key="train.grad.empty", container=c2)


def live_view(
    run: LiveRun,
    data: PreparedData,
    clip_norm: float | None,
    baseline: float,
    references: dict | None = None,
) -> None:
    """Loss, gradient norm and prediction charts, redrawn in place while training runs; a time
    series' forecast baselines (`references`: name -> validation loss) as lines on the loss."""
    interval = refresh_interval(waiting=nothing_moves(run.snapshot(max_points=2)))
    # The preview changes once a second: it is drawn with the charts when they redraw no more
    # often than that (many sessions, or a waiting one), else in its own slower fragment.
    together = interval >= PREVIEW_REFRESH_S or not run.active
    sample_rate = getattr(data.meta, "sample_rate", None)  # a recording's: time in seconds

    def view() -> Drawn:
        run.heartbeat()
        snap = run.snapshot()
        # in presenter mode the numbers and the loss come first, the run's state under them
        later = presenter_on()
        if not later:
            state_message(snap)
        unkept_message(run)
        metrics_row(snap, data)
        c1, c2 = chart_columns()
        previous = st.session_state.get(PREVIOUS_RUN)
        loss = loss_figure(
            snap.history, loss_unit(data), baseline, loss_scale(data), previous, references
        )
        chart(loss, key="train.loss", container=c1)
        if later:
            with c2:
                state_message(snap)
        chart(grad_norm_figure(snap.history, clip_norm), key="train.grad", container=c2)
        if together:
            preview_of(snap.preview, sample_rate)
        return run.active, refresh_interval(waiting=nothing_moves(snap))

    polled_view("train", run.active, interval, view)
    if not together:

        @st.fragment(run_every=PREVIEW_REFRESH_S)
        def preview() -> None:
            preview_of(run.snapshot(max_points=2).preview, sample_rate)

        preview()


def preview_of(shown, sample_rate: float | None = None) -> None:
    """The latest prediction preview: a text sample, or the forecast chart, against time in
    seconds when `sample_rate` is known (nothing before one has been computed)."""
    if isinstance(shown, TextPreview):
        st.markdown(
            "**A sample from the model** (temperature 0.8, after a prompt from the validation text)"
        )
        st.code(shown.prompt + "⟫" + shown.sample, language=None, wrap_lines=True)
    elif shown is not None:
        chart(forecast_figure(shown, sample_rate=sample_rate), key="train.forecast")
