"""Settings in the address: the table of settings agrees with the widgets, a link round-trips,
a bad link gets sentences, and a link opened in a fresh session reproduces the experiment."""

import pytest
from streamlit.testing.v1 import AppTest

from rnn_core.datasets.text import CORPORA
from tests.app.conftest import APP, RERUN_S, no_problems, open_app, train_until_done
from ui.session.settings import SETTINGS, TEXT_CHOICES, default, link_of, settings_from_link
from ui.sources.imu import SAMPLES, UPLOAD
from ui.sources.imu_sets import SET_SAMPLE, SET_UPLOAD
from ui.sources.text import PASTE
from ui.sources.text import UPLOAD as TEXT_UPLOAD

PAGES = ["app_pages/home.py", "app_pages/data.py", "app_pages/train.py", "app_pages/gradients.py"]
MORE_PAGES = ["app_pages/compare.py", "app_pages/sweep.py"]


def fresh_pages() -> list[AppTest]:
    """A fresh session on each page that draws settings, with each source kind's widgets."""
    runs = []
    for page in PAGES + MORE_PAGES:
        at = open_app()
        runs.append(at.switch_page(page).run())
    for kind in ("Text", "IMU recording", "Memory task"):
        at = open_app().switch_page("app_pages/data.py").run()
        runs.append(at.radio(key="opt.source_kind").set_value(kind).run())
    return runs


@pytest.fixture(scope="module")
def pages():
    return fresh_pages()


def test_every_setting_round_trips_through_a_link():
    for key, spec in SETTINGS.items():
        value = default(key)
        assert spec.parse(spec.format(value)) == value, key
    values = {key: default(key) for key in SETTINGS}
    values.update(cell="GRU", hidden=17, lr=0.003, clip=False)
    values["compare.cells"] = ["GRU", "RNN (relu)"]
    link = link_of(values)
    assert link == {
        "seed": ["0"],
        "cell": ["GRU"],
        "hidden": ["17"],
        "lr": ["0.003"],
        "clip": ["false"],
        "compare.cells": ["GRU", "RNN (relu)"],
    }
    parsed, problems = settings_from_link(link)
    assert not problems
    assert parsed == {key: values[key] for key in link}


@pytest.mark.parametrize(
    ("params", "sentence"),
    [
        ({"bogus": ["1"]}, "“bogus” is not a setting"),
        ({"lr": ["abc"]}, "'abc' is not a number"),
        ({"hidden": ["1.5"]}, "'1.5' is not a whole number"),
        ({"hidden": ["100000"]}, "outside 1 to 512"),
        ({"lr": ["nan"]}, "not a finite number"),
        ({"cell": ["Transformer"]}, "not one of: LSTM, GRU"),
        ({"clip": ["maybe"]}, "not true or false"),
        ({"compare.cells": ["LSTM", "CNN"]}, "'CNN' is not one of"),
    ],
)
def test_a_value_a_setting_cannot_take_gets_a_sentence(params, sentence):
    values, problems = settings_from_link(params)
    assert values == {}
    assert len(problems) == 1 and sentence in problems[0]


def test_the_table_agrees_with_every_widget(pages):
    """Each persisted widget starts at the table's default, and its options and bounds are the
    table's: a link can only carry values the widget accepts."""
    seen = set()
    for at in pages:
        no_problems(at)
        for kind in ("number_input", "slider", "selectbox", "radio", "multiselect"):
            for widget in at.get(kind):
                key = (widget.key or "").removeprefix("opt.")
                if not widget.key or not widget.key.startswith("opt.") or key not in SETTINGS:
                    continue
                spec = SETTINGS[key]
                seen.add(key)
                assert widget.value == spec.default or key == "source_kind", key
                if kind in ("number_input", "slider") and spec.low is not None:
                    assert _bounds(widget, kind) == (spec.low, spec.high), key
                if kind in ("selectbox", "radio", "multiselect") and spec.choices is not None:
                    # the IMU task offers classifying only for a recording with labels
                    assert set(widget.options) <= set(spec.choices), key
    assert len(seen) >= 40, sorted(set(SETTINGS) - seen)


def _bounds(widget, kind: str) -> tuple[float, float]:
    if kind == "number_input":
        return widget.min, widget.max
    return widget.proto.min, widget.proto.max


def test_the_data_choices_are_the_data_pages_own():
    assert (*CORPORA, PASTE, TEXT_UPLOAD) == TEXT_CHOICES
    assert set(SETTINGS["imu.choice"].choices) == {*SAMPLES, UPLOAD, SET_SAMPLE, SET_UPLOAD}


def test_the_address_follows_every_change_and_reopens_the_same_experiment():
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    assert at.query_params == {"seed": "0"}
    at.selectbox(key="opt.cell").set_value("GRU").run()
    at.number_input(key="opt.hidden").set_value(12).run()
    at.number_input(key="opt.amount").set_value(15).run()
    at.switch_page("app_pages/data.py").run()
    at.text_input(key="opt.sine.freqs").set_value("0.5, 1.3").run()
    at.switch_page("app_pages/train.py").run()
    link = dict(at.query_params)
    assert link == {
        "seed": "0",
        "sine.freqs": "0.5, 1.3",
        "cell": "GRU",
        "hidden": "12",
        "amount": "15",
    }
    shown = at.sidebar.code[0].value
    assert shown.endswith("?seed=0&sine.freqs=0.5%2C+1.3&cell=GRU&hidden=12&amount=15")
    at.button(key="btn.start").click().run()
    train_until_done(at)
    first = at.session_state["experiment"].run.history.frame()

    other = AppTest.from_file(APP, default_timeout=RERUN_S)
    other.query_params = link
    other.switch_page("app_pages/train.py").run()
    no_problems(other)
    assert other.selectbox(key="opt.cell").value == "GRU"
    assert other.number_input(key="opt.hidden").value == 12
    assert other.session_state["source"].sine.frequencies == (0.5, 1.3)
    other.button(key="btn.start").click().run()
    train_until_done(other)
    second = other.session_state["experiment"].run.history.frame()
    assert first["loss"].tolist() == second["loss"].tolist()  # the same curve, from the link


def test_a_bad_link_says_what_was_left_out_and_the_page_still_works():
    at = AppTest.from_file(APP, default_timeout=RERUN_S)
    at.query_params = {"cell": "Transformer", "hidden": "7", "nonsense": "1"}
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("“cell”" in w and "LSTM" in w for w in warnings), warnings
    assert any("“nonsense”" in w for w in warnings), warnings
    assert at.selectbox(key="opt.cell").value == "LSTM"
    assert at.number_input(key="opt.hidden").value == 7
    at.run()
    assert not at.warning  # said once


def test_a_link_with_unusable_data_knobs_falls_back_to_the_default_sine():
    at = AppTest.from_file(APP, default_timeout=RERUN_S)
    at.query_params = {"sine.freqs": "fast"}
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    assert any("Frequencies must be numbers" in w.value for w in at.warning)
    assert at.session_state["experiment"].data.train is not None


def test_an_address_that_lags_a_run_behind_changes_nothing():
    """The browser sends the address it had when a widget changed, which may predate the last
    run's; only a link that opens a session or names a demo sets the settings."""
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    at.selectbox(key="opt.cell").set_value("GRU").run()
    at.number_input(key="opt.hidden").set_value(12).run()
    at.query_params = {"seed": "0", "cell": "GRU"}  # the address before the hidden size changed
    at.run()
    assert at.selectbox(key="opt.cell").value == "GRU"
    assert at.number_input(key="opt.hidden").value == 12
    assert at.query_params == {"seed": "0", "cell": "GRU", "hidden": "12"}


def test_a_link_to_a_demo_the_app_does_not_have_says_so():
    at = AppTest.from_file(APP, default_timeout=RERUN_S)
    at.query_params = {"preset": "nonexistent", "cell": "GRU"}
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    assert any("“nonexistent”" in w.value for w in at.warning)
    assert at.selectbox(key="opt.cell").value == "GRU"


@pytest.mark.parametrize(
    ("params", "sentence"),
    [
        ({"layer_sizes": ["12000,1"]}, "'12000' is not a whole number from 1 to 512"),
        ({"layer_sizes": ["100000, 1"]}, "'100000' is not a whole number from 1 to 512"),
        ({"text.pasted": ["x" * 6_000_000]}, "6,000,000 characters is more than 5,000,000"),
        ({"cell": ["y" * 20_000]}, "'" + "y" * 80 + "…' is not one of"),
        ({"z" * 20_000: ["1"]}, "“" + "z" * 80 + "…” is not a setting"),
    ],
)
def test_values_past_the_bounds_and_long_names_get_a_short_sentence(params, sentence):
    values, problems = settings_from_link(params)
    assert values == {}
    assert len(problems) == 1 and sentence in problems[0]
    assert len(problems[0]) < 300


def test_markdown_in_a_links_names_and_values_is_shown_as_text():
    at = AppTest.from_file(APP, default_timeout=RERUN_S)
    at.query_params = {
        "[click here](https://example.com)": "1",
        "cell": "![p](https://example.com/p.png)",
    }
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 2, warnings
    joined = [w.replace("\u2060", "") for w in warnings]  # the joiner that stops autolinks
    assert any(r"\[click here\](https\://example.com)" in w for w in joined), warnings
    assert any(r"!\[p\](https\://example.com/p.png)" in w for w in joined), warnings
