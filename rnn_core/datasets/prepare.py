"""From a source (series or text) to train / validation / test windows ready for a model.

series (N, L, F) -> temporal split -> standardize (train stats) -> WindowSet x3
text             -> ids (1, L)     -> temporal split              -> WindowSet x3
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch

from rnn_core.bounds import MAX_TEXT_CHARS, MAX_VOCAB
from rnn_core.datasets.text import Vocabulary
from rnn_core.datasets.windows import DataError, Standardizer, WindowSet, temporal_split

SPLIT_NAMES = ("train", "validation", "test")


@dataclass
class PreparedData:
    """Windows for the three parts of one experiment, plus what is needed to read them back."""

    kind: Literal["regression", "classification"]
    train: WindowSet
    validation: WindowSet
    test: WindowSet
    input_size: int  # features per step (regression) or vocabulary size (text)
    output_size: int  # values per prediction, or vocabulary size
    seq_len: int
    task_shape: str
    feature_names: tuple[str, ...] = ()  # what each input feature is
    standardizer: Standardizer | None = None  # of the targets (of the inputs too when they match)
    vocabulary: Vocabulary | None = None  # text only
    target_names: tuple[str, ...] = ()  # what each predicted value is, when not feature_names
    class_names: tuple[str, ...] = ()  # labels of the classes a classifier tells apart
    meta: Any = None  # what a data source keeps to read results back (an IMU recording's rows)

    @property
    def input_standardizer(self) -> Standardizer | None:
        """The statistics of the inputs: a source's own (an IMU recording's inputs differ from
        its targets), else the standardizer shared by inputs and targets."""
        return getattr(self.meta, "input_standardizer", None) or self.standardizer

    @property
    def is_text(self) -> bool:
        """True for character-level text (token ids in, next-character logits out)."""
        return self.vocabulary is not None

    @property
    def outputs(self) -> tuple[str, ...]:
        """What each regression output is: target_names, else feature_names."""
        return self.target_names or self.feature_names

    def split(self, name: str) -> WindowSet:
        """The WindowSet called 'train', 'validation' or 'test'."""
        return {"train": self.train, "validation": self.validation, "test": self.test}[name]


def _check_lengths(parts: tuple[np.ndarray, ...], seq_len: int) -> None:
    """Raise a DataError naming the part that is too short for one window."""
    if seq_len < 1:
        raise DataError("The sequence length must be at least 1.")
    for name, part in zip(SPLIT_NAMES, parts, strict=True):
        steps = part.shape[1]
        if steps < seq_len + 1:
            raise DataError(
                f"The {name} part has {steps} steps but one window needs {seq_len + 1}: "
                f"use a sequence length of at most {max(steps - 1, 0)} or longer data."
            )


def prepare_series(
    series: np.ndarray,
    seq_len: int,
    task_shape: str = "many_to_many",
    fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
    feature_names: tuple[str, ...] = (),
    device: str | torch.device = "cpu",
) -> PreparedData:
    """Windows to forecast the next value of float series (N, L, F), z-scored on train stats."""
    if series.ndim != 3:
        raise ValueError("series must be (N, L, F)")
    if not np.isfinite(series).all():
        raise DataError("The data has NaN or infinite values: remove or fill them first.")
    parts = temporal_split(series, fractions)
    _check_lengths(parts, seq_len)
    standardizer = Standardizer.fit(parts[0])
    sets = []
    for part in parts:
        values = torch.from_numpy(standardizer.transform(part)).to(device)  # (N, L_part, F)
        sets.append(WindowSet(values, values, seq_len, task_shape))
    F = series.shape[2]
    return PreparedData(
        "regression",
        *sets,
        input_size=F,
        output_size=F,
        seq_len=seq_len,
        task_shape=task_shape,
        feature_names=feature_names or tuple(f"x{i}" for i in range(F)),
        standardizer=standardizer,
    )


def check_text(text: str) -> None:
    """DataError when a text is too long, or has too few or too many different characters, to
    train on: the one place these bounds are checked (where a text is read, and before training)."""
    if len(text) > MAX_TEXT_CHARS:
        raise DataError(
            f"The text has {len(text):,} characters; at most {MAX_TEXT_CHARS:,} can be trained "
            "on: use a shorter text."
        )
    distinct = len(set(text))
    if distinct < 2:
        raise DataError("The text needs at least two different characters to learn anything.")
    if distinct > MAX_VOCAB:
        raise DataError(
            f"The text has {distinct:,} different characters; a model reads at most "
            f"{MAX_VOCAB:,} (each is an output of every step): use a text with fewer, such as "
            "one language's letters and punctuation."
        )


def prepare_text(
    text: str,
    seq_len: int,
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
    device: str | torch.device = "cpu",
) -> PreparedData:
    """Windows to predict the next character at every step of one long text."""
    check_text(text)
    vocabulary = Vocabulary.from_text(text)
    ids = vocabulary.encode(text)[None, :]  # (1, L)
    parts = temporal_split(ids, fractions)
    _check_lengths(parts, seq_len)
    sets = []
    for part in parts:
        tokens = torch.from_numpy(np.ascontiguousarray(part)).to(device)  # (1, L_part)
        sets.append(WindowSet(tokens, tokens, seq_len, "many_to_many"))
    return PreparedData(
        "classification",
        *sets,
        input_size=vocabulary.size,
        output_size=vocabulary.size,
        seq_len=seq_len,
        task_shape="many_to_many",
        vocabulary=vocabulary,
    )
