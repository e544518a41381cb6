"""Character-level text: a vocabulary, encode/decode, and corpora that need no download."""

from __future__ import annotations

import random
import sysconfig
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rnn_core.datasets.windows import DataError


@dataclass(frozen=True)
class Vocabulary:
    """The characters of a corpus in a fixed order; a character's id is its index."""

    chars: tuple[str, ...]

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """Every distinct character of `text`, sorted."""
        return cls(chars=tuple(sorted(set(text))))

    @property
    def size(self) -> int:
        """Number of distinct characters."""
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Character ids as int64, shape (len(text),)."""
        index = {c: i for i, c in enumerate(self.chars)}
        missing = sorted(set(text) - index.keys())
        if missing:
            raise DataError(f"These characters are not in the vocabulary: {''.join(missing)!r}.")
        return np.fromiter((index[c] for c in text), dtype=np.int64, count=len(text))

    def decode(self, ids) -> str:
        """The text of a sequence of ids."""
        return "".join(self.chars[int(i)] for i in ids)


def decode_text_bytes(data: bytes) -> str:
    """Text from an uploaded file's bytes, or a DataError that says what to change."""
    if not data.strip():
        raise DataError("The file is empty: upload a text file with some characters in it.")
    if b"\x00" in data[:4096]:
        raise DataError("This looks like a binary file, not text: upload a plain .txt file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(
            f"The file is not UTF-8 text (byte 0x{data[err.start]:02x} at position {err.start}). "
            "Save it as UTF-8 and upload it again."
        ) from None
    return text.replace("\r\n", "\n")


def char_statistics(text: str) -> pd.DataFrame:
    """One row per character: its printable label, count and share, most frequent first."""
    counts = Counter(text)
    frame = pd.DataFrame(
        {"char": [printable(c) for c in counts], "count": list(counts.values())}
    ).sort_values("count", ascending=False, kind="stable")
    frame["share"] = frame["count"] / max(len(text), 1)
    return frame.reset_index(drop=True)


def printable(char: str) -> str:
    """A visible label for a character (newline, tab and space spelled out)."""
    return {"\n": "\\n", "\t": "\\t", " ": "space"}.get(char, char)


def bracket_corpus(num_chars: int = 20_000, max_depth: int = 6, seed: int = 0) -> str:
    """Lines of nested brackets around letters: the depth is what a unit can learn to count."""
    rng = random.Random(seed)
    lines, total = [], 0
    while total < num_chars:
        line, depth = [], 0
        while True:
            roll = rng.random()
            if depth < max_depth and (depth == 0 or roll < 0.35):
                line.append("(")
                depth += 1
            elif depth > 0 and roll < 0.7:
                line.append(")")
                depth -= 1
            else:
                line.append(rng.choice("abcxyz"))
            if depth == 0 and len(line) > 12:
                break
        lines.append("".join(line))
        total += len(lines[-1]) + 1
    return "\n".join(lines)[:num_chars]


_WORDS = (
    "the",
    "a",
    "cell",
    "state",
    "gate",
    "learns",
    "to",
    "remember",
    "forget",
    "one",
    "step",
    "at",
    "time",
    "she",
    "said",
    "he",
    "wrote",
    "we",
    "read",
    "every",
    "line",
    "of",
    "text",
    "and",
    "keep",
    "what",
    "matters",
    "inside",
    "quotes",
)


def quotes_corpus(num_chars: int = 20_000, seed: int = 0) -> str:
    """Prose-like sentences with quoted strings: a unit can learn to be on inside quotes."""
    rng = random.Random(seed)
    parts, total = [], 0
    while total < num_chars:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(3, 9))]
        if rng.random() < 0.6:
            start = rng.randrange(len(words))
            end = min(len(words), start + rng.randint(1, 4))
            words[start] = '"' + words[start]
            words[end - 1] = words[end - 1] + '"'
        sentence = " ".join(words).capitalize() + rng.choice(".!?") + "\n"
        parts.append(sentence)
        total += len(sentence)
    return "".join(parts)[:num_chars]


def stdlib_corpus(num_chars: int = 200_000) -> str:
    """Source of this Python's standard library, read at run time from this machine."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    parts, total = [], 0
    for path in sorted(stdlib.glob("*.py")):
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        parts.append(source)
        total += len(source)
        if total >= num_chars:
            break
    if not parts:
        raise DataError("This Python has no standard library sources to read: paste some text.")
    return "".join(parts)[:num_chars]


CORPORA = {
    "Nested brackets (generated)": bracket_corpus,
    "Quoted prose (generated)": quotes_corpus,
    "Python standard library source": stdlib_corpus,
}
