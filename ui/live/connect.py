"""Connecting the phone: phyphox's remote access (an address typed) or Sensor Logger's HTTP push
(a receiver on this server). The hub is the server's: every session sees the same phone."""

from __future__ import annotations

import os

import streamlit as st

from rnn_core.phone.hub import SENSOR_LOGGER, PhoneHub
from rnn_core.phone.phyphox import AddressError
from ui.session.plain import as_text, plain
from ui.session.presenter import presenter_on

WAYS = (
    "phyphox (remote access: type the address the app shows)",
    "Sensor Logger (HTTP push to this server)",
)
PORT_VARIABLE = "RNN_EXPLORER_PHONE_PORT"
DEFAULT_PORT = 8765
ADDRESS_CHARS = 100
SAID = "live.said"  # session key: a sentence from the last button, shown once


def receiver_port() -> int:
    """The receiver's port: RNN_EXPLORER_PHONE_PORT (0: any free port), else 8765."""
    raw = os.environ.get(PORT_VARIABLE, "").strip()
    try:
        port = int(raw) if raw else DEFAULT_PORT
    except ValueError:
        port = -1
    return port if 0 <= port <= 65535 else DEFAULT_PORT


def connect_controls(hub: PhoneHub) -> None:
    """The way in, its address or receiver, and Connect / Disconnect; folded into an expander
    in presenter mode once a phone is connected (the charts are the point on a projector)."""
    if presenter_on() and hub.connected:
        with st.expander(f"The phone's connection: {hub.kind}", expanded=False):
            _controls(hub)
    else:
        _controls(hub)


def _controls(hub: PhoneHub) -> None:
    way = st.radio("How the phone sends", WAYS, key="live.way", horizontal=True)
    if way == WAYS[0]:
        address = st.text_input(
            "The address phyphox shows under 'Allow remote access'",
            key="live.address",
            max_chars=ADDRESS_CHARS,
            placeholder="http://192.168.1.20:8080",
        )
        left, right = st.columns(2)
        if left.button("Connect", key="live.connect", type="primary"):
            _connect(lambda: hub.connect_phyphox(address))
    else:
        st.caption(
            f"The receiver listens on all of this machine's network interfaces, on port "
            f"{receiver_port()} ({PORT_VARIABLE}); it accepts only POST /data with JSON, up to "
            "1 MiB a push, without a password: keep it to the lecture's network."
        )
        left, right = st.columns(2)
        if left.button("Start receiving", key="live.receive", type="primary"):
            _connect(lambda: hub.connect_sensor_logger(receiver_port()))
    if right.button("Disconnect", key="live.disconnect", disabled=not hub.connected):
        hub.disconnect()
        st.session_state[SAID] = "Disconnected: the last rows stay on the charts."
    said = st.session_state.pop(SAID, None)
    if said:
        st.warning(as_text(said))
    if hub.kind == SENSOR_LOGGER:
        st.success("Type this URL into Sensor Logger: Settings → Data Streaming → HTTP Push")
        st.code(hub.address, language=None)  # plain text, as typed, with a copy button
    elif hub.connected:
        st.caption(f"Connected to phyphox at {plain(hub.address, ADDRESS_CHARS)}")


def _connect(start) -> None:
    """Run `start`; a sentence for what the user can cause (a bad address, a port taken)."""
    try:
        start()
    except AddressError as e:
        st.session_state[SAID] = str(e)
    except OSError as e:
        st.session_state[SAID] = (
            f"Could not listen on port {receiver_port()} ({e.strerror or e}): another program "
            f"uses it; set {PORT_VARIABLE} to a free port and restart the app."
        )
