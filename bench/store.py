"""What keeping a run in the store costs its training: the Trainer alone against the Trainer whose
every step's rows go to a StoreListener (flushed each second to SQLite by its writer thread, the
weights and optimizer state saved every 5 s), in one process, so that the writer competes with
the training for the interpreter (in the app the training has a process of its own)."""

from __future__ import annotations

import io
import tempfile
import time

import torch

from bench.loops import SEQ_LEN, interleaved_rates
from rnn_core.datasets.prepare import prepare_series
from rnn_core.datasets.sine import SineConfig, make_sine
from rnn_core.models import ModelConfig, build_model
from rnn_core.runs import open_store
from rnn_core.runs.listener import StoreListener
from rnn_core.training.trainer import TrainConfig, Trainer

CHECKPOINT_EVERY_S = 5.0  # as the runtime sends them


class _Checkpoint:
    """What the listener reads of a training state: the step, the weights and the optimizer."""

    def __init__(self, trainer: Trainer) -> None:
        self.steps_done = trainer.steps_done
        self.weights = {k: v.detach().clone() for k, v in trainer.model.state_dict().items()}
        self.optimizer = trainer.optimizer.state_dict()


def _encode(state: _Checkpoint) -> bytes:
    buffer = io.BytesIO()
    torch.save({"weights": state.weights, "optimizer": state.optimizer}, buffer)
    return buffer.getvalue()


def _trainer(cell: str, hidden: int) -> Trainer:
    data = prepare_series(make_sine(SineConfig()), seq_len=SEQ_LEN)
    model = build_model(ModelConfig(cell=cell, hidden_size=hidden), 0)
    trainer = Trainer(model, data, TrainConfig(batch_size=64, max_steps=10**9))
    trainer.begin()
    return trainer


def store_cost(cell: str, hidden: int, seconds: float) -> tuple[float, float]:
    """(Trainer alone, Trainer kept in the store) steps per second, measured interleaved."""
    alone, kept = _trainer(cell, hidden), _trainer(cell, hidden)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(folder)
        run = store.create_run(
            "bench",
            name="bench",
            source="Sine waves",
            cell=cell,
            parameters=0,
            seed=0,
            settings={},
        )
        listener = StoreListener(store, run.id, encode=_encode)
        listener.state_changed("training", "")
        sent, last_checkpoint = 0, time.monotonic()

        def kept_step() -> None:
            nonlocal sent, last_checkpoint
            kept.step()
            rows = kept.history.rows_since(sent)
            sent += len(rows)
            listener.rows(rows)
            if time.monotonic() - last_checkpoint > CHECKPOINT_EVERY_S:
                listener.checkpoint(_Checkpoint(kept))
                last_checkpoint = time.monotonic()

        rates = interleaved_rates({"alone": alone.step, "kept": kept_step}, seconds)
        listener.state_changed("stopped", "")
        listener.close()
        store.close()
    return rates["alone"], rates["kept"]
