"""The trace against PyTorch's nn.RNN / nn.LSTM / nn.GRU: states, final states, gates, output."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from rnn_core.analysis.trace import GATE_NAMES, trace
from rnn_core.models import ModelConfig, build_model

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
CELLS = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]
VARIANTS = [("many_to_many", False), ("many_to_one", False), ("many_to_one", True)]
ATOL = 1e-5


@pytest.fixture(autouse=True)
def exact_float32_on_cuda():
    """cuDNN may use TF32 for float32 RNNs; the reference must be plain float32 to hold 1e-5."""
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


def make_model(device="cpu", seed=0, **fields):
    """A model in eval mode on `device`, float inputs of width 3 unless told otherwise."""
    config = ModelConfig(**{"input_size": 3, "output_size": 2, "hidden_size": 5, **fields})
    return build_model(config, seed, device).eval()


def make_inputs(model, batch=4, steps=7, seed=1):
    """Random floats (B, T, F), or random ids (B, T) for a text model, on the model's device."""
    generator = torch.Generator().manual_seed(seed)
    config = model.config
    device = model.head.weight.device
    if config.vocab_size is not None:
        return torch.randint(config.vocab_size, (batch, steps), generator=generator).to(device)
    x = torch.randn(batch, steps, config.input_size, generator=generator)
    return x.to(device, model.head.weight.dtype)


def final_states(sequence, hidden_size, bidirectional):
    """PyTorch's h_n layout for one layer, (D, B, H), read from a traced (B, T, D*H) sequence."""
    forward = sequence[:, -1, :hidden_size]  # (B, H) the forward direction ends at T - 1
    if not bidirectional:
        return forward.unsqueeze(0)
    return torch.stack([forward, sequence[:, 0, hidden_size:]])  # the backward one ends at 0


def assert_close(actual, expected, atol=ATOL):
    assert actual.shape == expected.shape
    assert (actual - expected).abs().max().item() <= atol


def assert_matches_pytorch(model, x, atol=ATOL):
    """Last layer's states, every layer's h_n (and c_n), and the output, against PyTorch."""
    config = model.config
    result = trace(model, x)
    with torch.no_grad():
        states, final = model.rnn(model.embed(x))  # (B, T, D*H)
        prediction, _ = model(x)
    h_n, c_n = final if config.cell == "lstm" else (final, None)
    assert_close(result.layers[-1].hidden, states, atol)
    assert_close(result.output, prediction, atol)
    D = config.num_directions
    for k, layer in enumerate(result.layers):
        expected = h_n[k * D : (k + 1) * D]  # (D, B, H)
        assert_close(
            final_states(layer.hidden, config.hidden_size, config.bidirectional), expected, atol
        )
        if c_n is not None:
            cell = final_states(layer.cell, config.hidden_size, config.bidirectional)
            assert_close(cell, c_n[k * D : (k + 1) * D], atol)
        else:
            assert layer.cell is None


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("task_shape,bidirectional", VARIANTS)
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("cell,nonlinearity", CELLS)
def test_matches_pytorch(device, task_shape, bidirectional, num_layers, cell, nonlinearity):
    model = make_model(
        device,
        cell=cell,
        nonlinearity=nonlinearity,
        num_layers=num_layers,
        task_shape=task_shape,
        bidirectional=bidirectional,
    )
    assert_matches_pytorch(model, make_inputs(model))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("hidden_size", [1, 16, 40])
@pytest.mark.parametrize("cell,nonlinearity", CELLS)
def test_matches_pytorch_across_hidden_sizes(device, hidden_size, cell, nonlinearity):
    model = make_model(
        device,
        cell=cell,
        nonlinearity=nonlinearity,
        hidden_size=hidden_size,
        num_layers=2,
        recurrent_init="orthogonal",
    )
    assert_matches_pytorch(model, make_inputs(model, steps=20))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("task_shape,bidirectional", VARIANTS)
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_text_model_with_embedding_matches_pytorch(device, task_shape, bidirectional, cell):
    model = make_model(
        device,
        cell=cell,
        vocab_size=11,
        output_size=11,
        embedding_dim=6,
        num_layers=2,
        task_shape=task_shape,
        bidirectional=bidirectional,
    )
    x = make_inputs(model)
    assert x.dtype == torch.long
    assert_matches_pytorch(model, x)
    assert_close(trace(model, x).layers[0].inputs, model.embedding(x).detach())


def single_layer_reference(model, layer):
    """A one-layer PyTorch module of the model's cell, loaded with layer `layer`'s weights."""
    config, rnn = model.config, model.rnn
    kwargs = {"nonlinearity": config.nonlinearity} if config.cell == "rnn" else {}
    width = config.features_in if layer == 0 else config.hidden_size * config.num_directions
    single = type(rnn)(
        width, config.hidden_size, batch_first=True, bidirectional=config.bidirectional, **kwargs
    )
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        for suffix in ("", "_reverse") if config.bidirectional else ("",):
            parameter = getattr(single, f"{name}_l0{suffix}")
            parameter.data.copy_(getattr(rnn, f"{name}_l{layer}{suffix}").data)
    return single.to(model.head.weight.device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell,nonlinearity", CELLS)
def test_every_layer_matches_a_single_layer_module(device, bidirectional, cell, nonlinearity):
    model = make_model(
        device,
        cell=cell,
        nonlinearity=nonlinearity,
        num_layers=3,
        task_shape="many_to_one",
        bidirectional=bidirectional,
    )
    x = make_inputs(model)
    result = trace(model, x)
    inputs = x  # float model: the embedding is the identity
    with torch.no_grad():
        for k, layer in enumerate(result.layers):
            states, final = single_layer_reference(model, k)(inputs)  # (B, T, D*H)
            assert_close(layer.inputs, inputs)
            assert_close(layer.hidden, states)
            if cell == "lstm":
                expected = final_states(layer.cell, model.config.hidden_size, bidirectional)
                assert_close(expected, final[1])
            inputs = states


def reference_gates(cell, rnn, x, h_prev):
    """Gates by PyTorch's documented equations, with PyTorch's states as h_{t-1}: (B, T, H)."""
    G = len(GATE_NAMES[cell])  # rows of each weight, in blocks of H, one block per gate
    W_i, W_h = rnn.weight_ih_l0.chunk(G), rnn.weight_hh_l0.chunk(G)
    b_i, b_h = rnn.bias_ih_l0.chunk(G), rnn.bias_hh_l0.chunk(G)
    pre = [F.linear(x, W_i[j], b_i[j]) + F.linear(h_prev, W_h[j], b_h[j]) for j in range(G)]
    if cell == "lstm":  # rows: input, forget, cell candidate, output
        return {
            "i": pre[0].sigmoid(),
            "f": pre[1].sigmoid(),
            "g": pre[2].tanh(),
            "o": pre[3].sigmoid(),
        }
    r = pre[0].sigmoid()
    n = torch.tanh(F.linear(x, W_i[2], b_i[2]) + r * F.linear(h_prev, W_h[2], b_h[2]))
    return {"r": r, "z": pre[1].sigmoid(), "n": n}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gates_follow_pytorch_equations_and_order(device, cell):
    model = make_model(device, cell=cell)
    x = make_inputs(model, steps=9)
    result = trace(model, x)
    with torch.no_grad():
        states, _ = model.rnn(x)  # (B, T, H)
        h_prev = F.pad(states, (0, 0, 1, 0))[:, :-1]  # (B, T, H): h_{t-1}, zeros at t = 0
        expected = reference_gates(cell, model.rnn, x, h_prev)
    gates = result.layers[0].gates
    assert list(gates) == list(GATE_NAMES[cell])
    for name, values in expected.items():
        assert_close(gates[name], values)


def test_plain_rnn_has_no_gates():
    result = trace(make_model(cell="rnn", num_layers=2), make_inputs(make_model(cell="rnn")))
    assert [layer.gates for layer in result.layers] == [{}, {}]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_float64_matches_to_rounding(cell):
    model = make_model(
        cell=cell, num_layers=2, task_shape="many_to_one", bidirectional=True
    ).double()
    assert_matches_pytorch(model, make_inputs(model, steps=12), atol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_runs_in_eval_semantics_without_dropout(cell):
    model = make_model(cell=cell, num_layers=3, dropout=0.5)
    x = make_inputs(model)
    with torch.no_grad():
        expected, _ = model(x)  # eval mode
    model.train()
    assert_close(trace(model, x).output, expected)
    assert model.training  # the trace leaves the mode alone


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_keep_graph_gives_pytorchs_parameter_gradients(cell):
    model = make_model(cell=cell, num_layers=2).double()
    x = make_inputs(model)
    assert not trace(model, x).output.requires_grad
    parameters = list(model.rnn.parameters())
    traced = torch.autograd.grad(trace(model, x, keep_graph=True).output.pow(2).sum(), parameters)
    expected = torch.autograd.grad(model(x)[0].pow(2).sum(), parameters)
    for got, want in zip(traced, expected, strict=True):
        assert_close(got, want, atol=1e-10)


def test_state_probes_need_one_tensor_per_layer():
    model = make_model(num_layers=2)
    with pytest.raises(ValueError, match="one state probe per layer"):
        trace(model, make_inputs(model), state_probes=[torch.zeros(4, 7, 5)])


def test_single_layer_reference_is_a_real_module():
    """Guards the helper above: with layer 0 it is exactly the model's first layer."""
    model = make_model(cell="gru", num_layers=1)
    assert isinstance(single_layer_reference(model, 0), nn.GRU)
    x = make_inputs(model)
    with torch.no_grad():
        assert_close(single_layer_reference(model, 0)(x)[0], model.rnn(x)[0], atol=0.0)


# Layers of different sizes: model.rnn is a StackedRNN of one-layer modules.

SIZES = [(6, 4), (8, 5, 3)]


def assert_matches_stacked_modules(model, x, atol=ATOL):
    """Every traced layer against that layer's own module, fed what the layer before it gave."""
    config = model.config
    result = trace(model, x)
    assert len(result.layers) == config.num_layers
    with torch.no_grad():
        inputs = model.embed(x)  # (B, T, F_in)
        for k, (layer, module) in enumerate(zip(result.layers, model.rnn.layers, strict=True)):
            H = config.layer_sizes[k]
            states, final = module(inputs)  # (B, T, D*H_k)
            h_n, c_n = final if config.cell == "lstm" else (final, None)
            assert states.shape[-1] == config.num_directions * H
            assert_close(layer.inputs, inputs, atol)
            assert_close(layer.hidden, states, atol)
            assert_close(final_states(layer.hidden, H, config.bidirectional), h_n, atol)
            if c_n is not None:
                assert_close(final_states(layer.cell, H, config.bidirectional), c_n, atol)
                for gate in layer.gates.values():
                    assert gate.shape == states.shape
            inputs = states
        assert_close(result.output, model(x)[0], atol)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("task_shape,bidirectional", VARIANTS)
@pytest.mark.parametrize("cell,nonlinearity", CELLS)
def test_layers_of_different_sizes_match_pytorch(
    device, cell, nonlinearity, task_shape, bidirectional, sizes
):
    model = make_model(
        device,
        cell=cell,
        nonlinearity=nonlinearity,
        num_layers=len(sizes),
        layer_sizes=sizes,
        task_shape=task_shape,
        bidirectional=bidirectional,
    )
    assert_matches_stacked_modules(model, make_inputs(model, steps=9))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_text_model_of_different_sizes_matches_pytorch(cell):
    model = make_model(
        cell=cell,
        vocab_size=11,
        output_size=11,
        embedding_dim=6,
        num_layers=2,
        layer_sizes=(7, 3),
        task_shape="many_to_one",
        bidirectional=True,
    )
    assert_matches_stacked_modules(model, make_inputs(model))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_different_sizes_give_pytorchs_parameter_gradients(cell):
    model = make_model(cell=cell, num_layers=3, layer_sizes=(6, 2, 4), dropout=0.3).double()
    x = make_inputs(model)
    parameters = list(model.rnn.parameters())
    traced = torch.autograd.grad(trace(model, x, keep_graph=True).output.pow(2).sum(), parameters)
    expected = torch.autograd.grad(model(x)[0].pow(2).sum(), parameters)  # eval: no dropout
    for got, want in zip(traced, expected, strict=True):
        assert_close(got, want, atol=1e-10)
