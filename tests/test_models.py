"""Models: shapes, PyTorch's parameter counts, init, and configs that explain themselves."""

import itertools

import pytest
import torch

from rnn_core.models import ModelConfig, SequenceModel, build_model, count_parameters


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
