"""The training loss of a task: one rule shared by the trainer, the gradients and the pages."""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from rnn_core.units import nats_to_bits as nats_to_bits  # the one rule, kept importable here


def loss_for(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error for float targets, over the values that are known (a NaN target, where a
    reference dropped out, gives no loss); cross-entropy (nats) for integer class targets."""
    if target.dtype.is_floating_point:
        known = ~torch.isnan(target)  # (B, ..., K)
        if bool(known.all()):
            return F.mse_loss(prediction, target)
        error = torch.where(known, prediction - target.nan_to_num(), 0.0)  # no NaN in the graph
        return error.square().sum() / known.sum().clamp_min(1)
    # prediction (..., V) logits, target (...) ids
    return F.cross_entropy(prediction.reshape(-1, prediction.shape[-1]), target.reshape(-1))


def perplexity(loss: float) -> float:
    """Perplexity of a cross-entropy in nats per character: exp(loss)."""
    return math.exp(loss)
