"""Text lab core: properties on hand-worked strings, unit ranking against numpy, coloured HTML
read back with a real HTML parser, and the model readouts against direct PyTorch calls."""

import math
import re
import warnings
from html.parser import HTMLParser

import numpy as np
import pytest
import torch

from rnn_core.analysis.textlab import (
    PROPERTIES,
    UnitMatch,
    activations_for_text,
    bracket_depth,
    colored_text_html,
    inside_quotes,
    next_char_probabilities,
    perplexity,
    position_in_line,
    rank_units,
)
from rnn_core.datasets.text import Vocabulary
from rnn_core.models import ModelConfig, build_model

# --- properties -------------------------------------------------------------------------------


def test_bracket_depth_by_hand():
    np.testing.assert_array_equal(bracket_depth("a(b(c)d)e"), [0, 1, 1, 2, 2, 1, 1, 0, 0])
    np.testing.assert_array_equal(bracket_depth("[{(x)}]"), [1, 2, 3, 3, 2, 1, 0])
    np.testing.assert_array_equal(bracket_depth("))(]("), [0, 0, 1, 0, 1])  # floored at 0


def test_bracket_depth_matches_a_character_loop():
    rng = np.random.default_rng(0)
    text = "".join(rng.choice(list("()[]{}ab"), size=2000))
    depth, expected = 0, []
    for char in text:  # the definition, one character at a time
        depth = depth + 1 if char in "([{" else max(depth - 1, 0) if char in ")]}" else depth
        expected.append(depth)
    np.testing.assert_array_equal(bracket_depth(text), expected)


def test_inside_quotes_counts_both_quotes_as_inside():
    np.testing.assert_array_equal(inside_quotes('a"bc"d'), [0, 1, 1, 1, 1, 0])
    np.testing.assert_array_equal(inside_quotes('"a""b" c'), [1, 1, 1, 1, 1, 1, 0, 0])
    np.testing.assert_array_equal(inside_quotes('x "y\nz'), [0, 0, 1, 1, 1, 1])  # never closed


def test_position_in_line_restarts_at_each_newline():
    np.testing.assert_array_equal(position_in_line("ab\ncd\n\ne"), [1, 2, 0, 1, 2, 0, 0, 1])


@pytest.mark.parametrize("name", list(PROPERTIES))
def test_every_property_is_one_float_per_character(name):
    values = PROPERTIES[name]('f("a", [b])\n  x')
    assert values.dtype == np.float64 and values.shape == (15,)
    assert PROPERTIES[name]("").shape == (0,)


# --- ranking units ----------------------------------------------------------------------------


def planted(T=400, seed=0):
    """Noise activations with unit 3 of "c" = 2 * signal + noise and unit 5 of "h" = -signal."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=T)
    acts = {"h": rng.normal(size=(T, 8)), "c": rng.normal(size=(T, 6)), "f": rng.random((T, 4))}
    acts["c"][:, 3] = 2 * signal + 0.3 * rng.normal(size=T)
    acts["h"][:, 5] = -signal
    return acts, signal


def test_rank_units_finds_the_planted_units_with_numpy_r():
    acts, signal = planted()
    first, second = rank_units(acts, signal, top=2)
    assert (first.quantity, first.unit) == ("h", 5)
    assert (second.quantity, second.unit) == ("c", 3)
    assert first.correlation == pytest.approx(-1.0, abs=1e-12)
    for match in (first, second):
        expected = np.corrcoef(acts[match.quantity][:, match.unit], signal)[0, 1]
        assert match.correlation == pytest.approx(expected, abs=1e-10)
    assert 0.9 < second.correlation < 0.999  # positive, and the noise is felt


def test_rank_units_lists_every_unit_by_abs_r():
    acts, signal = planted(T=50, seed=1)
    matches = rank_units(acts, signal, top=1000)
    assert len(matches) == 8 + 6 + 4 and isinstance(matches[0], UnitMatch)
    strengths = [abs(m.correlation) for m in matches]
    assert strengths == sorted(strengths, reverse=True)
    for m in matches:
        r = np.corrcoef(acts[m.quantity][:, m.unit], signal)[0, 1]
        assert m.correlation == pytest.approx(r, abs=1e-10)
    assert len(rank_units(acts, signal)) == 10


def test_flat_units_and_flat_signals_get_zero_not_nan():
    acts, signal = planted(T=30)
    acts["h"][:, 0] = 0.1  # constant, but its centred values are round-off, not zeros
    acts["h"][:, 1] = np.nan  # a diverged unit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_unit = {(m.quantity, m.unit): m.correlation for m in rank_units(acts, signal, top=99)}
        flat_signal = rank_units(acts, np.full(30, 2.0), top=99)
    assert by_unit[("h", 0)] == 0.0 and by_unit[("h", 1)] == 0.0
    assert all(m.correlation == 0.0 for m in flat_signal) and len(flat_signal) == 18


def test_rank_units_says_which_shape_is_wrong():
    with pytest.raises(ValueError, match="'c' have shape"):
        rank_units({"h": np.zeros((5, 2)), "c": np.zeros((4, 2))}, np.arange(5.0))


# --- coloured text ----------------------------------------------------------------------------


class Spans(HTMLParser):
    """Each <span>'s attributes and text, as a browser reads them."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.spans, self.tags = [], []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "span":
            self.spans.append({**dict(attrs), "text": ""})

    def handle_data(self, data):
        self.spans[-1]["text"] += data


def backgrounds(parsed: Spans) -> list[tuple[int, ...]]:
    pattern = r"background-color: rgb\((\d+), (\d+), (\d+)\)"
    return [tuple(map(int, re.search(pattern, s["style"]).groups())) for s in parsed.spans]


def test_colored_text_is_escaped_text_never_markup():
    text = "<script>alert(1)</script> & \"q\" 'a'\n<b>x</b>"
    markup = colored_text_html(text, np.linspace(-1, 1, len(text)))
    assert "<script" not in markup and "<b>" not in markup
    assert all(
        f">{entity}</span>" in markup for entity in ("&lt;", "&gt;", "&amp;", "&quot;", "&#x27;")
    )
    parsed = Spans(markup)
    assert parsed.tags == ["div"] + ["span"] * 36 + ["br"] + ["span"] * 8
    shown = "".join(s["text"] for s in parsed.spans)
    assert shown == text.replace("\n", "↵")  # every character back, in order
    assert "white-space: pre-wrap" in markup and "monospace" in markup


def test_colored_text_diverges_around_zero_by_max_abs():
    parsed = Spans(colored_text_html("ab c", np.array([-2.0, 0.0, 1.0, 2.0])))
    white, red, blue = (255, 255, 255), (178, 24, 43), (33, 102, 172)
    mid = tuple(round((w + r) / 2) for w, r in zip(white, red, strict=True))
    assert backgrounds(parsed) == [blue, white, mid, red]
    assert [s["title"] for s in parsed.spans] == [
        "a: -2.0000",
        "b: +0.0000",
        "space: +1.0000",
        "c: +2.0000",
    ]


def test_colored_text_sequential_for_gates():
    parsed = Spans(colored_text_html("abcd", np.array([0.0, 0.25, 1.0, 1.7]), vmin=0.0, vmax=1.0))
    quarter = tuple(round(255 + 0.25 * (r - 255)) for r in (178, 24, 43))
    assert backgrounds(parsed) == [(255, 255, 255), quarter, (178, 24, 43), (178, 24, 43)]
    flat = Spans(colored_text_html("ab", np.zeros(2)))  # nothing to scale by: all white
    assert backgrounds(flat) == [(255, 255, 255)] * 2


def test_colored_text_needs_one_value_per_character():
    with pytest.raises(ValueError, match="one value per character"):
        colored_text_html("abc", np.zeros(2))


# --- model readouts ---------------------------------------------------------------------------

VOCAB = Vocabulary.from_text('()ab\n "')
TEXT = '(a(b))\n"ab" (a)\n((b)a)'


def char_model(cell, num_layers=1):
    V = VOCAB.size
    config = ModelConfig(
        cell=cell, vocab_size=V, output_size=V, hidden_size=5, num_layers=num_layers
    )
    return build_model(config, seed=0)


@pytest.mark.parametrize("cell, names", [("lstm", "h c i f g o"), ("gru", "h r z n"), ("rnn", "h")])
def test_activations_are_pytorchs_states(cell, names):
    model = char_model(cell, num_layers=2)
    ids = torch.as_tensor(VOCAB.encode(TEXT))[None]  # (1, T)
    with torch.no_grad():
        states, final = model.rnn(model.embed(ids))  # (1, T, H)
    top, bottom = (activations_for_text(model, VOCAB, TEXT, layer) for layer in (-1, 0))
    assert list(top) == names.split() and all(v.shape == (len(TEXT), 5) for v in top.values())
    np.testing.assert_allclose(top["h"], states[0].numpy(), atol=1e-5)
    h_n = final[0] if cell == "lstm" else final  # (L, 1, H)
    np.testing.assert_allclose(bottom["h"][-1], h_n[0, 0].numpy(), atol=1e-5)
    if cell == "lstm":
        np.testing.assert_allclose(top["c"][-1], final[1][1, 0].numpy(), atol=1e-5)
        # the first step by hand from the weights: h_0 = c_0 = 0, so W_hh drops out
        x0 = model.embed(ids)[0, 0].detach()  # (E,)
        rnn = model.rnn
        pre = rnn.weight_ih_l0.detach() @ x0 + rnn.bias_ih_l0.detach() + rnn.bias_hh_l0.detach()
        i, f, g, o = pre.chunk(4)  # PyTorch's gate order
        for name, value in {
            "i": i.sigmoid(),
            "f": f.sigmoid(),
            "g": g.tanh(),
            "o": o.sigmoid(),
            "c": i.sigmoid() * g.tanh(),
        }.items():
            np.testing.assert_allclose(bottom[name][0], value.numpy(), atol=1e-6)


def test_activations_reject_a_missing_layer():
    with pytest.raises(ValueError, match="1 layer"):
        activations_for_text(char_model("gru"), VOCAB, TEXT, layer=1)


def test_next_char_probabilities_are_a_softmax_of_the_direct_call():
    model = char_model("lstm", num_layers=2).train()  # dropout would not matter: eval is used
    position = 11  # the model has read '(a(b))\n"ab"'
    frame = next_char_probabilities(model, VOCAB, TEXT, position, top=3)
    with torch.no_grad():
        logits = model.eval()(torch.as_tensor(VOCAB.encode(TEXT[:12]))[None])[0][0, -1]  # (V,)
    expected = torch.softmax(logits.double(), dim=-1).numpy()
    best = np.argsort(-expected)[:3]
    assert list(frame.columns) == ["char", "probability"]
    assert frame["char"].tolist() == [
        {"\n": "\\n", " ": "space"}.get(VOCAB.chars[k], VOCAB.chars[k]) for k in best
    ]
    np.testing.assert_allclose(frame["probability"], expected[best], rtol=1e-6)
    everything = next_char_probabilities(model, VOCAB, TEXT, position, top=VOCAB.size)
    assert everything["probability"].sum() == pytest.approx(1.0, abs=1e-12)
    assert everything["probability"].is_monotonic_decreasing and len(everything) == VOCAB.size


def test_next_char_probabilities_restores_training_mode_and_checks_the_position():
    model = char_model("gru").train()
    next_char_probabilities(model, VOCAB, TEXT, 0)
    assert model.training
    with pytest.raises(ValueError, match=f"between 0 and {len(TEXT) - 1}"):
        next_char_probabilities(model, VOCAB, TEXT, len(TEXT))


def test_perplexity_is_exp_of_nats():
    assert perplexity(math.log(2)) == pytest.approx(2.0, rel=1e-15)
    assert perplexity(0.0) == 1.0
    assert perplexity(math.log(VOCAB.size)) == pytest.approx(VOCAB.size)  # a uniform guess
