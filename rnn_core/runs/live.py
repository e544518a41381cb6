"""Live runs and stored runs joined: a new LiveRun's record and listener, the live run behind a
stored one (a reloaded page re-attaches to it), and a stored run made live again (opened as the
session's model, or resumed from its last save)."""

from __future__ import annotations

import io
import uuid
from dataclasses import asdict

import torch

from rnn_core.datasets.prepare import PreparedData
from rnn_core.live import registry
from rnn_core.live.run import LiveRun
from rnn_core.live.snapshots import WeightSnapshots
from rnn_core.live.spec import RunSpec
from rnn_core.models import ModelConfig, count_parameters
from rnn_core.runs.compare import origin_setting, run_settings
from rnn_core.runs.listener import StoreListener
from rnn_core.runs.naming import default_name
from rnn_core.runs.store import RunRecord, RunStore
from rnn_core.training.state import state_from_bytes

CELL_LABELS = {"lstm": "LSTM", "gru": "GRU"}
NO_WEIGHTS = "This run has no saved weights yet (it stopped before its first save): start it anew."
HERE = "This run is training on this server: it is on 2 · Train of the browser that started it."


def cell_label(config: ModelConfig) -> str:
    """The cell as the pages name it: LSTM, GRU, RNN (tanh), RNN (relu)."""
    return CELL_LABELS.get(config.cell, f"RNN ({config.nonlinearity})")


def store_listener(
    store: RunStore,
    owner: str,
    spec: RunSpec,
    source: str,
    link: dict,
    sweep: str | None = None,
    kind: str = "train",
) -> StoreListener:
    """The listener that keeps a new run of `owner` in the store; its record is made when the
    run first reports (a run built but never started leaves nothing). `link`: the link of the
    run's own settings; `kind`: the page that started it, `sweep` its sweep or comparison."""
    config = spec.model_config
    fields = dict(
        name=default_name(
            cell_label(config), config.hidden_sizes, spec.train_config.learning_rate, spec.seed
        ),
        source=source,
        cell=cell_label(config),
        parameters=count_parameters(config),
        seed=spec.seed,
        settings=_with_recordings(
            run_settings(
                link,
                asdict(config),
                asdict(spec.train_config),
                spec.seed,
                origin=origin_setting(kind, sweep),
                device=spec.device,
            ),
            spec,
        ),
        sweep=sweep,
    )
    run_id = uuid.uuid4().hex
    return StoreListener(
        store, run_id, create=lambda: store.create_run(owner, run_id=run_id, **fields)
    )


def _with_recordings(settings: dict, spec: RunSpec) -> dict:
    """The settings, with the recordings of a set (name and fingerprint per role) when the run
    trains on one: what it trained on, validated and was tested on."""
    fingerprint = getattr(spec.data.meta, "fingerprint", None)
    return {**settings, "recordings": fingerprint()} if callable(fingerprint) else settings


def live_run_of(run_id: str) -> LiveRun | None:
    """The live run of this server that keeps the stored run `run_id`, None when none does."""
    for run in registry.live_runs():
        if getattr(run.listener, "run_id", None) == run_id:
            return run
    return None


def reopened_run(store: RunStore, record: RunRecord, data: PreparedData, device: str) -> LiveRun:
    """A LiveRun (not started) holding the stored run's last save: its model, history and
    snapshots; Start continues it, and what it reports goes to the same stored run, which this
    server then trains. ValueError (a sentence) when it has no save, the save does not fit
    `data`, or the run is training (here, or on another live server: `RunElsewhere`)."""
    live = live_run_of(record.id)
    if live is not None and live.active:
        raise ValueError(HERE)
    store.claim(record.id)  # from now on only this server writes the run
    saved = store.state_bytes(record.id)
    if saved is None:
        raise ValueError(NO_WEIGHTS)
    state = state_from_bytes(saved)
    config = state.model_config
    reads = config.vocab_size if config.vocab_size is not None else config.input_size
    if (reads, config.output_size, config.task_shape) != (
        data.input_size,
        data.output_size,
        data.task_shape,
    ):
        raise ValueError(
            "This run's model does not fit the data now chosen (its inputs, outputs or task "
            "shape differ): choose the run's data on 1 · Data, then open it again."
        )
    store.truncate_history(record.id, state.steps_done)  # rows after the save are redone
    spec = RunSpec(data, state.model_config, state.train_config, state.seed, device, resume=state)
    run = LiveRun(spec, StoreListener(store, record.id))
    stored = [
        (step, torch.load(io.BytesIO(data), weights_only=True)["weights"])
        for step, data in store.snapshots(record.id)
    ]
    run.snapshots = WeightSnapshots.restored(stored + run.snapshots.items())
    return run
