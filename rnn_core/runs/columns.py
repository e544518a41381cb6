"""The Runs table: one row per run with its name, origin, source, cell, learning rate, steps,
best validation loss in its own unit, state and date (the model's size is in the run's summary:
the table then fits a 1440 px screen), and the filters by words, origin and group. No torch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from rnn_core.runs.naming import (
    KNOBS,
    display_names,
    learning_rate,
    origin_labels,
    origin_of,
)
from rnn_core.units import (
    BITS_PER_CHAR,
    LOSS_COLUMNS,
    MSE,
    MSE_STANDARDIZED,
    NATS,
    LossUnit,
)

if TYPE_CHECKING:
    from rnn_core.runs.store import RunRecord

# A run's data, as its link writes the Data page's choices (labels of ui.session.settings,
# which a test holds to these): what tells a loss in nats, in MSE of z-scores or in plain MSE apart.
TEXT, MEMORY, IMU = "Text", "Memory task", "IMU recording"
COPY_TASK = "Copy task"  # memory.task: classes (the adding problem's sum is a value, unscaled)
IMU_CLASSIFY = "Classify the activity of each window"  # imu.task
IMU_SET_CHOICES = (  # imu.choice of a set of recordings: a forecast or a correction, values
    "Sample: BROAD set (15 trials, optical ground truth)",
    "Upload several recordings (CSVs, or a zip of CSVs)",
)
LOSS = "best val. loss"  # validation: short enough for the table to fit at 1440 px


def _chosen(link: Any, key: str) -> Any:
    """The value a link holds for `key` (its last, as a link is read), None when it has none
    (the setting's default)."""
    values = link.get(key) if isinstance(link, dict) else None
    if isinstance(values, list):
        return values[-1] if values else None
    return values


def run_unit(record: RunRecord) -> LossUnit:
    """The unit of the run's loss (`settings_unit` of its settings)."""
    return settings_unit(record.settings)


def settings_unit(settings: Any) -> LossUnit:
    """The unit of a run's loss, from the data its settings name: bits per character for
    text, nats for other classes, MSE for values (of z-scores where the data is standardized:
    sine waves and IMU recordings; the adding problem's are not)."""
    settings = settings if isinstance(settings, dict) else {}
    model, link = settings.get("model"), settings.get("link")
    if isinstance(model, dict) and model.get("vocab_size") is not None:
        return BITS_PER_CHAR
    source = _chosen(link, "source_kind")
    if source == TEXT:
        return BITS_PER_CHAR
    if source == MEMORY:
        return NATS if _chosen(link, "memory.task") == COPY_TASK else MSE
    one_recording = source == IMU and _chosen(link, "imu.choice") not in IMU_SET_CHOICES
    return NATS if one_recording and _chosen(link, "imu.task") == IMU_CLASSIFY else MSE_STANDARDIZED


def best_loss(record: RunRecord) -> float | None:
    """The run's best validation loss in its unit (bits per character for text), None before
    its first validation."""
    return None if record.best_val is None else record.best_val * run_unit(record).scale


def loss_column(records: list[RunRecord]) -> tuple[str, list]:
    """The loss column's header and values: numbers under "best validation loss (unit)" when
    every run shares one unit, else each value written with its own ("2.23 bits/char")."""
    units = {run_unit(r).short for r in records}
    if len(units) <= 1:
        header = f"{LOSS} ({units.pop()})" if units else LOSS
        return header, [best_loss(r) for r in records]
    return LOSS, [None if r.best_val is None else loss_text(r) for r in records]


def runs_frame(records: list[RunRecord], everyone: list[RunRecord] | None = None) -> pd.DataFrame:
    """One row per run, the columns the table shows; names and groups' numbers are made over
    `everyone` (all of the owner's runs, so that a filter does not change them)."""
    everyone = records if everyone is None else everyone
    names, origins = display_names(everyone), origin_labels(everyone)
    header, losses = loss_column(records)
    return pd.DataFrame(
        {
            "name": [names[r.id] for r in records],
            "origin": [origins[r.id] for r in records],
            "source": [r.source for r in records],
            "cell": [r.cell for r in records],
            "lr": [learning_rate(r) for r in records],
            "steps": [r.steps for r in records],
            header: losses,
            "state": [state_word(r.state) for r in records],
            "date": [datetime.fromtimestamp(r.created) for r in records],
        }
    )


def state_word(state: str) -> str:
    """A run state as a page writes it (early_stopped -> early stopped)."""
    return state.replace("_", " ")


@dataclass(frozen=True)
class RunFilter:
    """What the table shows: runs whose words contain `text` (any case), of the origins in
    `kinds` (all when empty), of the group labelled `group` ("Sweep 2"; all when None)."""

    text: str = ""
    kinds: tuple[str, ...] = ()  # "train", "compare", "sweep", "import"
    group: str | None = None


def filtered(records: list[RunRecord], chosen: RunFilter) -> list[RunRecord]:
    """The runs `chosen` keeps; the words are matched against the names and origins shown (made
    over all `records`), the source, the state and each setting a name may show."""
    names, origins = display_names(records), origin_labels(records)
    needle = chosen.text.strip().casefold()

    def words(r: RunRecord) -> tuple[str, ...]:  # a setting matches too: "lr 0.03", "hidden 16"
        settings = (knob(r) for knob in KNOBS.values())
        return (names[r.id], origins[r.id], r.source, state_word(r.state), *settings)

    return [
        r
        for r in records
        if (not needle or any(needle in word.casefold() for word in words(r)))
        and (not chosen.kinds or origin_of(r).kind in chosen.kinds)
        and (chosen.group is None or origins[r.id] == chosen.group)
    ]


def groups(records: list[RunRecord]) -> list[str]:
    """The labels of the sweeps, then of the comparisons, among `records`, oldest first."""
    origins = origin_labels(records)
    ordered = sorted(records, key=lambda r: (origin_of(r).kind != "sweep", r.created))
    grouped = [origins[r.id] for r in ordered if origin_of(r).group is not None]
    return list(dict.fromkeys(grouped))


def by_unit(records: list[RunRecord]) -> dict[LossUnit, list[RunRecord]]:
    """The runs grouped by the unit of their loss (losses in two units share no axis)."""
    grouped: dict[LossUnit, list[RunRecord]] = {}
    for record in records:
        grouped.setdefault(run_unit(record), []).append(record)
    return grouped


def loss_text(record: RunRecord) -> str:
    """The run's best validation loss with its unit ("2.23 bits/char"), "–" before any."""
    return "–" if record.best_val is None else run_unit(record).number(record.best_val)


UNITS_BY_WORD = {unit.short: unit for unit in (BITS_PER_CHAR, NATS, MSE)}  # a header's unit


def downloaded_unit(headers: tuple[str, ...], columns: tuple[str, ...]) -> LossUnit | None:
    """The unit a history.csv's losses are in, from its headers: the one they name, as Download
    writes them ("loss (bits/char)"), or the stored one (scale 1) for the plain `columns` of
    zips made before; None when the headers are neither."""
    if headers == columns:
        return MSE  # as stored: nats or MSE, a scale of 1
    for unit in UNITS_BY_WORD.values():
        named = {f"{column} ({unit.short})": column for column in LOSS_COLUMNS}
        if tuple(named.get(header, header) for header in headers) == columns:
            return unit
    return None
