"""Every setting that defines an experiment: its widget's label, its default, the values it may
take and, for a choice, what each label stands for in the core ("LSTM" -> cell "lstm").

One table serves four readers: the widgets take their labels, options, bounds and first values
from it (`ui.session.state.widget`), the configs the core's values (`ui.session.state.chosen`),
a link carries the settings that differ from the defaults (`ui.session.link`), and a preset is
a set of them (`ui.session.demos`). A value that comes from outside (a link someone pasted) is
checked here before any widget sees it, so a bad link gets a sentence instead of a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rnn_core.bounds import MAX_LAYERS, MAX_TEXT_CHARS, MAX_UNITS


@dataclass(frozen=True)
class Setting:
    """A setting's widget label, default and allowed values: `choices` for a fixed set (every
    item of a list must be one), `low` and `high` for a number, or for text its longest length
    and, for sizes written as text ("64, 32"), `high` for each of them. A choice's `values` give
    what each label stands for in the core."""

    default: Any
    choices: tuple | None = None
    low: float | None = None
    high: float | None = None
    max_length: int | None = None  # text only
    label: str = ""  # the widget's label
    values: Mapping[str, Any] | None = None  # choice label -> the value the core takes

    def value(self, chosen: Any) -> Any:
        """What the core takes for a chosen label (for each item of a list); the label itself
        when the setting's labels are its values."""
        if self.values is None:
            return chosen
        if isinstance(chosen, list):
            return [self.values[item] for item in chosen]
        return self.values[chosen]

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
            sizes_from_text(value, int(self.high))
        return value


def sizes_from_text(text: str, high: int) -> tuple[int, ...]:
    """Whole numbers typed as '64, 32' (commas or semicolons between them), each from 1 to
    `high`; ValueError with a sentence for any other piece. Only the digits 0 to 9 count: other
    scripts' digits and superscripts, which Python's int() half accepts, get the sentence too."""
    sizes = []
    for part in text.replace(";", ",").split(","):
        piece = part.strip()
        if not piece:
            continue
        if not (piece.isascii() and piece.isdigit() and 1 <= int(piece) <= high):
            raise ValueError(
                f"{quoted(piece)} is not a whole number from 1 to {high:g}: type the digits "
                "0 to 9, separated by commas, like 64, 32"
            )
        sizes.append(int(piece))
    return tuple(sizes)


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


def _number(default, low, high, label: str) -> Setting:
    return Setting(default, low=low, high=high, label=label)


def _choice(label: str, values: Mapping[str, Any] | tuple, default: Any = None) -> Setting:
    """A fixed set of labels (the first the default), each standing for a value of the core, or
    for itself when `values` is a tuple."""
    mapped = values if isinstance(values, Mapping) else None
    choices = tuple(values)
    return Setting(choices[0] if default is None else default, choices, label=label, values=mapped)


CELL_VALUES = {  # label -> (cell, nonlinearity) of rnn_core.models.ModelConfig
    "LSTM": ("lstm", "tanh"),
    "GRU": ("gru", "tanh"),
    "RNN (tanh)": ("rnn", "tanh"),
    "RNN (relu)": ("rnn", "relu"),
}
RECURRENT_INITS = {"PyTorch default": "default", "Orthogonal": "orthogonal"}
OPTIMIZERS = {"Adam": "adam", "SGD": "sgd"}
# The Data page's sources -> the key a `ui.session.source.Source` records as its kind.
SOURCE_KINDS = {
    "Sine waves": "sine",
    "Text": "text",
    "IMU recording": "imu",
    "Memory task": "memory",
    "Time series (CSV)": "series",
}
# The Data page's options (a test holds them to the page's own lists).
TEXT_CHOICES = (
    "Nested brackets (generated)",
    "Quoted prose (generated)",
    "Python standard library source",
    "Paste text",
    "Upload a .txt file",
)
IMU_TASKS = ("Forecast the next state", "Classify the activity of each window")
# The attitude a model reads as roll and pitch input -> the keys of rnn_core.evaluation.baselines
# .ATTITUDE_METHODS, in the order of their accuracy on the BROAD trials, or the truth to teach
# (rnn_core.datasets.imu.table.TRUTH_INPUT); a test holds the two.
IMU_ATTITUDES = {
    "VQF": "vqf",
    "x-io Fusion": "fusion",
    "Madgwick": "madgwick",
    "Mahony": "mahony",
    "Complementary filter": "complementary",
    "Ground truth (teaching)": "truth",
}
# The knobs a sweep can vary: rnn_core.sweeps.spec.KNOBS, whose names a test holds to these.
SWEEP_KNOBS = (
    "Learning rate",
    "Hidden size",
    "Cell",
    "Layers",
    "Batch size",
    "Max gradient norm",
    "Weight decay",
    "Optimizer",
    "Steps",
)
NO_KNOB = "(none)"
IMU_CHOICES = (
    "Sample: phone export (phyphox zip)",
    "Sample: Arduino MPU6050 serial log",
    "Sample: labelled activities, true roll and pitch",
    "Sample: BROAD trial 02, optical ground truth (real)",
    "Upload a CSV or zip",
)
# Several recordings as one experiment (ui.sources.imu_sets): the shipped set, or several uploads.
IMU_SET_CHOICES = (
    "Sample: BROAD set (15 trials, optical ground truth)",
    "Upload several recordings (CSVs, or a zip of CSVs)",
)
# Any time series (ui.sources.series): the shipped sample or an upload.
SERIES_CHOICES = (
    "Sample: PJM East hourly electricity load, 2016–2017",
    "Upload a CSV or zip",
)
IMU_SET_TASKS = (
    "Forecast the next state",
    "Correct VQF (the attitude now, as a correction added to VQF's estimate)",
)

SETTINGS: dict[str, Setting] = {
    "seed": _number(0, 0, 2**31 - 1, "Seed"),
    # Data
    "source_kind": _choice("Source", SOURCE_KINDS),
    "seq_len": _number(50, 2, 2000, "Window length (steps the model reads at a time)"),
    "sine.num_series": _number(8, 1, 256, "Number of series"),
    "sine.length": _number(400, 20, 20_000, "Samples per series"),
    "sine.rate": _number(20.0, 1.0, 1000.0, "Sample rate (Hz)"),
    "sine.freqs": Setting("0.5", max_length=200, label="Frequencies (Hz), a mix"),
    "sine.amps": Setting("1.0", max_length=200, label="Amplitudes"),
    "sine.phase": _number(0.0, 0.0, 6.28, "Phase (radians)"),
    "sine.random": Setting(True, label="Each series at a random phase"),
    "sine.noise": _number(0.0, 0.0, 1.0, "Noise (std)"),
    "sine.seed": _number(0, 0, 2**31 - 1, "Data seed"),
    "text.choice": _choice("Text", TEXT_CHOICES),
    "text.pasted": Setting("", max_length=MAX_PASTED_CHARS, label="Your text"),
    "imu.choice": _choice("Recording", IMU_CHOICES + IMU_SET_CHOICES),
    "imu.set_task": _choice("Task", IMU_SET_TASKS),
    "imu.rate": _number(0.0, 0.0, 2000.0, "Resample to (Hz, 0 = the file's own rate)"),
    "imu.task": _choice("Task", IMU_TASKS),
    "imu.horizon": _number(1, 1, 500, "Horizon (steps ahead)"),
    "imu.change": Setting(True, label="Learn the change from the last step"),
    "imu.attitude": _choice("Roll and pitch inputs from", IMU_ATTITUDES),
    # % of the rows where the test part starts
    "imu.test_at": _number(85, 0, 85, "Test part starts at (% of the recording)"),
    "series.choice": _choice("Series", SERIES_CHOICES),
    "series.horizon": _number(1, 1, 500, "Horizon (steps ahead)"),
    "series.every": Setting(False, label="Forecast every step up to the horizon"),
    "series.season": _number(0, 0, 10_000, "Season (steps; 0 = found from the training part)"),
    # % of the rows where the test part starts
    "series.test_at": _number(85, 0, 85, "Test part starts at (% of the series)"),
    "memory.task": _choice("Task", {"Adding problem": "adding", "Copy task": "copy"}),
    "memory.length": _number(50, 2, 1000, "Sequence length"),  # the copy task's delay
    "memory.seed": _number(0, 0, 2**31 - 1, "Data seed"),
    # Model (the Train page)
    "task_shape": _choice(
        "Task shape",
        {
            "Next value at every step": "many_to_many",
            "One value after the window": "many_to_one",
        },
    ),
    "cell": _choice("Cell", CELL_VALUES),
    "hidden": _number(32, 1, MAX_UNITS, "Hidden size"),
    "layers": _number(1, 1, MAX_LAYERS, "Layers"),
    "dropout": _number(0.0, 0.0, 0.8, "Dropout between layers"),
    # e.g. "64, 32"
    "layer_sizes": Setting("", high=MAX_UNITS, max_length=100, label="Units per layer"),
    "bidirectional": Setting(False, label="Bidirectional"),
    "recurrent_init": _choice("Recurrent weights", RECURRENT_INITS),
    # Training (the Train page)
    "optimizer": _choice("Optimizer", OPTIMIZERS),
    "lr": _number(0.01, 1e-5, 10.0, "Learning rate"),
    "schedule": _choice(
        "Schedule", {"Constant": "constant", "Step decay": "step", "Reduce on plateau": "plateau"}
    ),
    "gamma": _number(0.5, 0.01, 1.0, "Decay factor"),
    "step_size": _number(200, 1, 100_000, "Decay every (steps)"),
    "wd": _number(0.0, 0.0, 1.0, "Weight decay"),
    "batch": _number(64, 1, 4096, "Batch size"),
    "clip": Setting(True, label="Clip gradients"),
    "max_norm": _number(1.0, 0.01, 1000.0, "Max gradient norm"),
    "unit": _choice("Train for", ("steps", "epochs")),
    "amount": _number(300, 1, 100_000, "Number of steps"),  # of epochs, when the unit is
    "early": Setting(False, label="Early stopping"),
    "patience": _number(5, 1, 1000, "Patience (evaluations)"),
    "tbptt": Setting(False, label="Truncated BPTT"),
    # Gradients through time: the race
    "grad.hidden": _number(32, 4, 256, "Hidden size"),
    "grad.length": _number(100, 10, 1000, "Sequence length"),
    "grad.default_bias": Setting(False, label="PyTorch's default gate biases"),
    "grad.bias": _number(2.0, 0.0, 3.0, "Forget-gate bias (LSTM), update-gate bias (GRU)"),
    "grad.rescale": Setting(False, label="Rescale the RNN's W_hh"),
    "grad.radius": _number(3.0, 0.5, 3.0, "Spectral radius of W_hh"),
    # Compare
    "compare.cells": _choice("Cells", CELL_VALUES, default=["LSTM", "GRU", "RNN (tanh)"]),
    "compare.hidden": _number(32, 1, MAX_UNITS, "Hidden size"),
    "compare.layers": _number(1, 1, MAX_LAYERS, "Layers"),
    "compare.budget": Setting(False, label="Equal parameter budget"),
    "compare.init": _choice("Recurrent weights", RECURRENT_INITS),
    "compare.steps": _number(400, 10, 20_000, "Steps"),
    "compare.lr": _number(0.01, 1e-5, 1.0, "Learning rate"),
    "compare.batch": _number(64, 1, 1024, "Batch size"),
    "compare.optimizer": _choice("Optimizer", OPTIMIZERS),
    "compare.clip": _number(1.0, 0.0, 100.0, "Clip gradients at"),
    "compare.unclipped": Setting(False, label="Each cell also without clipping"),
    "compare.seeds": _number(1, 1, 20, "Seeds per cell"),  # each cell trains once per seed
    # Sweep (its cluster address is not a setting: a link must not choose where code runs)
    "sweep.knob1": _choice("First knob", SWEEP_KNOBS),
    "sweep.values1": Setting("0.003, 0.01, 0.03", max_length=200, label="Values of the first knob"),
    "sweep.knob2": _choice("Second knob", (NO_KNOB, *SWEEP_KNOBS), default="Hidden size"),
    "sweep.values2": Setting("16, 64", max_length=200, label="Values of the second knob"),
    "sweep.seeds": _number(3, 1, 20, "Seeds per setting"),
    "sweep.band": _choice(  # Compare's too, over several seeds
        "Band around the mean", {"min to max": "min-max", "± 1 standard deviation": "std"}
    ),
}


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
