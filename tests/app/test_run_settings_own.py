"""A run's settings are its own, under AppTest: each run of Train, Compare and Sweep stores its own
model, training, seed and origin; Open sets Train's knobs to exactly those and Start continues
the opened model (the same stored run, its steps going on); a store made before origins opens."""

from __future__ import annotations

from dataclasses import asdict

from rnn_core.models import build_model
from rnn_core.runs.compare import run_settings
from rnn_core.training.state import state_to_bytes
from rnn_core.training.trainer import TrainConfig, Trainer
from tests.app.conftest import (
    app_with_token,
    compare_until_done,
    no_problems,
    owner_key_of,
    run_sweep,
    sweep_page,
    train_until_done,
)
from tests.waiting import wait_until
from ui.session.controls import config_for_data
from ui.session.run_store import run_store
from ui.session.settings import settings_from_link


def open_on_runs(at, run_id: str):
    """Open one run on Runs, then show Train."""
    at.switch_page("app_pages/runs.py").run()
    at.multiselect(key="runs.compare").set_value([run_id]).run()
    at.button(key="runs.open").click().run()
    no_problems(at)
    return at.switch_page("app_pages/train.py").run()


def start_and_finish(at):
    at.button(key="btn.start").click().run()
    train_until_done(at)
    no_problems(at)


def knobs(at) -> dict:
    return {
        "cell": at.selectbox(key="opt.cell").value,
        "hidden": at.number_input(key="opt.hidden").value,
        "lr": at.number_input(key="opt.lr").value,
        "steps": at.number_input(key="opt.amount").value,
    }


def test_a_sweep_run_stores_its_own_knobs_opens_with_them_and_start_continues_it():
    secret = "a" * 40
    at = app_with_token(secret)
    sweep_page(steps=10, at=at)
    at.text_input(key="opt.sweep.values1").input("0.003, 0.03").run()
    at.text_input(key="opt.sweep.values2").input("16").run()
    at.number_input(key="opt.sweep.seeds").set_value(1).run()
    run_sweep(at)
    store = run_store()
    wait_until(lambda: [r.state for r in store.runs(owner_key_of(secret))] == ["finished"] * 2)
    runs = store.runs(owner_key_of(secret))
    for record in runs:
        settings = record.settings
        assert settings["origin"] == {"kind": "sweep", "group": record.sweep}
        assert settings["device"] == "cpu"
        link, problems = settings_from_link(settings["link"])
        assert problems == [] and link["hidden"] == settings["model"]["hidden_size"] == 16
        assert link["lr"] == settings["training"]["learning_rate"]
    at.button(key="btn.sweep_best").click().run()  # the best setting, said on Train
    assert any(i.value.startswith("Set Learning rate 0.0") for i in at.info), at.info
    assert any("and Hidden size 16 on 2 · Train" in i.value for i in at.info)
    (fast,) = [r for r in runs if r.settings["training"]["learning_rate"] == 0.03]
    open_on_runs(at, fast.id)
    assert knobs(at) == {"cell": "LSTM", "hidden": 16, "lr": 0.03, "steps": 10}
    assert not at.warning  # no knob differs from the run: Start continues it
    start_and_finish(at)
    assert any("Finished 10 steps more, at step 20." in s.value for s in at.success)
    wait_until(lambda: store.get(fast.id).steps == 20 and store.get(fast.id).state == "finished")
    assert len(store.runs(owner_key_of(secret))) == 2  # the same run went on: no new one
    assert store.history(fast.id)["lr"].iloc[-1] == 0.03


def test_a_compare_gru_run_opens_as_a_gru_and_start_continues_it():
    secret = "b" * 40
    at = app_with_token(secret)
    at.switch_page("app_pages/compare.py").run()
    at.multiselect(key="opt.compare.cells").set_value(["GRU"]).run()
    at.number_input(key="opt.compare.hidden").set_value(8).run()
    at.number_input(key="opt.compare.steps").set_value(10).run()
    at.number_input(key="opt.compare.lr").set_value(0.02).run()
    at.button(key="btn.compare").click().run()
    compare_until_done(at)
    store = run_store()
    wait_until(lambda: [r.state for r in store.runs(owner_key_of(secret))] == ["finished"])
    (record,) = store.runs(owner_key_of(secret))
    assert record.settings["origin"] == {"kind": "compare", "group": record.sweep}
    assert record.sweep.startswith("compare-")
    open_on_runs(at, record.id)
    assert knobs(at) == {"cell": "GRU", "hidden": 8, "lr": 0.02, "steps": 10}
    assert at.checkbox(key="opt.clip").value and at.number_input(key="opt.max_norm").value == 1
    start_and_finish(at)
    wait_until(lambda: store.get(record.id).steps == 20)
    assert len(store.runs(owner_key_of(secret))) == 1


def test_a_train_run_keeps_train_as_its_origin():
    secret = "c" * 40
    at = app_with_token(secret)
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(5).run()
    start_and_finish(at)
    store = run_store()
    wait_until(lambda: [r.state for r in store.runs(owner_key_of(secret))] == ["finished"])
    (record,) = store.runs(owner_key_of(secret))
    assert record.settings["origin"] == {"kind": "train", "group": None}
    assert settings_from_link(record.settings["link"])[0]["amount"] == 5


def old_format_run(secret: str, data) -> str:
    """A run as the store of the previous version kept it: the Train page's link (LSTM 32 at
    0.01, seed 0, and its data: noise 0.05) beside the model it really trained (GRU 12 at 0.05,
    seed 2), no origin, no device."""
    model = config_for_data(data, cell="gru", hidden_size=12)
    train = TrainConfig(learning_rate=0.05, max_steps=8, seed=2)
    trainer = Trainer(build_model(model, 2, "cpu"), data, train)
    trainer.run()
    state = trainer.training_state(2)
    store = run_store()
    old_link = {"seed": ["0"], "cell": ["LSTM"], "hidden": ["32"], "sine.noise": ["0.05"]}
    settings = run_settings(old_link, asdict(model), asdict(train), 2)
    assert "origin" not in settings
    record = store.create_run(
        owner_key_of(secret),
        name="GRU 12 · seed 2",
        source="Sine waves",
        cell="GRU",
        parameters=100,
        seed=2,
        settings=settings,
        sweep="sweep-old",
    )
    store.append_rows(record.id, state.history)
    store.save_state(record.id, state.steps_done, state_to_bytes(state))
    store.set_state(record.id, "finished", "Finished 8 steps.")
    return record.id


def test_a_run_stored_before_origins_opens_with_the_model_it_trained(small_sine_data):
    secret = "d" * 40
    run_id = old_format_run(secret, small_sine_data)
    at = app_with_token(secret)
    open_on_runs(at, run_id)
    no_problems(at)
    assert knobs(at) == {"cell": "GRU", "hidden": 12, "lr": 0.05, "steps": 8}
    assert at.session_state["opt.seed"] == 2 and at.session_state["opt.sine.noise"] == 0.05
    assert not at.warning
    start_and_finish(at)
    store = run_store()
    wait_until(lambda: store.get(run_id).steps == 16 and store.get(run_id).state == "finished")
    assert len(store.runs(owner_key_of(secret))) == 1
    assert "origin" not in store.get(run_id).settings  # opening changed nothing of it


def test_a_run_trained_on_a_device_this_server_lacks_says_where_it_continues(small_sine_data):
    """A run's settings keep its device; Open uses it where the server has it, else says where
    Start continues it (this machine has no CUDA GPU: a stored "cuda" run continues on the CPU)."""
    secret = "cuda-run-" + "e" * 31
    run_id = old_format_run(secret, small_sine_data)
    store = run_store()
    store.update_settings(run_id, {"device": "cuda"})
    at = app_with_token(secret)
    at.switch_page("app_pages/runs.py").run()
    at.multiselect(key="runs.compare").set_value([run_id]).run()
    at.button(key="runs.open").click().run()  # Open says it on Runs
    no_problems(at)
    said = [w.value for w in at.warning]
    assert any("It trained on cuda, which this server does not have" in w for w in said), said
    assert any("Start continues it on cpu" in w for w in said), said


def test_a_run_trained_on_the_cpu_opens_on_the_cpu(small_sine_data):
    secret = "cpu-run-" + "f" * 32
    run_id = old_format_run(secret, small_sine_data)
    run_store().update_settings(run_id, {"device": "cpu"})
    at = app_with_token(secret)
    at.switch_page("app_pages/runs.py").run()
    at.multiselect(key="runs.compare").set_value([run_id]).run()
    at.button(key="runs.open").click().run()
    no_problems(at)
    assert not at.warning  # nothing to say: this server trains on the CPU too
