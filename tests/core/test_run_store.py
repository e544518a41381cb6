"""The run store on SQLite and on a real PostgreSQL: the same tests for both."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch

from rnn_core.runs import open_store
from rnn_core.runs.files import write_atomically
from rnn_core.runs.store import SNAPSHOTS_KEPT

NAN = float("nan")


def new_run(store, owner="alice", **changes):
    values = dict(
        name="LSTM on sine",
        source="Sine waves",
        cell="LSTM",
        parameters=4545,
        seed=0,
        settings={"cell": "LSTM", "seed": 0, "hidden": 32},
    )
    return store.create_run(owner, **{**values, **changes})


def rows(start, stop, val_every=5):
    """History rows (step, loss, val_loss, grad_norm, lr, seconds), validation every 5 steps."""
    steps = np.arange(start, stop, dtype=float)
    val = np.where(steps % val_every == 0, 1.0 / steps, np.nan)
    return np.column_stack([steps, 2.0 / steps, val, steps * 0.1, np.full_like(steps, 1e-3), steps])


def state_bytes(step):
    buffer = io.BytesIO()
    torch.save({"step": step, "weights": {"w": torch.full((3, 2), float(step))}}, buffer)
    return buffer.getvalue()


@pytest.fixture
def store(store_location):
    opened = open_store(store_location)
    yield opened
    opened.close()


def test_a_run_is_listed_for_its_owner_only(store):
    run = new_run(store)
    assert run.state == "queued" and run.steps == 0 and run.best_val is None
    assert [r.id for r in store.runs("alice")] == [run.id]
    assert store.runs("bob") == []
    assert store.get(run.id, owner="bob") is None
    assert store.get(run.id, owner="alice").settings == {"cell": "LSTM", "seed": 0, "hidden": 32}


def test_history_round_trips_with_its_gaps(store):
    run = new_run(store)
    store.append_rows(run.id, rows(1, 11))
    store.append_rows(run.id, rows(11, 21))
    frame = store.history(run.id)
    np.testing.assert_array_equal(frame.to_numpy(), rows(1, 21))  # NaN where no validation
    record = store.get(run.id)
    assert record.steps == 20 and record.best_val == pytest.approx(1 / 20)


def test_a_resumed_run_replaces_the_steps_after_its_checkpoint(store):
    run = new_run(store)
    store.append_rows(run.id, rows(1, 31))
    store.truncate_history(run.id, 20)
    assert store.get(run.id).steps == 20
    again = rows(21, 26)
    again[:, 1] = 7.0
    store.append_rows(run.id, again)
    frame = store.history(run.id)
    assert len(frame) == 25 and (frame["loss"].iloc[20:] == 7.0).all()


def test_states_and_stale_runs_become_interrupted(store):
    live, done = new_run(store), new_run(store)
    store.set_state(live.id, "training")
    store.set_state(done.id, "finished", "Finished after 20 steps.")
    assert store.interrupt_stale(3600.0, "The server stopped.") == 0  # touched just now
    assert store.interrupt_stale(0.0, "The server stopped.") == 1
    assert store.get(live.id).state == "interrupted"
    assert store.get(live.id).message == "The server stopped."
    assert store.get(done.id).state == "finished"


def test_weights_are_files_that_load_weights_only(store):
    run = new_run(store)
    store.save_state(run.id, 10, state_bytes(10), weights=state_bytes(10))
    store.save_state(run.id, 20, state_bytes(20), weights=state_bytes(20))
    loaded = torch.load(io.BytesIO(store.state_bytes(run.id)), weights_only=True)
    assert loaded["step"] == 20
    assert [step for step, _ in store.snapshots(run.id)] == [10, 20]
    record = store.get(run.id)
    assert record.checkpoint_step == 20 and record.file_bytes == 3 * len(state_bytes(20))


def test_snapshots_are_thinned_keeping_the_first_and_last(store):
    run = new_run(store)
    for step in range(1, SNAPSHOTS_KEPT + 2):
        store.save_state(run.id, step, state_bytes(step), weights=state_bytes(step))
    steps = [step for step, _ in store.snapshots(run.id)]
    assert len(steps) <= SNAPSHOTS_KEPT and steps[0] == 1 and steps[-1] == SNAPSHOTS_KEPT + 1
    folder = store.files_root / run.id
    assert len(list(folder.glob("weights-*.pt"))) == len(steps)


def test_rename_delete_and_usage(store):
    kept, gone = new_run(store), new_run(store)
    store.append_rows(gone.id, rows(1, 11))
    store.save_state(gone.id, 10, state_bytes(10), weights=state_bytes(10))
    store.rename("bob", kept.id, "stolen")  # not bob's: nothing happens
    store.rename("alice", kept.id, "first try")
    assert store.get(kept.id).name == "first try"
    usage = store.usage("alice")
    assert usage.runs == 2 and usage.megabytes > 0
    store.delete("bob", gone.id)
    assert store.get(gone.id) is not None
    store.delete("alice", gone.id)
    assert store.get(gone.id) is None and store.history(gone.id).empty
    assert not (store.files_root / gone.id).exists()
    assert store.usage("alice").runs == 1


def test_a_shared_run_opens_with_its_token_only(store):
    run = new_run(store)
    assert store.shared(run.id, "") is None
    token = store.share("alice", run.id)
    assert store.share("alice", run.id) == token
    assert store.shared(run.id, token).id == run.id
    assert store.shared(run.id, token + "x") is None
    with pytest.raises(KeyError):
        store.share("bob", run.id)


def test_a_restart_finds_everything(store_location):
    first = open_store(store_location)
    run = new_run(first, sweep="sweep-1")
    first.append_rows(run.id, rows(1, 6))
    first.close()
    again = open_store(store_location)
    assert again.get(run.id).sweep == "sweep-1" and len(again.history(run.id)) == 5
    again.close()


def test_a_write_that_fails_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "state.pt"
    write_atomically(path, b"old")

    def killed(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", killed)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, b"new, half written")
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["state.pt"]
