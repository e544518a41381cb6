"""Every knob at its extreme, under AppTest: a sentence or a result, never a traceback."""

import numpy as np
import pytest

from tests.app.conftest import no_problems, open_app, train_until_done


def train_page(**knobs):
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    for key, value in knobs.items():
        widget = at.selectbox(key=f"opt.{key}") if key == "optimizer" else None
        if widget is None:
            widget = (
                at.checkbox(key=f"opt.{key}")
                if isinstance(value, bool)
                else at.number_input(key=f"opt.{key}")
            )
        widget.set_value(value).run()
    no_problems(at)
    return at


def test_the_largest_learning_rate_is_caught_and_the_last_good_weights_kept():
    at = train_page(optimizer="SGD", lr=10.0, clip=False, amount=300)
    at.button(key="btn.start").click().run()
    train_until_done(at)
    assert not at.exception
    exp = at.session_state["experiment"]
    assert exp.run.state == "diverged"
    assert any(
        "Training diverged" in e.value and "Lower the learning rate" in e.value for e in at.error
    )
    weights = [p.detach().numpy() for p in exp.model.parameters()]
    assert all(np.isfinite(w).all() for w in weights)


@pytest.mark.slow
def test_a_batch_larger_than_the_training_windows_still_trains():
    at = train_page(batch=4096, amount=3)
    data = at.session_state["experiment"].data
    assert len(data.train) < 4096
    at.button(key="btn.start").click().run()
    train_until_done(at)
    no_problems(at)
    assert at.session_state["experiment"].run.steps_done == 3


@pytest.mark.slow
def test_the_largest_model_takes_a_step_and_is_counted():
    at = train_page(hidden=512, layers=4)
    at.button(key="btn.step").click().run()
    train_until_done(at)
    no_problems(at)
    model = at.session_state["experiment"].model
    assert model.config.hidden_sizes == (512,) * 4
    shown = [c.value for c in at.caption if "parameters" in c.value]
    assert shown and f"{model.parameter_count():,} parameters" in shown[0]


def test_stop_twice_and_start_while_training_change_nothing():
    at = train_page(amount=100_000)
    at.button(key="btn.start").click().run()
    runner = at.session_state["experiment"].run
    assert at.button(key="btn.start").disabled  # Start while training: not offered
    assert not runner.start()  # and a Start that arrives anyway is ignored
    at.button(key="btn.stop").click().run()
    runner.stop()  # a second Stop
    at.run()
    no_problems(at)
    assert runner.state == "stopped" and not runner.active
    assert at.button(key="btn.stop").disabled


def test_over_the_memory_limit_start_is_refused_with_the_knob_and_no_model_is_built(monkeypatch):
    monkeypatch.setenv("RNN_EXPLORER_TRAINING_MIB", "60")
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.batch").set_value(4096).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("lower the batch size" in e and "60 MiB" in e for e in errors), errors
    assert any(c.value.startswith("Estimate:") for c in at.caption)
    for key in ("btn.start", "btn.step", "btn.reseed"):
        assert at.button(key=key).disabled, key
    assert at.session_state["experiment"].run is None


def test_the_estimate_is_shown_beside_start_and_start_trains():
    at = train_page(amount=5)
    shown = [c.value for c in at.caption if c.value.startswith("Estimate:")]
    assert shown and "MiB of memory" in shown[0] and "for 5 steps" in shown[0]
    at.button(key="btn.start").click().run()
    train_until_done(at)
    no_problems(at)


def test_compare_has_a_stop_that_ends_every_run():
    at = open_app()
    at.switch_page("app_pages/compare.py").run()
    at.number_input(key="opt.compare.steps").set_value(20_000).run()
    assert at.button(key="btn.compare_stop").disabled  # nothing to stop yet
    at.button(key="btn.compare").click().run()
    runs = at.session_state["compare.runs"]["runs"]
    assert any(runner.active for _, runner in runs.values())
    assert not at.button(key="btn.compare_stop").disabled
    at.button(key="btn.compare_stop").click().run()
    for _, runner in runs.values():
        runner.wait(30)
        assert not runner.active
    at.run()
    assert not at.exception
    assert at.button(key="btn.compare_stop").disabled
