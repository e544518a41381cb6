"""Experiment: Start continues, a new architecture or seed starts over, Rewind is fair."""

import torch

from rnn_core.live.experiment import Experiment
from rnn_core.models import ModelConfig, build_model
from rnn_core.training.trainer import TrainConfig

CONFIG = ModelConfig(hidden_size=8)


def weights(model):
    return [p.detach().clone() for p in model.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def trained(data, steps=10, lr=0.01):
    exp = Experiment(data, key="k")
    runner = exp.runner_for(CONFIG, TrainConfig(max_steps=steps, learning_rate=lr), seed=3)
    runner.trainer.run()
    return exp


def test_first_runner_starts_from_the_seeded_initial_weights(small_sine_data):
    exp = Experiment(small_sine_data, key="k")
    runner = exp.runner_for(CONFIG, TrainConfig(), seed=3)
    assert same(weights(runner.trainer.model), weights(build_model(CONFIG, 3)))


def test_start_again_continues_the_same_model_and_history(small_sine_data):
    exp = trained(small_sine_data)
    model, after_first = exp.model, weights(exp.model)
    runner = exp.runner_for(CONFIG, TrainConfig(max_steps=10, learning_rate=0.01), seed=3)
    assert runner.trainer.model is model and same(weights(model), after_first)
    runner.trainer.run()
    assert runner.trainer.history.frame()["step"].tolist() == list(range(1, 21))


def test_a_new_learning_rate_keeps_the_weights(small_sine_data):
    exp = trained(small_sine_data)
    before = weights(exp.model)
    runner = exp.runner_for(CONFIG, TrainConfig(max_steps=10, learning_rate=0.001), seed=3)
    assert runner.trainer.config.learning_rate == 0.001
    assert same(weights(runner.trainer.model), before)
    assert runner.trainer.steps_done == 10


def test_a_new_architecture_or_seed_starts_over(small_sine_data):
    exp = trained(small_sine_data)
    bigger = ModelConfig(hidden_size=12)
    runner = exp.runner_for(bigger, TrainConfig(), seed=3)
    assert runner.trainer.steps_done == 0 and runner.trainer.model.config == bigger
    runner = exp.runner_for(bigger, TrainConfig(), seed=4)
    assert same(weights(runner.trainer.model), weights(build_model(bigger, 4)))


def test_rewind_restores_the_initial_weights_and_clears_history(small_sine_data):
    exp = trained(small_sine_data)
    runner = exp.rewind()
    assert runner.trainer.steps_done == 0 and len(runner.trainer.history) == 0
    assert same(weights(runner.trainer.model), weights(build_model(CONFIG, 3)))
    runner.trainer.run()  # and the same curve again
    again = trained(small_sine_data)
    assert runner.trainer.history.frame()["loss"].equals(
        again.runner.trainer.history.frame()["loss"]
    )
