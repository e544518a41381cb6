"""Gradients through time: ||dL/dh_t|| per layer and step, and how far back an output looks.

Both run autograd on the trace (`rnn_core.analysis.trace`), which shares the model's weights
and runs in eval semantics (no dropout). The loss is the trainer's own rule, `loss_for`.

Total derivative with respect to a state. The state h_t of a layer feeds the output at t, the next
step h_{t+1} and the layer above. To read dL/dh_t through all of them, the trace adds a zero
"probe" p_t to every h_t before it is used anywhere:

    h_t = cell(x_t, h_{t-1}) + p_t,   p_t = 0 requires grad   ->   dL/dp_t = dL/dh_t (total)
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from rnn_core.analysis.trace import trace, trace_inputs
from rnn_core.models import SequenceModel
from rnn_core.training.losses import loss_for

__all__ = ["hidden_grad_norms", "input_connectivity", "loss_for"]

# Rows of the Jacobian computed in one batched backward pass (bounds memory for a large vocabulary).
_JACOBIAN_ROWS_PER_PASS = 64


def hidden_grad_norms(model: SequenceModel, x: Tensor, y: Tensor) -> np.ndarray:
    """||dL/dh_t|| (Frobenius over batch and units) for every layer and step: (num_layers, T)."""
    config = model.config
    B, T = x.shape[0], x.shape[1]
    weight = model.head.weight
    probes = [
        weight.new_zeros(B, T, config.num_directions * H, requires_grad=True)
        for H in config.hidden_sizes
    ]  # num_layers x (B, T, D*H_k)
    result = trace(model, x, keep_graph=True, state_probes=probes)
    loss = loss_for(result.output, y)
    grads = torch.autograd.grad(loss, probes)  # num_layers x (B, T, D*H_k)
    norms = torch.stack([g.pow(2).sum(dim=(0, 2)).sqrt() for g in grads])  # (num_layers, T)
    return norms.detach().cpu().numpy()


def input_connectivity(model: SequenceModel, x: Tensor, step: int) -> np.ndarray:
    """||d output_step / d x_t|| for every t, on the first sample of x: (T,).

    The norm is the Frobenius norm of the (O, F_in) Jacobian block, as in Distill's "Memorization in
    RNNs". Text models are differentiated with respect to the embedded inputs. Entries after `step`
    are zero because a forecasting model cannot look ahead; many_to_one ignores `step` (one output).
    """
    config = model.config
    T = x.shape[1]
    many_to_many = config.task_shape == "many_to_many"
    if many_to_many and not 0 <= step < T:
        raise ValueError(f"Choose a step between 0 and {T - 1}, not {step}.")
    with torch.no_grad():
        embedded = model.embed(x[:1])  # (1, T, F_in)
    squares = embedded.new_zeros(T)  # (T,)
    for first in range(0, config.output_size, _JACOBIAN_ROWS_PER_PASS):
        rows = torch.arange(first, min(first + _JACOBIAN_ROWS_PER_PASS, config.output_size))
        squares += _jacobian_rows_squared(model, embedded, rows, step if many_to_many else None)
    return squares.sqrt().detach().cpu().numpy()


def _jacobian_rows_squared(
    model: SequenceModel, embedded: Tensor, rows: Tensor, step: int | None
) -> Tensor:
    """Sum over the given output rows of ||d output[row] / d x_t||^2, for every t: (T,).

    The one sample is repeated once per row; copy k back-propagates only its own output row k, so
    one backward pass gives all those rows of the Jacobian (the copies do not interact).
    """
    R = len(rows)
    inputs = embedded.expand(R, -1, -1).clone().requires_grad_()  # (R, T, F_in)
    output = trace_inputs(model, inputs, keep_graph=True).output  # (R, T, O) or (R, O)
    picked = output[:, step] if step is not None else output  # (R, O)
    chosen = picked.gather(1, rows.to(picked.device).unsqueeze(1)).sum()  # sum_k output_k[row_k]
    (grad,) = torch.autograd.grad(chosen, inputs)  # (R, T, F_in): copy k holds row k's gradient
    return grad.pow(2).sum(dim=(0, 2))  # (T,)
