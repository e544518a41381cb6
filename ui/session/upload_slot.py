"""Where a kind of data keeps the session's one upload: the uploader's file taken as soon as it
arrives, the bytes held, an upload that was refused remembered by its sentence (its bytes let go),
and kept bytes put back as if uploaded again (Open, Resume, a recording from the Live page)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.runs.blobs import RunData
from ui.session.settings import IMU_CHOICES
from ui.session.state import PERSIST


@dataclass(frozen=True)
class UploadSlot:
    """The session keys of one kind's upload, and the error that says a refused file's
    sentence to the pages that need the file."""

    uploader: str  # the file uploader's key ("imu.upload")
    held: str  # session key: (name, bytes) of the session's upload
    refused: str  # session key: (name, sentence) of the upload last refused
    read: str  # session key: what was read of the held bytes, let go with them
    error: type[DataError] = DataError

    def current(self) -> tuple[str, bytes] | None:
        """(name, bytes) of the session's upload; None before one (the refusal's error when
        the last one was refused). The uploader's new file is in session state from the start
        of the run it triggers, before the page draws the uploader: a banner drawn above it
        reads the upload here, so it never says that nothing was uploaded."""
        arrived = st.session_state.get(self.uploader)
        if arrived is not None:
            st.session_state[self.held] = (arrived.name, arrived.getvalue())
        refused = st.session_state.get(self.refused)
        if refused is not None and self.held not in st.session_state:
            raise self.error(refused[1])  # said where a page needs the file
        return st.session_state.get(self.held)

    def kept(self, data_kind: str, digest: str) -> RunData | None:
        """The held upload as data to keep with a run (`data_kind`, rnn_core.runs.blobs.KINDS),
        when it is the file whose sha1 is `digest` (the one the source read); else None."""
        held = st.session_state.get(self.held)
        if held and hashlib.sha1(held[1]).hexdigest() == digest:
            return RunData(data_kind, held[0], (held,))
        return None

    def files(self) -> list[tuple[str, bytes]]:
        """The upload held, as a list of (name, bytes) (empty before one)."""
        held = st.session_state.get(self.held)
        return [held] if held else []

    def drawn(self) -> None:
        """The uploader was drawn: its file is read again (or gone), so no refusal stands."""
        st.session_state.pop(self.refused, None)

    def restore(self, name: str, data: bytes) -> None:
        """Make kept bytes the session's upload, as if uploaded again: read like one when used."""
        st.session_state.pop(self.refused, None)
        st.session_state[self.held] = (name, data)

    def refuse(self, name: str, sentence: str) -> None:
        """Let go of a refused upload's bytes and what was read of them (the uploader keeps
        its file) and keep only why it was refused, for the other pages."""
        st.session_state.pop(self.held, None)
        st.session_state.pop(self.read, None)
        st.session_state[self.refused] = (name, sentence)


# The IMU recording's keys, here once: the IMU wing's slot (ui.sources.imu.SLOT) and the Live
# page's hand-over (hand_over_imu_recording) both use them.
IMU_SLOT = UploadSlot("imu.upload", "imu.last_upload", "imu.refused", "imu.by_digest")
IMU_UPLOAD_CHOICE = IMU_CHOICES[-1]  # "Upload a file" on 1 · Data


def hand_over_imu_recording(name: str, data: bytes) -> None:
    """Make `data` the session's IMU upload and choose it on 1 · Data, exactly as an upload
    would be: the source an IMU recording, its choice the upload, the bytes held (read when
    used). Call it before the Data page's widgets are drawn in this run (a button's run is)."""
    st.session_state[PERSIST + "source_kind"] = "IMU recording"
    st.session_state[PERSIST + "imu.choice"] = IMU_UPLOAD_CHOICE
    IMU_SLOT.restore(name, data)
