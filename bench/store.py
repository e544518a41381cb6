"""What keeping a run in the store costs its training: the Trainer alone against the Trainer whose
every step's rows go to a StoreListener (flushed each second to SQLite by its writer thread, the
weights and optimizer state saved every 5 s), in one process, so that the writer competes with
the training for the interpreter (in the app the training has a process of its own)."""

from __future__ import annotations

import tempfile
import time

from bench.loops import SEQ_LEN, interleaved_rates
from rnn_core.datasets.prepare import prepare_series
from rnn_core.datasets.sine import SineConfig, make_sine
from rnn_core.models import ModelConfig, build_model
from rnn_core.runs import open_store
from rnn_core.runs.listener import StoreListener
from rnn_core.training.trainer import TrainConfig, Trainer

CHECKPOINT_EVERY_S = 5.0  # as the runtime sends them


def _trainer(cell: str, hidden: int) -> Trainer:
    data = prepare_series(make_sine(SineConfig()), seq_len=SEQ_LEN)
    model = build_model(ModelConfig(cell=cell, hidden_size=hidden), 0)
    trainer = Trainer(model, data, TrainConfig(batch_size=64, max_steps=10**9))
    trainer.begin()
    return trainer


def store_cost(cell: str, hidden: int, seconds: float) -> tuple[float, float, float]:
    """(Trainer alone, Trainer kept in the store) steps per second, measured interleaved, and
    the writer's own work (its flushes) as a fraction of the time the kept Trainer ran: on a
    busy machine the rates drift by more than the store costs, its work does not."""
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
        listener = StoreListener(store, run.id)  # the real format: state_to_bytes
        listener.state_changed("training", "")
        sent, last_checkpoint, writing = 0, time.monotonic(), [0.0]
        flush = listener.flush

        def timed_flush() -> None:
            started = time.perf_counter()
            flush()
            writing[0] += time.perf_counter() - started

        listener.flush = timed_flush

        def kept_step() -> None:
            nonlocal sent, last_checkpoint
            kept.step()
            rows = kept.history.rows_since(sent)
            sent += len(rows)
            listener.rows(rows)
            if time.monotonic() - last_checkpoint > CHECKPOINT_EVERY_S:
                listener.checkpoint(kept.training_state(seed=0))
                last_checkpoint = time.monotonic()

        rates = interleaved_rates({"alone": alone.step, "kept": kept_step}, seconds)
        share = writing[0] / (sent / rates["kept"])  # writer seconds per second of training
        listener.state_changed("stopped", "")
        listener.close()
        store.close()
    return rates["alone"], rates["kept"], share
