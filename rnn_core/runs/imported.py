"""What a run's zip holds, checked by type, shape and size against what this app writes, before a
row is stored: its summary and settings (`settings.json`), its history rows and its training
state (`model.pt`). An accepted run opens on every page; anything else raises `Untrusted` with a
fragment that names the value and says what it must be."""

from __future__ import annotations

import io

import numpy as np
import torch

from rnn_core.bounds import MAX_HISTORY_ROWS, MAX_RUN_NAME, MAX_STEP
from rnn_core.checkpoint import expected_shapes
from rnn_core.live.states import RunState
from rnn_core.models import ModelConfig, SequenceModel
from rnn_core.training.history import COLUMNS
from rnn_core.training.state import FORMAT, TrainingState, state_from_bytes
from rnn_core.training.trainer import TrainConfig, make_optimizer, make_scheduler
from rnn_core.untrusted import Untrusted, a_dict, check_tree, text, whole

MAX_SEED = 2**63 - 1  # torch's generators take seeds below 2**64
MAX_SETTINGS_ITEMS = 10_000  # values in a run's settings, counted with repeats
TRAINER_STATUSES = ("ready", "running", "finished", "early_stopped", "diverged")
MOMENTS = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer")


def checked_summary(summary) -> dict:
    """The summary's fields, each of its type and within its bound; its settings checked too."""
    summary = a_dict(summary, "its summary")
    needed = ("name", "source", "cell", "parameters", "seed", "state", "settings")
    missing = [key for key in needed if key not in summary]
    if missing:
        raise Untrusted(f"its summary lacks {', '.join(missing)}")
    sweep = summary.get("sweep")
    return {
        "name": _name(summary["name"]),
        "source": text(summary["source"], "its source", 400),
        "cell": text(summary["cell"], "its cell", 40),
        "parameters": whole(summary["parameters"], "its number of parameters", 0, 10**9),
        "seed": whole(summary["seed"], "its seed", 0, MAX_SEED),
        "state": _state(summary["state"]),
        "sweep": None if sweep is None else text(sweep, "its sweep", 200),
        "settings": checked_settings(summary["settings"]),
    }


def _name(value) -> str:
    """A run's name: a text of at most MAX_RUN_NAME characters, not blank."""
    name = text(value, "its name", MAX_RUN_NAME)
    if not name.strip():
        raise Untrusted("its name is blank")
    return name


def _state(value) -> str:
    """One of the run states' words."""
    if value not in {state.value for state in RunState}:
        raise Untrusted(f"its state must be one of {', '.join(state.value for state in RunState)}")
    return value


def checked_settings(settings) -> dict:
    """The settings a run of this app stores (`run_settings`): the link's settings, a model and a
    training config that are valid, and a seed."""
    settings = a_dict(settings, "its settings")
    check_tree(settings, "its settings", MAX_SETTINGS_ITEMS)
    missing = [key for key in ("link", "model", "training", "seed") if key not in settings]
    if missing:
        raise Untrusted(f"its settings lack {', '.join(missing)}")
    a_dict(settings["link"], "its link's settings")
    model_config(settings["model"])
    train_config(settings["training"])
    whole(settings["seed"], "its settings' seed", 0, MAX_SEED)
    return settings


def model_config(values) -> ModelConfig:
    """ModelConfig(**values), its complaints as Untrusted."""
    try:
        return ModelConfig(**a_dict(values, "its model's settings"))
    except (TypeError, ValueError) as error:  # an unknown field, a wrong type, a bad size
        raise Untrusted(f"its model's settings are invalid ({_short(error)})") from None


def train_config(values) -> TrainConfig:
    """TrainConfig(**values), its complaints as Untrusted."""
    try:
        return TrainConfig(**a_dict(values, "its training's settings"))
    except (TypeError, ValueError) as error:
        raise Untrusted(f"its training's settings are invalid ({_short(error)})") from None


def _short(error: Exception) -> str:
    return str(error).rstrip(".")[:200]


def checked_history(values: np.ndarray) -> np.ndarray:
    """History rows (n, len(COLUMNS)) whose steps are whole numbers from 0 to MAX_STEP, strictly
    increasing, at most MAX_HISTORY_ROWS of them."""
    if len(values) > MAX_HISTORY_ROWS:
        raise Untrusted(f"its history has more than {MAX_HISTORY_ROWS:,} rows")
    steps = values[:, 0]  # (n,)
    if not (np.isfinite(steps) & (steps >= 0) & (steps <= MAX_STEP)).all():
        raise Untrusted(f"the steps of its history must be whole numbers from 0 to {MAX_STEP:,}")
    if (steps != np.round(steps)).any():
        raise Untrusted("the steps of its history must be whole numbers, not fractions")
    if (np.diff(steps) <= 0).any():
        raise Untrusted("the steps of its history must increase")
    return values


def checked_state(data: bytes, settings: dict) -> TrainingState:
    """The training state in `data`, with every value of the type and shape the model its settings
    describe needs: weights, optimizer moments, schedule, history and batch order."""
    try:
        raw = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception:  # whatever fails, the file is not a state of ours
        raise Untrusted("its model.pt is not a saved model") from None
    raw = a_dict(raw, "its model.pt")
    if raw.get("format") != FORMAT or raw.get("columns") != list(COLUMNS):
        raise Untrusted("its model.pt is not a training state of this version of the app")
    config = model_config(raw.get("model_config"))
    training = train_config(raw.get("train_config"))
    if config != model_config(settings["model"]):
        raise Untrusted("its model.pt holds another model than its settings describe")
    _check_weights(config, raw.get("weights"))
    _check_plain(raw)
    _check_optimizer(raw, config, training)
    return state_from_bytes(data)


def _check_weights(config: ModelConfig, weights) -> None:
    """Exactly the tensors `config`'s model has, each of its shape."""
    if not isinstance(weights, dict) or not all(
        isinstance(value, torch.Tensor) and value.is_floating_point() for value in weights.values()
    ):
        raise Untrusted("the weights in its model.pt are not a set of tensors")
    expected = expected_shapes(config)
    if set(weights) != set(expected) or any(
        tuple(weights[name].shape) != shape for name, shape in expected.items()
    ):
        raise Untrusted("the weights in its model.pt do not have the shapes its settings need")


def _check_plain(raw: dict) -> None:
    """Seed, steps, status, message, history and the batch order's generator state."""
    whole(raw.get("seed"), "the seed in its model.pt", 0, MAX_SEED)
    whole(raw.get("steps_done"), "the steps in its model.pt", 0, MAX_STEP)
    if raw.get("status") not in TRAINER_STATUSES:
        raise Untrusted(f"the status in its model.pt must be one of {', '.join(TRAINER_STATUSES)}")
    text(raw.get("message"), "the message in its model.pt", 2000)
    history = raw.get("history")
    if not isinstance(history, torch.Tensor) or history.dtype != torch.float64:
        raise Untrusted("the history in its model.pt is not a table of numbers")
    if history.ndim != 2 or history.shape[1] != len(COLUMNS):
        raise Untrusted(f"the history in its model.pt must have {len(COLUMNS)} columns")
    checked_history(history.numpy())
    rng = raw.get("batch_rng")
    reference = torch.Generator().get_state()
    fits = isinstance(rng, torch.Tensor) and (rng.dtype, rng.shape) == (
        reference.dtype,
        reference.shape,
    )
    if rng is not None and not fits:
        raise Untrusted("the batch order in its model.pt is not a generator's state")


def _check_optimizer(raw: dict, config: ModelConfig, training: TrainConfig) -> None:
    """The optimizer's and the schedule's states: the groups and fields this app's have, with
    values of their kinds, and moments of each parameter's shape."""
    with torch.device("meta"):  # shapes only: nothing is allocated
        model = SequenceModel(config)
    optimizer = make_optimizer(model, training)
    scheduler = make_scheduler(optimizer, training)  # adds its fields to the optimizer's groups
    saved = raw.get("optimizer")
    if saved is not None:
        saved = a_dict(saved, "the optimizer in its model.pt")
        if set(saved) != {"state", "param_groups"}:
            raise Untrusted("the optimizer in its model.pt is not this app's")
        _same_kind(optimizer.state_dict()["param_groups"], saved["param_groups"], "optimizer")
        shapes = [tuple(p.shape) for p in model.parameters()]
        for index, moments in a_dict(saved["state"], "the optimizer's state").items():
            _check_moments(index, moments, shapes)
    if raw.get("scheduler") is not None:
        if scheduler is None:
            raise Untrusted("its model.pt holds a schedule its settings do not have")
        _same_kind(scheduler.state_dict(), raw["scheduler"], "schedule")


def _check_moments(index, moments, shapes: list[tuple[int, ...]]) -> None:
    """One parameter's moments: known names, the parameter's shape (a step: one number)."""
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(shapes):
        raise Untrusted("the optimizer in its model.pt names a parameter the model lacks")
    if not isinstance(moments, dict) or not set(moments) <= set(MOMENTS):
        raise Untrusted("the optimizer in its model.pt holds unknown moments")
    for name, value in moments.items():
        shape = () if name == "step" else shapes[index]
        if not isinstance(value, torch.Tensor) or tuple(value.shape) != shape:
            raise Untrusted("the optimizer's moments in its model.pt do not fit the model")


def _same_kind(reference, value, what: str) -> None:
    """Untrusted unless `value` has `reference`'s structure: the same keys, lengths, and kinds
    of leaves (numbers, flags, texts)."""
    if isinstance(reference, dict):
        if not isinstance(value, dict) or set(value) != set(reference):
            raise Untrusted(f"the {what} in its model.pt is not this app's")
        for key in reference:
            _same_kind(reference[key], value[key], what)
    elif isinstance(reference, list | tuple):
        if not isinstance(value, list | tuple) or len(value) != len(reference):
            raise Untrusted(f"the {what} in its model.pt is not this app's")
        for ref, item in zip(reference, value, strict=True):
            _same_kind(ref, item, what)
    elif _kind(reference) != _kind(value):
        raise Untrusted(f"the {what} in its model.pt is not this app's")


def _kind(value) -> str:
    if isinstance(value, bool) or value is None:
        return "flag"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__
