"""Previews: forecasts in the data's units and seeded text sampling, against direct computation."""

import numpy as np
import pytest
import torch

from rnn_core.analysis.predict import forecast_preview, pick_next, sample_text, text_preview
from rnn_core.models import ModelConfig, build_model


def text_model(data, cell):
    """A small untrained character model for the data's vocabulary."""
    size = data.input_size
    return build_model(ModelConfig(cell=cell, vocab_size=size, output_size=size, hidden_size=8), 0)


@pytest.mark.parametrize("task_shape", ["many_to_many", "many_to_one"])
def test_forecast_preview_is_the_model_in_data_units(task_shape):
    from rnn_core.datasets.prepare import prepare_series
    from rnn_core.datasets.sine import SineConfig, make_sine

    series = make_sine(SineConfig(num_series=2, length=120, amplitudes=(3.0,)))
    data = prepare_series(series, seq_len=10, task_shape=task_shape)
    model = build_model(ModelConfig(hidden_size=6, task_shape=task_shape), 0)
    preview = forecast_preview(model, data, max_points=1000)
    assert preview.split_starts == (84, 102)
    np.testing.assert_array_equal(preview.steps, np.arange(10, 120))
    np.testing.assert_allclose(preview.target[:, 0], series[0, 10:, 0], atol=1e-5)
    z = torch.from_numpy(data.standardizer.transform(series[:1, 40:50]))  # the window before 50
    out = model.eval()(z)[0].detach().numpy()
    last = out[0, -1] if task_shape == "many_to_many" else out[0]
    np.testing.assert_allclose(preview.prediction[40], data.standardizer.inverse(last), atol=1e-5)


def test_sampling_is_deterministic_under_a_seed(text_data):
    model = text_model(text_data, "gru")
    a = sample_text(model, text_data.vocabulary, "((a", 50, temperature=1.0, seed=1)
    assert a == sample_text(model, text_data.vocabulary, "((a", 50, temperature=1.0, seed=1)
    assert a != sample_text(model, text_data.vocabulary, "((a", 50, temperature=1.0, seed=2)
    assert len(a) == 50 and set(a) <= set(text_data.vocabulary.chars)


def test_greedy_sampling_follows_the_argmax(text_data):
    vocab = text_data.vocabulary
    model = text_model(text_data, "lstm").eval()
    text = "(a"
    for _ in range(10):  # rerun the whole prefix each time: no hidden-state carrying
        logits = model(torch.as_tensor(vocab.encode(text))[None])[0]
        text += vocab.chars[int(logits[0, -1].argmax())]
    assert sample_text(model, vocab, "(a", 10, temperature=0) == text[2:]


def test_top_k_never_draws_outside_the_k_best():
    logits = torch.tensor([5.0, 4.0, 0.0, -1.0, 3.0])
    generator = torch.Generator().manual_seed(0)
    draws = {pick_next(logits, 5.0, generator, top_k=2) for _ in range(200)}
    assert draws == {0, 1}


def test_text_preview_prompt_comes_from_validation(text_data):
    model = text_model(text_data, "gru")
    preview = text_preview(model, text_data, length=20)
    assert preview.prompt == text_data.vocabulary.decode(text_data.validation.inputs[0, :32])
    assert len(preview.sample) == 20
