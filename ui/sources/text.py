"""Text as a source: a corpus, pasted text or an upload, read a character at a time."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import ClassVar

import streamlit as st

from rnn_core.datasets.prepare import PreparedData, check_text, prepare_text
from rnn_core.datasets.text import CORPORA, decode_text_bytes
from rnn_core.runs.blobs import RunData
from ui.session.link import MAX_PASTED
from ui.session.session_end import release_uploads_at_session_end
from ui.session.settings import TEXT_CHOICES
from ui.session.source import Source
from ui.session.state import PERSIST, setting, widget

TEXT_FRACTIONS = (0.8, 0.1, 0.1)
TEXTS_HELD = 2  # texts a session keeps: the chosen one and the one before (a page may still
# read it while the choice changes)
PASTE, UPLOAD = TEXT_CHOICES[-2:]


@st.cache_data(max_entries=8, show_spinner="Reading the corpus…")
def corpus_text(name: str) -> str:
    """A corpus that needs no file, by its name in CORPORA."""
    return CORPORA[name]()


@st.cache_data(max_entries=2, scope="session", show_spinner=False)
def uploaded_text(data: bytes) -> str:
    """Decoded upload, cached on the bytes for its session only (let go when it ends)."""
    return decode_text_bytes(data)


@dataclass(frozen=True)
class TextSource(Source):
    """A text, read a character at a time: a corpus, pasted text or an upload."""

    text_digest: str  # identifies the text without hashing it on every rerun
    kind: ClassVar[str] = "text"
    kept_kinds: ClassVar[tuple[str, ...]] = ("text",)
    fixed_shape: ClassVar[str] = "Text: the model predicts the next character at every step."

    @property
    def task_shape(self) -> str:
        """Every next character."""
        return "many_to_many"

    @property
    def text(self) -> str:
        """The text, as kept for this session."""
        return st.session_state["text.by_digest"][self.text_digest]

    def prepare(self, length: int, task_shape: str, on: str) -> PreparedData:
        """Windows of characters, split in order."""
        return prepare_text(self.text, length, TEXT_FRACTIONS, device=on)

    @classmethod
    def controls(cls) -> Source | None:
        """Widgets for the text; the source, or None until the person gives some text."""
        choice = st.radio(**widget("text.choice"), horizontal=True)
        if choice == PASTE:
            text = st.text_area(**widget("text.pasted"), height=180)
            if not text.strip():
                st.info("Paste some text above to train on it.")
        if choice == UPLOAD:
            limit = st.get_option("server.maxUploadSize")  # MB; a larger file is refused
            file = st.file_uploader(
                f"A UTF-8 .txt file, up to {limit:g} MB", type=["txt"], key="text.upload"
            )
            if file is not None:
                st.session_state.pop("text.last_upload", None)  # a refused file leaves none
                upload = cls.of(f"File {file.name}", uploaded_text(file.getvalue()))
                st.session_state["text.last_upload"] = upload
                release_uploads_at_session_end()
        return cls.from_settings()

    @classmethod
    def from_settings(cls) -> Source | None:
        """The text the settings describe; None while there is no text yet."""
        choice = setting("text.choice")
        if choice == PASTE:
            text = setting("text.pasted")
            return cls.of("Pasted text", text) if text.strip() else None
        if choice == UPLOAD:
            return st.session_state.get("text.last_upload")
        return cls.of(choice, corpus_text(choice))

    @classmethod
    def of(cls, label: str, text: str) -> TextSource:
        """A text source for `text`, kept for this session under its digest."""
        check_text(text)  # the bounds training has, said where the text is read
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        held = st.session_state.setdefault("text.by_digest", {})
        held.pop(digest, None)
        held[digest] = text  # the newest last; older texts are let go
        upload = st.session_state.get("text.last_upload")  # kept while it is the upload
        for old in list(held)[:-TEXTS_HELD]:
            if upload is None or old != upload.text_digest:
                del held[old]
        return cls(f"{label} ({len(text):,} characters)", digest)

    @classmethod
    def restore(cls, name: str, data: bytes) -> None:
        """Make kept bytes the session's pasted text or upload (the settings say which), read
        and checked like an upload (DataError with a sentence)."""
        text = uploaded_text(data)
        if setting("text.choice") == PASTE:
            check_text(text)
            st.session_state[PERSIST + "text.pasted"] = text
        else:
            st.session_state["text.last_upload"] = cls.of(name, text)

    def kept_data(self) -> RunData | None:
        """An uploaded text, or pasted text longer than a link carries."""
        choice = setting("text.choice")
        long_paste = choice == PASTE and len(setting("text.pasted")) > MAX_PASTED
        if choice != UPLOAD and not long_paste:
            return None
        name = self.label.rsplit(" (", 1)[0]  # "File a.txt", "Pasted text"
        return RunData("text", name, ((name, self.text.encode("utf-8")),))

    @classmethod
    def restore_kept(cls, entry: dict, files: tuple[tuple[str, bytes], ...]) -> None:
        """The kept text made the session's pasted text or upload again."""
        cls.restore(*files[0])

    @classmethod
    def needs_a_file(cls) -> bool:
        """Pasted text or an upload."""
        return setting("text.choice") in (PASTE, UPLOAD)

    @classmethod
    def missing_what(cls) -> str:
        """Pasted text, or an upload."""
        if setting("text.choice") == PASTE:
            return "pasted text, and none is pasted yet"
        return super().missing_what()
