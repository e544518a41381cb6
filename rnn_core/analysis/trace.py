"""An instrumented unroll of a `SequenceModel`: hidden states, cell states and gates at every step.

The trace recomputes the recurrence step by step in plain torch ops with the model's own
parameters (`layer_parameter`: `weight_ih_l{k}` and friends, `_reverse` backward), in
PyTorch's gate order and GRU convention, so what a page draws is what `nn.RNN` / `nn.LSTM` /
`nn.GRU` compute (the tests hold it to 1e-5 in float32).

    inputs (B, T, F_in)                       one layer, one direction
        |
        x @ W_ih^T + b_ih   (all steps at once)  -> (B, T, G*H)
        |
        for t:  gates = that[:, t] + h @ W_hh^T + b_hh -> cell maths -> h_t (B, H)

The trace always runs in eval semantics: no dropout between layers, whatever `model.training` says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from rnn_core.models import PARAMETER_NAMES, SequenceModel, layer_parameter

GATE_NAMES = {"rnn": (), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
_Recurrent = tuple[Tensor, Tensor]  # W_hh^T (H, G*H) and b_hh (G*H,)


@dataclass(frozen=True)
class LayerTrace:
    """What one recurrent layer saw and computed; directions are concatenated as PyTorch does."""

    inputs: Tensor  # (B, T, F_in) what entered the layer
    hidden: Tensor  # (B, T, D*H) h_t, H this layer's size
    cell: Tensor | None  # (B, T, D*H) c_t for LSTM, else None
    gates: dict[str, Tensor]  # name -> (B, T, D*H): LSTM i f g o, GRU r z n, RNN none


@dataclass(frozen=True)
class Trace:
    """Every layer's trace and the model's prediction (same shape as `model(x)[0]`)."""

    layers: list[LayerTrace]
    output: Tensor  # (B, T, O) many_to_many, (B, O) many_to_one


def trace(
    model: SequenceModel,
    x: Tensor,
    keep_graph: bool = False,
    state_probes: Sequence[Tensor] | None = None,
) -> Trace:
    """Unroll `model` on x ((B, T, F) floats or (B, T) ids) step by step; see `trace_inputs`."""
    with torch.set_grad_enabled(keep_graph):
        embedded = model.embed(x)  # (B, T, F_in)
    return trace_inputs(model, embedded, keep_graph, state_probes)


def trace_inputs(
    model: SequenceModel,
    inputs: Tensor,
    keep_graph: bool = False,
    state_probes: Sequence[Tensor] | None = None,
) -> Trace:
    """Unroll `model` from what enters its first layer, (B, T, features_in), in eval semantics.

    keep_graph: keep the autograd graph so gradients flow through every traced tensor.
    state_probes: one (B, T, D*H_k) tensor per layer k, added to h_t at every step before h_t is
    used anywhere; pass zeros that require grad and their gradient is the total dL/dh_t.
    """
    num_layers = model.config.num_layers
    if state_probes is not None and len(state_probes) != num_layers:
        raise ValueError(f"Give one state probe per layer ({num_layers}), not {len(state_probes)}.")
    with torch.set_grad_enabled(keep_graph):
        layers = []
        for layer in range(num_layers):
            probe = state_probes[layer] if state_probes is not None else None
            layers.append(_trace_layer(model, layer, inputs, probe))
            inputs = layers[-1].hidden  # (B, T, D*H_k): no dropout, as in eval mode
        output = model.head(model.readout(inputs))  # (B, T, O) or (B, O)
    return Trace(layers=layers, output=output)


def _trace_layer(
    model: SequenceModel, layer: int, inputs: Tensor, probe: Tensor | None
) -> LayerTrace:
    """Both directions of one layer, concatenated on the last axis like PyTorch's output."""
    config = model.config
    H = config.hidden_sizes[layer]
    step = _STEPS[config.nonlinearity if config.cell == "rnn" else config.cell]
    directions = []
    for direction in range(config.num_directions):
        weights = [layer_parameter(model, name, layer, direction == 1) for name in PARAMETER_NAMES]
        part = probe[..., direction * H : (direction + 1) * H] if probe is not None else None
        directions.append(_unroll_direction(step, inputs, weights, direction == 1, part))
    hidden = torch.cat([d["hidden"] for d in directions], dim=-1)  # (B, T, D*H)
    cell = torch.cat([d["cell"] for d in directions], dim=-1) if config.cell == "lstm" else None
    gates = {g: torch.cat([d[g] for d in directions], dim=-1) for g in GATE_NAMES[config.cell]}
    return LayerTrace(inputs=inputs, hidden=hidden, cell=cell, gates=gates)


def _unroll_direction(
    step, inputs: Tensor, weights: list[Tensor], reverse: bool, probe: Tensor | None
) -> dict[str, Tensor]:
    """One direction of one layer: hidden, cell (LSTM) and gates, each (B, T, H)."""
    weight_ih, weight_hh, bias_ih, bias_hh = weights
    B, T, _ = inputs.shape
    is_gru, is_lstm = step is _gru_step, step is _lstm_step
    # One matmul for every step's input projection; only the recurrent matmul stays in the loop.
    # A GRU keeps b_hh apart: its candidate gate multiplies (W_hn h + b_hn) by r.
    input_bias = bias_ih if is_gru else bias_ih + bias_hh
    projected = torch.addmm(input_bias, inputs.reshape(B * T, -1), weight_ih.t())  # (B*T, G*H)
    # unbind, not [:, t]: one backward node for all steps, not T full-size zero gradients.
    steps = projected.view(B, T, -1).unbind(dim=1)  # T x (B, G*H)
    probes = probe.unbind(dim=1) if probe is not None else None  # T x (B, H)
    recurrent = (weight_hh.t(), bias_hh)  # (H, G*H), (G*H,)
    h = inputs.new_zeros(B, weight_hh.shape[1])  # (B, H)
    state = (h, h) if is_lstm else h
    records = []
    for t in reversed(range(T)) if reverse else range(T):
        state, record = step(steps[t], state, recurrent)
        if probes is not None:  # h_t + 0, so that d loss / d probe_t is the total dL/dh_t
            state = (state[0] + probes[t], state[1]) if is_lstm else state + probes[t]
            record["hidden"] = state[0] if is_lstm else state
        records.append(record)
    if reverse:
        records.reverse()
    return {name: torch.stack([r[name] for r in records], dim=1) for name in records[0]}


def _rnn_step_tanh(
    projected: Tensor, h: Tensor, recurrent: _Recurrent
) -> tuple[Tensor, dict[str, Tensor]]:
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh)."""
    h = torch.tanh(torch.addmm(projected, h, recurrent[0]))  # (B, H)
    return h, {"hidden": h}


def _rnn_step_relu(
    projected: Tensor, h: Tensor, recurrent: _Recurrent
) -> tuple[Tensor, dict[str, Tensor]]:
    """h' = relu(W_ih x + b_ih + W_hh h + b_hh)."""
    h = torch.relu(torch.addmm(projected, h, recurrent[0]))  # (B, H)
    return h, {"hidden": h}


def _lstm_step(
    projected: Tensor, state: tuple[Tensor, Tensor], recurrent: _Recurrent
) -> tuple[tuple[Tensor, Tensor], dict[str, Tensor]]:
    """PyTorch's LSTM cell; the 4H rows of the weights are the gates i, f, g, o in that order."""
    h, c = state
    i, f, g, o = torch.addmm(projected, h, recurrent[0]).chunk(4, dim=1)  # 4 x (B, H)
    i = torch.sigmoid(i)  # input gate: how much of the candidate enters the cell
    f = torch.sigmoid(f)  # forget gate: how much of the old cell is kept
    g = torch.tanh(g)  # cell candidate
    o = torch.sigmoid(o)  # output gate: how much of the cell is shown as h
    c = f * c + i * g  # (B, H)
    h = o * torch.tanh(c)  # (B, H)
    return (h, c), {"hidden": h, "cell": c, "i": i, "f": f, "g": g, "o": o}


def _gru_step(
    projected: Tensor, h: Tensor, recurrent: _Recurrent
) -> tuple[Tensor, dict[str, Tensor]]:
    """PyTorch's GRU cell: h' = (1 - z) * n + z * h, with r applied to (W_hn h + b_hn)."""
    weight_hh_t, bias_hh = recurrent
    x_r, x_z, x_n = projected.chunk(3, dim=1)  # 3 x (B, H), input biases included
    h_r, h_z, h_n = torch.addmm(bias_hh, h, weight_hh_t).chunk(3, dim=1)  # 3 x (B, H)
    r = torch.sigmoid(x_r + h_r)  # reset gate: how much of the old state shapes the candidate
    z = torch.sigmoid(x_z + h_z)  # update gate: how much of the old state is kept
    n = torch.tanh(x_n + r * h_n)  # candidate state
    h = n + z * (h - n)  # (B, H), = (1 - z) * n + z * h
    return h, {"hidden": h, "r": r, "z": z, "n": n}


_STEPS = {"tanh": _rnn_step_tanh, "relu": _rnn_step_relu, "lstm": _lstm_step, "gru": _gru_step}
