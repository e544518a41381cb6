"""A run's own settings as the settings table writes them: the model, training and seed a run
trained with, over the data settings of the session that started it.

    session's data settings + ModelConfig + TrainConfig + seed  --spec_values-->  values
    values --link_of--> link (what the run stores)  --settings_from_link--> values (Open)

`ui.session.controls.model_config` and `ui.session.controls.train_config` build the same
configs back from those values (a test holds the round trip), so a run opened on Train shows
its own knobs and Start continues its model instead of building a new one.
"""

from __future__ import annotations

from typing import Any

from rnn_core.models import ModelConfig
from rnn_core.training.trainer import TrainConfig
from ui.session.settings import CELL_VALUES, OPTIMIZERS, RECURRENT_INITS, SETTINGS, link_of

DATA_PREFIXES = ("sine.", "text.", "imu.", "memory.", "series.")
MODEL_KEYS = (
    "task_shape",
    "cell",
    "hidden",
    "layers",
    "dropout",
    "layer_sizes",
    "bidirectional",
    "recurrent_init",
)
TRAIN_KEYS = (
    "optimizer",
    "lr",
    "schedule",
    "gamma",
    "step_size",
    "wd",
    "batch",
    "clip",
    "max_norm",
    "unit",
    "amount",
    "early",
    "patience",
    "tbptt",
)
KNOB_KEYS = ("seed", *MODEL_KEYS, *TRAIN_KEYS)  # what Open sets on Train
# A new model: these differ between the knobs and the run (the training's may change and the
# run continues, as after a Stop).
NEW_MODEL_KEYS = (*MODEL_KEYS, "seed")


def data_keys() -> tuple[str, ...]:
    """The settings of the Data page: the source and its own settings."""
    return tuple(
        key
        for key in SETTINGS
        if key in ("source_kind", "seq_len") or key.startswith(DATA_PREFIXES)
    )


def run_keys() -> tuple[str, ...]:
    """Every setting a run's link holds: its data, model, training and seed."""
    return (*data_keys(), *KNOB_KEYS)


def _label(choices: dict[str, Any], value: Any) -> str:
    """The label of a choice whose core value is `value`."""
    for label, core in choices.items():
        if core == value:
            return label
    raise ValueError(f"{value!r} is not a value of this app's settings")


def cell_label_of(config: ModelConfig) -> str:
    """The Cell setting's label for a config (LSTM and GRU have no nonlinearity of their own)."""
    for label, (cell, nonlinearity) in CELL_VALUES.items():
        if cell == config.cell and (cell != "rnn" or nonlinearity == config.nonlinearity):
            return label
    raise ValueError(f"{config.cell!r} is not a cell of this app")


def model_values(config: ModelConfig) -> dict[str, Any]:
    """The Train page's model settings that build `config` (with its data)."""
    return {
        "task_shape": _label(SETTINGS["task_shape"].values, config.task_shape),
        "cell": cell_label_of(config),
        "hidden": config.hidden_size,
        "layers": config.num_layers,
        "dropout": float(config.dropout),
        "layer_sizes": ", ".join(str(size) for size in config.layer_sizes),
        "bidirectional": bool(config.bidirectional),
        "recurrent_init": _label(RECURRENT_INITS, config.recurrent_init),
    }


def train_values(config: TrainConfig, values: dict[str, Any]) -> dict[str, Any]:
    """The Train page's training settings that build `config`, in steps; a value a switched-off
    knob does not read (the clipping norm without clipping, the patience without early
    stopping) stays as in `values`."""
    clip = config.clip_grad_norm is not None
    early = config.early_stopping_patience is not None
    return {
        "optimizer": _label(OPTIMIZERS, config.optimizer),
        "lr": float(config.learning_rate),
        "schedule": _label(SETTINGS["schedule"].values, config.schedule),
        "gamma": float(config.schedule_gamma),
        "step_size": config.schedule_step_size,
        "wd": float(config.weight_decay),
        "batch": config.batch_size,
        "clip": clip,
        "max_norm": float(config.clip_grad_norm) if clip else values.get("max_norm", 1.0),
        "unit": "steps",
        "amount": config.max_steps,
        "early": early,
        "patience": config.early_stopping_patience if early else values.get("patience", 5),
        "tbptt": bool(config.truncated_bptt),
    }


def spec_values(
    values: dict[str, Any], model_config: ModelConfig, train_config: TrainConfig, seed: int
) -> dict[str, Any]:
    """The run's settings: the data settings of `values` (the session's), and the model,
    training and seed of the run's spec."""
    data = {key: values[key] for key in data_keys() if key in values}
    return {
        **data,
        **model_values(model_config),
        **train_values(train_config, values),
        "seed": int(seed),
    }


def link_of_spec(
    values: dict[str, Any], model_config: ModelConfig, train_config: TrainConfig, seed: int
) -> dict[str, list[str]]:
    """The link a run stores: its spec over the session's data settings (`values`)."""
    return link_of(spec_values(values, model_config, train_config, seed))


def changed_knobs(
    before: dict[str, Any], after: dict[str, Any], keys: tuple[str, ...] = NEW_MODEL_KEYS
) -> list[tuple[str, Any, Any]]:
    """(label, before, after) of each of `keys` whose value differs."""
    return [
        (SETTINGS[key].label, before.get(key), after.get(key))
        for key in keys
        if before.get(key) != after.get(key)
    ]
