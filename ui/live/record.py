"""Record to Stop, the download of the phyphox zip, and the recording made the session's IMU
upload on 1 · Data (through the kernel: the same keys as an upload)."""

from __future__ import annotations

import streamlit as st

from rnn_core.phone.hub import PhoneHub
from ui.session.plain import as_text
from ui.session.upload_slot import hand_over_imu_recording

KEPT = "live.recording"  # session key: (name, bytes) of the last recording stopped here
SAID = "live.record_said"  # session key: a sentence from Stop, shown once


def record_controls(hub: PhoneHub) -> None:
    """Record / Stop recording, then the download and "Use this recording on 1 · Data"."""
    left, middle, right = st.columns(3)
    recording = hub.recorder.recording
    if left.button("Record", key="live.record", disabled=recording or not hub.connected):
        hub.record()
        st.rerun()
    if middle.button("Stop recording", key="live.stop", disabled=not recording):
        try:
            st.session_state[KEPT] = hub.stop_recording()
        except ValueError as e:
            st.session_state[SAID] = str(e)
        st.rerun()
    if recording:
        st.caption("Recording: press Stop recording to keep it.")
    said = st.session_state.pop(SAID, None)
    if said:
        st.warning(as_text(said))
    kept = st.session_state.get(KEPT)
    if kept is None:
        return
    name, data = kept
    right.download_button(
        f"Download {name}", data, file_name=name, mime="application/zip", key="live.download"
    )
    if st.button("Use this recording on 1 · Data", key="live.use"):
        hand_over_imu_recording(name, data)
        st.success(
            f"{as_text(name)} is the session's IMU recording: open 1 · Data to see it read, use "
            "the IMU preset there, train on 2 · Train, then come back here to see the model follow."
        )
