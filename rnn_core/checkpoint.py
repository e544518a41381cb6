"""Saving a trained model to bytes and reading one back, refusing anything that is not ours.

A checkpoint is `torch.save` of a plain dict of plain values and tensors:

    {"format": "rnn-explorer-model", "version": 1,
     "config": asdict(model.config), "state_dict": {name: tensor},
     "standardizer": {"mean": [...], "std": [...]} or None, "extra": {JSON values}}

It is read with `weights_only=True`, whose unpickler builds only tensors and plain containers and
never imports or calls anything a file names, so an uploaded pickle cannot run code.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import asdict

import numpy as np
import torch

from rnn_core.bounds import MAX_VOCAB
from rnn_core.datasets.windows import Standardizer
from rnn_core.models import ModelConfig, SequenceModel, build_model
from rnn_core.untrusted import Untrusted, a_dict, check_tree, numbers

FORMAT = "rnn-explorer-model"
VERSION = 1
NOT_OURS = (
    "This file is not a model saved by RNN Explorer: download one from the Evaluate page "
    "(it ends in .pt) and upload that file."
)
DAMAGED = (
    "This model file is damaged or was edited: {why}. "
    "Download the model again from the Evaluate page."
)


class CheckpointError(ValueError):
    """A file that cannot be loaded as a model; the message says what to do instead."""


def save_checkpoint(
    model: SequenceModel, standardizer: Standardizer | None, extra: dict | None = None
) -> bytes:
    """The model's config and weights, the standardizer's statistics and `extra` (JSON values:
    feature names, target names, seq_len, task...) as bytes for a download. `extra` is stored as
    its JSON round trip, so tuples come back as lists."""
    try:
        extra = json.loads(json.dumps(extra or {}))
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"extra must hold only JSON values (str, int, float, bool, None, lists, dicts): {error}"
        ) from error
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "config": asdict(model.config),
        "state_dict": {name: t.detach().cpu() for name, t in model.state_dict().items()},
        "standardizer": None if standardizer is None else standardizer.to_dict(),
        "extra": extra,
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def load_checkpoint(data: bytes) -> tuple[SequenceModel, Standardizer | None, dict]:
    """(model in eval mode on the CPU, standardizer or None, extra) from `save_checkpoint`'s bytes;
    anything else raises CheckpointError without running code from the file. Every value is
    checked by type, shape and size before an array or a model is built from it."""
    payload = _read(data)
    config = _config(payload["config"])  # sizes within the bounds of every model
    _check_shapes(config, payload["state_dict"])  # before a tensor of the model is allocated
    try:
        extra = payload.get("extra", {})
        check_tree(a_dict(extra, "its extra information"), "its extra information")
        standardizer = None
        if payload.get("standardizer") is not None:  # one mean and std per output
            standardizer = standardizer_from_dict(payload["standardizer"], config.output_size)
    except ValueError as error:  # Untrusted is a ValueError
        raise CheckpointError(DAMAGED.format(why=str(error).rstrip("."))) from error
    model = build_model(config, seed=0)  # every weight is overwritten next
    _load_weights(model, payload["state_dict"])
    return model.eval(), standardizer, extra


def expected_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    """The name and shape of every weight of the model `config` describes, from a model on
    PyTorch's meta device (shapes only: no memory is allocated)."""
    with torch.device("meta"):
        model = SequenceModel(config)
    return {name: tuple(t.shape) for name, t in model.state_dict().items()}


def _check_shapes(config: ModelConfig, state_dict) -> None:
    """CheckpointError when the weights are not tensors of exactly the shapes `config` needs."""
    if not isinstance(state_dict, dict) or not all(
        isinstance(value, torch.Tensor) for value in state_dict.values()
    ):
        raise CheckpointError(DAMAGED.format(why="its weights are not a set of tensors"))
    expected = expected_shapes(config)
    missing = [name for name in expected if name not in state_dict]
    # a name from the file, quoted in a sentence: letters, digits, dots and underscores only
    unknown = [
        re.sub(r"[^\w.]", "?", str(name))[:40] for name in state_dict if name not in expected
    ]
    wrong = [
        f"{name} is {tuple(state_dict[name].shape)}, its settings need {shape}"
        for name, shape in expected.items()
        if name in state_dict and tuple(state_dict[name].shape) != shape
    ]
    if missing or unknown or wrong:
        detail = "; ".join(
            ([f"missing {', '.join(missing[:3])}"] if missing else [])
            + ([f"unknown {', '.join(unknown[:3])}"] if unknown else [])
            + wrong[:2]
        )
        raise CheckpointError(DAMAGED.format(why=f"its weights do not fit its settings ({detail})"))


def _load_weights(model: SequenceModel, state_dict) -> None:
    """load_state_dict (strict), with a mismatch turned into a CheckpointError."""
    if not isinstance(state_dict, dict) or not all(
        isinstance(value, torch.Tensor) for value in state_dict.values()
    ):
        raise CheckpointError(DAMAGED.format(why="its weights are not a set of tensors"))
    try:
        model.load_state_dict(state_dict)
    except (RuntimeError, TypeError, ValueError, KeyError) as error:
        detail = str(error).strip().splitlines()[-1].strip()[:200]  # torch lists one per line
        why = f"its weights do not fit its settings ({detail})"
        raise CheckpointError(DAMAGED.format(why=why)) from error


def _read(data) -> dict:
    """The checkpoint's dict, read with the weights-only unpickler, with its header checked."""
    if not isinstance(data, bytes | bytearray | memoryview) or len(data) == 0:
        raise CheckpointError(NOT_OURS)
    try:
        payload = torch.load(io.BytesIO(bytes(data)), weights_only=True, map_location="cpu")
    except Exception as error:  # any failure to read means the same thing to the person
        raise CheckpointError(NOT_OURS) from error
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(NOT_OURS)
    version = payload.get("version")
    if not isinstance(version, int) or version > VERSION or version < 1:
        raise CheckpointError(
            f"This model was saved in format version {version!r}, which this RNN Explorer cannot "
            f"read (it reads version {VERSION}): save the model again with this version."
        )
    missing = [key for key in ("config", "state_dict") if key not in payload]
    if missing:
        raise CheckpointError(DAMAGED.format(why=f"it has no {' or '.join(missing)}"))
    return payload


def _config(config) -> ModelConfig:
    """ModelConfig(**config), with its complaints turned into a CheckpointError."""
    if not isinstance(config, dict):
        raise CheckpointError(DAMAGED.format(why="its settings are not a dict"))
    try:
        return ModelConfig(**config)
    except TypeError as error:  # a field this version does not know
        raise CheckpointError(DAMAGED.format(why=f"its settings are unknown ({error})")) from error
    except ValueError as error:  # config_problems: sentences that say what is wrong
        why = f"its settings are invalid ({str(error).rstrip('.')})"
        raise CheckpointError(DAMAGED.format(why=why)) from error


def standardizer_from_dict(d, channels: int | None = None) -> Standardizer:
    """The Standardizer whose `to_dict()` gave `d` (with `channels` values each, when given);
    ValueError (Untrusted) when `d` cannot be one, checked before any array is built."""
    if not isinstance(d, dict) or not {"mean", "std"} <= d.keys():
        raise Untrusted("the standardizer needs 'mean' and 'std' lists")
    mean = numbers(d["mean"], "the standardizer's mean", MAX_VOCAB, channels)
    std = numbers(d["std"], "the standardizer's std", MAX_VOCAB)
    if len(std) != len(mean):
        raise Untrusted("the standardizer's mean and std must be lists of the same length")
    if not all(value > 0 for value in std):
        raise Untrusted("the standardizer's numbers must be finite, with every std above 0")
    return Standardizer(mean=np.asarray(mean, np.float32), std=np.asarray(std, np.float32))
