"""Runner: training beside the page (in a process or a thread): pause, resume, stop, step,
heartbeat, queue."""

import time

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_core.live.runner import Slots, TrainingRunner, _rate
from rnn_core.live.slots import active_runners
from rnn_core.models import ModelConfig, build_model
from rnn_core.training.trainer import TrainConfig, Trainer

MODE = {"use_process": True}  # the runner tests run once per mode (see the fixture below)


@pytest.fixture(autouse=True, params=["process", "thread"])
def mode(request):
    MODE["use_process"] = request.param == "process"
    return request.param


def make_runner(data, steps=100_000, **kwargs):
    model = build_model(ModelConfig(hidden_size=8), 0)
    trainer = Trainer(model, data, TrainConfig(max_steps=steps))
    kwargs.setdefault("slots", Slots(1))
    kwargs.setdefault("use_process", MODE["use_process"])
    return TrainingRunner(trainer, **kwargs)


def seen(model):
    """A preview that can cross into a training process."""
    return "seen"


def broken_preview(model):
    """A preview that fails wherever training runs (thread or process)."""
    raise RuntimeError("preview exploded")


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_a_short_run_finishes_with_its_history(small_sine_data):
    runner = make_runner(small_sine_data, steps=30, preview=seen)
    assert runner.start()
    wait_for(lambda: not runner.active)
    snap = runner.snapshot()
    assert snap.state == "finished" and snap.steps_done == 30
    assert snap.history["step"].tolist() == list(range(1, 31))
    assert snap.preview == "seen"


def test_pause_holds_the_step_count_and_resume_continues(small_sine_data):
    runner = make_runner(small_sine_data)
    runner.start()
    wait_for(lambda: runner.trainer.steps_done > 3)
    runner.pause()
    time.sleep(0.1)  # let the step in flight land
    held = runner.trainer.steps_done
    time.sleep(0.3)
    assert runner.trainer.steps_done == held and runner.state == "paused"
    runner.step_once()
    assert runner.trainer.steps_done == held + 1
    runner.resume()
    wait_for(lambda: runner.trainer.steps_done > held + 3)
    runner.stop()
    runner.stop()  # a second Stop is harmless
    assert not runner.active and runner.state == "stopped"
    assert "weights are kept" in runner.message


def test_start_while_training_changes_nothing(small_sine_data):
    runner = make_runner(small_sine_data)
    runner.start()
    thread = runner._thread
    assert not runner.start()
    assert runner._thread is thread
    runner.stop()


def test_step_once_without_a_run_takes_exactly_one_step(small_sine_data):
    runner = make_runner(small_sine_data)
    runner.step_once()
    runner.step_once()
    assert runner.trainer.steps_done == 2 and not runner.active
    assert "step 2" in runner.message


def test_a_lost_heartbeat_ends_the_thread(small_sine_data):
    runner = make_runner(small_sine_data, heartbeat_timeout=0.3)
    runner.start()
    wait_for(lambda: not runner.active, timeout=10)
    assert runner.state == "stopped" and "closed tab" in runner.message


def test_heartbeats_keep_it_going(small_sine_data):
    runner = make_runner(small_sine_data, heartbeat_timeout=0.3)
    runner.start()
    for _ in range(8):
        time.sleep(0.1)
        runner.heartbeat()
    assert runner.active
    runner.stop()


def test_queue_when_slots_are_taken(small_sine_data):
    slots = Slots(1)
    first = make_runner(small_sine_data, slots=slots)
    second = make_runner(small_sine_data, steps=5, slots=slots)
    first.start()
    wait_for(lambda: first.state == "running")
    second.start()
    wait_for(lambda: slots.position(second) == 1)
    assert second.snapshot().state == "queued" and second.snapshot().queue_position == 1
    assert second.trainer.steps_done == 0
    first.stop()
    wait_for(lambda: not second.active)
    assert second.state == "finished" and second.trainer.steps_done == 5


def test_active_runners_counts_running_and_queued_until_they_end(small_sine_data):
    wait_for(lambda: active_runners() == 0)  # runners of earlier tests end with their heartbeat
    slots = Slots(1)
    first, second = (make_runner(small_sine_data, slots=slots) for _ in range(2))
    first.start()
    second.start()
    wait_for(lambda: slots.position(second) == 1)
    assert active_runners() == 2  # one training, one queued
    first.stop()
    second.stop()
    wait_for(lambda: active_runners() == 0)  # each ends after its current step


def test_an_internal_error_becomes_a_sentence(small_sine_data):
    runner = make_runner(small_sine_data, preview=broken_preview)
    runner.start()
    wait_for(lambda: not runner.active)
    assert runner.state == "error" and "preview exploded" in runner.message


def test_weight_snapshots_stay_bounded(small_sine_data):
    runner = make_runner(small_sine_data, steps=400)
    runner.snapshots.every, runner.snapshots.capacity = 5, 10
    runner.start()
    wait_for(lambda: not runner.active)
    items = runner.snapshots.items()
    every = runner.snapshots.every
    assert len(items) <= 10 and every > 5  # thinned at least once
    steps = [step for step, _ in items]
    assert steps == list(range(0, 401, every))  # evenly spaced, from the start to the newest


def one_running_one_queued(data):
    """Two runners sharing one slot: the first training, the second waiting for it."""
    slots = Slots(1)
    first, second = make_runner(data, slots=slots), make_runner(data, slots=slots)
    first.start()
    wait_for(lambda: first.state == "running")
    second.start()
    wait_for(lambda: slots.position(second) == 1)
    return first, second


def test_stop_while_queued(small_sine_data):
    first, second = one_running_one_queued(small_sine_data)
    second.stop()
    assert not second.active and second.state == "stopped"
    first.stop()


def test_the_same_curve_in_a_process_as_in_a_plain_loop(small_sine_data, mode):
    runner = make_runner(small_sine_data, steps=60)
    runner.start()
    wait_for(lambda: not runner.active)
    alone = Trainer(
        build_model(ModelConfig(hidden_size=8), 0), small_sine_data, TrainConfig(max_steps=60)
    )
    alone.run()
    columns = ["step", "loss", "val_loss", "grad_norm", "lr"]
    assert runner.trainer.history.frame()[columns].equals(alone.history.frame()[columns])
    for a, b in zip(runner.trainer.model.parameters(), alone.model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_start_after_stop_continues_in_a_new_process(small_sine_data):
    runner = make_runner(small_sine_data, steps=20)
    runner.start()
    wait_for(lambda: not runner.active)
    runner.start()
    wait_for(lambda: not runner.active)
    assert runner.trainer.steps_done == 40
    assert runner.trainer.history.frame()["step"].tolist() == list(range(1, 41))


def test_steps_per_second_is_recent_steps_over_training_time():
    frame = pd.DataFrame({"step": np.arange(1.0, 201.0), "seconds": np.arange(1.0, 201.0) / 40})
    assert _rate(frame) == pytest.approx(40.0)  # 40 steps per second of training time
    assert _rate(frame.iloc[:1]) == 0.0


def test_current_weights_are_the_trained_ones_with_their_step(small_sine_data):
    """While training runs in a process, this process's model is the one it started from: the
    weights a page reads must be those the training last reported, with their own step."""
    runner = make_runner(small_sine_data)
    _, initial = runner.current_weights()
    runner.start()
    wait_for(lambda: runner.trainer.steps_done > 30)
    runner.pause()
    wait_for(lambda: runner.current_weights()[0] == runner.trainer.steps_done > 30)
    step, weights = runner.current_weights()
    changed = [name for name in weights if not torch.equal(weights[name], initial[name])]
    assert changed, "the weights read mid-training are still the initial ones"
    runner.stop()
    final_step, final = runner.current_weights()
    assert final_step == runner.trainer.steps_done >= step
    model = runner.trainer.model.state_dict()
    assert all(torch.equal(final[name], model[name]) for name in final)


def test_wait_for_progress_returns_once_a_step_is_reported(small_sine_data):
    runner = make_runner(small_sine_data)
    runner.start()
    assert runner.wait_for_progress(0, timeout=20.0)
    assert runner.trainer.steps_done >= 1 and len(runner.trainer.history) >= 1
    runner.stop()


def test_wait_for_progress_gives_up_at_its_timeout_while_queued(small_sine_data):
    first, second = one_running_one_queued(small_sine_data)
    started = time.monotonic()
    assert not second.wait_for_progress(0, timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 5.0
    second.stop()
    first.stop()
    started = time.monotonic()
    assert not second.wait_for_progress(0, timeout=5.0)  # ended without a step: no waiting
    assert time.monotonic() - started < 1.0
