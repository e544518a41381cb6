"""Live runs joined to stored runs: a record made at the first report, the live run behind a
stored one, and a stored run reopened from its last save."""

from __future__ import annotations

import pytest
import torch

from rnn_core.live.run import LiveRun
from rnn_core.live.spec import RunSpec
from rnn_core.models import ModelConfig
from rnn_core.runs import open_store
from rnn_core.runs.live import NO_WEIGHTS, cell_label, live_run_of, reopened_run, store_listener
from rnn_core.training.trainer import TrainConfig
from tests.waiting import run_to_end


@pytest.fixture
def store(tmp_path):
    opened = open_store(str(tmp_path / "runs"))
    yield opened
    opened.close()


def spec(data, steps=12, cell="gru"):
    config = ModelConfig(cell=cell, hidden_size=8, input_size=data.input_size)
    return RunSpec(data, config, TrainConfig(max_steps=steps, eval_every=5), seed=4)


def test_cell_labels():
    assert [cell_label(ModelConfig(cell=c)) for c in ("lstm", "gru", "rnn")] == [
        "LSTM",
        "GRU",
        "RNN (tanh)",
    ]
    assert cell_label(ModelConfig(cell="rnn", nonlinearity="relu")) == "RNN (relu)"


def test_a_run_is_recorded_when_it_first_reports_and_found_while_live(store, small_sine_data):
    run_spec = spec(small_sine_data)
    listener = store_listener(store, "alice", run_spec, "Sine waves", {"cell": ["GRU"]})
    run = LiveRun(run_spec, listener)
    assert store.runs("alice") == []  # built, never started: nothing kept
    assert live_run_of(listener.run_id) is run
    run.start()
    run_to_end(run)
    listener.close()
    (record,) = store.runs("alice")
    assert (record.name, record.cell, record.seed) == ("GRU 8 · lr 0.01 · seed 4", "GRU", 4)
    assert record.settings["link"] == {"cell": ["GRU"]} and record.state == "finished"
    assert record.steps == 12 and record.checkpoint_step == 12


def test_a_reopened_run_holds_the_last_save_and_continues_it(store, small_sine_data):
    run_spec = spec(small_sine_data)
    listener = store_listener(store, "alice", run_spec, "Sine waves", {})
    first = LiveRun(run_spec, listener)
    first.start()
    run_to_end(first)
    listener.close()
    (record,) = store.runs("alice")
    again = reopened_run(store, record, small_sine_data, "cpu")
    _, weights = first.current_weights()
    _, reopened = again.current_weights()
    assert all(torch.equal(weights[name], reopened[name]) for name in weights)
    assert [step for step, _ in again.snapshots.items()][-1] == 12
    again.start()
    run_to_end(again)
    again.listener.close()
    assert store.get(record.id).steps == 24 and len(store.history(record.id)) == 24


def test_a_run_without_a_save_or_with_other_data_cannot_reopen(store, small_sine_data, text_data):
    record = store.create_run(
        "alice", name="n", source="s", cell="GRU", parameters=1, seed=0, settings={}
    )
    with pytest.raises(ValueError, match="no saved weights"):
        reopened_run(store, record, small_sine_data, "cpu")
    assert NO_WEIGHTS.endswith(".")
    run_spec = spec(small_sine_data, steps=2)
    listener = store_listener(store, "bob", run_spec, "Sine waves", {})
    run = LiveRun(run_spec, listener)
    run.start()
    run_to_end(run)
    listener.close()
    (trained,) = store.runs("bob")
    with pytest.raises(ValueError, match="does not fit the data"):
        reopened_run(store, trained, text_data, "cpu")
