"""||dL/dh_t|| and input connectivity against independent unrolls, a Jacobian, a closed form.

References hold states as states[layer][direction][t] -> (B, H), each a node of their own graph, so
torch.autograd.grad(loss, h_t) is the total derivative dL/dh_t.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from rnn_core.analysis.gradients import hidden_grad_norms, input_connectivity, loss_for
from rnn_core.analysis.trace import trace
from rnn_core.models import ModelConfig, build_model

CELLS = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]
VARIANTS = [("many_to_many", False), ("many_to_one", False), ("many_to_one", True)]
RTOL = 1e-9  # float64 throughout


def make_model(seed=0, **fields):
    """A float64 model in eval mode; float inputs of width 3 unless told otherwise."""
    config = ModelConfig(**{"input_size": 3, "output_size": 2, "hidden_size": 4, **fields})
    return build_model(config, seed).double().eval()


def make_batch(model, batch=3, steps=6, seed=1):
    """Inputs and targets that fit the model: float targets, or class ids for a text model."""
    generator = torch.Generator().manual_seed(seed)
    config = model.config
    shape = (batch, steps) if config.task_shape == "many_to_many" else (batch,)
    if config.vocab_size is not None:
        x = torch.randint(config.vocab_size, (batch, steps), generator=generator)
        return x, torch.randint(config.output_size, shape, generator=generator)
    x = torch.randn(batch, steps, config.input_size, generator=generator, dtype=torch.float64)
    y = torch.randn(*shape, config.output_size, generator=generator, dtype=torch.float64)
    return x, y


def loss_of_states(model, states, y):
    """The training loss read from the last layer's states."""
    last = states[-1]
    T = len(last[0])
    sequence = torch.stack([torch.cat([d[t] for d in last], dim=-1) for t in range(T)], dim=1)
    return loss_for(model.head(model.readout(sequence)), y)  # sequence (B, T, D*H)


def reference_norms(model, states, y):
    """(num_layers, T) Frobenius norms of autograd.grad(loss, h_t), over batch and directions."""
    flat = [h for layer in states for direction in layer for h in direction]
    grads = torch.autograd.grad(loss_of_states(model, states, y), flat, allow_unused=True)
    squares = np.array([0.0 if g is None else g.pow(2).sum().item() for g in grads])
    L, D, T = len(states), len(states[0]), len(states[0][0])
    return np.sqrt(squares.reshape(L, D, T).sum(axis=1))


def hand_written_states(model, x):
    """An independent 1-layer tanh RNN or LSTM unroll written out in plain ops."""
    rnn = model.rnn
    W_ih, W_hh, b = rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0 + rnn.bias_hh_l0
    h = c = torch.zeros(x.shape[0], rnn.hidden_size, dtype=x.dtype)  # (B, H)
    states = []
    for t in range(x.shape[1]):
        pre = x[:, t] @ W_ih.T + h @ W_hh.T + b  # (B, G*H)
        if model.config.cell == "rnn":
            h = torch.tanh(pre)
        else:
            i, f, g, o = pre.chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        states.append(h)
    return [[states]]


def saved_weight(model, name, layer, suffix):
    """One layer-direction's parameter, read by its state_dict name: `rnn.{name}_l{k}` for layers
    of one size, `rnn.layers.{k}.{name}_l0` for layers of different sizes."""
    state = model.state_dict()
    key = f"rnn.{name}_l{layer}{suffix}"
    return state[key] if key in state else state[f"rnn.layers.{layer}.{name}_l0{suffix}"]


def cell_for(model, layer, suffix):
    """PyTorch's nn.RNNCell / LSTMCell / GRUCell loaded with one layer-direction's weights."""
    config = model.config
    kwargs = {"nonlinearity": config.nonlinearity} if config.cell == "rnn" else {}
    hidden_size = saved_weight(model, "weight_hh", layer, suffix).shape[1]
    width = saved_weight(model, "weight_ih", layer, suffix).shape[1]
    cell_class = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}[config.cell]
    cell = cell_class(width, hidden_size, **kwargs).double()
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(cell, name).data.copy_(saved_weight(model, name, layer, suffix))
    return cell


def pytorch_cell_states(model, x):
    """Every layer and direction unrolled with PyTorch's own cells."""
    inputs, T, states = model.embed(x), x.shape[1], []  # inputs (B, T, F_in)
    suffixes = ("", "_reverse")[: model.config.num_directions]
    for layer in range(model.config.num_layers):
        directions = []
        for suffix in suffixes:
            cell, state, hs = cell_for(model, layer, suffix), None, [None] * T
            for t in reversed(range(T)) if suffix else range(T):
                state = cell(inputs[:, t], state)
                hs[t] = state[0] if model.config.cell == "lstm" else state  # (B, H)
            directions.append(hs)
        states.append(directions)
        inputs = torch.stack([torch.cat([d[t] for d in directions], -1) for t in range(T)], 1)
    return states


@pytest.mark.parametrize("task_shape", ["many_to_many", "many_to_one"])
@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_one_layer_matches_a_hand_written_unroll(task_shape, cell):
    """Reference: torch.autograd.grad on each h_t of a separately written loop (MSE targets)."""
    model = make_model(cell=cell, task_shape=task_shape)
    x, y = make_batch(model, steps=8)
    expected = reference_norms(model, hand_written_states(model, x), y)
    got = hidden_grad_norms(model, x, y)
    assert got.shape == (1, 8)
    np.testing.assert_allclose(got, expected, rtol=RTOL)


@pytest.mark.parametrize("task_shape,bidirectional", VARIANTS)
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("cell,nonlinearity", CELLS)
def test_matches_pytorch_cells(task_shape, bidirectional, num_layers, cell, nonlinearity):
    """Reference: an unroll with nn.*Cell modules holding the same weights, MSE targets."""
    model = make_model(
        cell=cell,
        nonlinearity=nonlinearity,
        num_layers=num_layers,
        task_shape=task_shape,
        bidirectional=bidirectional,
    )
    x, y = make_batch(model)
    expected = reference_norms(model, pytorch_cell_states(model, x), y)
    got = hidden_grad_norms(model, x, y)
    assert got.shape == (num_layers, 6)
    np.testing.assert_allclose(got, expected, rtol=RTOL)


@pytest.mark.parametrize("sizes", [(6, 3), (2, 7, 4)])
@pytest.mark.parametrize("task_shape,bidirectional", VARIANTS)
@pytest.mark.parametrize("cell,nonlinearity", CELLS)
def test_layers_of_different_sizes_match_pytorch_cells(
    cell, nonlinearity, task_shape, bidirectional, sizes
):
    """One probe per layer of that layer's width D*H_k; the nn.*Cell unroll knows no probes."""
    model = make_model(
        cell=cell,
        nonlinearity=nonlinearity,
        num_layers=len(sizes),
        layer_sizes=sizes,
        task_shape=task_shape,
        bidirectional=bidirectional,
    )
    x, y = make_batch(model, steps=7)
    states = pytorch_cell_states(model, x)
    assert [len(layer) for layer in states] == [model.config.num_directions] * len(sizes)
    assert [layer[0][0].shape[1] for layer in states] == list(sizes)
    expected = reference_norms(model, states, y)
    got = hidden_grad_norms(model, x, y)
    assert got.shape == (len(sizes), 7)
    np.testing.assert_allclose(got, expected, rtol=RTOL)


@pytest.mark.parametrize("task_shape,bidirectional", VARIANTS)
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_text_model_uses_cross_entropy(task_shape, bidirectional, cell):
    """Integer targets: cross-entropy on logits (B, T, V) against ids (B, T), or (B, V) vs (B,)."""
    model = make_model(
        cell=cell,
        vocab_size=7,
        output_size=7,
        embedding_dim=5,
        num_layers=2,
        task_shape=task_shape,
        bidirectional=bidirectional,
    )
    x, y = make_batch(model)
    assert y.dtype == torch.long
    expected = reference_norms(model, pytorch_cell_states(model, x), y)
    np.testing.assert_allclose(hidden_grad_norms(model, x, y), expected, rtol=RTOL)


def test_loss_rule():
    """MSE for float targets, cross-entropy over the vocabulary axis for ids."""
    logits, ids = torch.randn(2, 5, 7), torch.randint(7, (2, 5))
    expected = F.cross_entropy(logits.transpose(1, 2), ids)  # (B, V, T) is PyTorch's layout
    assert torch.allclose(loss_for(logits, ids), expected, rtol=1e-6)
    values, targets = torch.randn(2, 5, 3), torch.randn(2, 5, 3)
    assert torch.allclose(loss_for(values, targets), ((values - targets) ** 2).mean(), rtol=1e-6)


@pytest.mark.parametrize("scale", [0.5, 0.9, 1.0, 1.3])
def test_linear_regime_matches_closed_form(scale):
    """Closed form ||dL/dh_t|| = scale^(T-1-t) ||dL/dh_{T-1}||, through a real relu nn.RNN model.

    With W_hh = scale * a permutation matrix (orthogonal, non-negative), positive W_ih, biases and
    inputs, every pre-activation is positive, so relu is the identity and the cell is the linear
    h_t = W h_{t-1} + U x_t + b (the test asserts the positivity). The loss depends only on
    h_{T-1} (many_to_one, head v): dL/dh_{T-1} = (2/B) (out - y) v per sample, and W^T is scale
    times an orthogonal matrix, so each step back multiplies the norm by exactly `scale`.
    """
    B, T, H = 3, 12, 6
    model = make_model(
        cell="rnn", nonlinearity="relu", hidden_size=H, output_size=1, task_shape="many_to_one"
    )
    generator = torch.Generator().manual_seed(2)
    with torch.no_grad():
        permutation = torch.eye(H, dtype=torch.float64)[torch.randperm(H, generator=generator)]
        model.rnn.weight_hh_l0.copy_(scale * permutation)
        model.rnn.weight_ih_l0.copy_(0.1 + torch.rand(H, 3, generator=generator))
        model.rnn.bias_ih_l0.fill_(0.1)
        model.rnn.bias_hh_l0.fill_(0.2)
    x = 0.1 + torch.rand(B, T, 3, generator=generator, dtype=torch.float64)
    y = torch.randn(B, 1, generator=generator, dtype=torch.float64)
    assert (trace(model, x).layers[0].hidden > 0).all()
    with torch.no_grad():
        out, _ = model(x)  # (B, 1) from PyTorch's nn.RNN
    last = 2 / B * torch.linalg.norm(out - y).item() * torch.linalg.norm(model.head.weight).item()
    expected = last * scale ** np.arange(T - 1, -1, -1.0)  # t = 0 .. T-1
    np.testing.assert_allclose(hidden_grad_norms(model, x, y)[0], expected, rtol=1e-10)


def test_leaves_parameter_gradients_alone():
    model = make_model(cell="lstm")
    hidden_grad_norms(model, *make_batch(model))
    assert all(p.grad is None for p in model.parameters())


def jacobian_norms(model, x, step):
    """Reference: PyTorch's Jacobian of the nn modules' forward, norm per input step: (T,)."""
    embedded = model.embed(x[:1]).detach()  # (1, T, F_in)

    def forward(inputs):
        return model.head(model.readout(model.rnn(inputs)[0]))  # (1, T, O) or (1, O)

    jacobian = torch.autograd.functional.jacobian(forward, embedded)
    if model.config.task_shape == "many_to_many":
        jacobian = jacobian[:, step]  # (1, O, 1, T, F_in)
    return jacobian[0, :, 0].pow(2).sum(dim=(0, 2)).sqrt().numpy()  # (T,)


@pytest.mark.parametrize("task_shape,bidirectional", VARIANTS)
@pytest.mark.parametrize("cell,nonlinearity", CELLS)
def test_input_connectivity_matches_pytorch_jacobian(task_shape, bidirectional, cell, nonlinearity):
    model = make_model(
        cell=cell,
        nonlinearity=nonlinearity,
        num_layers=2,
        output_size=3,
        task_shape=task_shape,
        bidirectional=bidirectional,
    )
    x, _ = make_batch(model, steps=7)
    got = input_connectivity(model, x, step=4)
    assert got.shape == (7,)
    np.testing.assert_allclose(got, jacobian_norms(model, x, 4), rtol=RTOL, atol=1e-300)
    if task_shape == "many_to_many":
        assert got[4] > 0 and (got[5:] == 0).all()  # no look-ahead (relu may zero earlier steps)
    else:
        np.testing.assert_array_equal(input_connectivity(model, x, step=0), got)


@pytest.mark.parametrize("task_shape", ["many_to_many", "many_to_one"])
def test_input_connectivity_of_text_uses_embedded_inputs(task_shape):
    """A vocabulary of 70 also exercises the Jacobian in more than one batched pass (64 rows)."""
    model = make_model(
        cell="gru", vocab_size=70, output_size=70, embedding_dim=4, task_shape=task_shape
    )
    x, _ = make_batch(model, steps=5)
    got = input_connectivity(model, x, step=3)
    np.testing.assert_allclose(got, jacobian_norms(model, x, 3), rtol=RTOL)


def test_input_connectivity_rejects_a_step_outside_the_window():
    model = make_model()
    x, _ = make_batch(model, steps=6)
    with pytest.raises(ValueError, match="between 0 and 5"):
        input_connectivity(model, x, step=6)
