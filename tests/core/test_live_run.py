"""LiveRun: one training path in a process of its own: pause, resume, stop, step, heartbeat,
queue, continue, and the same curve as a plain loop."""

import time

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_core.live.child import train_to_end
from rnn_core.live.reports import steps_per_second
from rnn_core.live.run import LiveRun
from rnn_core.live.slots import Slots, active_runners
from rnn_core.live.spec import RunSpec
from rnn_core.live.states import RunState
from rnn_core.models import ModelConfig, build_model
from rnn_core.training.trainer import TrainConfig, Trainer
from tests.waiting import run_to_end, wait_until


def spec_for(data, steps=100_000, **train):
    return RunSpec(data, ModelConfig(hidden_size=8), TrainConfig(max_steps=steps, **train), seed=0)


def make_run(data, steps=100_000, **kwargs):
    kwargs.setdefault("slots", Slots(1))
    return LiveRun(spec_for(data, steps), **kwargs)


def plain_loop(data, steps):
    trainer = Trainer(
        build_model(ModelConfig(hidden_size=8), 0), data, TrainConfig(max_steps=steps)
    )
    trainer.run()
    return trainer


COLUMNS = ["step", "loss", "val_loss", "grad_norm", "lr"]


def test_a_short_run_finishes_with_its_history_and_preview(small_sine_data):
    run = make_run(small_sine_data, steps=30)
    assert run.start()
    run_to_end(run)
    snap = run.snapshot()
    assert snap.state == RunState.FINISHED and snap.steps_done == 30
    assert snap.history["step"].tolist() == list(range(1, 31))
    assert snap.preview is not None and snap.device == "CPU"


def test_the_same_curve_in_a_process_as_in_a_plain_loop(small_sine_data):
    run = make_run(small_sine_data, steps=60)
    run.start()
    run_to_end(run)
    alone = plain_loop(small_sine_data, 60)
    assert run.history.frame()[COLUMNS].equals(alone.history.frame()[COLUMNS])
    _, weights = run.current_weights()
    assert all(torch.equal(weights[k], v) for k, v in alone.model.state_dict().items())


def test_train_to_end_runs_the_same_loop_in_this_process(small_sine_data):
    reports = []
    final = train_to_end(spec_for(small_sine_data, 60), report=reports.append)
    alone = plain_loop(small_sine_data, 60)
    assert final.steps_done == 60 and final.status == "finished"
    np.testing.assert_array_equal(final.history[:, :5], alone.history.rows_since(0)[:, :5])
    assert {kind for kind, *_ in reports} >= {"rows", "weights", "state", "device"}


def test_start_after_an_end_continues_exactly_as_one_run(small_sine_data):
    """Weights, optimizer moments and batch order travel in the state: two runs of 30 steps
    give the curve of one run of 60."""
    run = make_run(small_sine_data, steps=30)
    run.start()
    run_to_end(run)
    run.start()
    run_to_end(run)
    assert run.steps_done == 60
    alone = plain_loop(small_sine_data, 60)
    frame = run.history.frame()
    assert frame["step"].tolist() == list(range(1, 61))
    np.testing.assert_allclose(frame["loss"], alone.history.frame()["loss"], rtol=1e-6)


def test_pause_holds_the_step_count_and_resume_continues(small_sine_data):
    run = make_run(small_sine_data)
    run.start()
    wait_until(lambda: run.steps_done > 3)
    run.pause()
    assert run.state == RunState.PAUSED
    held = run.steps_done
    time.sleep(0.3)
    assert run.steps_done == held
    run.step_once()
    assert run.steps_done == held + 1
    run.resume()
    wait_until(lambda: run.steps_done > held + 3)
    run.stop()
    run.stop()  # a second Stop is harmless
    assert not run.active and run.state == RunState.STOPPED
    assert "weights are kept" in run.message


def test_a_pause_pressed_just_after_start_is_never_lost(small_sine_data):
    """Pause at every moment of a start (queued, the process being started, training): the run
    ends up paused each time, whichever moment the pause fell in."""
    for delay in (0.0, 0.001, 0.005, 0.02, 0.05, 0.1):
        run = make_run(small_sine_data)
        run.start()
        time.sleep(delay)
        run.pause()
        # polled as a page polls it (a heartbeat each time), however slow the process starts
        wait_until(
            lambda run=run: run.heartbeat() or run.state == RunState.PAUSED,
            timeout=120,
            what="the pause",
        )
        run.stop()
        assert not run.active


def test_start_while_training_changes_nothing(small_sine_data):
    run = make_run(small_sine_data)
    run.start()
    thread = run._thread
    assert not run.start()
    assert run._thread is thread
    run.stop()


def test_step_once_without_a_run_takes_exactly_one_step(small_sine_data):
    run = make_run(small_sine_data)
    run.step_once()
    run.step_once()
    assert run.steps_done == 2 and not run.active
    assert "step 2" in run.message


def test_a_start_after_a_step_runs_its_whole_length(small_sine_data):
    run = make_run(small_sine_data, steps=20)
    run.step_once()
    assert run.config.max_steps == 20
    run.start()
    run_to_end(run)
    assert run.state == RunState.FINISHED and run.steps_done == 21


def test_a_lost_heartbeat_ends_the_run(small_sine_data):
    run = make_run(small_sine_data, heartbeat_timeout=0.3)
    run.start()
    wait_until(lambda: not run.active)
    assert run.state == RunState.STOPPED and "closed tab" in run.message
    assert run.latest_state() is not None  # resumable from where it stopped


def test_heartbeats_keep_it_going(small_sine_data):
    run = make_run(small_sine_data, heartbeat_timeout=0.3)
    run.start()
    for _ in range(8):
        time.sleep(0.1)
        run.heartbeat()
    assert run.active
    run.stop()


def one_training_one_queued(data, second_steps=100_000):
    """Two runs sharing one slot: the first training, the second waiting for it."""
    slots = Slots(1)
    first = make_run(data, slots=slots)
    second = make_run(data, steps=second_steps, slots=slots)
    first.start()
    wait_until(lambda: first.state == RunState.TRAINING)
    second.start()
    wait_until(lambda: slots.position(second) == 1)
    return first, second


def test_queue_when_slots_are_taken(small_sine_data):
    first, second = one_training_one_queued(small_sine_data, second_steps=5)
    snap = second.snapshot()
    assert snap.state == RunState.QUEUED and snap.queue_position == 1 and snap.steps_done == 0
    first.stop()
    run_to_end(second)
    assert second.state == RunState.FINISHED and second.steps_done == 5


def test_active_runners_counts_training_and_queued_until_they_end(small_sine_data):
    wait_until(lambda: active_runners() == 0)  # runs of earlier tests end with their heartbeat
    first, second = one_training_one_queued(small_sine_data)
    assert active_runners() == 2  # one training, one queued
    first.stop()
    second.stop()
    wait_until(lambda: active_runners() == 0)


def test_stop_while_queued(small_sine_data):
    first, second = one_training_one_queued(small_sine_data)
    second.stop()
    assert not second.active and second.state == RunState.STOPPED
    first.stop()


def test_an_error_in_the_training_process_becomes_a_sentence(small_sine_data):
    run = LiveRun(spec_for(small_sine_data, 30, truncated_bptt=True), slots=Slots(1))
    run.start()
    run_to_end(run)
    assert run.state == RunState.FAILED and "Truncated BPTT is for text" in run.message


def test_weight_snapshots_stay_bounded(small_sine_data):
    run = make_run(small_sine_data, steps=400)
    run.snapshots.every, run.snapshots.capacity = 25, 5
    run.start()
    run_to_end(run)
    items = run.snapshots.items()
    every = run.snapshots.every
    assert len(items) <= 5 and every > 25  # thinned at least once
    assert [step for step, _ in items] == list(range(0, 401, every))


def test_current_weights_are_the_trained_ones_with_their_step(small_sine_data):
    run = make_run(small_sine_data)
    _, initial = run.current_weights()
    run.start()
    wait_until(lambda: run.steps_done > 30)
    run.pause()
    wait_until(lambda: run.current_weights()[0] == run.steps_done > 30)
    _, weights = run.current_weights()
    assert any(not torch.equal(weights[k], initial[k]) for k in weights)
    run.stop()
    final_step, final = run.current_weights()
    assert final_step == run.steps_done == run.latest_state().steps_done
    assert all(torch.equal(final[k], v) for k, v in run.latest_state().weights.items())


def test_every_state_change_reaches_the_listener(small_sine_data):
    seen = []

    class Listener:
        def rows(self, rows):
            seen.append(("rows", len(rows)))

        def checkpoint(self, state):
            seen.append(("checkpoint", state.steps_done))

        def state_changed(self, state, message):
            seen.append(("state", state))

    run = LiveRun(spec_for(small_sine_data, 20), Listener(), slots=Slots(1))
    run.start()
    run_to_end(run)
    states = [s for kind, s in seen if kind == "state"]
    assert states[0] == RunState.QUEUED and states[-1] == RunState.FINISHED
    assert RunState.TRAINING in states
    assert sum(n for kind, n in seen if kind == "rows") == 20
    assert ("checkpoint", 20) in seen


def test_wait_for_progress_returns_once_a_step_is_reported(small_sine_data):
    run = make_run(small_sine_data)
    run.start()
    assert run.wait_for_progress(0, timeout=20.0)
    assert run.steps_done >= 1 and len(run.history) >= 1
    run.stop()


def test_wait_for_progress_gives_up_at_its_timeout_while_queued(small_sine_data):
    first, second = one_training_one_queued(small_sine_data)
    assert not second.wait_for_progress(0, timeout=0.3)
    second.stop()
    first.stop()
    assert not second.wait_for_progress(0, timeout=5.0)  # ended without a step


def test_steps_per_second_is_recent_steps_over_training_time():
    frame = pd.DataFrame({"step": np.arange(1.0, 201.0), "seconds": np.arange(1.0, 201.0) / 40})
    assert steps_per_second(frame) == pytest.approx(40.0)  # 40 steps per second of training
    assert steps_per_second(frame.iloc[:1]) == 0.0
