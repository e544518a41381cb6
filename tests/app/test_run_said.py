"""What happened is said, under AppTest: a knob changed after Open that needs a new model says so
before Start drops anything (and the opened run stays as it was); Resume says the step it goes
back to; an open Train whose run a restart interrupted says so and links to Runs; a continued
run's end names the steps it added beside the Step tile; the best setting names its knobs."""

from __future__ import annotations

from dataclasses import asdict

from rnn_core.models import build_model
from rnn_core.runs.compare import origin_setting, run_settings
from rnn_core.training.state import state_to_bytes
from rnn_core.training.trainer import TrainConfig, Trainer
from tests.app.conftest import app_with_token, no_problems, owner_key_of, train_until_done
from tests.app.test_run_settings_own import open_on_runs
from tests.waiting import wait_until
from ui.session.controls import config_for_data
from ui.session.run_store import INTERRUPTED, run_store
from ui.session.spec_link import link_of_spec
from ui.sweep.setup import best_setting_sentence


def killed_run(secret: str, data) -> str:
    """A sweep run (hidden 16) killed at step 40 whose last save is step 30, as a server
    restart leaves it: interrupted."""
    model = config_for_data(data, hidden_size=16)
    train = TrainConfig(max_steps=30, seed=1)
    trainer = Trainer(build_model(model, 1, "cpu"), data, train)
    trainer.run()
    saved = trainer.training_state(1)
    trainer.run()  # ten more steps reported, never saved
    store = run_store()
    link = link_of_spec({}, model, train, 1)
    origin = origin_setting("sweep", "sweep-x")
    settings = run_settings(link, asdict(model), asdict(train), 1, origin, "cpu")
    record = store.create_run(
        owner_key_of(secret),
        name="LSTM 16 · seed 1",
        source="Sine waves",
        cell="LSTM",
        parameters=100,
        seed=1,
        settings=settings,
        sweep="sweep-x",
    )
    store.save_state(record.id, 30, state_to_bytes(saved))
    store.append_rows(record.id, trainer.history.rows_since(0)[:40])
    store.set_state(record.id, "interrupted", INTERRUPTED)
    return record.id


def test_an_interrupted_run_is_said_on_train_with_a_link_to_runs(small_sine_data):
    secret = "e" * 40
    killed_run(secret, small_sine_data)
    at = app_with_token(secret).switch_page("app_pages/train.py").run()
    no_problems(at)
    assert any(
        w.value == "Your last run, “LSTM 16 · seed 1”, was interrupted at step 40 when the "
        "server stopped; its last save is step 30: Resume on Runs continues it from there."
        for w in at.warning
    ), [w.value for w in at.warning]
    (link,) = [p.proto for p in at.page_link if p.proto.label == "Go to Runs"]
    assert "runs" in link.page, link


def test_resume_says_the_step_it_goes_back_to_and_the_steps_trained_again(small_sine_data):
    secret = "f" * 40
    run_id = killed_run(secret, small_sine_data)
    at = app_with_token(secret).switch_page("app_pages/runs.py").run()
    at.multiselect(key="runs.compare").set_value([run_id]).run()
    at.button(key="runs.resume").click().run()
    no_problems(at)
    said = [i.value for i in at.info]
    assert (
        "Resumed. Continues from step 30, its last save; steps 31–40 are trained again, up to "
        "step 60 (30 steps more)." in said
    ), said
    train_until_done(at)
    at.switch_page("app_pages/train.py").run()  # AppTest reruns the page it was told to show
    assert any("Finished 30 steps more, at step 60." in s.value for s in at.success)
    assert at.metric[0].value == "60"  # the Step tile agrees with the banner
    wait_until(lambda: run_store().get(run_id).steps == 60)
    assert not any(w.value.startswith("Your last run") for w in at.warning)


def test_a_knob_that_needs_a_new_model_says_so_and_leaves_the_opened_run(small_sine_data):
    secret = "g" * 40
    run_id = killed_run(secret, small_sine_data)
    store = run_store()
    store.set_state(run_id, "stopped", "")
    before = store.get(run_id)
    at = open_on_runs(app_with_token(secret), run_id)
    assert not at.warning
    at.number_input(key="opt.hidden").set_value(32).run()
    no_problems(at)
    assert [w.value for w in at.warning] == [
        "Hidden size changed from 16 to 32: Start trains a new model from step 0; the opened "
        "run stays as it is on Runs."
    ]
    at.number_input(key="opt.amount").set_value(5).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    wait_until(lambda: len(store.runs(owner_key_of(secret))) == 2)
    after = store.get(run_id)
    assert (after.steps, after.checkpoint_step, after.state) == (30, 30, before.state)
    assert store.state_bytes(run_id) is not None and after.settings == before.settings
    newest = store.runs(owner_key_of(secret))[0]
    assert newest.id != run_id and newest.settings["model"]["hidden_size"] == 32


def test_the_best_setting_sentence_names_each_knob_and_its_value():
    assert (
        best_setting_sentence(("Learning rate", "Hidden size"), (0.03, 16))
        == "Set Learning rate 0.03 and Hidden size 16 on 2 · Train"
    )
    assert best_setting_sentence(("Cell",), ("GRU",)) == "Set Cell GRU on 2 · Train"


def test_a_training_knob_changed_after_open_continues_the_run_and_is_stored(small_sine_data):
    secret = "h" * 40
    run_id = killed_run(secret, small_sine_data)
    store = run_store()
    store.set_state(run_id, "stopped", "")
    at = open_on_runs(app_with_token(secret), run_id)
    at.number_input(key="opt.lr").set_value(0.05).run()
    at.number_input(key="opt.amount").set_value(5).run()
    assert not at.warning  # the same model: Start continues it
    at.button(key="btn.start").click().run()
    train_until_done(at)
    no_problems(at)
    wait_until(lambda: store.get(run_id).steps == 35)
    settings = store.get(run_id).settings
    assert settings["training"]["learning_rate"] == 0.05 and settings["link"]["lr"] == ["0.05"]
    assert settings["origin"] == {"kind": "sweep", "group": "sweep-x"}  # the rest as it was
    assert len(store.runs(owner_key_of(secret))) == 1
    assert store.history(run_id)["lr"].iloc[-1] == 0.05


def test_the_new_model_sentence_says_what_becomes_of_the_run_trained_so_far(small_sine_data):
    from types import SimpleNamespace

    from ui.runs.notes import new_model_sentence

    trained = config_for_data(small_sine_data, hidden_size=16)
    wider = config_for_data(small_sine_data, hidden_size=32, cell="gru")
    spec = SimpleNamespace(model_config=trained, seed=0)
    kept = SimpleNamespace(active=False, steps_done=300, spec=spec, listener=SimpleNamespace())
    kept.listener.run_id = "r1"
    assert new_model_sentence(kept, wider, 3) == (
        "Cell changed from LSTM to GRU and Hidden size from 16 to 32 and Seed from 0 to 3: "
        "Start trains a new model from step 0; the run at step 300 stays as it is on Runs."
    )
    unkept = SimpleNamespace(active=False, steps_done=300, spec=spec, listener=None)
    assert new_model_sentence(unkept, wider, 0).endswith(
        "the model at step 300 is dropped (runs are not being kept)."
    )
    assert new_model_sentence(kept, trained, 0) is None  # the same model: Start continues
    assert new_model_sentence(SimpleNamespace(**{**vars(kept), "active": True}), wider, 0) is None
