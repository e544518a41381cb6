"""Experiment: Start continues, a new architecture or seed starts over, Rewind is fair; the
model is built only in the training process, this one holds what it reported."""

import numpy as np
import torch

from rnn_core.live.experiment import Experiment
from rnn_core.live.states import RunState
from rnn_core.models import ModelConfig, build_model
from rnn_core.training.state import state_from_bytes, state_to_bytes
from rnn_core.training.trainer import TrainConfig
from tests.waiting import run_to_end

CONFIG = ModelConfig(hidden_size=8)


def weights(model):
    return [p.detach().clone() for p in model.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def train(exp, steps=10, lr=0.01, config=CONFIG, seed=3):
    run = exp.run_for(config, TrainConfig(max_steps=steps, learning_rate=lr), seed=seed)
    run.start(TrainConfig(max_steps=steps, learning_rate=lr))
    run_to_end(run)
    return run


def trained(data, steps=10, lr=0.01):
    exp = Experiment(data, key="k")
    train(exp, steps, lr)
    return exp


def test_a_new_run_starts_from_the_seeded_initial_weights_and_builds_nothing(small_sine_data):
    exp = Experiment(small_sine_data, key="k")
    run = exp.run_for(CONFIG, TrainConfig(), seed=3)
    assert run.state == RunState.IDLE and run.latest_state() is None
    assert same(weights(exp.model), weights(build_model(CONFIG, 3)))


def test_start_again_continues_the_same_model_and_history(small_sine_data):
    exp = trained(small_sine_data)
    first = exp.run
    after_first = weights(exp.model)
    run = train(exp)
    assert run is first and run.steps_done == 20
    assert run.history.frame()["step"].tolist() == list(range(1, 21))
    assert not same(weights(exp.model), after_first)


def test_a_new_learning_rate_keeps_the_weights(small_sine_data):
    exp = trained(small_sine_data)
    before = weights(exp.model)
    run = exp.run_for(CONFIG, TrainConfig(max_steps=10, learning_rate=0.001), seed=3)
    assert run.config.learning_rate == 0.001 and run.steps_done == 10
    assert same(weights(exp.model), before)
    run.start()
    run_to_end(run)
    assert run.history.frame()["lr"].iloc[-1] == 0.001


def test_a_new_architecture_or_seed_starts_over(small_sine_data):
    exp = trained(small_sine_data)
    bigger = ModelConfig(hidden_size=12)
    run = exp.run_for(bigger, TrainConfig(), seed=3)
    assert run.steps_done == 0 and exp.model.config == bigger
    exp.run_for(bigger, TrainConfig(), seed=4)
    assert same(weights(exp.model), weights(build_model(bigger, 4)))


def test_rewind_restores_the_initial_weights_and_clears_history(small_sine_data):
    exp = trained(small_sine_data)
    run = exp.rewind()
    assert run.steps_done == 0 and len(run.history) == 0
    assert same(weights(exp.model), weights(build_model(CONFIG, 3)))
    run.start(TrainConfig(max_steps=10, learning_rate=0.01))
    run_to_end(run)
    again = trained(small_sine_data)
    assert run.history.frame()["loss"].equals(again.run.history.frame()["loss"])


def test_a_training_state_survives_bytes_whole(small_sine_data):
    exp = trained(small_sine_data)
    state = exp.run.latest_state()
    back = state_from_bytes(state_to_bytes(state))
    assert back.steps_done == 10 and back.model_config == CONFIG
    assert all(torch.equal(back.weights[k], v) for k, v in state.weights.items())
    assert torch.equal(back.batch_rng, state.batch_rng)
    np.testing.assert_array_equal(back.history, state.history)  # NaN where no validation ran
