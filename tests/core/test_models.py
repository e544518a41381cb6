"""Models: shapes, PyTorch's parameter counts, init, and configs that explain themselves."""

import itertools
from dataclasses import asdict
from types import SimpleNamespace

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from rnn_core.models import (
    PARAMETER_NAMES,
    ModelConfig,
    SequenceModel,
    StackedRNN,
    build_model,
    config_problems,
    count_parameters,
    device_label,
    layer_parameter,
)


@pytest.mark.parametrize(
    ("cell", "task_shape"),
    itertools.product(["rnn", "lstm", "gru"], ["many_to_many", "many_to_one"]),
)
def test_output_shapes(cell, task_shape):
    model = SequenceModel(
        ModelConfig(
            cell=cell,
            input_size=3,
            output_size=2,
            hidden_size=8,
            num_layers=2,
            task_shape=task_shape,
        )
    )
    out, hidden = model(torch.randn(5, 7, 3))
    assert out.shape == ((5, 7, 2) if task_shape == "many_to_many" else (5, 2))
    h = hidden[0] if cell == "lstm" else hidden
    assert h.shape == (2, 5, 8)


def test_text_model_embeds_ids():
    model = SequenceModel(ModelConfig(cell="gru", vocab_size=11, output_size=11, hidden_size=6))
    out, _ = model(torch.randint(0, 11, (4, 9)))
    assert out.shape == (4, 9, 11)


def test_bidirectional_many_to_one_reads_both_final_states():
    config = ModelConfig(
        cell="gru",
        input_size=2,
        hidden_size=5,
        bidirectional=True,
        task_shape="many_to_one",
        num_layers=2,
    )
    model = SequenceModel(config)
    x = torch.randn(3, 6, 2)
    _, h_n = model.rnn(x)  # (L*2, B, H)
    expected = model.head(torch.cat([h_n[-2], h_n[-1]], dim=-1))
    torch.testing.assert_close(model(x)[0], expected)


def test_bidirectional_forecasting_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="sees the future"):
        ModelConfig(bidirectional=True, task_shape="many_to_many")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_init_hidden_follows_dtype_and_starts_at_zero(cell, dtype):
    model = SequenceModel(ModelConfig(cell=cell, hidden_size=4, num_layers=3)).to(dtype)
    hidden = model.init_hidden(2)
    states = hidden if cell == "lstm" else (hidden,)
    for state in states:
        assert state.shape == (3, 2, 4) and state.dtype == dtype and not state.any()
    x = torch.randn(2, 5, 1, dtype=dtype)
    torch.testing.assert_close(model(x, hidden)[0], model(x)[0])


@pytest.mark.parametrize(
    ("cell", "layers", "bidirectional", "vocab"),
    itertools.product(["rnn", "lstm", "gru"], [1, 3], [False, True], [None, 13]),
)
def test_closed_form_parameter_count_is_pytorchs(cell, layers, bidirectional, vocab):
    config = ModelConfig(
        cell=cell,
        num_layers=layers,
        bidirectional=bidirectional,
        vocab_size=vocab,
        input_size=3,
        output_size=2,
        hidden_size=7,
        task_shape="many_to_one",
    )
    model = SequenceModel(config)
    assert count_parameters(config) == model.parameter_count()
    assert model.parameter_count() == sum(p.numel() for p in model.parameters())


def test_lstm_count_has_two_bias_vectors_per_gate():
    # 4 gates x (W_ih 1 + W_hh 32 + b_ih + b_hh) x 32 units, then a 32 -> 1 head
    assert count_parameters(ModelConfig(cell="lstm", hidden_size=32)) == 4 * 32 * (1 + 32 + 2) + 33


def test_build_model_depends_only_on_config_and_seed():
    config = ModelConfig(hidden_size=6)
    a, b, c = build_model(config, 1), build_model(config, 1), build_model(config, 2)
    for (name, pa), pb, pc in zip(
        a.named_parameters(), b.parameters(), c.parameters(), strict=True
    ):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0, msg=name)
        assert not torch.equal(pa, pc)


def test_build_model_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    build_model(ModelConfig(), 5)
    torch.testing.assert_close(torch.rand(3), expected)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_orthogonal_init_makes_each_gate_block_orthogonal(cell):
    model = SequenceModel(
        ModelConfig(cell=cell, hidden_size=8, num_layers=2, recurrent_init="orthogonal")
    )
    for name, weight in model.rnn.named_parameters():
        if name.startswith("weight_hh"):
            for block in weight.detach().split(8, dim=0):
                torch.testing.assert_close(block @ block.T, torch.eye(8), atol=1e-5, rtol=0)


# Layers of different sizes: a StackedRNN of one-layer PyTorch modules.

CELLS = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]
CLASSES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
BIDIRECTIONAL = {"bidirectional": True, "task_shape": "many_to_one"}


def stacked_config(cell, nonlinearity="tanh", sizes=(8, 5, 3), bidirectional=False, **fields):
    return ModelConfig(
        cell=cell,
        nonlinearity=nonlinearity,
        input_size=3,
        output_size=2,
        num_layers=len(sizes),
        layer_sizes=sizes,
        bidirectional=bidirectional,
        task_shape="many_to_one" if bidirectional else "many_to_many",
        **fields,
    )


def reference_layers(config, seed=7):
    """One-layer PyTorch modules of the config's sizes with fresh weights, and a head."""
    kwargs = {"nonlinearity": config.nonlinearity} if config.cell == "rnn" else {}
    D = config.num_directions
    torch.manual_seed(seed)
    layers, width = [], config.input_size
    for size in config.layer_sizes:
        layers.append(
            CLASSES[config.cell](
                width, size, batch_first=True, bidirectional=config.bidirectional, **kwargs
            ).eval()
        )
        width = D * size
    return layers, nn.Linear(width, config.output_size)


def load_reference(model, layers, head):
    """The reference's weights put in the model under the names a StackedRNN must have."""
    state = {
        f"rnn.layers.{k}.{name}": p
        for k, layer in enumerate(layers)
        for name, p in layer.state_dict().items()
    }
    state.update({f"head.{name}": p for name, p in head.state_dict().items()})
    model.load_state_dict(state)  # strict: every name and shape must fit


def chained(config, layers, head, x, dropout=None):
    """Hand-chained forward: each layer reads the last one's output; the head reads the last."""
    finals, states = [], x
    for k, layer in enumerate(layers):
        states, final = layer(states)  # (B, T, D*H_k)
        finals.append(final)
        if dropout is not None and k < len(layers) - 1:
            states = F.dropout(states, dropout, training=True)
    H = config.layer_sizes[-1]
    if config.task_shape == "many_to_many":
        read = states
    elif config.bidirectional:
        read = torch.cat([states[:, -1, :H], states[:, 0, H:]], dim=-1)  # (B, 2H)
    else:
        read = states[:, -1]
    return head(read), finals


def assert_same_state(actual, expected, atol=1e-6):
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected)
        for a, e in zip(actual, expected, strict=True):
            assert_same_state(a, e, atol)
    else:
        torch.testing.assert_close(actual, expected, atol=atol, rtol=0)


@pytest.mark.parametrize("sizes", [(64, 32), (8, 5, 3)])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize(("cell", "nonlinearity"), CELLS)
def test_layers_of_different_sizes_match_a_hand_chained_reference(
    cell, nonlinearity, bidirectional, sizes
):
    config = stacked_config(cell, nonlinearity, sizes, bidirectional)
    model = SequenceModel(config).eval()
    assert isinstance(model.rnn, StackedRNN)
    layers, head = reference_layers(config)
    load_reference(model, layers, head)
    x = torch.randn(4, 9, 3)
    with torch.no_grad():
        expected, finals = chained(config, layers, head, x)
        out, hidden = model(x)
        again, _ = model(x, model.init_hidden(4))
    D = config.num_directions
    assert out.shape == ((4, 2) if bidirectional else (4, 9, 2))
    torch.testing.assert_close(out, expected, atol=1e-6, rtol=0)
    torch.testing.assert_close(again, expected, atol=1e-6, rtol=0)
    assert_same_state(hidden, tuple(finals))
    for k, size in enumerate(sizes):
        h = hidden[k][0] if cell == "lstm" else hidden[k]
        assert h.shape == (D, 4, size)
    assert model.parameter_count() == count_parameters(config)
    assert model.head.in_features == D * sizes[-1]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_init_hidden_of_different_sizes_holds_one_zero_state_per_layer(cell):
    config = stacked_config(cell, sizes=(6, 4), bidirectional=True, vocab_size=9)
    model = SequenceModel(config).double()
    hidden = model.init_hidden(3)
    assert isinstance(hidden, tuple) and len(hidden) == 2
    for size, state in zip((6, 4), hidden, strict=True):
        for h in state if cell == "lstm" else (state,):
            assert h.shape == (2, 3, size) and h.dtype == torch.float64 and not h.any()
    ids = torch.randint(9, (3, 5))
    torch.testing.assert_close(model(ids, hidden)[0], model(ids)[0])
    # The state carries on: two halves in a row equal the whole (forward direction only).
    uni = SequenceModel(stacked_config(cell, sizes=(6, 4))).double()
    x = torch.randn(3, 8, 3, dtype=torch.float64)
    whole, _ = uni(x)
    first, state = uni(x[:, :5])
    second, _ = uni(x[:, 5:], state)
    torch.testing.assert_close(torch.cat([first, second], dim=1), whole)


@pytest.mark.parametrize(
    ("cell", "sizes", "bidirectional", "vocab"),
    itertools.product(["rnn", "lstm", "gru"], [(7, 3), (2, 9, 4)], [False, True], [None, 13]),
)
def test_closed_form_parameter_count_follows_layer_sizes(cell, sizes, bidirectional, vocab):
    config = stacked_config(cell, sizes=sizes, bidirectional=bidirectional, vocab_size=vocab)
    assert count_parameters(config) == SequenceModel(config).parameter_count()


def test_lstm_count_of_64_then_32_units_by_hand():
    # layer 1: 4 x 64 x (1 + 64 + 2); layer 2: 4 x 32 x (64 + 32 + 2); head 32 -> 1
    config = ModelConfig(cell="lstm", num_layers=2, layer_sizes=(64, 32))
    assert count_parameters(config) == 4 * 64 * 67 + 4 * 32 * 98 + 33


def test_equal_layer_sizes_keep_one_pytorch_module():
    """Same structure, parameter names and seeded weights as hidden_size alone: old checkpoints
    load, and a config that spells its sizes out builds the very same model."""
    plain = build_model(ModelConfig(cell="gru", hidden_size=6, num_layers=2), 3)
    spelled = build_model(ModelConfig(cell="gru", num_layers=2, layer_sizes=(6, 6)), 3)
    assert type(spelled.rnn) is nn.GRU and spelled.rnn.num_layers == 2
    assert spelled.config.hidden_sizes == (6, 6) and spelled.config.last_hidden_size == 6
    assert list(spelled.state_dict()) == list(plain.state_dict())
    for (name, a), b in zip(plain.state_dict().items(), spelled.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_hidden_sizes_default_to_hidden_size():
    config = ModelConfig(hidden_size=7, num_layers=3)
    assert config.layer_sizes == () and config.hidden_sizes == (7, 7, 7)
    assert config.last_hidden_size == 7
    config = ModelConfig(hidden_size=7, num_layers=2, layer_sizes=(64, 32))
    assert config.hidden_sizes == (64, 32) and config.last_hidden_size == 32


def test_layer_sizes_given_as_a_list_become_a_tuple():
    config = ModelConfig(num_layers=2, layer_sizes=[64, 32])
    assert config.layer_sizes == (64, 32)
    assert config == ModelConfig(num_layers=2, layer_sizes=(64, 32))
    assert hash(config) == hash(ModelConfig(num_layers=2, layer_sizes=(64, 32)))


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"num_layers": 2, "layer_sizes": (64, 32, 16)}, "gives 3 size.*for 2 layer"),
        ({"num_layers": 3, "layer_sizes": (64,)}, "one size per layer"),
        ({"num_layers": 2, "layer_sizes": (64, 0)}, "between 1 and 512"),
        ({"num_layers": 2, "layer_sizes": (12_000, 1)}, "between 1 and 512"),
        ({"num_layers": 2, "layer_sizes": (64, 2.5)}, "whole numbers"),
        ({"num_layers": 1, "layer_sizes": 64}, "whole numbers"),
    ],
)
def test_layer_sizes_that_do_not_fit_are_refused_with_a_sentence(fields, match):
    with pytest.raises(ValueError, match=match):
        ModelConfig(**fields)
    problems = config_problems(SimpleNamespace(**{**asdict(ModelConfig()), **fields}))
    assert problems and all("layer_sizes" in p and p.endswith(".") for p in problems)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_dropout_between_layers_is_nn_lstms_own(cell):
    """Layers of one size as a StackedRNN, seeded like nn.LSTM(dropout=0.5): the same numbers."""
    pytorch = CLASSES[cell](3, 5, num_layers=3, dropout=0.5, batch_first=True)
    stacked = StackedRNN(cell, 3, (5, 5, 5), dropout=0.5)
    with torch.no_grad():
        for k, layer in enumerate(stacked.layers):
            for name in PARAMETER_NAMES:
                getattr(layer, f"{name}_l0").copy_(getattr(pytorch, f"{name}_l{k}"))
    x = torch.randn(4, 7, 3)
    torch.manual_seed(11)
    expected = pytorch(x)[0]
    torch.manual_seed(11)
    torch.testing.assert_close(stacked(x)[0], expected, atol=1e-6, rtol=0)


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_dropout_between_layers_of_different_sizes(cell, bidirectional):
    config = stacked_config(cell, sizes=(8, 5, 3), bidirectional=bidirectional, dropout=0.5)
    model = SequenceModel(config)
    layers, head = reference_layers(config)
    load_reference(model, layers, head)
    x = torch.randn(4, 9, 3)
    with torch.no_grad():
        model.train()
        torch.manual_seed(5)
        trained = model(x)[0]
        torch.manual_seed(5)
        expected, _ = chained(config, layers, head, x, dropout=0.5)
        torch.testing.assert_close(trained, expected, atol=1e-6, rtol=0)
        assert (trained - model(x)[0]).abs().max() > 1e-3  # another draw, other numbers
        model.eval()
        plain, _ = chained(config, layers, head, x)
        torch.testing.assert_close(model(x)[0], plain, atol=1e-6, rtol=0)
        assert (trained - plain).abs().max() > 1e-3


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_orthogonal_init_of_layers_of_different_sizes(cell):
    config = stacked_config(cell, sizes=(8, 5), recurrent_init="orthogonal")
    model = SequenceModel(config)
    for k, size in enumerate((8, 5)):
        weight = layer_parameter(model, "weight_hh", k).detach()
        for block in weight.split(size, dim=0):
            torch.testing.assert_close(block @ block.T, torch.eye(size), atol=1e-5, rtol=0)


def test_layer_parameter_reads_both_structures():
    one = SequenceModel(ModelConfig(cell="lstm", hidden_size=4, num_layers=2, **BIDIRECTIONAL))
    assert layer_parameter(one, "weight_hh", 1, reverse=True) is one.rnn.weight_hh_l1_reverse
    assert layer_parameter(one, "bias_ih", -1) is one.rnn.bias_ih_l1
    config = ModelConfig(
        cell="gru", input_size=3, num_layers=2, layer_sizes=(6, 4), **BIDIRECTIONAL
    )
    stacked = SequenceModel(config)
    assert layer_parameter(stacked, "weight_ih", 0).shape == (3 * 6, 3)
    assert layer_parameter(stacked, "weight_ih", 1, reverse=True).shape == (3 * 4, 2 * 6)
    assert layer_parameter(stacked, "weight_hh", 1) is stacked.rnn.layers[1].weight_hh_l0
    for args, match in [
        (("weight", 0), "weight_ih"),
        (("weight_ih", 2), "between 0 and 1"),
    ]:
        with pytest.raises(ValueError, match=match):
            layer_parameter(stacked, *args)
    with pytest.raises(ValueError, match="bidirectional"):
        layer_parameter(SequenceModel(ModelConfig()), "weight_ih", 0, reverse=True)


def test_the_device_label_says_where_the_model_runs():
    assert device_label(build_model(ModelConfig(), 0)) == "CPU"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_on_cuda_the_recurrent_layers_run_cudnn_kernels_and_the_label_says_so(cell):
    model = build_model(ModelConfig(cell=cell, hidden_size=32), 0, "cuda")
    assert "fused cuDNN kernels" in device_label(model)
    x = torch.randn(8, 20, 1, device="cuda")  # (B, T, F)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        model(x)[0].sum().backward()
        torch.cuda.synchronize()
    ops = {event.name for event in prof.events()}
    assert {"aten::_cudnn_rnn", "aten::_cudnn_rnn_backward"} <= ops  # PyTorch's fused path
