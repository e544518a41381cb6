"""rnn_core.analysis.inspect against references: PyTorch's own cells, the trace, closed forms
and numpy."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from rnn_core.analysis.inspect import (
    gate_saturation,
    model_with_weights,
    pca_2d,
    sample_batch,
    step_numbers,
)
from rnn_core.analysis.trace import trace
from rnn_core.models import ModelConfig, build_model

ATOL = 1e-6
CELLS = {"lstm": nn.LSTMCell, "gru": nn.GRUCell, "rnn": nn.RNNCell}


def make_model(seed=0, **fields):
    config = ModelConfig(**{"input_size": 3, "output_size": 2, "hidden_size": 5, **fields})
    return build_model(config, seed).eval()


def make_inputs(model, batch=3, steps=6, seed=1):
    generator = torch.Generator().manual_seed(seed)
    config = model.config
    if config.vocab_size is not None:
        return torch.randint(config.vocab_size, (batch, steps), generator=generator)
    return torch.randn(batch, steps, config.input_size, generator=generator)


def saved_weight(model, name, layer):
    """The forward direction's parameter of `layer`, read by its state_dict name (`rnn.{name}_l{k}`,
    or `rnn.layers.{k}.{name}_l0` for layers of different sizes), float64."""
    state = model.state_dict()
    key = f"rnn.{name}_l{layer}"
    return state[key if key in state else f"rnn.layers.{layer}.{name}_l0"].double()


def loaded_cell(model, layer):
    """PyTorch's nn.*Cell holding the forward direction of `layer`, in float64."""
    config = model.config
    kwargs = {"nonlinearity": config.nonlinearity} if config.cell == "rnn" else {}
    hidden_size = saved_weight(model, "weight_hh", layer).shape[1]
    width = saved_weight(model, "weight_ih", layer).shape[1]
    cell = CELLS[config.cell](width, hidden_size, **kwargs).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(saved_weight(model, name, layer))
    return cell


def sigmoid(values):
    return 1 / (1 + np.exp(-values))


def unroll_cell(cell, inputs):
    """Run an nn.*Cell over inputs (T, F) from a zero state; returns [(h_t, c_t or None)]."""
    H = cell.hidden_size
    h = c = torch.zeros(1, H, dtype=torch.float64)
    states = []
    with torch.no_grad():
        for x_t in inputs.double():
            if isinstance(cell, nn.LSTMCell):
                h, c = cell(x_t[None], (h, c))
                states.append((h[0], c[0]))
            else:
                h = cell(x_t[None], h)
                states.append((h[0], None))
    return states


def test_sample_batch_takes_the_first_and_last_windows(small_sine_data):
    data = small_sine_data
    x, y = sample_batch(data, count=5)
    windows = data.validation
    T, W = data.seq_len, windows.windows_per_series
    series = windows.inputs  # (N, L, F)
    assert x.shape == (5, T, series.shape[2]) and y.shape == x.shape
    assert torch.equal(x[0], series[0, :T])
    assert torch.equal(x[-1], series[-1, W - 1 : W - 1 + T])
    assert torch.equal(y[:, :-1], x[:, 1:])  # next value at every step


def test_sample_batch_text_and_small_sets(text_data):
    x, y = sample_batch(text_data, count=10**6, split="test")
    assert x.shape[0] == len(text_data.test) and x.dtype == torch.long
    assert torch.equal(x[0], text_data.test.inputs[0, : text_data.seq_len])
    assert torch.equal(y[:, :-1], x[:, 1:])
    with pytest.raises(ValueError, match="validation"):
        sample_batch(text_data, split="valid")


def test_model_with_weights_copies_and_leaves_the_original():
    model = make_model(cell="lstm").train()
    x = make_inputs(model)
    saved = {k: v.clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        expected, _ = model(x)
        for p in model.parameters():
            p.add_(0.5)  # the model trains on; the snapshot must not follow
    copy = model_with_weights(model, saved)
    assert copy is not model and copy.config == model.config and not copy.training
    assert model.training  # the original keeps its mode and its new weights
    assert torch.equal(model.head.bias, saved["head.bias"] + 0.5)
    with torch.no_grad():
        assert torch.allclose(copy(x)[0], expected, atol=1e-6)
        copy.head.bias.add_(1.0)
    assert not torch.equal(copy.head.bias, saved["head.bias"])  # the dict is not shared


BIDIRECTIONAL = {"bidirectional": True, "task_shape": "many_to_one"}
STEP_CASES = [
    ({"cell": "lstm"}, 0),
    ({"cell": "lstm", "vocab_size": 7}, 0),
    ({"cell": "gru"}, 0),
    ({"cell": "rnn"}, 0),
    ({"cell": "rnn", "nonlinearity": "relu"}, 0),
    ({"cell": "lstm", "num_layers": 2, "bidirectional": True, "task_shape": "many_to_one"}, 1),
    ({"cell": "gru", "num_layers": 2, "bidirectional": True, "task_shape": "many_to_one"}, 1),
    ({"cell": "rnn", "num_layers": 2}, 1),
    # Layers of different sizes: layer 1 has 4 units (6 for layer 0, 7 for layer 2).
    ({"cell": "lstm", "num_layers": 2, "layer_sizes": (6, 4)}, 1),
    ({"cell": "lstm", "num_layers": 2, "layer_sizes": (6, 4)}, 0),
    ({"cell": "lstm", "num_layers": 2, "layer_sizes": (6, 4), **BIDIRECTIONAL}, 1),
    ({"cell": "gru", "num_layers": 3, "layer_sizes": (6, 4, 7)}, 1),
    ({"cell": "rnn", "num_layers": 3, "layer_sizes": (6, 4, 7), **BIDIRECTIONAL}, 2),
]


@pytest.mark.parametrize(("fields", "layer"), STEP_CASES)
@pytest.mark.parametrize("t", [0, 4])
def test_step_numbers_match_pytorch_cells_and_the_trace(fields, layer, t):
    model = make_model(**fields)
    x = make_inputs(model)
    layer_trace = trace(model, x).layers[layer]
    H = model.config.hidden_sizes[layer]  # this layer's units per direction
    sample, units = 1, [3, 0, H - 1]
    numbers = step_numbers(model, layer_trace, layer, sample, t, units)
    values = numbers.values
    assert numbers.units == tuple(units) and numbers.t == t and numbers.cell == fields["cell"]
    assert all(v.shape == (3,) and v.dtype == np.float64 for v in values.values())
    inputs = layer_trace.inputs[sample].double()  # (T, F_in)
    assert numbers.x_norm == pytest.approx(inputs[t].norm().item(), abs=ATOL)
    # PyTorch's own cell, unrolled from zero over what entered the layer
    states = unroll_cell(loaded_cell(model, layer), inputs[: t + 1])
    h_ref, c_ref = states[-1]
    h_prev_ref = states[-2][0] if t > 0 else torch.zeros(H, dtype=torch.float64)
    np.testing.assert_allclose(values["h"], h_ref[units], atol=ATOL)
    np.testing.assert_allclose(values["h_prev"], h_prev_ref[units], atol=ATOL)
    # The trace (forward direction: the first H units)
    np.testing.assert_allclose(values["h"], layer_trace.hidden[sample, t, units], atol=ATOL)
    for name, gate in layer_trace.gates.items():
        np.testing.assert_allclose(values[name], gate[sample, t, units], atol=ATOL)
    if c_ref is not None:
        np.testing.assert_allclose(values["c"], c_ref[units], atol=ATOL)
        np.testing.assert_allclose(values["c"], layer_trace.cell[sample, t, units], atol=ATOL)
        c_prev_ref = states[-2][1][units] if t > 0 else np.zeros(3)
        np.testing.assert_allclose(values["c_prev"], c_prev_ref, atol=ATOL)
    check_identities(numbers, model, layer, inputs[t], h_prev_ref)


def check_identities(numbers, model, layer, x_t, h_prev):
    """The cell's equations hold between the reported numbers, and a_* are W x + b + W h + b."""
    v, units = numbers.values, list(numbers.units)
    H = model.config.hidden_sizes[layer]
    weights = [saved_weight(model, n, layer) for n in ("weight_ih", "weight_hh")]
    biases = [saved_weight(model, n, layer) for n in ("bias_ih", "bias_hh")]
    from_input = nn.functional.linear(x_t, weights[0], biases[0])  # (G*H,)
    from_hidden = nn.functional.linear(h_prev, weights[1], biases[1])  # (G*H,)
    rows = [slice(k * H, (k + 1) * H) for k in range(4)]
    if numbers.cell == "lstm":
        for k, name in enumerate("ifgo"):
            pre = (from_input + from_hidden)[rows[k]][units]
            np.testing.assert_allclose(v[f"a_{name}"], pre, atol=ATOL)
            squash = np.tanh if name == "g" else sigmoid
            np.testing.assert_allclose(v[name], squash(v[f"a_{name}"]), atol=ATOL)
        np.testing.assert_allclose(v["c"], v["f"] * v["c_prev"] + v["i"] * v["g"], atol=ATOL)
        np.testing.assert_allclose(v["h"], v["o"] * np.tanh(v["c"]), atol=ATOL)
    elif numbers.cell == "gru":
        np.testing.assert_allclose(v["a_n_input"], from_input[rows[2]][units], atol=ATOL)
        np.testing.assert_allclose(v["a_n_hidden"], from_hidden[rows[2]][units], atol=ATOL)
        for k, name in enumerate("rz"):
            pre = (from_input + from_hidden)[rows[k]][units]
            np.testing.assert_allclose(v[f"a_{name}"], pre, atol=ATOL)
            np.testing.assert_allclose(v[name], sigmoid(v[f"a_{name}"]), atol=ATOL)
        n = np.tanh(v["a_n_input"] + v["r"] * v["a_n_hidden"])
        np.testing.assert_allclose(v["n"], n, atol=ATOL)
        np.testing.assert_allclose(v["h"], (1 - v["z"]) * n + v["z"] * v["h_prev"], atol=ATOL)
    else:
        np.testing.assert_allclose(v["a"], (from_input + from_hidden)[units], atol=ATOL)
        phi = np.tanh if numbers.nonlinearity == "tanh" else (lambda a: np.maximum(a, 0))
        np.testing.assert_allclose(v["h"], phi(v["a"]), atol=ATOL)


def test_step_numbers_rejects_what_is_not_there():
    model = make_model(cell="gru")
    layer_trace = trace(model, make_inputs(model)).layers[0]
    assert step_numbers(model, layer_trace, 0, 0, 2, []).values["h"].shape == (0,)
    for layer, sample, t, units, word in [
        (0, 0, 6, [0], "step"),
        (0, 0, 0, [5], "unit"),
        (0, 3, 0, [0], "sample"),
        (1, 0, 0, [0], "layer"),
    ]:
        with pytest.raises(ValueError, match=word):
            step_numbers(model, layer_trace, layer, sample, t, units)


def test_step_numbers_know_each_layers_size():
    model = make_model(cell="lstm", num_layers=2, layer_sizes=(6, 4))
    layers = trace(model, make_inputs(model)).layers
    assert step_numbers(model, layers[0], 0, 0, 2, [5]).values["h"].shape == (1,)
    assert step_numbers(model, layers[1], 1, 0, 2, [3]).values["h"].shape == (1,)
    with pytest.raises(ValueError, match="unit between 0 and 3"):
        step_numbers(model, layers[1], 1, 0, 2, [4])


def test_gate_saturation_counts_by_hand():
    gate = np.array([[0.05, 0.5, 0.95], [0.1, 0.9, 0.99], [0.0, 0.2, 0.91], [0.5, 0.95, 1.0]])
    closed, opened = gate_saturation(gate)  # (T=4, U=3); 0.1 and 0.9 themselves are neither
    np.testing.assert_array_equal(closed, [0.5, 0.0, 0.0])
    np.testing.assert_array_equal(opened, [0.0, 0.25, 1.0])
    batched = np.stack([gate, 1 - gate])  # (B=2, T, U): the mirror swaps closed and open
    closed_b, opened_b = gate_saturation(batched, low=0.25, high=0.75)
    np.testing.assert_allclose(closed_b, [3 / 8, 3 / 8, 4 / 8])
    np.testing.assert_allclose(opened_b, [3 / 8, 3 / 8, 4 / 8])
    with pytest.raises(ValueError):
        gate_saturation(np.zeros(4))


def test_pca_recovers_an_ellipse_in_a_plane():
    T, a, b = 64, 3.0, 1.0
    theta = 2 * np.pi * np.arange(T) / T
    plane = np.stack([a * np.cos(theta), b * np.sin(theta)], axis=1)  # (T, 2), zero mean
    basis, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(6, 2)))  # (6, 2) orthonormal
    states = plane @ basis.T + 0.7  # (T, 6): the ellipse in a plane of R^6, shifted
    projection = pca_2d(states)
    np.testing.assert_allclose(projection.explained, np.array([a**2, b**2]) / (a**2 + b**2))
    signs = np.sign(basis[np.abs(basis).argmax(axis=0), [0, 1]])  # largest loading positive
    np.testing.assert_allclose(projection.components, (basis * signs).T, atol=1e-12)
    np.testing.assert_allclose(projection.coords, plane * signs, atol=1e-12)


def test_pca_matches_numpy_and_does_not_flip():
    states = np.random.default_rng(1).normal(size=(40, 5)) * [3.0, 2.0, 1.0, 0.5, 0.1]
    projection = pca_2d(states)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(states, rowvar=False))  # ascending
    np.testing.assert_allclose(projection.explained, eigenvalues[::-1][:2] / eigenvalues.sum())
    top = eigenvectors[:, ::-1][:, :2].T  # (2, H)
    np.testing.assert_allclose(np.abs(projection.components), np.abs(top), atol=1e-10)
    assert (projection.components[[0, 1], np.abs(top).argmax(axis=1)] > 0).all()
    flipped = pca_2d(-states)  # same directions, so the path is drawn mirrored, not re-signed
    np.testing.assert_allclose(flipped.components, projection.components, atol=1e-10)
    np.testing.assert_allclose(flipped.coords, -projection.coords, atol=1e-10)


def test_pca_with_one_unit_or_no_variance():
    states = np.array([[1.0], [3.0], [2.0]])  # (T=3, H=1)
    projection = pca_2d(states)
    np.testing.assert_allclose(projection.coords, [[-1.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(projection.explained, [1.0, 0.0])
    still = pca_2d(np.ones((4, 3)))
    np.testing.assert_array_equal(still.coords, np.zeros((4, 2)))
    np.testing.assert_array_equal(still.explained, [0.0, 0.0])
