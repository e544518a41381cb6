"""Live from a phone: phyphox or Sensor Logger streamed to the room, its channels, two attitude
filters and the session's trained model following it, and a recording to train on."""

import streamlit as st

from rnn_core.phone.hub import hub
from ui.live.connect import connect_controls
from ui.live.record import record_controls
from ui.live.view import live_view
from ui.session.presenter import presenter_on

st.title("Live from a phone")
if not presenter_on():
    st.caption(
        "One phone per server: every browser watching this page sees the same stream. Record "
        "it, use it on 1 · Data, train, and come back to see the model follow the phone."
    )
phone = hub()
connect_controls(phone)
live_view(phone)
st.subheader("Record")
record_controls(phone)
