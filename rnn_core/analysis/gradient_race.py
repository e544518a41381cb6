"""The gradient race: fresh one-layer RNN, LSTM and GRU models on one random batch, loss on the
last step only, and ||dL/dh_t|| going back in time (vanishing and exploding gradients).

At hidden 32 and 100 steps (seed 0), ||dL/dh_0|| / ||dL/dh_99|| is about 1e-22 for the plain RNN
at PyTorch's default init, 3e-7 for the LSTM and 2e-10 for the GRU with forget_bias 1, and
1e-20 / 1e-18 for the LSTM / GRU at PyTorch's default biases; with W_hh rescaled to spectral
radius 3 the RNN's grows about 1e11 times (radius 1.5 only about 5: saturated tanh units damp it).
`tests/core/test_inspect_gradients.py` computes these orderings rather than trusting this paragraph.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor

from rnn_core.analysis.gradients import hidden_grad_norms
from rnn_core.analysis.limits import analysis_memory_limit
from rnn_core.bounds import BudgetError, mib_text
from rnn_core.models import ModelConfig, SequenceModel, build_model, layer_parameter

# float64 values kept per unit, step and window while one cell's ||dL/dh_t|| is computed (the
# trace's states, gates, probes and their gradients), measured against the peak resident memory
# of real races (tests/core/test_gradient_budget.py); the cells run one after another.
SAVED_PER_UNIT_STEP = 24
RACE_BATCH = 16
_ONE_RACE = threading.Lock()  # one race at a time per process: its bound holds for the process


def race_bytes(hidden_size: int, seq_len: int, batch_size: int = RACE_BATCH) -> int:
    """About what one race adds to its process at the peak (float64, the cells in turn)."""
    return SAVED_PER_UNIT_STEP * batch_size * seq_len * hidden_size * 8


def race_problem(
    hidden_size: int, seq_len: int, batch_size: int = RACE_BATCH, limit: int | None = None
) -> str | None:
    """A sentence saying what to lower when a race would pass the analysis memory limit; else
    None."""
    limit = analysis_memory_limit() if limit is None else limit
    needed = race_bytes(hidden_size, seq_len, batch_size)
    if needed <= limit:
        return None
    most = limit // race_bytes(1, 1, batch_size)  # the largest hidden size x length allowed
    return (
        f"A race at hidden size {hidden_size} over {seq_len} steps would need about "
        f"{mib_text(needed)} of the server's memory, more than the {mib_text(limit)} one "
        f"race may use: lower the hidden size or the sequence length (their product up to "
        f"{most:,}, like {hidden_size} and {max(1, most // hidden_size)} steps)."
    )


def race_model(
    cell: str,
    hidden_size: int = 32,
    seed: int = 0,
    input_size: int = 1,
    spectral_radius: float | None = None,
    forget_bias: float | None = 1.0,
) -> SequenceModel:
    """The one-layer many_to_one model of `gradient_race`, in float64 and eval mode."""
    config = ModelConfig(
        cell=cell,
        input_size=input_size,
        output_size=1,
        hidden_size=hidden_size,
        task_shape="many_to_one",
    )
    model = build_model(config, seed).double().eval()
    with torch.no_grad():
        if cell == "rnn" and spectral_radius is not None:
            scale_spectral_radius_(layer_parameter(model, "weight_hh", 0), spectral_radius)
        if cell in ("lstm", "gru") and forget_bias is not None:
            # Rows H..2H: the LSTM's forget gate, the GRU's update gate z (h keeps z * h_prev).
            H = hidden_size
            layer_parameter(model, "bias_ih", 0)[H : 2 * H] = forget_bias
            layer_parameter(model, "bias_hh", 0)[H : 2 * H] = 0.0  # PyTorch adds b_ih and b_hh
    return model


def scale_spectral_radius_(weight: Tensor, radius: float) -> None:
    """Rescale a square matrix in place so that its largest |eigenvalue| equals `radius`."""
    current = torch.linalg.eigvals(weight.detach().double()).abs().max().item()
    if current == 0:
        raise ValueError("A matrix whose eigenvalues are all zero cannot be rescaled.")
    with torch.no_grad():
        weight.mul_(radius / current)


def race_batch(
    batch_size: int = 16, seq_len: int = 100, input_size: int = 1, seed: int = 0
) -> tuple[Tensor, Tensor]:
    """The batch of `gradient_race`: x (B, T, F) and y (B, 1), both N(0, 1) in float64."""
    if seq_len < 1 or batch_size < 1:
        raise ValueError("The race needs a sequence length and a batch size of at least 1.")
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch_size, seq_len, input_size, generator=generator, dtype=torch.float64)
    y = torch.randn(batch_size, 1, generator=generator, dtype=torch.float64)  # (B, 1)
    return x, y


def gradient_race(
    cells: Sequence[str] = ("rnn", "lstm", "gru"),
    hidden_size: int = 32,
    seq_len: int = 100,
    spectral_radius: float | None = None,
    batch_size: int = 16,
    seed: int = 0,
    input_size: int = 1,
    forget_bias: float | None = 1.0,
) -> dict[str, np.ndarray]:
    """cell -> ||dL/dh_t|| (T,) of a fresh one-layer model, loss on the last step of one batch.

    Every cell gets the same hidden size, seed and batch x ~ N(0, 1) (B, T, F), y ~ N(0, 1) (B, 1).
    The plain RNN is tanh with PyTorch's default init (W_hh uniform in +-1/sqrt(H): a spectral
    radius near 1/sqrt(3) = 0.58, 0.62 at hidden 32 and seed 0), or with W_hh rescaled to spectral
    radius `spectral_radius` when given. The LSTM and GRU keep PyTorch's default init but for one
    bias: `forget_bias` is the total bias of the LSTM's forget gate and of the GRU's update gate
    (Jozefowicz, Zaremba and Sutskever 2015 use 1); None keeps PyTorch's init, whose gates sit
    near 0.5 and let the gated cells' gradients vanish too.
    Runs in float64: in float32 the squares inside the RNN's norm underflow within 100 steps and
    its ratio reads exactly 0. BudgetError with a sentence past the analysis memory limit.
    """
    problem = race_problem(hidden_size, seq_len, batch_size)
    if problem:
        raise BudgetError(problem)
    x, y = race_batch(batch_size, seq_len, input_size, seed)
    norms = {}
    with _ONE_RACE:
        for cell in cells:
            model = race_model(cell, hidden_size, seed, input_size, spectral_radius, forget_bias)
            norms[cell] = hidden_grad_norms(model, x, y)[0]  # (T,)
    return norms
