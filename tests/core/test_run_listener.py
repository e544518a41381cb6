"""StoreListener: what a run reports reaches the store, in order, off the run's thread."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

import numpy as np
import pytest
import torch

from rnn_core.runs import open_store
from rnn_core.runs.listener import StoreListener
from tests.waiting import wait_until


@dataclass
class FakeState:
    """What the listener reads of a TrainingState."""

    steps_done: int
    weights: dict


def encode(state: FakeState) -> bytes:
    buffer = io.BytesIO()
    torch.save({"steps_done": state.steps_done, "weights": state.weights}, buffer)
    return buffer.getvalue()


def history_rows(start, stop):
    steps = np.arange(start, stop, dtype=float)
    return np.column_stack([steps, 1 / steps, np.full_like(steps, np.nan), steps, steps, steps])


@pytest.fixture
def store(store_location):
    opened = open_store(store_location)
    yield opened
    opened.close()


def new_run(store):
    return store.create_run(
        "alice", name="n", source="Sine waves", cell="GRU", parameters=10, seed=1, settings={}
    )


def test_a_run_reaches_the_store_in_order(store):
    run = new_run(store)
    listener = StoreListener(store, run.id, flush_interval=0.05, encode=encode)
    listener.state_changed("training", "")
    for start in range(1, 100, 10):
        listener.rows(history_rows(start, start + 10))
    listener.checkpoint(FakeState(100, {"w": torch.ones(2, 2)}))
    listener.state_changed("finished", "Finished after 100 steps.")
    listener.close()
    record = store.get(run.id)
    assert (record.state, record.steps, record.checkpoint_step) == ("finished", 100, 100)
    np.testing.assert_array_equal(store.history(run.id).to_numpy(), history_rows(1, 101))
    saved = torch.load(io.BytesIO(store.state_bytes(run.id)), weights_only=True)
    assert saved["steps_done"] == 100 and torch.equal(saved["weights"]["w"], torch.ones(2, 2))
    ((step, snapshot),) = store.snapshots(run.id)
    assert step == 100 and torch.load(io.BytesIO(snapshot), weights_only=True)["step"] == 100


def test_the_runs_thread_never_writes(store):
    run = new_run(store)
    listener = StoreListener(store, run.id, flush_interval=0.05, encode=encode)
    writers: set[str] = set()
    append_rows = store.append_rows

    def spied(*args):
        writers.add(threading.current_thread().name)
        append_rows(*args)

    store.append_rows = spied
    listener.rows(history_rows(1, 5))
    wait_until(lambda: store.get(run.id).steps == 4)
    assert writers == {"run-store"}
    listener.state_changed("stopped", "")
    listener.close()


def test_a_state_change_is_written_at_once(store):
    run = new_run(store)
    listener = StoreListener(store, run.id, flush_interval=60.0, encode=encode)
    listener.state_changed("paused", "Paused at step 3.")
    wait_until(lambda: store.get(run.id).state == "paused")
    listener.state_changed("stopped", "")
    listener.close()


def test_a_failed_write_is_said_and_retried(store):
    run = new_run(store)
    listener = StoreListener(store, run.id, flush_interval=0.05, encode=encode)
    append_rows, failures = store.append_rows, []

    def failing_once(*args):
        if not failures:
            failures.append(1)
            raise OSError("disk full")
        append_rows(*args)

    store.append_rows = failing_once
    listener.rows(history_rows(1, 4))
    wait_until(lambda: failures and store.get(run.id).steps == 3)
    listener.state_changed("finished", "")
    listener.close()
    assert listener.problem is None and len(store.history(run.id)) == 3
