"""A sweep: up to two knobs of the Train page over values the user types, times seeds.

    knob A values  x  knob B values  x  seeds   ->   one (ModelConfig, TrainConfig, seed) per run

Every run trains on the same prepared data; a seed sets both the initial weights and the batch
order, so seed k of one setting and seed k of another start from comparable draws.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from rnn_core.bounds import MAX_LAYERS, MAX_UNITS
from rnn_core.models import ModelConfig
from rnn_core.training.trainer import TrainConfig

MAX_KNOBS = 2  # a grid of at most two knobs: a heatmap reads two, not three
MAX_VALUES = 8  # values per knob
MAX_SEEDS = 20
MAX_SWEEP_RUNS = 200  # runs one sweep may start (settings x seeds)

CELL_CHOICES = {
    "LSTM": ("lstm", "tanh"),
    "GRU": ("gru", "tanh"),
    "RNN (tanh)": ("rnn", "tanh"),
    "RNN (relu)": ("rnn", "relu"),
}


@dataclass(frozen=True)
class Knob:
    """One setting a sweep can vary: how its values are read and where they go."""

    name: str  # as the Train page labels it
    kind: type  # float, int or str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    example: str = ""  # values as a person would type them
    apply: Callable[[ModelConfig, TrainConfig, Any], tuple[ModelConfig, TrainConfig]] = (
        lambda m, t, v: (m, t)
    )

    def parse(self, text: str) -> tuple:
        """The distinct values typed as "a, b, c", in order (ValueError with a sentence)."""
        parts = [p.strip() for p in str(text).replace(";", ",").split(",") if p.strip()]
        if not parts:
            raise ValueError(
                f"Type at least one value for {self.name}, separated by commas, "
                f"like {self.example}."
            )
        values = tuple(dict.fromkeys(self._value(p) for p in parts))
        if len(values) > MAX_VALUES:
            raise ValueError(
                f"{self.name} has {len(values)} values; a sweep takes at most {MAX_VALUES} "
                "per knob."
            )
        return values

    def _value(self, text: str) -> Any:
        shown = repr(text[:40] + ("…" if len(text) > 40 else ""))
        if self.choices:
            match = {c.lower(): c for c in self.choices}.get(text.lower())
            if match is None:
                raise ValueError(
                    f"{shown} is not a choice of {self.name}: use {', '.join(self.choices)}."
                )
            return match
        try:
            value = self.kind(text)
        except ValueError:
            whole = "whole " if self.kind is int else ""
            raise ValueError(
                f"{shown} is not a {whole}number: type values for {self.name} like {self.example}."
            ) from None
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise ValueError(
                f"{shown} is outside {self.low:g} to {self.high:g}, the range of {self.name}."
            )
        return value


def _train(field: str) -> Callable:
    return lambda m, t, v: (m, replace(t, **{field: v}))


def _cell(model: ModelConfig, train: TrainConfig, label: str):
    cell, nonlinearity = CELL_CHOICES[label]
    return replace(model, cell=cell, nonlinearity=nonlinearity), train


def _layers(model: ModelConfig, train: TrainConfig, layers: int):
    dropout = model.dropout if layers > 1 else 0.0
    return replace(model, num_layers=layers, layer_sizes=(), dropout=dropout), train


KNOBS: dict[str, Knob] = {
    knob.name: knob
    for knob in (
        Knob(
            "Learning rate", float, 1e-5, 10.0, example="0.001, 0.01", apply=_train("learning_rate")
        ),
        Knob(
            "Hidden size",
            int,
            1,
            MAX_UNITS,
            example="16, 64",
            apply=lambda m, t, v: (replace(m, hidden_size=v, layer_sizes=()), t),
        ),
        Knob("Cell", str, choices=tuple(CELL_CHOICES), example="LSTM, GRU", apply=_cell),
        Knob("Layers", int, 1, MAX_LAYERS, example="1, 2", apply=_layers),
        Knob("Batch size", int, 1, 4096, example="16, 64", apply=_train("batch_size")),
        Knob(
            "Max gradient norm",
            float,
            0.01,
            1000.0,
            example="0.5, 5",
            apply=_train("clip_grad_norm"),
        ),
        Knob("Weight decay", float, 0.0, 1.0, example="0, 0.0001", apply=_train("weight_decay")),
        Knob(
            "Optimizer",
            str,
            choices=("Adam", "SGD"),
            example="Adam, SGD",
            apply=lambda m, t, v: (m, replace(t, optimizer=v.lower())),
        ),
        Knob("Steps", int, 1, 100_000, example="200, 800", apply=_train("max_steps")),
    )
}


@dataclass(frozen=True)
class SweepRun:
    """One training of a sweep: its setting (a value per knob), its seed and its configs."""

    index: int  # position in the sweep, from 0
    setting: tuple[Any, ...]  # one value per knob, in the knobs' order
    seed: int
    model_config: ModelConfig
    train_config: TrainConfig

    @property
    def label(self) -> str:
        """The setting as a person reads it, e.g. "0.01 · 64"."""
        return setting_label(self.setting)


def setting_label(setting: tuple[Any, ...]) -> str:
    """Values of a setting joined, numbers in their shortest form."""
    return " · ".join(format(v, "g") if isinstance(v, float) else str(v) for v in setting)


@dataclass(frozen=True)
class SweepSpec:
    """The grid of a sweep: up to two knobs with their values, and the seeds of every setting."""

    knobs: tuple[tuple[str, tuple[Any, ...]], ...]  # (knob name, values), at most MAX_KNOBS
    seeds: tuple[int, ...]  # every setting trains once per seed
    model_config: ModelConfig  # what the knobs leave as the Train page set it
    train_config: TrainConfig

    def __post_init__(self) -> None:
        problems = sweep_problems(self)
        if problems:
            raise ValueError(" ".join(problems))

    @property
    def knob_names(self) -> tuple[str, ...]:
        """The varied knobs, in order."""
        return tuple(name for name, _ in self.knobs)

    def settings(self) -> list[tuple[Any, ...]]:
        """Every combination of the knobs' values, the first knob varying slowest."""
        return list(itertools.product(*(values for _, values in self.knobs)))

    def runs(self) -> list[SweepRun]:
        """One run per setting and seed, settings in order, seeds within them."""
        runs = []
        for setting in self.settings():
            model, train = configs_for(self.model_config, self.train_config, self.knobs, setting)
            for seed in self.seeds:
                train_seeded = replace(train, seed=seed)
                runs.append(SweepRun(len(runs), setting, seed, model, train_seeded))
        return runs


def configs_for(
    model: ModelConfig, train: TrainConfig, knobs, setting: tuple[Any, ...]
) -> tuple[ModelConfig, TrainConfig]:
    """The base configs with each knob set to its value (ValueError naming the setting)."""
    try:
        for (name, _), value in zip(knobs, setting, strict=True):
            model, train = KNOBS[name].apply(model, train, value)
    except ValueError as err:
        raise ValueError(f"The setting {setting_label(setting)} cannot train: {err}") from None
    return model, train


def sweep_problems(spec: SweepSpec) -> list[str]:
    """Sentences that say what to change; empty when the sweep can start."""
    problems = []
    names = spec.knob_names
    if len(names) > MAX_KNOBS:
        problems.append(f"A sweep varies at most {MAX_KNOBS} knobs; choose fewer.")
    if len(set(names)) < len(names):
        problems.append("Choose two different knobs (or one).")
    unknown = [n for n in names if n not in KNOBS]
    if unknown:
        problems.append(f"{unknown[0]!r} is not a knob a sweep can vary.")
    if not 1 <= len(spec.seeds) <= MAX_SEEDS:
        problems.append(f"Choose from 1 to {MAX_SEEDS} seeds.")
    count = math.prod(len(values) for _, values in spec.knobs) * len(spec.seeds)
    if problems:
        return problems
    if count > MAX_SWEEP_RUNS:
        problems.append(
            f"This sweep would start {count:,} runs; at most {MAX_SWEEP_RUNS} can run in one "
            "sweep: type fewer values or choose fewer seeds."
        )
    for setting in spec.settings():  # every setting must make a model and a training
        try:
            configs_for(spec.model_config, spec.train_config, spec.knobs, setting)
        except ValueError as err:
            return [*problems, str(err)]
    return problems


def seeds_from(first: int, count: int) -> tuple[int, ...]:
    """`count` consecutive seeds from `first` (ValueError with a sentence past the bounds)."""
    if not 1 <= count <= MAX_SEEDS:
        raise ValueError(f"Choose from 1 to {MAX_SEEDS} seeds, not {count}.")
    return tuple(range(first, first + count))
