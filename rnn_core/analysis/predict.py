"""What a model predicts, read back in the data's own units: forecasts and sampled text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch

from rnn_core.datasets.prepare import SPLIT_NAMES, PreparedData
from rnn_core.datasets.text import Vocabulary
from rnn_core.datasets.windows import WindowSet
from rnn_core.models import SequenceModel


@dataclass(frozen=True)
class ForecastPreview:
    """One-step-ahead forecasts along one whole series, in the data's units."""

    steps: np.ndarray  # (P,) time index of each forecast target in the series
    target: np.ndarray  # (P, F)
    prediction: np.ndarray  # (P, F)
    feature_names: tuple[str, ...]
    split_starts: tuple[int, int]  # first step of the validation and of the test part


@torch.no_grad()
def forecast_preview(
    model: SequenceModel, data: PreparedData, series: int = 0, max_points: int = 400
) -> ForecastPreview:
    """Forecast each step of one series (train, validation and test parts joined in time) from the
    seq_len steps before it, as in training; at most `max_points` evenly spaced forecasts.
    """
    parts = [data.split(name).inputs[series : series + 1] for name in SPLIT_NAMES]
    joined = torch.cat(parts, dim=1)  # (1, L, F)
    windows = WindowSet(joined, joined, data.seq_len, data.task_shape)
    indices = windows.evenly_spaced(max_points)  # (P,)
    x, y = windows.batch(indices)  # (P, T, F)
    was_training = model.training
    model.eval()
    prediction, _ = model(x)  # (P, T, F) or (P, F)
    model.train(was_training)
    if data.task_shape == "many_to_many":
        prediction, y = prediction[:, -1], y[:, -1]  # (P, F)
    unscale = data.standardizer.inverse if data.standardizer is not None else np.asarray
    train_len, val_len = parts[0].shape[1], parts[1].shape[1]
    return ForecastPreview(
        steps=indices.cpu().numpy() + data.seq_len,
        target=unscale(y.float().cpu().numpy()),
        prediction=unscale(prediction.float().cpu().numpy()),
        feature_names=data.feature_names,
        split_starts=(train_len, train_len + val_len),
    )


def sample_text(
    model: SequenceModel,
    vocabulary: Vocabulary,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    seed: int = 0,
    top_k: int | None = None,
) -> str:
    """`length` characters generated after `prompt`, carrying the hidden state; temperature 0 is
    greedy."""
    return "".join(sample_stream(model, vocabulary, prompt, length, temperature, seed, top_k))


def sample_stream(
    model: SequenceModel,
    vocabulary: Vocabulary,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    seed: int = 0,
    top_k: int | None = None,
) -> Iterator[str]:
    """The characters of `sample_text`, one at a time, as they are generated. Prompt characters
    outside the vocabulary are skipped."""
    device = model.head.weight.device
    generator = torch.Generator(device="cpu").manual_seed(seed)
    known = "".join(c for c in prompt if c in vocabulary.chars) or vocabulary.chars[0]
    ids = torch.as_tensor(vocabulary.encode(known), device=device)[None]  # (1, P)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            logits, hidden = model(ids)  # (1, P, V)
            for _ in range(length):
                next_id = pick_next(logits[0, -1].float().cpu(), temperature, generator, top_k)
                yield vocabulary.chars[next_id]
                next_input = torch.tensor([[next_id]], device=device)  # (1, 1)
                logits, hidden = model(next_input, hidden)  # (1, 1, V)
    finally:
        model.train(was_training)


def pick_next(
    logits: torch.Tensor, temperature: float, generator: torch.Generator, top_k: int | None
) -> int:
    """One id from logits (V,): argmax at temperature 0, else a draw from softmax(logits / T)."""
    if temperature <= 0:
        return int(logits.argmax())
    if top_k is not None and top_k < logits.numel():
        cutoff = logits.topk(top_k).values[-1]
        logits = logits.masked_fill(logits < cutoff, float("-inf"))
    probs = torch.softmax(logits / temperature, dim=-1)  # (V,)
    return int(torch.multinomial(probs, 1, generator=generator))


@dataclass(frozen=True)
class TextPreview:
    """A sample the model wrote from a prompt taken from the validation text."""

    prompt: str
    sample: str


def text_preview(
    model: SequenceModel, data: PreparedData, length: int = 200, temperature: float = 0.8
) -> TextPreview:
    """A seeded sample after the first 32 characters of the validation text."""
    prompt = data.vocabulary.decode(data.validation.inputs[0, :32].tolist())
    return TextPreview(prompt, sample_text(model, data.vocabulary, prompt, length, temperature))


def preview_for(data: PreparedData):
    """The preview function the runner calls for this kind of data (picklable: it may run in a
    training process); None when there is nothing to preview."""
    if data.is_text:
        return partial(text_preview, data=data)
    if data.standardizer is None:  # a generated task (adding, copy): no series to forecast
        return None
    return partial(forecast_preview, data=data)
