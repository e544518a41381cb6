"""Settings a visitor can type or put in a link cannot hurt the server or show Python's own
error text: sizes in other scripts' digits get a sentence, a gradient race past the analysis
budget is refused with one, and where sweeps run is the operator's setting, never a box."""

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, RERUN_S, TRAINING_S, no_problems, open_app, sweep_page
from ui.sweep.setup import SWEEP

DIGITS = "٣٢,¹²"  # Arabic-Indic 32 and superscript 12: int() takes the first, not the second
WHAT_TO_TYPE = "type the digits 0 to 9, separated by commas, like 64, 32"


def opened_with(link: dict, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RERUN_S)
    at.query_params = link
    return at.switch_page(page).run()


def test_layer_sizes_in_other_digits_from_a_link_get_a_sentence():
    at = opened_with({"layers": "2", "layer_sizes": DIGITS}, "app_pages/train.py")
    assert not at.exception
    said = [w.value for w in at.warning]
    assert any(WHAT_TO_TYPE in s and "the default ('') is used" in s for s in said), said
    assert not any("invalid literal" in s for s in said)
    assert at.text_input(key="opt.layer_sizes").value == ""


@pytest.mark.parametrize("typed", [DIGITS, "٣٢,٣٢", "¹²,¹²"])
def test_layer_sizes_in_other_digits_in_the_box_get_a_sentence(typed):
    at = open_app().switch_page("app_pages/train.py").run()
    at.number_input(key="opt.layers").set_value(2).run()
    at.text_input(key="opt.layer_sizes").input(typed).run()
    assert not at.exception
    said = [e.value for e in at.error]
    assert len(said) == 1 and said[0].startswith("Units per layer: ") and WHAT_TO_TYPE in said[0]
    at.text_input(key="opt.layer_sizes").input("32, 12").run()
    no_problems(at)


def test_a_gradient_race_past_the_budget_is_refused_with_a_sentence():
    at = opened_with({"grad.hidden": "256", "grad.length": "1000"}, "app_pages/gradients.py")
    assert not at.exception
    said = [e.value for e in at.error]
    assert len(said) == 1 and "would need about 750 MiB of the server's memory" in said[0]
    assert "lower the hidden size or the sequence length" in said[0]
    assert not at.get("plotly_chart")  # nothing was computed
    at.number_input(key="opt.grad.length").set_value(100).run()
    no_problems(at)
    assert [chart.key for chart in at.get("plotly_chart")] == ["grad.race"]


def test_the_sweep_page_has_no_address_box_and_says_where_runs_train(monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    at = sweep_page()
    no_problems(at)
    assert not [t for t in at.text_input if "address" in t.label.lower()]
    assert any(c.value.startswith("Runs train on this machine, one per core.") for c in at.caption)
    link = opened_with({"sweep.address": "local"}, "app_pages/sweep.py")
    assert any("“sweep.address” is not a setting" in w.value for w in link.warning)


def test_a_cluster_the_operator_set_that_cannot_be_reached_gives_a_sentence(monkeypatch):
    pytest.importorskip("ray")
    monkeypatch.setenv("RAY_ADDRESS", "head-node")  # no port: Ray refuses it at once
    at = sweep_page(steps=20)
    said = "Runs train on the Ray cluster at head-node, as the server's operator set it."
    assert any(c.value == said for c in at.caption)
    at.button(key="btn.sweep").click().run()
    assert not at.exception and not at.error  # Start returns: Ray is reached elsewhere
    deadline = time.monotonic() + TRAINING_S
    while at.session_state[SWEEP]["executor"].active:
        assert time.monotonic() < deadline, "the runs never ended"  # a hang guard
        time.sleep(0.3)
        at.run()
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert "runs failed. The Ray cluster at head-node could not be reached: " in errors[0]
    assert "Invalid address format" in errors[0]
