"""Files as a test hands them to the app or the reader, for tests of every kind."""

from __future__ import annotations

import io


def named_file(data: bytes, name: str) -> io.BytesIO:
    """`data` as an uploaded file called `name` (a BytesIO with a name, as Streamlit gives it)."""
    file = io.BytesIO(data)
    file.name = name
    return file
