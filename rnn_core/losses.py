"""The training loss of a task: one rule shared by the trainer, the gradients and the pages."""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F


def loss_for(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error for float targets; cross-entropy (nats) for integer class targets."""
    if target.dtype.is_floating_point:
        return F.mse_loss(prediction, target)
    # prediction (..., V) logits, target (...) ids
    return F.cross_entropy(prediction.reshape(-1, prediction.shape[-1]), target.reshape(-1))


def nats_to_bits(loss: float) -> float:
    """Cross-entropy in nats per character as bits per character."""
    return loss / math.log(2)


def perplexity(loss: float) -> float:
    """Perplexity of a cross-entropy in nats per character: exp(loss)."""
    return math.exp(loss)
