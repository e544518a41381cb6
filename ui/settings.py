"""Every setting that defines an experiment, with its default and the values it may take.

One table serves three readers: the widgets start from these defaults (`ui.state.persisted`), a
link carries the settings that differ from them (`ui.link`), and a preset is a set of them
(`ui.demos`). A value that comes from outside (a link someone pasted) is checked here
before any widget sees it, so a bad link gets a sentence instead of a traceback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rnn_core.bounds import MAX_LAYERS, MAX_TEXT_CHARS, MAX_UNITS


@dataclass(frozen=True)
class Setting:
    """A setting's default and its allowed values: `choices` for a fixed set (every item of
    a list must be one), `low` and `high` for a number, or for text its longest length and, for
    sizes written as text ("64, 32"), `high` for each of them."""

    default: Any
    choices: tuple | None = None
    low: float | None = None
    high: float | None = None
    max_length: int | None = None  # text only

    def parse(self, texts: list[str]) -> Any:
        """The value written as `texts` in a link (ValueError with a sentence when it is not
        one this setting can take)."""
        if isinstance(self.default, list):
            return [self._check(text) for text in texts]
        return self._check(self._convert(texts[-1]))

    def format(self, value: Any) -> list[str]:
        """The value as a link writes it."""
        values = value if isinstance(value, list) else [value]
        return [_text(v) for v in values]

    def _convert(self, text: str) -> Any:
        kind = type(self.default)
        if kind is bool:
            if text.lower() not in ("true", "false"):
                raise ValueError(f"{quoted(text)} is not true or false")
            return text.lower() == "true"
        if kind not in (int, float):
            return text
        try:
            value = kind(text)
        except ValueError:
            whole = "whole " if kind is int else ""
            raise ValueError(f"{quoted(text)} is not a {whole}number") from None
        if not math.isfinite(value):
            raise ValueError(f"{quoted(text)} is not a finite number")
        return value

    def _check(self, value: Any) -> Any:
        if self.choices is not None and value not in self.choices:
            shown = ", ".join(str(c) for c in self.choices)
            raise ValueError(f"{quoted(value)} is not one of: {shown}")
        if isinstance(value, str):
            return self._check_text(value)
        if self.low is not None and not self.low <= value <= self.high:
            raise ValueError(f"{quoted(value)} is outside {self.low:g} to {self.high:g}")
        return value

    def _check_text(self, value: str) -> str:
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(f"{len(value):,} characters is more than {self.max_length:,}")
        if self.high is not None:  # sizes written as text
            for part in value.replace(";", ",").split(","):
                if part.strip() and not (part.strip().isdigit() and 1 <= int(part) <= self.high):
                    raise ValueError(
                        f"{quoted(part.strip())} is not a whole number from 1 to {self.high:g}"
                    )
        return value


SHOWN_CHARS = 80  # longest piece of outside text a sentence quotes whole


def shortened(text: str, length: int = SHOWN_CHARS) -> str:
    """Text cut to `length` characters with an ellipsis, to be quoted in a sentence."""
    return text if len(text) <= length else text[:length] + "…"


def quoted(value: Any) -> str:
    """A value from outside as a sentence quotes it: its repr, shortened."""
    return repr(shortened(value)) if isinstance(value, str) else shortened(repr(value))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return format(value, "g") if isinstance(value, float) else str(value)


MAX_PASTED_CHARS = MAX_TEXT_CHARS  # pasted text, in the box or in a link


def _number(default, low, high) -> Setting:
    return Setting(default, low=low, high=high)


CELLS = ("LSTM", "GRU", "RNN (tanh)", "RNN (relu)")
SOURCE_KINDS = ("Sine waves", "Text", "IMU recording", "Memory task")
# The Data page's options (a test holds them to the page's own lists).
TEXT_CHOICES = (
    "Nested brackets (generated)",
    "Quoted prose (generated)",
    "Python standard library source",
    "Paste text",
    "Upload a .txt file",
)
IMU_TASKS = ("Forecast the next state", "Classify the activity of each window")
# The attitude a model reads as roll and pitch input (rnn_core.evaluation.baselines
# .ATTITUDE_METHODS, in the order of their accuracy on the BROAD trials), or the truth to teach; a
# test holds the two lists.
IMU_ATTITUDES = (
    "VQF",
    "x-io Fusion",
    "Madgwick",
    "Mahony",
    "Complementary filter",
    "Ground truth (teaching)",
)
IMU_CHOICES = (
    "Sample: phone export (phyphox zip)",
    "Sample: Arduino MPU6050 serial log",
    "Sample: labelled activities, true roll and pitch",
    "Sample: BROAD trial 02, optical ground truth (real)",
    "Upload a CSV or zip",
)

SETTINGS: dict[str, Setting] = {
    "seed": _number(0, 0, 2**31 - 1),
    # Data
    "source_kind": Setting("Sine waves", choices=SOURCE_KINDS),
    "seq_len": _number(50, 2, 2000),
    "sine.num_series": _number(8, 1, 256),
    "sine.length": _number(400, 20, 20_000),
    "sine.rate": _number(20.0, 1.0, 1000.0),
    "sine.freqs": Setting("0.5", max_length=200),
    "sine.amps": Setting("1.0", max_length=200),
    "sine.phase": _number(0.0, 0.0, 6.28),
    "sine.random": Setting(True),
    "sine.noise": _number(0.0, 0.0, 1.0),
    "sine.seed": _number(0, 0, 2**31 - 1),
    "text.choice": Setting("Nested brackets (generated)", choices=TEXT_CHOICES),
    "text.pasted": Setting("", max_length=MAX_PASTED_CHARS),
    "imu.choice": Setting("Sample: phone export (phyphox zip)", choices=IMU_CHOICES),
    "imu.rate": _number(0.0, 0.0, 2000.0),
    "imu.task": Setting(IMU_TASKS[0], choices=IMU_TASKS),
    "imu.horizon": _number(1, 1, 500),
    "imu.change": Setting(True),
    "imu.attitude": Setting(IMU_ATTITUDES[0], choices=IMU_ATTITUDES),
    "imu.test_at": _number(85, 0, 85),  # % of the rows where the test part starts
    "memory.task": Setting("Adding problem", choices=("Adding problem", "Copy task")),
    "memory.length": _number(50, 2, 1000),
    "memory.seed": _number(0, 0, 2**31 - 1),
    # Model (the Train page)
    "task_shape": Setting(
        "Next value at every step",
        choices=("Next value at every step", "One value after the window"),
    ),
    "cell": Setting("LSTM", choices=CELLS),
    "hidden": _number(32, 1, MAX_UNITS),
    "layers": _number(1, 1, MAX_LAYERS),
    "dropout": _number(0.0, 0.0, 0.8),
    "layer_sizes": Setting("", high=MAX_UNITS, max_length=100),  # e.g. "64, 32"
    "bidirectional": Setting(False),
    "recurrent_init": Setting("PyTorch default", choices=("PyTorch default", "Orthogonal")),
    # Training (the Train page)
    "optimizer": Setting("Adam", choices=("Adam", "SGD")),
    "lr": _number(0.01, 1e-5, 10.0),
    "schedule": Setting("Constant", choices=("Constant", "Step decay", "Reduce on plateau")),
    "gamma": _number(0.5, 0.01, 1.0),
    "step_size": _number(200, 1, 100_000),
    "wd": _number(0.0, 0.0, 1.0),
    "batch": _number(64, 1, 4096),
    "clip": Setting(True),
    "max_norm": _number(1.0, 0.01, 1000.0),
    "unit": Setting("steps", choices=("steps", "epochs")),
    "amount": _number(300, 1, 100_000),
    "early": Setting(False),
    "patience": _number(5, 1, 1000),
    "tbptt": Setting(False),
    # Gradients through time: the race
    "grad.hidden": _number(32, 4, 256),
    "grad.length": _number(100, 10, 1000),
    "grad.default_bias": Setting(False),
    "grad.bias": _number(2.0, 0.0, 3.0),
    "grad.rescale": Setting(False),
    "grad.radius": _number(3.0, 0.5, 3.0),
    # Compare
    "compare.cells": Setting(["LSTM", "GRU", "RNN (tanh)"], choices=CELLS),
    "compare.hidden": _number(32, 1, MAX_UNITS),
    "compare.layers": _number(1, 1, MAX_LAYERS),
    "compare.budget": Setting(False),
    "compare.init": Setting("PyTorch default", choices=("PyTorch default", "Orthogonal")),
    "compare.steps": _number(400, 10, 20_000),
    "compare.lr": _number(0.01, 1e-5, 1.0),
    "compare.batch": _number(64, 1, 1024),
    "compare.optimizer": Setting("Adam", choices=("Adam", "SGD")),
    "compare.clip": _number(1.0, 0.0, 100.0),
    "compare.unclipped": Setting(False),
    "compare.seeds": _number(1, 1, 20),  # each cell trains once per seed
}


def options(key: str) -> list:
    """The values a setting's widget offers, in order."""
    return list(SETTINGS[key].choices)


def default(key: str) -> Any:
    """A setting's default (a fresh copy for a list)."""
    value = SETTINGS[key].default
    return list(value) if isinstance(value, list) else value


def settings_from_link(params: dict[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
    """The settings a link's query parameters give, and a sentence for each one that could not
    be used (an unknown name, or a value the setting cannot take): those keep their defaults."""
    values, problems = {}, []
    for key, texts in params.items():
        spec = SETTINGS.get(key)
        if spec is None:
            problems.append(
                f"The link's “{shortened(key)}” is not a setting of this app; it was left out."
            )
            continue
        try:
            values[key] = spec.parse(texts)
        except ValueError as err:
            problems.append(f"The link's “{key}”: {err}; the default ({default(key)!r}) is used.")
    return values, problems


def link_of(values: dict[str, Any]) -> dict[str, list[str]]:
    """The query parameters of a link to these settings: those that differ from their
    defaults, and the seed always (so that no link is empty)."""
    return {
        key: spec.format(values[key])
        for key, spec in SETTINGS.items()
        if key in values and (key == "seed" or values[key] != spec.default)
    }
