"""Stored runs side by side: runs that differ only in their seed form a group, drawn as a mean
with a band (the range over the seeds)."""

from __future__ import annotations

import json

import pandas as pd

from rnn_core.runs.store import RunRecord
from rnn_core.training.history import mean_over_seeds

ORIGINS = ("train", "compare", "sweep", "import")  # where a run came from


def origin_setting(kind: str, group: str | None = None) -> dict:
    """A run's origin as its settings keep it: the page that started it (or an import) and
    its sweep's or comparison's id (None for Train and imports)."""
    if kind not in ORIGINS:
        raise ValueError(f"{kind!r} is not one of {', '.join(ORIGINS)}")
    return {"kind": kind, "group": group}


def run_settings(
    link: dict,
    model: dict,
    training: dict,
    seed: int,
    origin: dict | None = None,
    device: str | None = None,
) -> dict:
    """What a run stores of its settings: the link of its own settings (data, model, training
    and seed, as an address holds them), the model's and the training's configs (as dicts), the
    seed, and, for runs of this version, its origin (`origin_setting`) and device."""
    settings = {"link": link, "model": model, "training": training, "seed": int(seed)}
    if origin is not None:
        settings["origin"] = origin
    if device is not None:
        settings["device"] = device
    return settings


def without_seed(settings: dict) -> str:
    """The settings with the run's seed left out (of the weights and of the batch order), as text
    that compares equal for runs that differ in nothing else (the data's own seed stays: other
    data is another experiment)."""
    link = {key: value for key, value in settings.get("link", {}).items() if key != "seed"}
    training = {k: v for k, v in settings.get("training", {}).items() if k != "seed"}  # batches
    return json.dumps(
        {**settings, "seed": None, "link": link, "training": training}, sort_keys=True
    )


def seed_groups(records: list[RunRecord]) -> list[list[RunRecord]]:
    """The runs grouped by their settings without the seed, in the order first seen."""
    groups: dict[str, list[RunRecord]] = {}
    for record in records:
        groups.setdefault(without_seed(record.settings), []).append(record)
    return list(groups.values())


def lines_and_bands(
    records: list[RunRecord], histories: dict[str, pd.DataFrame], column: str, as_bands: bool
) -> tuple[list[tuple[str, pd.DataFrame]], list[tuple[str, pd.DataFrame]]]:
    """What `runs_figure` draws for `column`: with `as_bands`, each group of several seeds as
    (label, `mean_over_seeds` at the steps all of them measured) and every other run as (name,
    history); else every run as a line."""
    lines, bands = [], []
    for group in seed_groups(records) if as_bands else [[r] for r in records]:
        runs = [histories[r.id] for r in group]
        band = mean_over_seeds(runs, column, every=True) if len(group) > 1 else None
        if band is not None and len(band):
            more = len(group) - 1
            bands.append((f"{group[0].name} and {more} more seed{'s' * (more > 1)}", band))
        else:
            lines += [(record.name, histories[record.id]) for record in group]
    return lines, bands
