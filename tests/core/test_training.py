"""Trainer: seeded curves, learning a sine, divergence, early stopping, schedules and clipping."""

import math

import numpy as np
import pytest
import torch

from rnn_core.models import ModelConfig, build_model
from rnn_core.training.history import History
from rnn_core.training.trainer import TrainConfig, Trainer, steps_for_epochs


def train(data, steps=40, seed=0, model_seed=0, **knobs):
    model = build_model(ModelConfig(hidden_size=knobs.pop("hidden_size", 16)), model_seed)
    trainer = Trainer(model, data, TrainConfig(max_steps=steps, seed=seed, **knobs))
    trainer.run()
    return trainer


def losses(trainer):
    return trainer.history.frame()[["step", "loss", "val_loss", "grad_norm", "lr"]]


def test_same_seed_same_curve(small_sine_data):
    a, b = train(small_sine_data, seed=7), train(small_sine_data, seed=7)
    assert losses(a).equals(losses(b))
    assert not np.allclose(losses(a)["loss"], losses(train(small_sine_data, seed=8))["loss"])


def test_same_seed_same_curve_with_dropout(small_sine_data):
    config = ModelConfig(hidden_size=8, num_layers=2, dropout=0.3)
    runs = [
        Trainer(build_model(config, 0), small_sine_data, TrainConfig(max_steps=20)) for _ in "ab"
    ]
    for trainer in runs:
        trainer.run()
    assert losses(runs[0]).equals(losses(runs[1]))


def test_lstm_learns_a_sine_below_1e_3(sine_data):
    trainer = train(sine_data, steps=400, hidden_size=32)
    assert trainer.status == "finished"
    val = trainer.history.frame()["val_loss"].dropna()
    assert len(val) == 400 // 25
    assert val.iloc[-1] < 1e-3
    assert trainer.evaluate("validation") == pytest.approx(val.iloc[-1])


def reference_steps(model, data, config: TrainConfig, steps: int) -> list[float]:
    """The same steps written out in plain PyTorch: PyTorch's default (per-tensor) optimizer,
    clip_grad_norm_, the Trainer's batch order; returns the losses."""
    params = list(model.parameters())
    if config.optimizer == "sgd":
        optimizer = torch.optim.SGD(params, lr=config.learning_rate, momentum=config.momentum)
    else:
        optimizer = torch.optim.Adam(params, lr=config.learning_rate)
    generator = torch.Generator().manual_seed(config.seed)
    losses = []
    for _ in range(steps):
        x, y = data.train.batch(
            torch.randint(len(data.train), (config.batch_size,), generator=generator)
        )
        loss = torch.nn.functional.mse_loss(model(x)[0], y)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, config.clip_grad_norm)
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_a_trainer_step_is_the_plain_pytorch_step(small_sine_data, optimizer):
    """The Trainer's fused optimizers and bookkeeping change nothing in the update itself."""
    config = TrainConfig(optimizer=optimizer, learning_rate=0.05, max_steps=20, clip_grad_norm=0.5)
    model = build_model(ModelConfig(cell="lstm", hidden_size=8), 3)
    reference = build_model(ModelConfig(cell="lstm", hidden_size=8), 3)
    trainer = Trainer(model, small_sine_data, config)
    trainer.run()
    expected = reference_steps(reference, small_sine_data, config, 20)
    np.testing.assert_allclose(trainer.history.frame()["loss"], expected, rtol=1e-5)
    for ours, theirs in zip(model.parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-6)
    assert abs(expected[-1] - expected[0]) > 1e-3  # the steps moved the weights


def test_history_records_every_step(small_sine_data):
    frame = train(small_sine_data, steps=30, eval_every=10).history.frame()
    assert frame["step"].tolist() == list(range(1, 31))
    assert frame["val_loss"].notna().tolist() == [s % 10 == 0 for s in range(1, 31)]
    assert (frame["seconds"].diff().dropna() >= 0).all()
    assert np.isfinite(frame[["loss", "grad_norm", "lr"]].to_numpy()).all()


def test_divergence_stops_at_once_and_keeps_the_last_good_weights(small_sine_data):
    model = build_model(ModelConfig(hidden_size=8), 0)
    trainer = Trainer(model, small_sine_data, TrainConfig(max_steps=50, clip_grad_norm=None))
    trainer.begin()
    for _ in range(5):
        trainer.step()
    before_blowup = [p.detach().clone() for p in model.parameters()]
    trainer.optimizer.param_groups[0]["lr"] = 1e30  # the next step throws the weights away
    trainer.step()
    assert trainer.status == "running"
    trainer.step()
    assert trainer.status == "diverged" and trainer.done
    assert "Lower the learning rate" in trainer.message and "clipping" in trainer.message
    for kept, expected in zip(model.parameters(), before_blowup, strict=True):
        torch.testing.assert_close(kept.detach(), expected, rtol=0, atol=0)
    assert len(trainer.history) == 6  # the diverged step is not recorded as a finite point


def test_nan_in_the_loss_is_divergence(small_sine_data):
    model = build_model(ModelConfig(hidden_size=4), 0)
    trainer = Trainer(model, small_sine_data, TrainConfig(max_steps=5))
    with torch.no_grad():
        model.head.bias.fill_(float("nan"))
    trainer.begin()
    trainer.step()
    assert trainer.status == "diverged" and "NaN" in trainer.message


def test_early_stopping_keeps_the_best_weights(small_sine_data):
    trainer = train(
        small_sine_data,
        steps=3000,
        eval_every=1,
        early_stopping_patience=2,
        learning_rate=0.05,
        hidden_size=8,
    )
    assert trainer.status == "early_stopped"
    val = trainer.history.frame()["val_loss"].dropna()
    assert trainer.steps_done < 3000
    assert trainer.evaluate("validation") == pytest.approx(val.min(), rel=1e-6)
    assert "weights of step" in trainer.message


def test_step_schedule_decays_the_learning_rate(small_sine_data):
    lr = train(
        small_sine_data,
        steps=25,
        schedule="step",
        schedule_step_size=10,
        schedule_gamma=0.5,
        learning_rate=0.01,
    ).history.frame()["lr"]
    np.testing.assert_allclose(lr.iloc[[0, 9, 10, 19, 20]], [0.01, 0.01, 0.005, 0.005, 0.0025])


def test_plateau_schedule_lowers_the_rate_when_validation_stalls(small_sine_data):
    trainer = train(
        small_sine_data,
        steps=600,
        eval_every=5,
        schedule="plateau",
        plateau_patience=1,
        schedule_gamma=0.1,
        learning_rate=0.05,
    )
    lr = trainer.history.frame()["lr"]
    assert lr.iloc[0] == 0.05 and lr.iloc[-1] < 0.05
    decades = np.log10(lr.unique() / 0.05)  # each decay multiplies the rate by 0.1
    np.testing.assert_allclose(decades, np.round(decades), atol=1e-9)


def test_clipping_bounds_the_update_and_records_the_norm_before_it(small_sine_data):
    model = build_model(ModelConfig(hidden_size=8), 0)
    config = TrainConfig(optimizer="sgd", momentum=0.0, learning_rate=1.0, clip_grad_norm=1e-3)
    trainer = Trainer(model, small_sine_data, config)
    before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
    trainer.step()
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    recorded = trainer.history.last("grad_norm")
    assert recorded > 1e-3  # the raw norm, not the clipped one
    assert torch.linalg.vector_norm(after - before).item() == pytest.approx(1e-3, rel=1e-4)


def test_continuing_keeps_steps_and_history(small_sine_data):
    model = build_model(ModelConfig(hidden_size=8), 0)
    first = Trainer(model, small_sine_data, TrainConfig(max_steps=10))
    first.run()
    second = Trainer(
        model, small_sine_data, TrainConfig(max_steps=5, learning_rate=0.001), history=first.history
    )
    second.run()
    frame = second.history.frame()
    assert frame["step"].tolist() == list(range(1, 16))
    assert frame["lr"].iloc[-1] == 0.001 and frame["lr"].iloc[0] == 0.01


def test_steps_for_epochs():
    assert steps_for_epochs(1, 640, 64) == 10
    assert steps_for_epochs(3, 100, 64) == math.ceil(300 / 64)


@pytest.mark.parametrize(
    ("knobs", "phrase"),
    [
        ({"learning_rate": 0.0}, "learning rate"),
        ({"batch_size": 0}, "Batch size"),
        ({"clip_grad_norm": 0.0}, "clipping"),
        ({"learning_rate": float("nan")}, "learning rate"),
    ],
)
def test_bad_train_configs_say_what_to_change(knobs, phrase):
    with pytest.raises(ValueError, match=phrase):
        TrainConfig(**knobs)


def test_history_thinning_is_bounded_and_keeps_validation_and_last():
    history = History(capacity=4)
    for step in range(1, 10_001):
        history.append(step=step, loss=1.0 / step)
        if step % 100 == 0:
            history.set_last("val_loss", 2.0 / step)
    thin = history.frame(max_points=500)
    assert len(thin) <= 2 * 500 + 1
    assert thin["step"].iloc[-1] == 10_000
    assert thin["val_loss"].notna().sum() == 100
    assert thin["step"].is_monotonic_increasing
    assert len(history.frame()) == 10_000


def test_bits_per_character_and_perplexity_arithmetic():
    from rnn_core.training.losses import loss_for, nats_to_bits, perplexity

    uniform = torch.zeros(5, 7, 8)  # logits of a model that knows nothing: 8 equally likely
    targets = torch.randint(0, 8, (5, 7))
    nats = loss_for(uniform, targets).item()
    assert nats == pytest.approx(math.log(8))
    assert nats_to_bits(nats) == pytest.approx(3.0)  # log2(8)
    assert perplexity(nats) == pytest.approx(8.0)
