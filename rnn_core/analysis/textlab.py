"""Reading a character model: properties of a text, the units that track them, coloured text and
the next-character distribution.

    text (T chars) --PROPERTIES[name]--> signal (T,)
         |
         +--activations_for_text--> {"h": (T, U), "c": (T, U), "i": (T, U), ...}
                                          |
                       rank_units: Pearson r of every unit with the signal -> top UnitMatch

Every per-character value is read AFTER the model (or the property) has seen that character.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from rnn_core.analysis.trace import trace
from rnn_core.datasets.text import Vocabulary, printable
from rnn_core.models import SequenceModel
from rnn_core.training.losses import perplexity as _perplexity

_OPENING, _CLOSING = "([{", ")]}"


def _chars(text: str) -> np.ndarray:
    return np.array(list(text), dtype="<U1")  # (T,)


def bracket_depth(text: str) -> np.ndarray:
    """Nesting depth after each character: ( [ { raise it, ) ] } lower it, never below 0."""
    chars = _chars(text)
    steps = np.isin(chars, list(_OPENING)).astype(np.int64) - np.isin(chars, list(_CLOSING))
    walk = np.cumsum(steps)  # (T,) depth if it could go negative
    # A walk floored at 0 is the free walk minus its running minimum (when that is below 0).
    return (walk - np.minimum(np.minimum.accumulate(walk), 0)).astype(np.float64)


def inside_quotes(text: str) -> np.ndarray:
    """1.0 on a double-quoted string, both its quotes included, else 0.0; every '"' toggles
    (no escapes), so an unclosed quote runs to the end."""
    is_quote = _chars(text) == '"'  # (T,)
    opened = np.cumsum(is_quote) % 2 == 1  # an odd count of quotes so far: inside
    return (opened | is_quote).astype(np.float64)


def position_in_line(text: str) -> np.ndarray:
    """Characters since the last newline: the newline itself is 0, the character after it 1 (the
    text's first character is 1, as if a newline came before it)."""
    index = np.arange(len(text))  # (T,)
    newline_at = np.where(_chars(text) == "\n", index, -1)
    return (index - np.maximum.accumulate(newline_at)).astype(np.float64)


PROPERTIES: dict[str, Callable[[str], np.ndarray]] = {
    "Bracket depth": bracket_depth,
    "Inside quotes": inside_quotes,
    "Position in line": position_in_line,
}


@dataclass(frozen=True)
class UnitMatch:
    """One unit of one quantity and its correlation with a signal."""

    quantity: str  # "h", "c" or a gate name ("i", "f", "g", "o", "r", "z", "n")
    unit: int  # index along the quantity's last axis
    correlation: float  # Pearson r (signed)


def rank_units(
    activations: dict[str, np.ndarray], signal: np.ndarray, top: int = 10
) -> list[UnitMatch]:
    """The `top` units by |Pearson r| with `signal`; r = 0 where a unit or the signal is flat."""
    signal = np.asarray(signal, dtype=np.float64)  # (T,)
    names, units, columns = [], [], []
    for name, values in activations.items():
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 2 or values.shape[0] != signal.shape[0]:
            raise ValueError(
                f"Activations {name!r} have shape {values.shape}: give (T, U) with "
                f"T = {signal.shape[0]}, one row per value of the signal."
            )
        names += [name] * values.shape[1]
        units += range(values.shape[1])
        columns.append(values)
    if not columns:
        return []
    r = pearson_columns(np.concatenate(columns, axis=1), signal)  # (N,)
    order = np.argsort(-np.abs(r), kind="stable")[: max(top, 0)]
    return [UnitMatch(names[k], units[k], float(r[k])) for k in order]


def pearson_columns(columns: np.ndarray, signal: np.ndarray) -> np.ndarray:
    """Pearson r of each column of (T, N) with a (T,) signal; 0 where either does not vary."""
    T, N = columns.shape
    if T < 2 or not np.isfinite(signal).all() or np.ptp(signal) == 0:
        return np.zeros(N)
    finite = np.isfinite(columns).all(axis=0)  # (N,)
    columns = np.where(finite, columns, 0.0)  # (T, N)
    # An exact test, not a variance threshold: a constant column's centred values are round-off.
    usable = finite & (np.ptp(columns, axis=0) > 0)  # (N,)
    centred = columns - columns.mean(axis=0)  # (T, N)
    s = signal - signal.mean()  # (T,)
    denominator = np.linalg.norm(centred, axis=0) * np.linalg.norm(s)  # (N,)
    r = np.divide(s @ centred, denominator, out=np.zeros(N), where=usable & (denominator > 0))
    return np.clip(r, -1.0, 1.0)


def _ids(model: SequenceModel, vocabulary: Vocabulary, text: str) -> torch.Tensor:
    return torch.as_tensor(vocabulary.encode(text), device=model.head.weight.device)[None]


def activations_for_text(
    model: SequenceModel, vocabulary: Vocabulary, text: str, layer: int = -1
) -> dict[str, np.ndarray]:
    """One layer's h, c (LSTM) and gates after each character of `text`, each (T, U) float64."""
    if len(text) == 0:
        raise ValueError("The text is empty: give at least one character.")
    num_layers = model.config.num_layers
    if not -num_layers <= layer < num_layers:
        raise ValueError(f"This model has {num_layers} layer(s): choose a layer below that.")
    with torch.no_grad():
        traced = trace(model, _ids(model, vocabulary, text)).layers[layer]  # (1, T, U) each
    quantities = {"h": traced.hidden}
    if traced.cell is not None:
        quantities["c"] = traced.cell
    quantities.update(traced.gates)
    return {name: values[0].double().cpu().numpy() for name, values in quantities.items()}


_WHITE = np.array([255.0, 255.0, 255.0])
_RED = np.array([178.0, 24.0, 43.0])  # the ends of ColorBrewer's RdBu
_BLUE = np.array([33.0, 102.0, 172.0])


def value_colors(
    values: np.ndarray, vmin: float | None = None, vmax: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """RGB (T, 3) ints and intensity (T,) in [0, 1]: white at 0 (or at vmin/vmax when 0 is
    outside them), red towards vmax, blue towards vmin; limits default to ±max |value|."""
    values = np.where(np.isfinite(values), values, 0.0)  # (T,) non-finite values stay white
    scale = float(np.abs(values).max(initial=0.0)) or 1.0
    low = -scale if vmin is None else vmin
    high = scale if vmax is None else vmax
    centre = min(max(0.0, low), high)  # the white point
    values = np.clip(values, low, high)
    up = np.divide(values - centre, high - centre) if high > centre else np.zeros_like(values)
    down = np.divide(centre - values, centre - low) if centre > low else np.zeros_like(values)
    intensity = np.where(values >= centre, up, down)  # (T,)
    end = np.where((values >= centre)[:, None], _RED, _BLUE)  # (T, 3)
    rgb = _WHITE + intensity[:, None] * (end - _WHITE)  # (T, 3)
    return np.rint(rgb).astype(int), intensity


def colored_text_html(
    text: str, values: np.ndarray, vmin: float | None = None, vmax: float | None = None
) -> str:
    """`text` as escaped HTML, one <span> per character with its value as background and title."""
    values = np.asarray(values, dtype=np.float64)  # (T,)
    if values.shape != (len(text),):
        raise ValueError(
            f"Give one value per character: {len(text)} characters, values of shape {values.shape}."
        )
    rgb, intensity = value_colors(values, vmin, vmax)
    spans = []
    for char, value, (r, g, b), strength in zip(text, values, rgb, intensity, strict=True):
        shown = "↵" if char == "\n" else html.escape(char)  # the newline gets a visible mark
        title = html.escape(f"{printable(char)}: {value:+.4f}", quote=True)
        ink = "#fff" if strength > 0.6 else "#000"  # dark backgrounds need light text
        spans.append(
            f'<span style="background-color: rgb({r}, {g}, {b}); color: {ink}" '
            f'title="{title}">{shown}</span>' + ("<br>" if char == "\n" else "")
        )
    style = "font-family: monospace; white-space: pre-wrap; line-height: 1.6"
    return f'<div style="{style}">{"".join(spans)}</div>'


def next_char_probabilities(
    model: SequenceModel, vocabulary: Vocabulary, text: str, position: int, top: int = 10
) -> pd.DataFrame:
    """The `top` most likely characters after text[: position + 1] ("char", "probability")."""
    if not 0 <= position < len(text):
        raise ValueError(
            f"The position must be between 0 and {len(text) - 1} (the text's last character)."
        )
    was_training = model.training
    model.eval()  # no dropout between layers: the distribution is the model's, not a draw
    try:
        with torch.no_grad():
            logits, _ = model(_ids(model, vocabulary, text[: position + 1]))  # (1, P, V)
    finally:
        model.train(was_training)
    probabilities = torch.softmax(logits[0, -1].double(), dim=-1).cpu().numpy()  # (V,)
    order = np.argsort(-probabilities, kind="stable")[: max(top, 0)]
    return pd.DataFrame(
        {
            "char": [printable(vocabulary.chars[k]) for k in order],
            "probability": probabilities[order],
        }
    )


def perplexity(nats: float) -> float:
    """exp(cross-entropy in nats per character): the number of equally likely choices it matches."""
    return _perplexity(nats)
