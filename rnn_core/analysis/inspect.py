"""Looking inside a model: a fixed batch, snapshot weights, one step by hand, gate saturation,
a 2-D path of the hidden state, and gradients through time across snapshots (the RNN / LSTM /
GRU race on fresh models is `rnn_core.analysis.gradient_race`, re-exported here).

Everything here reads a model's own weights (or its trace, `rnn_core.analysis.trace`) and
returns numbers; the figures that draw them live in `rnn_core.figures.inside`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from rnn_core.analysis.gradient_race import gradient_race
from rnn_core.analysis.gradients import hidden_grad_norms
from rnn_core.analysis.trace import LayerTrace
from rnn_core.datasets.prepare import SPLIT_NAMES, PreparedData
from rnn_core.models import PARAMETER_NAMES, SequenceModel, build_model, layer_parameter

# gradient_race lives in its own module (fresh models, not a trained one); the pages import it here.
__all__ = [
    "Projection",
    "StepNumbers",
    "gate_saturation",
    "gradient_race",
    "model_with_weights",
    "pca_2d",
    "sample_batch",
    "snapshot_grad_norms",
    "step_numbers",
]


def sample_batch(
    data: PreparedData, count: int = 16, split: str = "validation"
) -> tuple[Tensor, Tensor]:
    """Up to `count` evenly spaced windows of a split: x (B, T, F) or (B, T) ids, y as trained."""
    if split not in SPLIT_NAMES:
        raise ValueError(f"Choose a split among {', '.join(SPLIT_NAMES)}, not {split!r}.")
    windows = data.split(split)
    return windows.batch(windows.evenly_spaced(count))


def model_with_weights(model: SequenceModel, state_dict: dict) -> SequenceModel:
    """A new model of the same config, device and dtype holding `state_dict`, in eval mode."""
    weight = model.head.weight
    copy = build_model(model.config, seed=0, device=weight.device).to(weight.dtype)
    copy.load_state_dict(state_dict)  # copies the values: neither the original nor the dict move
    return copy.eval()


@dataclass(frozen=True)
class StepNumbers:
    """The numbers of one step of one layer's forward direction, for the chosen units."""

    cell: str  # "rnn" | "lstm" | "gru"
    nonlinearity: str  # "tanh" | "relu" (plain RNN only)
    t: int  # the step
    units: tuple[int, ...]  # the chosen units, in the order of `values`
    values: dict[str, np.ndarray]  # name -> (U,) float64, in the order a student checks them
    x_norm: float  # ||input at t||, what entered the layer


def step_numbers(
    model: SequenceModel,
    layer_trace: LayerTrace,
    layer: int,
    sample: int,
    t: int,
    units: Sequence[int],
) -> StepNumbers:
    """Pre-activations, gates and states of step t (forward direction), from the model's weights."""
    config = model.config
    B, T = layer_trace.hidden.shape[:2]
    _check_index("layer", layer, config.num_layers)
    H = config.hidden_sizes[layer]  # this layer's units per direction
    _check_index("sample", sample, B)
    _check_index("step t", t, T)
    for unit in units:
        _check_index("unit", unit, H)
    weight_ih, weight_hh, bias_ih, bias_hh = _layer_weights(model, layer)
    x_t = _float64(layer_trace.inputs[sample, t])  # (F_in,)
    h_prev = _previous(layer_trace.hidden, sample, t, H)  # (H,)
    from_input = weight_ih @ x_t + bias_ih  # (G*H,)
    from_hidden = weight_hh @ h_prev + bias_hh  # (G*H,)
    if config.cell == "lstm":
        c_prev = _previous(layer_trace.cell, sample, t, H)  # (H,)
        numbers = _lstm_numbers(from_input, from_hidden, h_prev, c_prev)
    elif config.cell == "gru":
        numbers = _gru_numbers(from_input, from_hidden, h_prev)
    else:
        numbers = _rnn_numbers(from_input, from_hidden, h_prev, config.nonlinearity)
    chosen = torch.tensor([int(u) for u in units], dtype=torch.long)  # (U,)
    return StepNumbers(
        cell=config.cell,
        nonlinearity=config.nonlinearity,
        t=t,
        units=tuple(int(u) for u in units),
        values={name: value[chosen].numpy() for name, value in numbers.items()},
        x_norm=float(x_t.norm()),
    )


def _check_index(name: str, index: int, size: int) -> None:
    if not 0 <= index < size:
        raise ValueError(f"Choose a {name} between 0 and {size - 1}, not {index}.")


def _float64(values: Tensor) -> Tensor:
    return values.detach().to("cpu", torch.float64)


def _layer_weights(model: SequenceModel, layer: int) -> list[Tensor]:
    """W_ih (G*H, F_in), W_hh (G*H, H), b_ih and b_hh (G*H,) of the forward direction, float64."""
    return [_float64(layer_parameter(model, name, layer)) for name in PARAMETER_NAMES]


def _previous(states: Tensor, sample: int, t: int, H: int) -> Tensor:
    """The forward direction's state at t - 1, zero at t = 0: (H,)."""
    if t == 0:
        return torch.zeros(H, dtype=torch.float64)
    return _float64(states[sample, t - 1, :H])


def _lstm_numbers(from_input, from_hidden, h_prev, c_prev) -> dict[str, Tensor]:
    """PyTorch's LSTM step, keeping every intermediate: rows are the gates i, f, g, o."""
    a_i, a_f, a_g, a_o = (from_input + from_hidden).chunk(4)  # 4 x (H,)
    i, f, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.sigmoid(a_o)
    g = torch.tanh(a_g)
    c = f * c_prev + i * g  # (H,)
    h = o * torch.tanh(c)  # (H,)
    return {
        "a_i": a_i,
        "a_f": a_f,
        "a_g": a_g,
        "a_o": a_o,
        "i": i,
        "f": f,
        "g": g,
        "o": o,
        "c_prev": c_prev,
        "c": c,
        "h_prev": h_prev,
        "h": h,
    }


def _gru_numbers(from_input, from_hidden, h_prev) -> dict[str, Tensor]:
    """PyTorch's GRU step: the reset gate scales (W_hn h + b_hn), biases included."""
    x_r, x_z, x_n = from_input.chunk(3)  # 3 x (H,)
    h_r, h_z, h_n = from_hidden.chunk(3)  # 3 x (H,)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)  # (H,)
    h = (1 - z) * n + z * h_prev  # (H,)
    return {
        "a_r": x_r + h_r,
        "a_z": x_z + h_z,
        "a_n_input": x_n,
        "a_n_hidden": h_n,
        "r": r,
        "z": z,
        "n": n,
        "h_prev": h_prev,
        "h": h,
    }


def _rnn_numbers(from_input, from_hidden, h_prev, nonlinearity: str) -> dict[str, Tensor]:
    """h = tanh(a) or relu(a), a = W_ih x + b_ih + W_hh h_prev + b_hh."""
    a = from_input + from_hidden  # (H,)
    h = torch.tanh(a) if nonlinearity == "tanh" else torch.relu(a)
    return {"a": a, "h_prev": h_prev, "h": h}


def gate_saturation(
    gate: np.ndarray, low: float = 0.1, high: float = 0.9
) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, the fraction of entries of a gate (B, T, U) or (T, U) below `low` and above
    `high`: (nearly closed (U,), nearly open (U,)), as in Karpathy, Johnson and Fei-Fei 2015."""
    values = np.asarray(gate)
    if values.ndim not in (2, 3):
        raise ValueError(f"Give gate values as (B, T, U) or (T, U), not shape {values.shape}.")
    if not low < high:
        raise ValueError(f"The 'closed' threshold ({low}) must be below the 'open' one ({high}).")
    flat = values.reshape(-1, values.shape[-1])  # (B*T, U)
    return (flat < low).mean(axis=0), (flat > high).mean(axis=0)


@dataclass(frozen=True)
class Projection:
    """States projected on their first two principal components."""

    coords: np.ndarray  # (T, 2)
    explained: np.ndarray  # (2,) fraction of the total variance along each component
    components: np.ndarray | None = None  # (2, H) unit directions, rows as in coords


def pca_2d(states: np.ndarray) -> Projection:
    """PCA of states (T, H) fitted on them (float64 SVD); each component's largest loading is
    positive, so the picture does not flip between frames. Missing components are zero."""
    values = np.asarray(states, dtype=np.float64)  # (T, H)
    if values.ndim != 2 or values.shape[0] == 0:
        raise ValueError(f"Give states as (T, H) with T >= 1, not shape {values.shape}.")
    T, H = values.shape
    centred = values - values.mean(axis=0)  # (T, H)
    _, singular, rows = np.linalg.svd(centred, full_matrices=False)  # (K,), (K, H)
    components = np.zeros((2, H))  # (2, H)
    kept = min(2, rows.shape[0])
    components[:kept] = rows[:kept]
    largest = np.abs(components).argmax(axis=1)  # (2,)
    signs = np.where(components[np.arange(2), largest] < 0, -1.0, 1.0)  # (2,)
    components *= signs[:, None]
    variance = np.zeros(2)  # (2,)
    variance[:kept] = singular[:kept] ** 2
    total = float((singular**2).sum())
    explained = variance / total if total > 0 else variance
    return Projection(coords=centred @ components.T, explained=explained, components=components)


def snapshot_grad_norms(
    model: SequenceModel,
    snapshots: list[tuple[int, dict]],
    x: Tensor,
    y: Tensor,
    layer: int = -1,
    max_snapshots: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """||dL/dh_t|| of one layer under each snapshot's weights: (steps (S,), norms (S, T)).

    Each snapshot costs one `hidden_grad_norms` (about 0.13 s for 2 x 128 LSTM units, 16 windows of
    200 steps): `max_snapshots` keeps that many, evenly spaced, the first and last included.
    """
    num_layers = model.config.num_layers
    if not -num_layers <= layer < num_layers:
        raise ValueError(f"Choose a layer between 0 and {num_layers - 1}, not {layer}.")
    if not snapshots:
        return np.zeros(0, dtype=np.int64), np.zeros((0, x.shape[1]))
    if max_snapshots is not None and len(snapshots) > max_snapshots:
        picked = np.linspace(0, len(snapshots) - 1, max(max_snapshots, 1)).round().astype(int)
        snapshots = [snapshots[k] for k in np.unique(picked)]
    holder = model_with_weights(model, snapshots[0][1])  # one copy, reloaded for each snapshot
    norms = []
    for _, state in snapshots:
        holder.load_state_dict(state)
        norms.append(hidden_grad_norms(holder, x, y)[layer])  # (T,)
    steps = np.array([step for step, _ in snapshots], dtype=np.int64)  # (S,)
    return steps, np.stack(norms)  # (S,), (S, T)
