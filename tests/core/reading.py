"""For the core tests of the readers: a file's bytes from a frame, and what the reader said."""

from __future__ import annotations

import pandas as pd


def sentences_with(recording, *fragments: str) -> list[str]:
    """Every sentence the reader detected (`recording.detected`) that holds all `fragments`;
    empty, so false, when none does."""
    return [sentence for sentence in recording.detected if all(f in sentence for f in fragments)]


def csv_bytes(frame: pd.DataFrame, **options) -> bytes:
    """The frame as a CSV file's bytes (no index, Unix line ends), as a reader is given it."""
    return frame.to_csv(index=False, lineterminator="\n", **options).encode()
