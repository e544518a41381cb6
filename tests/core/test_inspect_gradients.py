"""Gradients through time in rnn_core.analysis.inspect: across snapshots, and the RNN / LSTM /
GRU race, against PyTorch's own cells run by autograd and the closed form of the last step."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from rnn_core.analysis.gradient_race import race_batch, race_model
from rnn_core.analysis.gradients import hidden_grad_norms
from rnn_core.analysis.inspect import gradient_race, snapshot_grad_norms
from rnn_core.models import build_model
from tests.core.test_inspect import loaded_cell, make_inputs, make_model


def ratio(norms):
    """||dL/dh_0|| / ||dL/dh_{T-1}||."""
    return norms[0] / norms[-1]


def test_snapshot_grad_norms_follow_each_snapshot():
    model = make_model(cell="gru", num_layers=2)
    x = make_inputs(model)
    y = torch.randn(3, 6, 2, generator=torch.Generator().manual_seed(2))
    first = {k: v.clone() for k, v in model.state_dict().items()}
    second = {k: v * 1.5 for k, v in first.items()}
    steps, norms = snapshot_grad_norms(model, [(0, first), (25, second)], x, y, layer=0)
    np.testing.assert_array_equal(steps, [0, 25])
    assert norms.shape == (2, 6)
    for row, state in zip(norms, (first, second), strict=True):
        reference = build_model(model.config, seed=5).eval()
        reference.load_state_dict(state)
        np.testing.assert_allclose(row, hidden_grad_norms(reference, x, y)[0], rtol=1e-6)
    assert not np.allclose(norms[0], norms[1])
    assert all(torch.equal(v, first[k]) for k, v in model.state_dict().items())
    with pytest.raises(ValueError, match="layer"):
        snapshot_grad_norms(model, [(0, first)], x, y, layer=2)


def test_snapshot_grad_norms_keeps_at_most_max_snapshots():
    model = make_model(cell="rnn")
    x = make_inputs(model)
    y = torch.randn(3, 6, 2, generator=torch.Generator().manual_seed(2))
    base = model.state_dict()
    snapshots = [(10 * k, {n: v * (1 + 0.1 * k) for n, v in base.items()}) for k in range(5)]
    steps, norms = snapshot_grad_norms(model, snapshots, x, y, max_snapshots=3)
    np.testing.assert_array_equal(steps, [0, 20, 40])  # evenly spaced, first and last kept
    _, every = snapshot_grad_norms(model, snapshots, x, y)
    np.testing.assert_array_equal(norms, every[[0, 2, 4]])


def autograd_norms(model, x, y):
    """||dL/dh_t|| from PyTorch's own cell unrolled by hand, each h_t kept by retain_grad."""
    cell = loaded_cell(model, 0)
    B, H = x.shape[0], model.config.hidden_size
    h = c = torch.zeros(B, H, dtype=torch.float64)
    states = []
    for x_t in x.unbind(dim=1):
        if model.config.cell == "lstm":
            h, c = cell(x_t, (h, c))
        else:
            h = cell(x_t, h)
        h.retain_grad()  # every later use of h_t flows back into h_t.grad: the total dL/dh_t
        states.append(h)
    F.mse_loss(model.head(h), y).backward()
    return np.array([state.grad.norm().item() for state in states])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_race_matches_autograd_through_pytorch_cells(cell):
    norms = gradient_race((cell,), hidden_size=4, seq_len=12, batch_size=3, seed=3)[cell]
    model = race_model(cell, hidden_size=4, seed=3)
    x, y = race_batch(batch_size=3, seq_len=12, seed=3)
    np.testing.assert_allclose(norms, autograd_norms(model, x, y), rtol=1e-10)


def test_race_last_step_has_the_closed_form():
    race = gradient_race()
    x, y = race_batch()
    B = x.shape[0]
    for cell, norms in race.items():
        model = race_model(cell)
        with torch.no_grad():
            prediction, _ = model(x)  # (B, 1)
        # L = mean_b (w . h_b + bias - y_b)^2  ->  dL/dh_b = 2 / B (prediction_b - y_b) w
        expected = 2 / B * (prediction - y).norm() * model.head.weight.norm()
        assert norms.shape == (100,)
        assert norms[-1] == pytest.approx(expected.item(), rel=1e-10)


def test_race_rnn_vanishes_and_gated_cells_keep_far_more():
    race = gradient_race()  # hidden 32, 100 steps, forget bias 1
    rnn, lstm, gru = ratio(race["rnn"]), ratio(race["lstm"]), ratio(race["gru"])
    assert 0 < rnn < 1e-10  # float64: no underflow to zero
    assert rnn < 1e-3 * lstm and rnn < 1e-3 * gru
    # At PyTorch's default biases (gates near 0.5) the LSTM loses its gradient too
    default = gradient_race(("lstm",), forget_bias=None)["lstm"]
    assert ratio(default) < 1e-3 * lstm


def test_race_rnn_explodes_with_a_large_spectral_radius():
    race = gradient_race(("rnn", "lstm"), spectral_radius=3.0)
    assert list(race) == ["rnn", "lstm"]
    assert ratio(race["rnn"]) > 1e3
    np.testing.assert_array_equal(race["lstm"], gradient_race(("lstm",))["lstm"])


def test_race_model_rescales_only_the_rnn():
    default = race_model("rnn", spectral_radius=None).rnn.weight_hh_l0.detach().numpy()
    scaled = race_model("rnn", spectral_radius=1.7).rnn.weight_hh_l0.detach().numpy()
    radius = np.abs(np.linalg.eigvals(default)).max()
    assert np.abs(np.linalg.eigvals(scaled)).max() == pytest.approx(1.7, rel=1e-12)
    np.testing.assert_allclose(scaled, default * (1.7 / radius), rtol=1e-12)
    for cell in ("lstm", "gru"):
        plain = race_model(cell, forget_bias=None).rnn.weight_hh_l0
        assert torch.equal(race_model(cell, spectral_radius=1.7).rnn.weight_hh_l0, plain)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_forget_bias_sets_only_the_forget_or_update_gate(cell):
    H = 8
    plain = race_model(cell, hidden_size=H, forget_bias=None)
    biased = race_model(cell, hidden_size=H, forget_bias=1.0)
    total = biased.rnn.bias_ih_l0 + biased.rnn.bias_hh_l0  # (G*H,)
    np.testing.assert_array_equal(total[H : 2 * H].detach().numpy(), np.ones(H))
    for name in ("bias_ih_l0", "bias_hh_l0"):  # the other gates keep PyTorch's init
        before, after = getattr(plain.rnn, name), getattr(biased.rnn, name)
        assert torch.equal(before[:H], after[:H]) and torch.equal(before[2 * H :], after[2 * H :])
    assert torch.equal(plain.rnn.weight_hh_l0, biased.rnn.weight_hh_l0)
    reference = build_model(plain.config, seed=0).double()
    assert torch.equal(plain.rnn.bias_ih_l0, reference.rnn.bias_ih_l0)
