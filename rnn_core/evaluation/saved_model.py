"""A saved IMU model's settings read back: checked by type, shape and size against what this
app writes (`imu_model_extra`) before any statistic is built, then the windows it is scored on."""

from __future__ import annotations

from dataclasses import dataclass

from rnn_core.bounds import MAX_VOCAB
from rnn_core.checkpoint import standardizer_from_dict
from rnn_core.datasets.imu.formats import CHANNELS, OPTIONAL
from rnn_core.datasets.imu.prepare import ImuTable, ImuTask, prepare_imu
from rnn_core.datasets.prepare import PreparedData
from rnn_core.datasets.windows import Standardizer
from rnn_core.evaluation.imu_truth import recording_fingerprint
from rnn_core.models import ModelConfig
from rnn_core.untrusted import Untrusted, a_dict, finite, text, texts, whole

COLUMNS = (*CHANNELS, *OPTIONAL)  # the names a task's inputs and targets may have
MAX_SEQ_LEN, MAX_HORIZON = 2000, 500  # the Data page's bounds of the window and the horizon
NOT_IMU = (
    "This model was not trained on an IMU recording (it has no IMU settings): save one "
    "from this page after training on an IMU recording."
)


@dataclass(frozen=True)
class SavedImuModel:
    """How a saved model reads a recording: its task, window, rate and fitted statistics."""

    task: ImuTask
    seq_len: int
    sample_rate: float
    fitted: tuple[Standardizer, Standardizer | None, tuple[str, ...]]
    attitude: str | None = None  # the attitude source its roll and pitch inputs came from
    trained_on: tuple[str, tuple[float, float, float], float | None] | None = None  # fingerprint,
    # fractions and test_at of the recording it trained on


def saved_imu_model(
    standardizer: Standardizer | None, extra: dict, config: ModelConfig | None = None
) -> SavedImuModel:
    """The IMU settings of a loaded checkpoint (fitting `config`'s inputs and outputs when
    given); ValueError with a sentence when it has none or they are damaged."""
    info = extra.get("imu") if isinstance(extra, dict) else None
    if not isinstance(info, dict):
        raise ValueError(NOT_IMU)
    try:
        saved = _saved(info, standardizer)
        if config is not None:
            _fits(saved, config)
    except (KeyError, Untrusted) as error:
        why = f"no {error}" if isinstance(error, KeyError) else str(error)
        raise ValueError(
            f"This model's IMU settings are damaged ({why}): save the model again."
        ) from None
    if not saved.task.classify and standardizer is None:
        raise ValueError("This forecasting model has no target statistics: save it again.")
    return saved


def _saved(info: dict, standardizer: Standardizer | None) -> SavedImuModel:
    """The settings, each checked before it is used (Untrusted or KeyError otherwise)."""
    task = _task(info)
    inputs = standardizer_from_dict(info["input_standardizer"], len(task.inputs))
    if (
        standardizer is not None
        and not task.classify
        and len(standardizer.mean) != len(task.targets)
    ):
        raise Untrusted("its target statistics do not match its targets")
    classes = texts(info["class_names"], "class_names", MAX_VOCAB)
    attitude = text(info["attitude"], "attitude", 40) if "attitude" in info else None
    return SavedImuModel(
        task,
        whole(info["seq_len"], "seq_len", 2, MAX_SEQ_LEN),
        finite(info["sample_rate"], "sample_rate (Hz)", 0.0, above=True),
        (inputs, standardizer, classes),
        attitude,
        _trained_on(info.get("trained_on")),
    )


def _task(info: dict) -> ImuTask:
    """Inputs and targets among the reader's column names, horizon, the task's two switches."""
    names = {}
    for what in ("inputs", "targets"):
        names[what] = texts(info[what], what, len(COLUMNS), 10)
        unknown = [name for name in names[what] if name not in COLUMNS]
        if unknown:
            raise Untrusted(f"{what} must be among {', '.join(COLUMNS)}")
    switches = {key: info[key] for key in ("classify", "predict_change")}
    if not all(isinstance(value, bool) for value in switches.values()):
        raise Untrusted("classify and predict_change must be true or false")
    if not names["inputs"] or not (names["targets"] or switches["classify"]):
        raise Untrusted("it needs at least one input and one target")
    horizon = whole(info["horizon"], "horizon", 0 if switches["classify"] else 1, MAX_HORIZON)
    return ImuTask(names["inputs"], names["targets"], horizon, **switches)


def _fits(saved: SavedImuModel, config: ModelConfig) -> None:
    """Untrusted when the model reads or writes another number of values than its settings."""
    outputs = len(saved.fitted[2]) if saved.task.classify else len(saved.task.targets)
    if config.vocab_size is not None or config.input_size != len(saved.task.inputs):
        raise Untrusted(f"the model reads {config.input_size} values, its inputs are other")
    if config.output_size != outputs:
        raise Untrusted(f"the model gives {config.output_size} values, its task needs {outputs}")


def _trained_on(info) -> tuple[str, tuple[float, float, float], float | None] | None:
    """(fingerprint, fractions, test_at) from a checkpoint's JSON, None when absent."""
    if info is None:
        return None
    info = a_dict(info, "trained_on")
    fractions = info["fractions"]
    if not isinstance(fractions, list | tuple) or len(fractions) != 3:
        raise Untrusted("the split needs three fractions")
    shares = tuple(finite(f, "each split fraction", 0.0) for f in fractions)
    if any(share > 1 for share in shares):
        raise Untrusted("each split fraction must be at most 1")
    test_at = None if info["test_at"] is None else finite(info["test_at"], "test_at", 0.0)
    return text(info["fingerprint"], "fingerprint", 200), shares, test_at


def trained_on_this(table: ImuTable, saved: SavedImuModel) -> bool:
    """True when the saved model trained on this very recording (its fingerprint matches)."""
    return saved.trained_on is not None and saved.trained_on[0] == recording_fingerprint(table)


def prepare_for_saved(
    table: ImuTable, saved: SavedImuModel, task_shape: str, device: str = "cpu"
) -> PreparedData:
    """The windows to score a saved model on, read with its own statistics: on the recording it
    trained on, only its test part (the same split); on any other, the whole recording."""
    fractions, test_at = (0.0, 0.0, 1.0), None
    if trained_on_this(table, saved):
        _, fractions, test_at = saved.trained_on
    return prepare_imu(
        table,
        saved.seq_len,
        saved.task,
        task_shape,
        fractions=fractions,
        device=device,
        fitted=saved.fitted,
        test_at=test_at,
    )
