"""Every page under Streamlit's AppTest; the Train page trains through its own buttons."""

import json
import math

import pytest

from rnn_core.datasets.text import bracket_corpus
from rnn_core.figures.axes import compact
from rnn_core.figures.colors import PREVIOUS_COLOR
from tests.app.conftest import chart_values, no_problems, open_app, train_until_done
from tests.paths import ROOT
from tests.waiting import wait_until

PAGES = ["app_pages/home.py", "app_pages/data.py", "app_pages/train.py", "app_pages/evaluate.py"]


@pytest.mark.parametrize("page", PAGES)
def test_each_page_runs_without_an_exception(page):
    at = open_app()
    at.switch_page(page).run()
    no_problems(at)


def test_home_offers_device_and_seed():
    at = open_app()
    assert at.selectbox(key="opt.device").options[-1] == "CPU"
    assert at.number_input(key="opt.seed").value == 0


def test_home_lists_every_other_page_in_the_order_of_the_navigation():
    links = [link for link in open_app().get("page_link") if not link.proto.query_string]
    pages = ["data", "train", "inside", "gradients", "textlab", "evaluate", "compare", "sweep"]
    assert [link.proto.page for link in links] == pages
    for number, link in enumerate(links, start=1):
        assert link.proto.label.startswith(f"**{number} · ")
    navigation = (ROOT / "ui" / "navigation.py").read_text()
    assert [navigation.index(f'"app_pages/{page}.py"') for page in pages] == sorted(
        navigation.index(f'"app_pages/{page}.py"') for page in pages
    )


def test_train_page_completes_a_short_training_from_its_buttons():
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(40).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    no_problems(at)
    runner = at.session_state["experiment"].run
    assert runner.state == "finished" and runner.steps_done == 40
    assert any("Finished 40 steps. Trained on CPU." in s.value for s in at.success)
    history = runner.history.frame()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Step"] == "40"
    assert shown["Train loss (MSE)"] == compact(history["loss"].iloc[-1])
    assert shown["Validation loss (MSE)"] == compact(history["val_loss"].dropna().iloc[-1])
    assert shown["Steps per second"] == "–"  # the run has ended: no speed to show
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # loss, gradient norm, forecast
    assert "Start" in [b.label for b in at.button if not b.disabled]
    assert not any("· step" in c.value for c in at.sidebar.caption)  # the page itself says it
    at.switch_page("app_pages/data.py").run()
    assert "**Finished** · step 40" in [c.value for c in at.sidebar.caption]  # other pages


def test_start_again_continues_and_rewind_starts_over():
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(15).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    at.button(key="btn.start").click().run()
    train_until_done(at)
    assert at.session_state["experiment"].run.steps_done == 30
    before = at.session_state["experiment"].run.history.frame()
    at.button(key="btn.rewind").click().run()
    assert at.session_state["experiment"].run.steps_done == 0
    no_problems(at)
    # the run before the Rewind stays on the loss chart, faint, beside the new one
    loss = json.loads(at.get("plotly_chart")[0].proto.spec)
    previous = [t for t in loss["data"] if t["name"] == "previous run (validation)"]
    assert len(previous) == 1 and previous[0]["line"]["color"] == PREVIOUS_COLOR
    assert len(chart_values(previous[0]["y"])) == before["val_loss"].notna().sum()


def test_step_button_takes_one_step_at_a_time():
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    at.button(key="btn.step").click().run()
    at.button(key="btn.step").click().run()
    assert at.session_state["experiment"].run.steps_done == 2
    no_problems(at)


def test_pause_and_stop_from_the_page():
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(100_000).run()
    at.button(key="btn.start").click().run()
    at.button(key="btn.pause").click().run()
    runner = at.session_state["experiment"].run
    # a pause asked for while the run still waits for its process is kept: it pauses once the
    # process has started (at once on a quiet machine)
    wait_until(lambda: runner.state == "paused", timeout=60, what="the run to pause")
    at.run()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Steps per second"] == "–"  # paused: nothing moves, so no speed is shown
    at.button(key="btn.resume").click().run()
    assert runner.state in ("training", "queued")
    at.button(key="btn.stop").click().run()
    assert not runner.active and runner.state == "stopped"
    no_problems(at)


def test_text_source_trains_a_gru_and_shows_a_sample():
    at = open_app()
    at.switch_page("app_pages/data.py").run()
    at.radio(key="opt.source_kind").set_value("Text").run()
    no_problems(at)
    assert at.session_state["source"].kind == "text"
    corpus = bracket_corpus()  # the default text source
    shown = {m.label: m.value for m in at.metric}
    assert shown["Characters"] == f"{len(corpus):,}"
    assert shown["Distinct characters"] == str(len(set(corpus)))
    assert shown["Lines"] == f"{len(corpus.splitlines()):,}"
    at.switch_page("app_pages/train.py").run()
    at.selectbox(key="opt.cell").set_value("GRU").run()
    at.number_input(key="opt.amount").set_value(20).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    no_problems(at)
    assert at.session_state["experiment"].model.config.cell == "gru"
    assert len(at.main.code) == 1 and "⟫" in at.main.code[0].value
    val = at.session_state["experiment"].run.history.frame()["val_loss"].dropna()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Validation loss (bits/char)"] == compact(val.iloc[-1] / math.log(2))
    assert shown["Validation perplexity"] == f"{math.exp(val.iloc[-1]):.3g}"
    train = at.session_state["experiment"].run.history.frame()["loss"].iloc[-1]
    assert shown["Train loss (bits/char)"] == compact(train / math.log(2))
    assert shown["Train perplexity"] == f"{math.exp(train):.3g}"


def test_text_trains_with_truncated_bptt():
    at = open_app()
    at.switch_page("app_pages/data.py").run()
    at.radio(key="opt.source_kind").set_value("Text").run()
    at.switch_page("app_pages/train.py").run()
    at.checkbox(key="opt.tbptt").check().run()
    at.number_input(key="opt.amount").set_value(20).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    no_problems(at)
    run = at.session_state["experiment"].run
    assert run.config.truncated_bptt and run.steps_done == 20


def test_a_window_longer_than_the_data_gets_a_sentence():
    at = open_app()
    at.switch_page("app_pages/data.py").run()
    at.number_input(key="opt.seq_len").set_value(500).run()
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    assert "sequence length of at most" in at.error[0].value


def test_bad_sine_knobs_get_a_sentence_not_a_traceback():
    at = open_app()
    at.switch_page("app_pages/data.py").run()
    at.text_input(key="opt.sine.freqs").input("0.5, abc").run()
    assert not at.exception and "numbers separated by commas" in at.error[0].value
    at.text_input(key="opt.sine.freqs").input("15").run()
    assert "half the sample rate" in at.error[0].value


def test_settings_survive_a_page_switch():
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.hidden").set_value(48).run()
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/train.py").run()
    assert at.number_input(key="opt.hidden").value == 48
