"""Every lecture preset, headless under AppTest, opened as the Home page's link opens it: it lands
on its page with its caption, starts what it needs, and makes its point, the same way twice."""

import math
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from rnn_core.datasets.memory import ADDING_BASELINE_MSE
from rnn_core.evaluation.compare import trivial_baseline
from tests.app.conftest import APP, RERUN_S, TRAINING_S, no_problems, open_app
from ui.session.demos import PRESETS
from ui.session.settings import SETTINGS, settings_from_link

pytestmark = pytest.mark.slow  # left out of make test-fast


def open_preset(key: str) -> AppTest:
    """A fresh session that follows the preset's link, then reruns until its training ends."""
    preset = PRESETS[key]
    at = AppTest.from_file(APP, default_timeout=RERUN_S)
    at.query_params = {"preset": key}
    at.switch_page(preset.page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.info[0].value.startswith(f"**{preset.title}**")
    deadline = time.monotonic() + TRAINING_S
    while _active(at, preset.action):
        assert time.monotonic() < deadline, f"the {key} preset did not end"
        time.sleep(0.3)
        at.run()
    at.run()
    if preset.action == "train":  # a run that ended otherwise would make no point: say why
        runner = at.session_state["experiment"].run
        assert runner.state in ("finished", "early_stopped"), (runner.state, runner.message)
    no_problems(at)
    return at


def _active(at: AppTest, action: str) -> bool:
    if action == "compare":
        return any(runner.active for _, runner in _runs(at).values())
    if action == "train":
        return at.session_state["experiment"].run.active
    return False


def _runs(at: AppTest) -> dict:
    return at.session_state["compare.runs"]["runs"]


def _history(runner):
    return runner.history.frame()


def test_every_preset_is_a_valid_link_with_a_two_line_caption():
    for preset in PRESETS.values():
        link = {key: SETTINGS[key].format(value) for key, value in preset.settings.items()}
        values, problems = settings_from_link(link)
        assert not problems and values == preset.settings, preset.key
        assert preset.caption.count("  \n") == 1, preset.key
        assert len(preset.summary) <= 60, preset.key  # a link on one line


def test_home_and_sidebar_link_every_preset():
    at = open_app()
    for where in (at.main, at.sidebar):
        links = [link.proto for link in where.get("page_link") if link.proto.query_string]
        assert [link.query_string for link in links] == [f"preset={k}" for k in PRESETS]
        pages = [PRESETS[k].page.removeprefix("app_pages/").removesuffix(".py") for k in PRESETS]
        assert [link.page for link in links] == pages


@pytest.mark.xdist_group("presets-sine")  # a group of its own: pytest -n shares them out
def test_lstm_sine_falls_far_below_the_baseline_and_is_the_same_twice():
    first, second = open_preset("lstm-sine"), open_preset("lstm-sine")
    runner = first.session_state["experiment"].run
    history = _history(runner)
    baseline, _ = trivial_baseline(first.session_state["experiment"].data)
    assert runner.state == "finished"
    assert history["val_loss"].dropna().iloc[-1] < baseline / 500  # "about a thousand times"
    again = _history(second.session_state["experiment"].run)
    assert history["loss"].tolist() == again["loss"].tolist()


@pytest.mark.xdist_group("presets-vanishing")  # a group of its own: pytest -n shares them out
def test_vanishing_shows_the_rnn_gradient_orders_of_magnitude_below_the_lstm():
    at = open_preset("vanishing")
    ratios = {m.label.split(":")[0]: float(m.value) for m in at.metric}
    assert math.log10(ratios["LSTM"] / ratios["RNN"]) > 10, ratios
    assert ratios["LSTM"] > 1e-3, ratios  # the LSTM keeps its gradient


@pytest.mark.xdist_group("presets-exploding")  # a group of its own: pytest -n shares them out
def test_exploding_diverges_without_clipping_and_stays_finite_with_it():
    first, second = open_preset("exploding"), open_preset("exploding")
    runs = _runs(first)
    clipped = next(r for label, (_, r) in runs.items() if "clipped" in label)
    unclipped = next(r for label, (_, r) in runs.items() if "no clipping" in label)
    assert unclipped.state == "diverged"
    blown = _history(unclipped)
    assert blown["loss"].max() > 1e20 * blown["loss"].iloc[0]  # "more than twenty orders"
    assert 10 <= len(blown) <= 40  # "after about 20 steps"
    assert clipped.state == "finished"
    losses = _history(clipped)["val_loss"].dropna()
    assert np.isfinite(_history(clipped)["loss"]).all()
    assert losses.iloc[-1] < losses.iloc[0] / 2
    table = first.table[0].value  # Compare's table, as HTML
    assert set(table["state"]) == {"finished", "diverged"}
    for label, (_, runner) in _runs(second).items():
        assert _history(runner)["loss"].tolist() == _history(runs[label][1])["loss"].tolist()


@pytest.mark.xdist_group("presets-adding")  # a group of its own: pytest -n shares them out
def test_adding_the_lstm_beats_the_baseline_and_the_rnn_does_not():
    first, second = open_preset("adding"), open_preset("adding")
    final = {
        label: _history(runner)["val_loss"].dropna().iloc[-1]
        for label, (_, runner) in _runs(first).items()
    }
    assert final["LSTM"] < 0.25 * ADDING_BASELINE_MSE, final
    assert final["RNN (tanh)"] > 0.7 * ADDING_BASELINE_MSE, final
    assert any("trivial baseline" in c.value for c in first.caption)
    for label, (_, runner) in _runs(second).items():
        again = _history(runner)["loss"].tolist()
        assert again == _history(_runs(first)[label][1])["loss"].tolist()


@pytest.mark.xdist_group("presets-brackets")  # a group of its own: pytest -n shares them out
def test_brackets_a_unit_counts_the_depth_the_same_way_twice():
    first, second = open_preset("brackets"), open_preset("brackets")
    assert first.selectbox(key="text.property").value == "Bracket depth"
    table = first.dataframe[0].value
    assert abs(table["r"].iloc[0]) >= 0.9, table
    assert table.equals(second.dataframe[0].value)


@pytest.mark.xdist_group("presets-imu")  # a group of its own: pytest -n shares them out
def test_imu_predictor_makes_its_honest_point_the_same_way_twice():
    at, again = open_preset("imu"), open_preset("imu")
    for index in (0, 1, 2):  # forecast scores, at rest and in motion, attitude against truth
        assert at.table[index].value.equals(again.table[index].value)
    table = at.table[0].value
    table.index = [name.split(" ")[0] for name in table.index]
    assert table.loc["roll", "verdict"] == "worse", table  # than gyro propagation
    assert (table.loc[["pitch", "gx", "gy", "gz"], "verdict"] == "within noise").all(), table
    for target in ("roll", "pitch"):
        model = float(table.loc[target, "model RMSE"])
        assert model < float(table.loc[target, "persistence RMSE"]), table
    attitude = at.table[2].value
    incline = attitude["inclination RMSE (deg)"].astype(float)
    filters = incline.drop("the model (forecast)")
    assert filters.max() < incline["the model (forecast)"], attitude  # behind every filter
    assert attitude["ran at"].drop("the model (forecast)").str.contains("285.7 Hz").all()
    assert at.session_state["experiment"].run.state == "early_stopped"
