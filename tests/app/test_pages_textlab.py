"""Text lab under AppTest: the depth unit the page finds, samples, next-character probabilities."""

import json
from collections import Counter

import numpy as np
import pytest

from rnn_core.analysis.textlab import PROPERTIES, activations_for_text, next_char_probabilities
from rnn_core.datasets.text import printable
from rnn_core.figures.colors import VAL_COLOR
from tests.app.conftest import chart_values, no_problems, open_app, train_until_done


def entropy_bits(text: str) -> float:
    counts = np.array(list(Counter(text).values()), dtype=float)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


@pytest.fixture(scope="module")
def bracket_lstm():
    """An LSTM trained through the Train page on the bracket corpus for a few seconds."""
    at = open_app()
    at.switch_page("app_pages/data.py").run()
    at.radio(key="opt.source_kind").set_value("Text").run()
    at.number_input(key="opt.seq_len").set_value(100).run()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.batch").set_value(32).run()
    at.number_input(key="opt.amount").set_value(400).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    at.switch_page("app_pages/textlab.py").run()
    no_problems(at)
    return at


def test_text_lab_without_a_text_model_says_what_to_do():
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    at.button(key="btn.step").click().run()
    at.switch_page("app_pages/textlab.py").run()
    no_problems(at)
    assert any("needs a character model" in info.value for info in at.info)


@pytest.mark.slow
def test_the_page_finds_a_depth_unit(bracket_lstm):
    at = bracket_lstm
    assert at.selectbox(key="text.property").value == "Bracket depth"
    table = at.dataframe[0].value
    best = table.iloc[0]
    assert abs(best["r"]) > 0.8
    # the same r from the core, computed directly with numpy on the same excerpt
    exp = at.session_state["experiment"]
    vocab = exp.data.vocabulary
    excerpt = vocab.decode(exp.data.validation.inputs[0].tolist())[
        : at.slider(key="text.excerpt").value
    ]
    acts = activations_for_text(exp.model, vocab, excerpt, 0)
    r = np.corrcoef(acts[best["quantity"]][:, best["unit"]], PROPERTIES["Bracket depth"](excerpt))
    assert best["r"] == pytest.approx(r[0, 1], abs=1e-4)
    shown = [h.proto.body for h in at.get("html") if not h.proto.body.startswith("<style>")]
    assert len(shown) == 1 and "<span" in shown[0]  # the coloured text (besides the page style)


@pytest.mark.slow  # the bracket LSTM trains 400 steps
def test_samples_at_low_and_high_temperature_differ(bracket_lstm):
    at = bracket_lstm
    at.slider(key="text.length").set_value(1000).run()
    samples = {}
    for temperature in (0.5, 1.5):
        at.slider(key="text.temperature").set_value(temperature).run()
        at.button(key="text.generate").click().run()
        no_problems(at)
        samples[temperature] = at.session_state["text.sample"]
        assert len(samples[temperature]) == 1000
    assert samples[0.5] != samples[1.5]
    assert entropy_bits(samples[1.5]) > entropy_bits(samples[0.5])


@pytest.mark.slow
def test_next_character_chart_shows_the_models_probabilities(bracket_lstm):
    at = bracket_lstm
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    bars = spec["data"][0]
    shown = chart_values(bars["y"])
    exp = at.session_state["experiment"]
    vocab = exp.data.vocabulary
    excerpt = vocab.decode(exp.data.validation.inputs[0].tolist())[
        : at.slider(key="text.excerpt").value
    ]
    expected = next_char_probabilities(
        exp.model, vocab, excerpt, at.slider(key="text.position").value
    )
    assert list(bars["x"]) == expected["char"].tolist()
    np.testing.assert_allclose(shown, expected["probability"], rtol=1e-6)
    assert 0 < shown.sum() <= 1 + 1e-6
    # the character that really comes next has its own colour, and the title names it
    actual = printable(excerpt[at.slider(key="text.position").value + 1])
    colors = bars["marker"]["color"]
    marked = [c for c, color in zip(bars["x"], colors, strict=True) if color == VAL_COLOR]
    assert marked == ([actual] if actual in bars["x"] else [])
    assert f"the true next one, “{actual}”" in spec["layout"]["xaxis"]["title"]["text"]
