"""The memory tasks in the pages: chosen on Data, trained on Train with their own loss unit and
their closed-form baseline drawn on the loss chart."""

import json
import math

from rnn_core.datasets.memory import ADDING_BASELINE_MSE, copy_baseline
from tests.app.conftest import no_problems, open_app, train_until_done


def memory_task(task: str, length: int):
    at = open_app()
    at.switch_page("app_pages/data.py").run()
    at.radio(key="opt.source_kind").set_value("Memory task").run()
    at.radio(key="opt.memory.task").set_value(task).run()
    at.number_input(key="opt.memory.length").set_value(length).run()
    no_problems(at)
    return at


def loss_chart_baseline(at) -> float:
    spec = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["layout"]["title"]["text"] == "Loss"
    )
    (shape,) = spec["layout"]["shapes"]
    return shape["y0"]


def test_adding_problem_shows_its_baseline_and_trains_with_mse():
    at = memory_task("Adding problem", 30)
    assert at.session_state["source"].label == "Adding problem, length 30"
    assert any("scores 0.1667" in c.value for c in at.caption)
    at.switch_page("app_pages/train.py").run()
    assert math.isclose(loss_chart_baseline(at), ADDING_BASELINE_MSE)
    at.number_input(key="opt.amount").set_value(20).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    no_problems(at)
    labels = [m.label for m in at.metric]
    assert "Validation loss (MSE)" in labels
    assert math.isclose(loss_chart_baseline(at), ADDING_BASELINE_MSE)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert not any("forecast" in t for t in titles)  # nothing to forecast in a generated task
    model = at.session_state["experiment"].model
    assert model.config.task_shape == "many_to_one" and model.config.input_size == 2


def test_copy_task_trains_as_a_classifier_with_its_memoryless_baseline():
    at = memory_task("Copy task", 10)
    expected = copy_baseline(8, 5, 10)
    assert any(f"scores {expected:.4g}" in c.value for c in at.caption)
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(20).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    no_problems(at)
    assert "Validation loss (cross-entropy)" in [m.label for m in at.metric]
    assert math.isclose(loss_chart_baseline(at), expected)
    assert at.session_state["experiment"].model.config.task_shape == "many_to_many"
