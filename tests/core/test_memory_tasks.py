"""The adding problem and copy memory: layout, determinism, closed-form baselines checked against
Monte-Carlo estimates on the generated data, and a learning test that an LSTM passes and a plain
tanh RNN does not."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from rnn_core.datasets.memory import (
    ADDING_BASELINE_MSE,
    AddingConfig,
    CopyConfig,
    copy_baseline,
    make_adding,
    make_copy,
    prepare_adding,
    prepare_copy,
)
from rnn_core.datasets.windows import DataError
from rnn_core.evaluation.compare import trivial_baseline
from rnn_core.models import ModelConfig, build_model
from rnn_core.training.losses import loss_for
from rnn_core.training.trainer import TrainConfig, Trainer

ADDING_SUM_VARIANCE_OF_SQUARE = 7 / 180  # Var((U1 + U2 - 1)^2) = E[X^4] - (1/6)^2, X triangular


@pytest.fixture(scope="module")
def adding_data():
    """A small adding problem, T = 20."""
    return prepare_adding(AddingConfig(length=20, train_sequences=2000, seed=3))


@pytest.fixture(scope="module")
def copy_data():
    """A small copy task: S = 3 symbols of K = 4, delay 5, L = 11."""
    config = CopyConfig(categories=4, copy_length=3, delay=5, train_sequences=4000, seed=3)
    return prepare_copy(config)


def all_windows(windows):
    """Every window of a WindowSet as one batch: (x, y)."""
    return windows.batch(torch.arange(len(windows)))


def test_adding_arrays_have_the_documented_shapes_and_dtypes():
    inputs, targets = make_adding(7, length=12, seed=0)
    assert inputs.shape == (7, 12, 2) and inputs.dtype == np.float32
    assert targets.shape == (7,) and targets.dtype == np.float32
    assert ((inputs[..., 0] >= 0) & (inputs[..., 0] < 1)).all()


def test_adding_has_one_marker_in_each_half_and_the_target_is_their_sum():
    inputs, targets = make_adding(500, length=11, seed=1)
    markers = inputs[..., 1]  # (N, T)
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert (markers[:, :5].sum(axis=1) == 1).all()  # first half: steps 0..4
    assert (markers[:, 5:].sum(axis=1) == 1).all()  # second half: steps 5..10
    np.testing.assert_array_equal(targets, (inputs[..., 0] * markers).sum(axis=1))


def test_adding_is_deterministic_under_a_seed_and_differs_for_another():
    first, again, other = (make_adding(50, 20, seed) for seed in (5, 5, 6))
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_prepared_adding_gives_one_window_per_sequence(adding_data):
    x, y = all_windows(adding_data.train)
    assert len(adding_data.train) == 2000
    assert x.shape == (2000, 20, 2) and x.dtype == torch.float32
    assert y.shape == (2000, 1) and y.dtype == torch.float32
    torch.testing.assert_close(y[:, 0], (x[..., 0] * x[..., 1]).sum(dim=1))
    assert adding_data.standardizer is None  # raw units: the baseline is 1/6 as it stands
    assert (adding_data.task_shape, adding_data.seq_len) == ("many_to_one", 20)
    assert adding_data.outputs == ("sum",)


def test_the_parts_of_a_memory_task_are_independent_draws(adding_data, copy_data):
    for data in (adding_data, copy_data):
        parts = [all_windows(data.split(name))[0][:100] for name in ("train", "validation", "test")]
        assert not torch.equal(parts[0], parts[1])
        assert not torch.equal(parts[1], parts[2])
    again = prepare_adding(AddingConfig(length=20, train_sequences=2000, seed=3))
    assert torch.equal(again.validation.inputs, adding_data.validation.inputs)


def test_the_adding_baseline_agrees_with_monte_carlo_on_the_generated_data():
    _, targets = make_adding(20_000, 30, seed=9)
    tolerance = 4 * math.sqrt(ADDING_SUM_VARIANCE_OF_SQUARE / len(targets))  # 4 standard errors
    mse = np.mean((targets.astype(np.float64) - 1.0) ** 2)
    assert abs(mse - 1 / 6) < tolerance
    assert abs(targets.mean() - 1.0) < 4 * math.sqrt(1 / 6 / len(targets))  # 1.0 is the mean


def test_trivial_baseline_returns_the_closed_forms(adding_data, copy_data):
    assert trivial_baseline(adding_data)[0] == pytest.approx(ADDING_BASELINE_MSE)
    assert trivial_baseline(copy_data)[0] == pytest.approx(3 * math.log(4) / 11)


def test_copy_arrays_lay_out_symbols_delay_delimiter_and_recall():
    inputs, targets = make_copy(6, categories=4, copy_length=3, delay=5, seed=0)  # L = 11
    assert inputs.shape == (6, 11, 6) and inputs.dtype == np.float32
    assert targets.shape == (6, 11) and targets.dtype == np.int64
    np.testing.assert_array_equal(inputs.sum(axis=-1), 1.0)  # one-hot at every step
    codes = inputs.argmax(axis=-1)  # (N, L)
    symbols = codes[:, :3]
    assert ((symbols >= 1) & (symbols <= 4)).all()
    assert (codes[:, 3:7] == 0).all() and (codes[:, 7] == 5).all() and (codes[:, 8:] == 0).all()
    assert (targets[:, :8] == 0).all()
    np.testing.assert_array_equal(targets[:, 8:], symbols)


def test_copy_windows_ask_for_the_symbols_right_after_the_delimiter(copy_data):
    x, y = all_windows(copy_data.validation)  # x (N, L, K + 2), y (N, L)
    assert x.shape == (1000, 11, 6) and y.shape == (1000, 11) and y.dtype == torch.int64
    codes = x.argmax(dim=-1)  # (N, L)
    delimiter = int((codes[0] == 5).nonzero())
    assert delimiter == 7
    assert (y[:, : delimiter + 1] == 0).all()  # blank up to and at the delimiter
    assert torch.equal(y[:, delimiter + 1 :], codes[:, :3])
    assert copy_data.class_names == ("blank", "1", "2", "3", "4")
    assert len(copy_data.feature_names) == copy_data.input_size == 6


def test_the_memoryless_copy_predictor_scores_the_closed_form(copy_data):
    """Blank with certainty before the recall, uniform over the K symbols during it."""
    x, y = all_windows(copy_data.validation)  # y (N, L)
    logits = torch.full((*y.shape, 5), -1e4)  # (N, L, K + 1)
    logits[:, :8, 0] = 0.0
    logits[:, 8:, 1:] = 0.0
    assert loss_for(logits, y).item() == pytest.approx(copy_baseline(4, 3, 5), rel=1e-6)


def test_the_copy_baseline_agrees_with_frequencies_fitted_on_train(copy_data):
    """Class frequencies per step, fitted on train, scored on validation (Monte-Carlo): above
    S log K / L by no more than the frequencies' sampling error, 4 sqrt(K / N) per recall step."""
    _, y_train = all_windows(copy_data.train)  # (N, L)
    _, y_val = all_windows(copy_data.validation)
    counts = torch.nn.functional.one_hot(y_train, 5).sum(dim=0).double()  # (L, K + 1)
    logits = torch.log((counts + 0.5) / (counts + 0.5).sum(dim=-1, keepdim=True))  # (L, K + 1)
    loss = loss_for(logits.expand(len(y_val), -1, -1), y_val).item()
    closed = copy_baseline(4, 3, 5)
    assert closed - 1e-3 < loss < closed + 4 * math.sqrt(4 / len(y_train)) * 3 / 11


def test_configs_say_what_to_change():
    with pytest.raises(DataError, match="length of at least 2"):
        AddingConfig(length=1)
    with pytest.raises(DataError, match="at least 2 categories"):
        CopyConfig(categories=1)
    with pytest.raises(DataError, match="Delay must be at least 1"):
        CopyConfig(delay=0)
    with pytest.raises(DataError, match="seed must not be negative"):
        AddingConfig(seed=-1)


def model_for(data, cell: str, hidden_size: int = 16, seed: int = 0):
    """A one-layer model of `cell` (tanh for the RNN) shaped for the data."""
    config = ModelConfig(
        cell=cell,
        input_size=data.input_size,
        output_size=data.output_size,
        hidden_size=hidden_size,
        task_shape=data.task_shape,
    )
    return build_model(config, seed)


@pytest.mark.parametrize("task", ["adding", "copy"])
def test_a_trainer_runs_a_few_steps_on_each_task(task, adding_data, copy_data):
    data = adding_data if task == "adding" else copy_data
    trainer = Trainer(model_for(data, "gru"), data, TrainConfig(max_steps=5, eval_every=5))
    assert trainer.run() == "finished"
    frame = trainer.history.frame()
    assert len(frame) == 5 and np.isfinite(frame["val_loss"].iloc[-1])


def validation_ratio_after(data, cell: str, steps: int) -> tuple[float, float]:
    """Train a 32-unit `cell` for `steps` (Adam 0.02, batch 32, clip 1, seed 0); its final and
    best validation MSE as multiples of the baseline."""
    config = TrainConfig(learning_rate=0.02, batch_size=32, max_steps=steps, eval_every=100)
    trainer = Trainer(model_for(data, cell, hidden_size=32), data, config)
    assert trainer.run() == "finished"
    val = trainer.history.frame()["val_loss"].dropna()
    baseline = trivial_baseline(data)[0]
    return float(val.iloc[-1]) / baseline, float(val.min()) / baseline


@pytest.mark.slow
def test_an_lstm_learns_the_adding_problem_where_a_tanh_rnn_does_not():
    """1200 steps each. Measured with these settings over seeds 0..15, the LSTM at T = 20 first
    fell below 0.25 x baseline after 175..625 steps, then kept falling (to 0.03..0.1 x); the tanh
    RNN at T = 50 never went below 0.97 x baseline in 1200 steps (seeds 0..13), nor in 16,000 to
    22,000 steps (seeds 0..2, two minutes each). This run (data seed 1): LSTM 0.002 x, RNN 1.01 x
    (best 1.009 x). About 10 s on one thread."""
    short = prepare_adding(AddingConfig(length=20, seed=1))
    lstm_final, _ = validation_ratio_after(short, "lstm", 1200)
    assert lstm_final < 0.3
    long = prepare_adding(AddingConfig(length=50, seed=1))
    rnn_final, rnn_best = validation_ratio_after(long, "rnn", 1200)
    assert rnn_best > 0.7 and rnn_final > 0.7
