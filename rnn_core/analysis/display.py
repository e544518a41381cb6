"""What a window looked like to a person: input values in the data's units, or its characters."""

from __future__ import annotations

import numpy as np
import torch

from rnn_core.datasets.prepare import PreparedData
from rnn_core.datasets.text import printable


def input_for_display(
    data: PreparedData, x: torch.Tensor
) -> tuple[np.ndarray | None, list[str] | None]:
    """One sample's inputs, x (T, F) z-scores or (T,) ids: (values (T, F) in data units, None)
    for series, (None, characters (T,)) for text."""
    if data.vocabulary is not None:
        return None, [printable(c) for c in data.vocabulary.decode(x.tolist())]
    values = x.detach().float().cpu().numpy()  # (T, F)
    scaler = data.input_standardizer
    return (scaler.inverse(values) if scaler is not None else values), None


def layer_panels(layer_trace, sample: int) -> dict[str, np.ndarray]:
    """One sample's h, c (LSTM) and gates of a traced layer, each (T, U) as numpy."""
    panels = {"h": layer_trace.hidden[sample]}  # (T, D*H)
    if layer_trace.cell is not None:
        panels["c"] = layer_trace.cell[sample]
    panels.update({name: gate[sample] for name, gate in layer_trace.gates.items()})
    return {name: value.detach().float().cpu().numpy() for name, value in panels.items()}


def decay_ratio(norms: np.ndarray) -> float:
    """||dL/dh_0|| / ||dL/dh_{T-1}||: below 1 the gradient shrinks going back in time."""
    return float(norms[0] / norms[-1]) if norms[-1] > 0 else float("inf")
