"""What the room sees, redrawn five times a second while the phone is connected: the status
tiles, the six channels, roll and pitch from both filters, and the model following the phone.

In presenter mode the charts stand two to a row, so that the point is on the first screen: the
model's forecast and its hidden state first when a model follows the phone, else the channels and
the filters."""

from __future__ import annotations

import streamlit as st

from rnn_core.figures.phone import (
    attitude_figure,
    channels_figure,
    forecast_figure,
    hidden_figure,
)
from rnn_core.phone.hub import QUIET_S, HubSnapshot, PhoneHub
from ui.live.forecast import Following, follow, rate_sentence, shown, shown_states
from ui.session.live_chart import live_chart
from ui.session.live_view import polled_view
from ui.session.plain import as_text
from ui.session.presenter import presenter_on

INTERVAL_S = 0.2  # five redraws a second
SECONDS_SHOWN = 10.0
PRESENTER_PANEL_PX = 85  # a forecast panel's height in presenter mode (five fit the screen)


def live_view(hub: PhoneHub) -> None:
    """The tiles and charts in a fragment, redrawn every INTERVAL_S while connected."""

    def draw():
        snapshot = hub.snapshot(SECONDS_SHOWN)
        _tiles(snapshot)
        _sentence(snapshot)
        following = follow(hub)
        if presenter_on():
            if following is not None:
                _forecast(following, snapshot.row_hz, *st.columns(2))
            _phone(hub, snapshot, *st.columns(2))
        else:
            _phone(hub, snapshot, None, None)
            _forecast(following, snapshot.row_hz, None, None)
        return hub.connected, None

    polled_view("live", hub.connected, INTERVAL_S, draw)


def _phone(hub: PhoneHub, snapshot: HubSnapshot, left, right) -> None:
    """The six channels (in `left`) and roll and pitch from both filters (in `right`)."""
    recent = snapshot.recent
    if len(recent.rows) >= 2:
        rows = recent.rows
        live_chart(channels_figure(rows.time, rows.accel, rows.gyro), "live.channels", left)
        live_chart(attitude_figure(rows.time, recent.angles), "live.attitude", right)
    elif hub.connected:
        st.info("Waiting for the phone's first rows: start the measurement on the phone.")


def _tiles(snapshot: HubSnapshot) -> None:
    """Phone rates, samples, drops and delay."""
    accel, gyro, received, dropped, delay = st.columns(5)
    accel.metric("Accelerometer", _hz(snapshot.phone_hz.get("accel")))
    gyro.metric("Gyroscope", _hz(snapshot.phone_hz.get("gyro")))
    received.metric("Samples received", f"{snapshot.received:,}")
    dropped.metric("Lost or dropped", f"{snapshot.dropped:,}")
    if snapshot.delay_ms is None:
        delay.metric("Delay p50 / p95", "–")
    else:
        p50, p95 = snapshot.delay_ms
        delay.metric("Delay p50 / p95", f"{p50:.0f} / {p95:.0f} ms")
    if snapshot.row_hz and not presenter_on():
        st.caption(f"{snapshot.rows:,} rows at {snapshot.row_hz:g} Hz since connecting")


def _hz(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0f} Hz"


def _sentence(snapshot: HubSnapshot) -> None:
    """The hub's last sentence: a warning when the rows stopped coming or never came."""
    if not snapshot.sentence or snapshot.way_in is None:
        return
    if snapshot.quiet_s is None or snapshot.quiet_s > QUIET_S:
        st.warning(as_text(snapshot.sentence))
    elif not presenter_on():
        st.caption(as_text(snapshot.sentence))


def _forecast(following: Following | None, row_hz: float | None, left, right) -> None:
    """The session's trained IMU model's next-step forecast beside what happened (in `left`),
    and its hidden state as a heatmap (in `right`)."""
    if following is None:
        st.caption(
            "Train a model on an IMU recording (Record below, then 1 · Data with the IMU preset) "
            "to see its forecast follow the phone here."
        )
        return
    mismatch = rate_sentence(following, row_hz)
    if mismatch:
        st.warning(mismatch)
    found = shown(following, SECONDS_SHOWN)
    if found is None:
        st.caption("The trained model waits for the phone's rows.")
        return
    time, actual, forecast, rmse, units = found
    targets = following.forecaster.targets
    panel_px = PRESENTER_PANEL_PX if presenter_on() else 120
    figure = forecast_figure(time, actual, forecast, targets, rmse, units, panel_px)
    live_chart(figure, "live.forecast", left)
    states = shown_states(following, SECONDS_SHOWN)
    if states is not None:
        live_chart(hidden_figure(*states), "live.hidden", right)
