"""The unit a loss reads in, one rule for every page: bits per character for text (the
cross-entropy in nats divided by ln 2), nats for other classes, MSE for values. No torch here:
the Runs page reads it for stored runs without building a model."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # only for annotations: no pandas is loaded here
    import pandas as pd


@dataclass(frozen=True)
class LossUnit:
    """How a loss is shown: the words of its axis, the word after a number, and the factor that
    turns a stored loss (nats for classes, MSE for values) into it."""

    axis: str  # an axis or a tile says it: "bits/char", "cross-entropy, nats", "MSE, standardized"
    short: str  # written after a number: "bits/char", "nats", "MSE"
    scale: float  # stored loss * scale = the loss in this unit

    def number(self, loss: float) -> str:
        """The stored `loss` in this unit, with the unit: "2.23 bits/char", "0.0123 MSE"."""
        return f"{loss * self.scale:.4g} {self.short}"


BITS_PER_NAT = 1 / math.log(2)  # log2(e): one nat is 1.4427 bits
BITS_PER_CHAR = LossUnit("bits/char", "bits/char", BITS_PER_NAT)
NATS = LossUnit("cross-entropy, nats", "nats", 1.0)
MSE = LossUnit("MSE", "MSE", 1.0)
MSE_STANDARDIZED = LossUnit("MSE, standardized", "MSE", 1.0)  # of z-scores


def nats_to_bits(loss: float) -> float:
    """Cross-entropy in nats per character as bits per character: loss / ln 2."""
    return loss / math.log(2)


def task_unit(text: bool, classification: bool, standardized: bool) -> LossUnit:
    """The unit of a task's loss: text in bits per character, other classes in nats, values in
    MSE (of z-scores when the targets are standardized)."""
    if text:
        return BITS_PER_CHAR
    if classification:
        return NATS
    return MSE_STANDARDIZED if standardized else MSE


class _Data(Protocol):  # what PreparedData offers (imported here it would import torch)
    kind: str
    standardizer: object

    @property
    def is_text(self) -> bool: ...


def data_unit(data: _Data) -> LossUnit:
    """The unit of the loss of prepared `data` (a PreparedData)."""
    return task_unit(data.is_text, data.kind == "classification", data.standardizer is not None)


def loss_unit(data: _Data) -> str:
    """What the loss axis measures: bits per character for text, cross-entropy for other
    classes, MSE for values (of z-scores when the data is standardized)."""
    return data_unit(data).axis


def loss_scale(data: _Data) -> float:
    """What the loss (in nats for classes) is multiplied by to read in `loss_unit`."""
    return data_unit(data).scale


LOSS_COLUMNS = ("loss", "val_loss")  # of a history: what a unit applies to


def in_unit(history: pd.DataFrame, unit: LossUnit) -> pd.DataFrame:
    """The run's history with its losses (training and validation) read in `unit`: text in
    bits per character; the gradient norm as it is."""
    if unit.scale == 1.0:
        return history
    return history.assign(
        loss=history["loss"] * unit.scale, val_loss=history["val_loss"] * unit.scale
    )


def history_to_download(history: pd.DataFrame, unit: LossUnit) -> pd.DataFrame:
    """A run's history as its zip's history.csv holds it: the losses in `unit`, which their
    headers name ("loss (bits/char)"), the other columns as stored."""
    named = {column: f"{column} ({unit.short})" for column in LOSS_COLUMNS}
    return in_unit(history, unit).rename(columns=named)
