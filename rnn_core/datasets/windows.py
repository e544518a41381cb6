"""Sliding windows as views, a temporal split, and a standardizer fitted on training data only.

A window of length T + 1 slides along each series; the model reads its first T steps:

    series   s0 s1 s2 s3 s4 s5 ...
    window   [s0 s1 s2 s3]            T = 3
    x         s0 s1 s2                many_to_many: y = s1 s2 s3
                                      many_to_one:  y = s3
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


class DataError(ValueError):
    """Input a person gave that cannot be used; the message says what to change."""


def temporal_split(
    series: np.ndarray, fractions: tuple[float, float, float] = (0.7, 0.15, 0.15)
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut every series along time into train, validation and test parts (views, never shuffled)."""
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-6:
        raise DataError("Split fractions must be three positive numbers that add up to 1.")
    length = series.shape[1]
    train_end = int(round(length * fractions[0]))
    val_end = int(round(length * (fractions[0] + fractions[1])))
    return series[:, :train_end], series[:, train_end:val_end], series[:, val_end:]


@dataclass(frozen=True)
class Standardizer:
    """Per-feature z-score: (x - mean) / std, with statistics from the training part alone."""

    mean: np.ndarray  # (F,)
    std: np.ndarray  # (F,), never zero: a constant feature keeps std 1

    @classmethod
    def fit(cls, train: np.ndarray) -> Standardizer:
        """Statistics of the last axis over every other axis of the training data."""
        flat = train.reshape(-1, train.shape[-1])  # (N*L, F), accumulated in float64
        if flat.shape[0] == 0:
            raise DataError(
                "The training part is empty: use longer series or a larger train share."
            )
        if np.isnan(flat).any():  # holes in a truth: statistics of what is there
            flat = np.where(np.isnan(flat).all(axis=0), 0.0, flat)
            mean = np.nanmean(flat, axis=0, dtype=np.float64)
            std = np.nanstd(flat, axis=0, dtype=np.float64)
        else:
            mean = flat.mean(axis=0, dtype=np.float64)
            std = flat.std(axis=0, dtype=np.float64)
        std = np.where(std > 1e-12 * np.maximum(1.0, np.abs(mean)), std, 1.0)
        return cls(mean=mean.astype(np.float32), std=std.astype(np.float32))

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Values in z-scores, same shape."""
        return ((values - self.mean) / self.std).astype(np.float32)

    def inverse(self, values: np.ndarray) -> np.ndarray:
        """Z-scores back to the original units, same shape."""
        return (values * self.std + self.mean).astype(np.float32)

    def to_dict(self) -> dict[str, list[float]]:
        """JSON-ready statistics."""
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}


class WindowSet:
    """All windows of length seq_len + 1 over a set of series, served in batches.

    `inputs` is (N, L, F) floats or (N, L) token ids; `targets` has the same N and L. The windows
    are views (`Tensor.unfold`), so nothing is copied until a batch is gathered.

    `starts`, when given, keeps only those windows: flat indices series * W + start into the full
    set (W = L - seq_len per series), e.g. to leave out windows that straddle a gap in a recording.
    The set's own indices then run over `starts`.
    """

    def __init__(
        self,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        seq_len: int,
        task_shape: str,
        starts: torch.Tensor | None = None,
    ) -> None:
        if inputs.shape[:2] != targets.shape[:2]:
            raise ValueError("inputs and targets must share (N, L)")
        self.inputs, self.targets = inputs, targets
        self.seq_len, self.task_shape = seq_len, task_shape
        self.windows_per_series = max(inputs.shape[1] - seq_len, 0)
        total = inputs.shape[0] * self.windows_per_series
        if (
            starts is not None
            and len(starts)
            and not (0 <= int(starts.min()) <= int(starts.max()) < total)
        ):
            raise ValueError(f"starts must lie in [0, {total})")
        self.starts = starts.to(inputs.device) if starts is not None else None  # (S,) long

    def __len__(self) -> int:
        if self.starts is not None:
            return len(self.starts)
        return self.inputs.shape[0] * self.windows_per_series

    def window_index(self, indices: torch.Tensor) -> torch.Tensor:
        """The set's indices as flat indices series * W + start into all windows: (B,)."""
        return self.starts[indices] if self.starts is not None else indices

    def input_windows(self) -> torch.Tensor:
        """A view of every input window: (N, W, T + 1, F) or (N, W, T + 1) for ids."""
        return _unfold(self.inputs, self.seq_len + 1)

    def batch(self, indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Windows by index in [0, len): x (B, T, F) or (B, T); y (B, T, ...) or (B, ...)."""
        indices = self.window_index(indices)  # (B,)
        series_idx = indices // self.windows_per_series  # (B,)
        start = indices % self.windows_per_series  # (B,)
        steps = start[:, None] + torch.arange(self.seq_len + 1, device=start.device)  # (B, T+1)
        x = self.inputs[series_idx[:, None], steps[:, :-1]]  # (B, T, F) or (B, T)
        if self.task_shape == "many_to_many":
            y = self.targets[series_idx[:, None], steps[:, 1:]]  # (B, T, ...)
        else:
            y = self.targets[series_idx, steps[:, -1]]  # (B, ...)
        return x, y

    def evenly_spaced(self, count: int) -> torch.Tensor:
        """Up to `count` flat indices spread over the whole set, the same every call."""
        total = len(self)
        if total <= count:
            return torch.arange(total, device=self.inputs.device)
        return torch.linspace(0, total - 1, count, device=self.inputs.device).round().long()


def _unfold(series: torch.Tensor, size: int) -> torch.Tensor:
    """Sliding windows along dim 1 as a view, with time just after the window index."""
    windows = series.unfold(1, size, 1)  # (N, W, size) or (N, W, F, size)
    return windows if series.dim() == 2 else windows.movedim(-1, 2)  # (N, W, size, F)


class TextStreams:
    """One long sequence cut into B contiguous streams, read T steps at a time (truncated BPTT).

        tokens    a b c d e f g h i j k l        B = 2 streams, T = 2
        stream 0  a b c d e f
        stream 1  g h i j k l
        batch 1   x = [a b; g h]  y = [b c; h i]
        batch 2   x = [c d; i j]  y = [d e; j k]   (then back to the start, with a fresh state)

    Consecutive batches continue each other, so a model may carry its hidden state across them.
    """

    def __init__(self, tokens: torch.Tensor, batch_size: int, seq_len: int) -> None:
        per_stream = tokens.shape[-1] // batch_size
        if per_stream < seq_len + 1:
            raise DataError(
                f"The training text has {tokens.shape[-1]:,} characters: too few for "
                f"{batch_size} streams of at least {seq_len + 1}. Lower the batch size or the "
                "window length, or turn truncated BPTT off."
            )
        self.streams = tokens.reshape(-1)[: batch_size * per_stream].view(batch_size, per_stream)
        self.seq_len = seq_len
        self.position = 0

    def next(self) -> tuple[torch.Tensor, torch.Tensor, bool]:
        """The next (x (B, T), y (B, T), starts_over): starts_over is True at each pass's start."""
        T = self.seq_len
        if self.position + T + 1 > self.streams.shape[1]:
            self.position = 0
        starts_over = self.position == 0
        chunk = self.streams[:, self.position : self.position + T + 1]  # (B, T + 1)
        self.position += T
        return chunk[:, :-1], chunk[:, 1:], starts_over
